"""Where the linkage engine loses recall and precision, by kind of pair.

    python bench/linkage/errors.py synth-100000 --workdir /tmp/bench-data

Runs Salama's deduplication on a registry of the benchmark (or reads the pairs of
an earlier run with --pairs) and sorts every true pair by what differs between its
two records, as a registration officer would see it (one record in Arabic script,
names swapped, a father's name missing, a birth date against a stated age...), and
every false match at 0.5 by what the two records share (a household, the same
names). The categories come from the records, not from the generator, so the
analysis runs on any file with the benchmark's columns and truth file.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

NAME_PARTS = ("given_name", "father_name", "grandfather_name", "family_name")
ARABIC = re.compile(r"[\u0600-\u06ff]")


def _norm(text: str) -> str:
    return re.sub(r"[^a-z\u0600-\u06ff]", "", text.casefold())


def _arabic(row: dict[str, str]) -> bool:
    return any(ARABIC.search(row.get(p, "")) for p in NAME_PARTS)


def _somali_x(names: dict[str, str]) -> bool:
    """An x in the given or father's name: Somali spelling of the Arabic ha."""
    return "x" in names["given_name"] + names["father_name"]


def pair_kinds(a: dict[str, str], b: dict[str, str]) -> list[str]:
    """What differs between two records of one person (a pair may be of several kinds)."""
    kinds = []
    na, nb = ({p: _norm(r.get(p, "")) for p in NAME_PARTS} for r in (a, b))
    if _arabic(a) != _arabic(b):
        kinds.append("one in Arabic script, one in Latin")
    if (
        na["given_name"]
        and (na["given_name"] == nb["family_name"] or na["given_name"] == nb["father_name"])
        and na["given_name"] != nb["given_name"]
    ):
        kinds.append("names in another order")
    if _somali_x(na) != _somali_x(nb):
        kinds.append("Somali x for h on one side")
    for part, label in (("father_name", "father's"), ("grandfather_name", "grandfather's")):
        if bool(na[part]) != bool(nb[part]):
            kinds.append(f"{label} name on one side only")
    if bool(a.get("birth_date")) != bool(b.get("birth_date")):
        kinds.append("birth date against a stated age")
    elif a.get("birth_date") and b.get("birth_date") and a["birth_date"] != b["birth_date"]:
        one_off = a["birth_date"][4:] == b["birth_date"][4:]
        kinds.append("birth year one off, same day" if one_off else "birth dates differ")
    elif a.get("age") and b.get("age") and a["age"] != b["age"]:
        kinds.append("stated ages differ")
    if not kinds:
        same = all(na[p] == nb[p] for p in NAME_PARTS)
        kinds.append("names the same" if same else "spelling only")
    return kinds


def false_kind(a: dict[str, str], b: dict[str, str]) -> str:
    """What two records of different people share, for a false match."""
    if a.get("household_id") and a.get("household_id") == b.get("household_id"):
        return "same household (relatives)"
    na, nb = ([_norm(r.get(p, "")) for p in NAME_PARTS] for r in (a, b))
    if na == nb:
        return "the same names (namesakes)"
    if na[0] == nb[0] and na[3] == nb[3]:
        return "same given and family name"
    return "other"


def _scores(pairs_file: Path) -> dict[tuple[str, str], float]:
    scored: dict[tuple[str, str], float] = {}
    with pairs_file.open(encoding="utf-8") as handle:
        for a, b, p in csv.reader(handle):
            key = (a, b) if a < b else (b, a)
            scored[key] = max(float(p), scored.get(key, 0.0))
    return scored


def analyse(rows: list[dict[str, str]], truth: set, scored: dict, threshold: float = 0.5):
    by_id = {r["id"]: r for r in rows}
    found: Counter[str] = Counter()
    low: Counter[str] = Counter()
    never: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for a, b in truth:
        p = scored.get((a, b) if a < b else (b, a))
        for kind in pair_kinds(by_id[a], by_id[b]):
            total[kind] += 1
            if p is None:
                never[kind] += 1
            elif p >= threshold:
                found[kind] += 1
            else:
                low[kind] += 1
    false: Counter[str] = Counter(
        false_kind(by_id[a], by_id[b])
        for (a, b), p in scored.items()
        if p >= threshold and (a, b) not in truth
    )
    return total, found, low, never, false


def table(total, found, low, never, false, truth_n: int) -> str:
    lines = [
        "| kind of true pair | pairs | share of true pairs | found at 0.5 | scored below 0.5 "
        "| never scored (blocking or < 0.01) |",
        "|---|---|---|---|---|---|",
    ]
    for kind, n in total.most_common():
        lines.append(
            f"| {kind} | {n:,} | {n / truth_n:.1%} | {found[kind] / n:.1%} "
            f"| {low[kind] / n:.1%} | {never[kind] / n:.1%} |"
        )
    lines += ["", "| false match at 0.5: the two records share | pairs |", "|---|---|"]
    lines += [f"| {kind} | {n:,} |" for kind, n in false.most_common()]
    return "\n".join(lines)


def main() -> None:
    import run

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", help="e.g. synth-100000")
    parser.add_argument("--workdir", type=Path, default=Path("bench-data/linkage"))
    parser.add_argument("--pairs", type=Path, help="pairs of an earlier run (a,b,probability)")
    args = parser.parse_args()
    rows, _, truth = run.load(args.dataset, args.workdir)
    pairs_file = args.pairs
    if pairs_file is None:
        pairs, _compared = run.run_salama(rows, None)
        pairs_file = args.workdir / f"errors-{args.dataset}.pairs.csv"
        with pairs_file.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(pairs)
    print(table(*analyse(rows, truth, _scores(pairs_file)), truth_n=len(truth)))


if __name__ == "__main__":
    main()

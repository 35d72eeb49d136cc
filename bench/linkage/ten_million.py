"""Deduplicating a registry of ten million on one machine: time, memory and
quality of `salama linkage dedup`'s engine with one worker process per core.

    python bench/linkage/ten_million.py --workdir /tmp/bench-data

The registry is ten regions of the synthetic displacement registry (synth.py)
of a million records each, seeds 1 to 10, written one region at a time so that
the generator never holds more than one; region 1 is the 1M registry of
run.py, its ids and household numbers prefixed. Duplicates are within a
region (a person registers twice in the same operation), but every region
draws from the same name pools, so namesakes cross regions as in one large
registry. The deduplication runs in its own process (run.py's `--one`), its
memory summed over its workers as in run.py.
"""

import argparse
import csv
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE))

REGION = 1_000_000


def write_regions(regions: int, out: Path) -> None:
    """The registry at `out` and its truth beside it, each written under a
    temporary name and renamed when whole: an interrupted run leaves no file
    that a later one would take for the registry."""
    import synth

    started = time.perf_counter()
    truth_out = out.with_suffix(".truth.csv")
    partial, truth_partial = (
        out.with_name(out.name + ".part"),
        truth_out.with_name(truth_out.name + ".part"),
    )
    with (
        partial.open("w", encoding="utf-8", newline="") as handle,
        truth_partial.open("w", encoding="utf-8", newline="") as truth_handle,
    ):
        writer = csv.DictWriter(handle, fieldnames=synth.COLUMNS)
        writer.writeheader()
        truth = csv.writer(truth_handle)
        truth.writerow(["id", "entity"])
        for region in range(1, regions + 1):
            rows, pairs = synth.generate(REGION, seed=region)
            prefix = f"g{region}-"
            for row in rows:
                row["id"] = prefix + row["id"]
                row["household_id"] = prefix + row["household_id"]
            writer.writerows({c: r.get(c, "") for c in synth.COLUMNS} for r in rows)
            truth.writerows((prefix + rid, f"{prefix}{entity}") for rid, entity in pairs)
            del rows, pairs
            print(
                f"region {region}/{regions} written ({time.perf_counter() - started:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
    truth_partial.rename(truth_out)
    partial.rename(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=10)
    parser.add_argument("--workdir", type=Path, default=Path("bench-data/linkage"))
    parser.add_argument("--max-gb", type=float, default=22.0)
    parser.add_argument("--max-minutes", type=float, default=90.0)
    args = parser.parse_args()
    import run

    args.workdir.mkdir(parents=True, exist_ok=True)
    dataset = f"synth-{args.regions * REGION}"
    path = args.workdir / f"{dataset}.csv"
    if not path.exists():
        write_regions(args.regions, path)
    command = [
        sys.executable,
        str(HERE / "run.py"),
        "--one",
        "salama",
        dataset,
        "--workdir",
        str(args.workdir),
    ]
    code, stdout, stderr, stopped = run.supervised(command, args.max_gb, args.max_minutes)
    if stopped or code != 0:
        print(stopped or f"failed (exit {code}): {stderr[-2000:]}")
        raise SystemExit(1)
    result = json.loads(stdout.strip().splitlines()[-1])
    with path.with_suffix(".truth.csv").open(encoding="utf-8") as handle:
        entity = {r["id"]: r["entity"] for r in csv.DictReader(handle)}
    m = run.metrics(Path(result["pairs_file"]), run._true_pairs(entity), dedup=True)
    p5, r5, f5 = m["at_0.5"]
    _pb, _rb, fb, tb = m["best"]
    print(
        "| data | precision@0.5 | recall@0.5 | F1@0.5 | best F1 | true pairs ≥ 0.01 "
        "| pairs compared | wall s | peak MB |\n|---|---|---|---|---|---|---|---|---|\n"
        f"| {dataset} | {p5:.3f} | {r5:.3f} | {f5:.3f} | {fb:.3f} (at {tb:.2f}) | "
        f"{m['reached']:.3f} | {result['compared']:,} | {result['seconds']:.1f} | "
        f"{result['peak_mb']:.0f} |"
    )


if __name__ == "__main__":
    main()

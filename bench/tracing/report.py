"""How long a missing-person report takes to store and start its search,
against the registry's own desk search in the same run (the peer).

    python bench/tracing/report.py 100000 --database sqlite --queries 300
    python bench/tracing/report.py 100000 --database postgres --queries 300

The registry is the linkage benchmark's synthetic displacement registry
(bench/linkage/synth.py), loaded like bench/linkage/search_db.py. Each query
is a held-out record whose twin is registered: once searched at the desk
(registry.access.match_persons) and once taken as a missing report
(tracing.actions.report_take: the case, the PIN hash, the registry search,
the search of every open report so far, the candidates stored, the desk's
officers notified, the audit entries). A hit is the twin among the top ten.
"""

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE.parent / "linkage"))

import search_db  # noqa: E402


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--workdir", type=Path, default=Path("bench-data/tracing"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    (args.workdir / "bench.sqlite3").unlink(missing_ok=True)
    if args.database == "postgres":
        import subprocess

        for sql in ("DROP DATABASE IF EXISTS salama_bench", "CREATE DATABASE salama_bench"):
            subprocess.run(["psql", "-U", "postgres", "-h", "127.0.0.1", "-qc", sql], check=True)
    search_db.setup(args.database, args.workdir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import synth

    rows, truth = synth.generate(args.n, seed=1)
    rows = [{c: r.get(c, "") for c in synth.COLUMNS} for r in rows]
    by_entity = defaultdict(list)
    for rid, e in truth:
        by_entity[e].append(rid)
    pairs = [ids for ids in by_entity.values() if len(ids) == 2][: args.queries]
    queries = {ids[1]: ids[0] for ids in pairs}
    admin = search_db.load(rows, set(queries))

    from salama.core.actions import user_create
    from salama.core.models import Organisation, Site
    from salama.core.roles import Role
    from salama.registry import access as registry_access
    from salama.registry.models import LegalBasis, Person
    from salama.tracing import actions
    from salama.tracing.models import Desk
    from salama.tracing.reports import clean_report

    LegalBasis.objects.bulk_create(
        (
            LegalBasis(person_id=pk, purpose="tracing", basis="vital_interest")
            for pk in Person.objects.values_list("pk", flat=True).iterator()
        ),
        batch_size=10000,
    )
    camp = Site.objects.get(code="BC")
    org = Organisation.objects.get(short_name="B")
    tracer = user_create(
        username="tracer",
        password="x",
        organisation=org,
        role=Role.TRACING_OFFICER,
        sites=[camp],
        validate=False,
    )
    desk = Desk.objects.create(site=camp, organisation=org)
    by_id = {r["id"]: r for r in rows}
    search_ms, report_ms, search_hits, report_hits = [], [], 0, 0
    for query_id, target in queries.items():
        r = by_id[query_id]
        query = {k: v for k, v in r.items() if k not in {"id", "household_id"}}
        started = time.perf_counter()
        found = registry_access.match_persons(admin, query, top=10)
        search_ms.append((time.perf_counter() - started) * 1000)
        search_hits += f"BC-{target}" in [m.person.registration_number for m in found]
        arabic = any("\u0600" <= c <= "\u06ff" for c in r["given_name"] + r["family_name"])
        person = {
            f"{p}_name{'' if arabic else '_latin'}": r[f"{p}_name"]
            for p in ("given", "father", "grandfather", "family")
        }
        person.update(sex=r["sex"] or "U", birth_date=r["birth_date"] or "")
        if not r["birth_date"] and r["age"]:
            person["stated_age"] = int(r["age"])
        data = clean_report({"kind": "missing", "person": person})
        started = time.perf_counter()
        taken = actions.report_take(user=tracer, desk=desk, data=data, channel="desk")
        report_ms.append((time.perf_counter() - started) * 1000)
        report_hits += f"BC-{target}" in [
            c.person.registration_number for c in taken.candidates if c.person is not None
        ]
    n = len(queries)
    print(
        "| database | registry | queries | desk search median / p95 ms | report median / p95 ms "
        "| report / search (median) | twin in top 10: search, report |"
    )
    print(
        f"| {args.database} | {args.n:,} | {n} "
        f"| {statistics.median(search_ms):.0f} / {_p95(search_ms):.0f} "
        f"| {statistics.median(report_ms):.0f} / {_p95(report_ms):.0f} "
        f"| {statistics.median(report_ms) / statistics.median(search_ms):.1f} "
        f"| {search_hits / n:.3f}, {report_hits / n:.3f} |"
    )


if __name__ == "__main__":
    main()

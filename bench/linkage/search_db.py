"""Search latency in the database: missing-person style queries against a
registry loaded into Salama, through the same access layer as the web page.

    python bench/linkage/search_db.py 100000 --database sqlite
    python bench/linkage/search_db.py 100000 --database postgres

The registry is the synthetic displacement registry (synth.py). 1,000 records
that have a duplicate are held out and used as queries; a hit is the other
record of the same person. Loading uses bulk inserts (a benchmark fixture,
not the audited registration path).
"""

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE))


def setup(database: str, workdir: Path) -> None:
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ.setdefault("SALAMA_TESTING", "true")  # a generated field-encryption key
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ["SALAMA_DATA_DIR"] = str(workdir)
    if database == "postgres":
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/salama_bench"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "salama.settings"
    import django

    django.setup()


def load(rows, held_out: set[str]):
    from django.db import connection, transaction

    from salama.core.actions import site_create, user_create
    from salama.core.models import Organisation
    from salama.core.roles import Role
    from salama.lib.linkage import blocking
    from salama.lib.linkage.records import prepare
    from salama.registry.models import BlockingKey, Household, LegalBasis, Person

    org = Organisation.objects.create(name="Bench", short_name="B", kind="ngo")
    country = site_create(name="Benchland", code="BL", level="country")
    camp = site_create(name="Camp", code="BC", level="site", parent=country, kind="camp")
    zone = site_create(name="Zone", code="BC-Z", level="zone", parent=camp)
    block = site_create(name="Block", code="BC-ZA", level="block", parent=zone)
    user = user_create(
        username="bench",
        password="x",
        organisation=org,
        role=Role.ADMINISTRATOR,
        sites=[country],
        validate=False,
    )
    households: dict[str, Household] = {}
    batch = 5000
    kept = [r for r in rows if r["id"] not in held_out]
    started = time.perf_counter()
    for start in range(0, len(kept), batch):
        chunk = kept[start : start + batch]
        with transaction.atomic():
            new = []
            for r in chunk:
                if r["household_id"] not in households:
                    households[r["household_id"]] = Household(
                        registration_number=f"BC-H{r['household_id']}",
                        site=block,
                        site_path=block.path,
                        registered_by=org,
                    )
                    new.append(households[r["household_id"]])
            Household.objects.bulk_create(new)
            persons = []
            for r in chunk:
                arabic = any("\u0600" <= c <= "\u06ff" for c in r["given_name"] + r["family_name"])
                names = {
                    f"{p}_name{'' if arabic else '_latin'}": r[f"{p}_name"]
                    for p in ("given", "father", "grandfather", "family")
                }
                year = (
                    int(r["birth_date"][:4])
                    if r["birth_date"]
                    else int(r["age_on"][:4]) - int(r["age"] or 0)
                )
                persons.append(
                    Person(
                        registration_number=f"BC-{r['id']}",
                        household=households[r["household_id"]],
                        site_path=block.path,
                        relationship="head",
                        sex=r["sex"] or "U",
                        phone=r["phone"],
                        origin_place=r["place_of_origin"],
                        birth_date=r["birth_date"] or None,
                        stated_age=int(r["age"]) if r["age"] else None,
                        stated_age_on=r["age_on"] or None,
                        birth_year_min=year - (0 if r["birth_date"] else 1),
                        birth_year_max=year,
                        **names,
                    )
                )
            Person.objects.bulk_create(persons)
            LegalBasis.objects.bulk_create(
                LegalBasis(person=p, purpose="registration", basis="public_interest")
                for p in persons
            )
            prep, vocab = prepare([{**r, "id": str(n)} for n, r in enumerate(chunk)])
            keys = [
                BlockingKey(person=p, rule=rule, key=key, year=p.birth_year_max)
                for n, p in enumerate(persons)
                for rule, key in blocking.stable_keys(prep, vocab, n)
            ]
            BlockingKey.objects.bulk_create(keys, batch_size=10000)
        print(
            f"\rloaded {min(start + batch, len(kept)):,}/{len(kept):,}",
            end="",
            file=sys.stderr,
            flush=True,
        )
    from salama.core.database import refresh_planner_statistics

    refresh_planner_statistics()  # as the registry's bulk writes do
    if connection.vendor == "postgresql":
        # What autovacuum does after bulk inserts (PostgreSQL 13 and later):
        # marks pages all-visible, so that searches read the keys' index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")
    print(f"\nloaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return user


def loaded(expected: int):
    """The bench user of a registry already loaded with `expected` people, or None."""
    from django.contrib.auth import get_user_model

    from salama.registry.models import Person

    user = get_user_model().objects.filter(username="bench").first()
    if user is None or Person.objects.count() != expected:
        return None
    print(f"reusing the loaded registry of {expected:,} people", file=sys.stderr)
    return user


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=Path("bench-data/search"))
    parser.add_argument(
        "--keep",
        action="store_true",
        help="reuse the registry a previous run of the same size loaded (loading 1M takes minutes)",
    )
    parser.add_argument(
        "--candidates",
        default="",
        help="comma-separated values of matching.MAX_CANDIDATES to measure in turn, after "
        "one unmeasured pass to warm the caches (default: the shipped value only)",
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    if not args.keep:
        (args.workdir / "bench.sqlite3").unlink(missing_ok=True)
    if args.database == "postgres" and not args.keep:
        import subprocess

        subprocess.run(
            [
                "psql",
                "-U",
                "postgres",
                "-h",
                "127.0.0.1",
                "-qc",
                "DROP DATABASE IF EXISTS salama_bench",
            ],
            check=True,
        )
        subprocess.run(
            ["psql", "-U", "postgres", "-h", "127.0.0.1", "-qc", "CREATE DATABASE salama_bench"],
            check=True,
        )
    setup(args.database, args.workdir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import synth

    rows, truth = synth.generate(args.n, seed=1)
    rows = [{c: r.get(c, "") for c in synth.COLUMNS} for r in rows]
    by_entity = defaultdict(list)
    for rid, e in truth:
        by_entity[e].append(rid)
    pairs = [ids for ids in by_entity.values() if len(ids) == 2][: args.queries]
    queries = {ids[1]: ids[0] for ids in pairs}  # held-out record → its registered twin
    user = loaded(len(rows) - len(queries)) if args.keep else None
    if user is None:
        user = load(rows, set(queries))
    from salama.registry import access

    by_id = {r["id"]: r for r in rows}
    from salama.registry import matching

    sizes = [int(v) for v in args.candidates.split(",") if v]
    if sizes:
        measure(access, user, by_id, queries)  # warm the caches once
    for size in sizes or [matching.MAX_CANDIDATES]:
        matching.MAX_CANDIDATES = size
        median, p95, hit1, hit10 = measure(access, user, by_id, queries)
        shown = f" | {size}" if sizes else ""
        print(
            f"| {args.database} | {args.n:,} | {len(queries)}{shown} | {median:.1f} | {p95:.1f} | "
            f"{hit1:.3f} | {hit10:.3f} |",
            flush=True,
        )


def measure(access, user, by_id, queries) -> tuple[float, float, float, float]:
    """Median and p95 milliseconds, hit@1 and hit@10 of the queries."""
    latencies, hit1, hit10 = [], 0, 0
    for query_id, target in queries.items():
        query = {k: v for k, v in by_id[query_id].items() if k not in {"id", "household_id"}}
        started = time.perf_counter()
        matches = access.match_persons(user, query, top=10)
        latencies.append((time.perf_counter() - started) * 1000)
        found = [m.person.registration_number for m in matches]
        hit1 += bool(found) and found[0] == f"BC-{target}"
        hit10 += f"BC-{target}" in found
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    return statistics.median(latencies), p95, hit1 / len(queries), hit10 / len(queries)


if __name__ == "__main__":
    main()

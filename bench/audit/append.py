"""Audit appends per second, one writer against eight, on PostgreSQL (or SQLite).

    python bench/audit/append.py --database postgres --appends 400
    python bench/audit/append.py --database sqlite --appends 400

Each append is its own transaction, as for a page that only writes its read entry.
"current" is salama.audit.actions.audit_record (each thread appends to its own
chain of eight; claim the number with one UPDATE ... RETURNING, then insert the
entry and advance the head in one statement);
"main" is the shape main had before issue 9 (SELECT ... FOR UPDATE on the head, an
ORM insert, an UPDATE of the head: three statements under the lock), kept here as
the baseline. The chain is verified after each run. The database `salama_audit_bench`
is dropped and made again.
"""

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))


def setup(database: str, workdir: Path) -> None:
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ.setdefault("SALAMA_TESTING", "true")
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ["SALAMA_DATA_DIR"] = str(workdir)
    if database == "postgres":
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS salama_audit_bench")
            c.execute("CREATE DATABASE salama_audit_bench")
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/salama_audit_bench"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "salama.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main_shape_append(n: int) -> None:
    """The pre-issue-9 locking shape, for comparison."""
    from django.db import transaction
    from django.utils import timezone

    from salama.audit.actions import audit_keys
    from salama.audit.models import AuditEntry, AuditHead
    from salama.lib.auditchain import entry_hash

    with transaction.atomic():
        head = AuditHead.objects.select_for_update().get(pk=1)  # one lock for everyone
        entry = AuditEntry(
            at=timezone.now(), user_id=None, username="system", action="read",
            purpose="system", model="bench.Row", record_id=str(n), changed_fields=[],
            chain=1, seq=head.count + 1, key_id=head.key_id, prev_hash=head.last_hash,
        )  # fmt: skip
        entry.hash = entry_hash(
            audit_keys()[head.key_id], entry.prev_hash, 1, entry.seq, entry.key_id, entry.content()
        )
        entry.save(force_insert=True)
        AuditHead.objects.filter(pk=1).update(last_hash=entry.hash, count=entry.seq)


def current_append(n: int) -> None:
    from salama.audit.actions import audit_record

    audit_record(user=None, action="read", purpose="system", model="bench.Row", record_id=n)


def run(append, threads: int, appends: int) -> float:
    from django.db import connection

    per_thread = appends // threads
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for n in range(per_thread):
                append(n)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return per_thread * threads / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--appends", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        setup(args.database, Path(workdir))
        from salama.audit.actions import audit_keys, newest_key_id
        from salama.audit.models import AuditHead
        from salama.audit.selectors import audit_verify_chain
        from salama.lib.auditchain import GENESIS

        audit_keys()
        AuditHead.objects.get_or_create(
            pk=1, defaults={"last_hash": GENESIS, "key_id": newest_key_id()}
        )
        print("| database | variant | threads | appends/s |\n|---|---|---|---|")
        for name, append in (("main", main_shape_append), ("current", current_append)):
            for threads in (1, 8):
                rate = run(append, threads, args.appends)
                print(f"| {args.database} | {name} | {threads} | {rate:.0f} |", flush=True)
        assert audit_verify_chain() is None, "the chain does not verify"
        print("chain verifies")


if __name__ == "__main__":
    main()

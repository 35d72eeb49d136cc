"""Issue 9 section 2: an audit trail that cannot be rewritten (PROTECTION.md 16)
and bulk access that raises an alert (PROTECTION.md 17).

Someone with database access (the triggers dropped) alters, removes or
truncates entries, or recomputes every hash; `salama audit verify` notices
through the key kept outside the database, the head, the gap-free numbers and
the signed checkpoints kept outside the database."""

import hashlib
import hmac
import json
import secrets
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from salama.audit.actions import (
    AuditKeyError,
    audit_record,
    audit_rotate_key,
    audit_write_checkpoint,
    record_list_read,
)
from salama.audit.models import AuditEntry, AuditHead
from salama.audit.selectors import audit_verify_chain
from salama.core.actions import user_create
from salama.core.roles import Role
from salama.jobs.api import Job, run_job_now, run_pending_jobs
from salama.jobs.schedule import SCHEDULE
from salama.lib.auditchain import canonical, entry_hash, key_id
from salama.notifications.bulk_access import raise_bulk_access_alerts
from salama.notifications.models import Notification
from tests.conftest import audit_guard_removed, bearer, person_fields, register, signed_in

pg_only = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), reason="PostgreSQL only"
)
sqlite_only = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), reason="SQLite only"
)


def verify_fails(match: str) -> None:
    with pytest.raises(CommandError, match=match):
        call_command("audit", "verify")


@pytest.fixture
def unguarded(transactional_db):
    """Someone with direct database access removes the append-only guard."""
    with audit_guard_removed():
        yield
        AuditEntry.objects.all().delete()  # so that the test database can be flushed


def sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


# 1. Keyed chain -------------------------------------------------------------


def test_the_key_is_kept_in_the_data_folder_and_hashes_are_keyed(world, amc_person):
    key_file = settings.DATA_DIR / "audit_keys"
    assert key_file.read_text().strip() == settings.SALAMA_AUDIT_KEYS[0]
    assert key_file.stat().st_mode & 0o077 == 0  # readable by Salama's user only
    entry = AuditEntry.objects.latest("id")
    secret = settings.SALAMA_AUDIT_KEYS[0]
    assert entry.key_id == key_id(secret)
    assert entry.hash == entry_hash(
        secret, entry.prev_hash, entry.chain, entry.seq, entry.key_id, entry.content()
    )
    unkeyed = hashlib.sha256(
        (entry.prev_hash + "\n" + canonical(entry.content())).encode()
    ).hexdigest()
    assert entry.hash != unkeyed


@pytest.mark.django_db(transaction=True)
def test_an_entry_changed_and_every_hash_recomputed_without_the_key_is_detected(
    world, amc_person, unguarded
):
    entries = list(AuditEntry.objects.order_by("id"))
    guessed = secrets.token_urlsafe(32)  # the forger does not hold the key
    prev = entries[2].prev_hash
    for entry in entries[2:]:
        if entry.id == entries[2].id:
            entry.username = "nobody"
        entry.prev_hash = prev
        entry.hash = entry_hash(
            guessed, prev, entry.chain, entry.seq, entry.key_id, entry.content()
        )
        sql(
            "UPDATE audit_auditentry SET username = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [entry.username, entry.prev_hash, entry.hash, entry.id],
        )
        prev = entry.hash
    sql("UPDATE audit_audithead SET last_hash = %s", [prev])
    verify_fails(f"entry {entries[2].id}: content does not match its hash")


def test_rotation_switches_the_chain_to_the_new_key_and_old_keys_still_verify(
    world, amc_person, settings
):
    old = settings.SALAMA_AUDIT_KEYS[0]
    with pytest.raises(AuditKeyError, match="already uses the newest key"):
        audit_rotate_key()
    new = secrets.token_urlsafe(32)
    settings.SALAMA_AUDIT_KEYS = [new, old]
    (rotation,) = audit_rotate_key()
    after = audit_record(user=None, action="read", purpose="system", model="x.Y", record_id=1)
    assert rotation.key_id == after.key_id == key_id(new) == AuditHead.objects.get().key_id
    assert AuditEntry.objects.filter(key_id=key_id(old)).count() == rotation.seq - 1
    assert audit_verify_chain() is None
    settings.SALAMA_AUDIT_KEYS = [new]  # the old key dropped: its entries cannot be checked
    verify_fails("not configured")


def test_a_process_without_the_key_in_use_writes_nothing(world, amc_person, settings):
    before = AuditEntry.objects.count()
    settings.SALAMA_AUDIT_KEYS = [secrets.token_urlsafe(32)]
    with pytest.raises(AuditKeyError, match="does not hold"):
        audit_record(user=None, action="read", purpose="system", model="x.Y", record_id=1)
    assert AuditEntry.objects.count() == before


# 2. The database refuses ------------------------------------------------------


@sqlite_only
def test_sqlite_refuses_insert_or_replace(world, amc_person):
    target = AuditEntry.objects.order_by("id")[1]
    columns = (
        "id, chain, seq, key_id, at, user_id, username, action, purpose, model, record_id, "
        "changed_fields, record_ids, prev_hash, hash"
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql(
            f"INSERT OR REPLACE INTO audit_auditentry ({columns}) "
            f"SELECT {columns.replace('username', quote('nobody'))} FROM audit_auditentry "
            "WHERE id = %s",
            [target.id],
        )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql(
            "REPLACE INTO audit_auditentry (chain, seq, key_id, at, username, action, purpose, "
            "model, record_id, changed_fields, record_ids, prev_hash, hash) "
            "VALUES (%s, %s, 'k', '2026-01-01', 'x', 'read', 'p', 'm', '1', '[]', '[]', 'p', 'h')",
            [target.chain, target.seq],
        )
    assert AuditEntry.objects.get(id=target.id).username == target.username


def quote(text: str) -> str:
    return "'" + text + "' AS username"


@pg_only
def test_postgresql_refuses_truncate(world, amc_person):
    before = AuditEntry.objects.count()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql("TRUNCATE audit_auditentry")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql("TRUNCATE audit_auditentry CASCADE")
    assert AuditEntry.objects.count() == before


def test_update_delete_and_upsert_stay_refused(world, amc_person):
    entry = AuditEntry.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        sql("UPDATE audit_auditentry SET username = 'x' WHERE id = %s", [entry.id])
    with pytest.raises(DatabaseError), transaction.atomic():
        sql("DELETE FROM audit_auditentry WHERE id = %s", [entry.id])
    with pytest.raises(DatabaseError), transaction.atomic():
        sql(
            "INSERT INTO audit_auditentry (id, chain, seq, key_id, at, username, action, purpose, "
            "model, record_id, changed_fields, record_ids, prev_hash, hash) "
            "SELECT id, chain, seq, key_id, at, username, action, purpose, model, record_id, "
            "changed_fields, record_ids, prev_hash, hash FROM audit_auditentry WHERE id = %s "
            "ON CONFLICT (id) DO UPDATE SET username = 'x'",
            [entry.id],
        )


# 3. Head and sequence ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_verify_detects_a_removed_tail(world, amc_person, unguarded):
    last = list(AuditEntry.objects.order_by("-id")[:2])
    sql("DELETE FROM audit_auditentry WHERE id >= %s", [last[1].id])
    verify_fails("the head records")


@pytest.mark.django_db(transaction=True)
def test_verify_detects_a_gap_in_the_numbers(world, amc_person, unguarded):
    entry = AuditEntry.objects.order_by("id")[2]
    sql("UPDATE audit_auditentry SET seq = seq + 1000 WHERE id = %s", [entry.id])
    verify_fails(f"entry {entry.id}: has number")


# 4. Signed checkpoints --------------------------------------------------------


def checkpoint_files() -> list:
    return sorted(settings.SALAMA_AUDIT_CHECKPOINT_DIR.glob("checkpoint-*.json"))


@pytest.mark.django_db(transaction=True)
def test_a_tail_removed_with_the_head_set_back_is_caught_by_the_checkpoint(
    world, amc_person, unguarded
):
    call_command("audit", "checkpoint")
    kept = list(AuditEntry.objects.order_by("id"))[:-3]
    sql("DELETE FROM audit_auditentry WHERE id > %s", [kept[-1].id])
    sql("UPDATE audit_audithead SET count = %s, last_hash = %s", [len(kept), kept[-1].hash])
    verify_fails("checkpoint checkpoint-.* saw")


@pytest.mark.django_db(transaction=True)
def test_truncation_is_caught_by_the_checkpoint(world, amc_person, unguarded):
    assert audit_write_checkpoint() is not None
    sql("DELETE FROM audit_audithead")
    if connection.vendor == "postgresql":
        sql("TRUNCATE audit_auditentry")
    else:
        sql("DELETE FROM audit_auditentry")
    verify_fails(r"the last of 0 entries of chain \d, but checkpoint")


@pytest.mark.django_db(transaction=True)
def test_a_tail_rewritten_even_with_the_key_differs_from_the_checkpoint(
    world, amc_person, unguarded
):
    audit_write_checkpoint()
    last = AuditEntry.objects.latest("id")
    last.username = "nobody"
    secret = settings.SALAMA_AUDIT_KEYS[0]
    forged = entry_hash(secret, last.prev_hash, last.chain, last.seq, last.key_id, last.content())
    sql(
        "UPDATE audit_auditentry SET username = 'nobody', hash = %s WHERE id = %s",
        [forged, last.id],
    )
    sql("UPDATE audit_audithead SET last_hash = %s", [forged])
    verify_fails(f"entry {last.id}: differs from a signed checkpoint")


def test_a_forged_checkpoint_is_refused(world, amc_person):
    path = audit_write_checkpoint()
    record = json.loads(path.read_text())
    (chain,) = record["chains"]
    record["chains"][chain][0] += 5  # or any other change without the key
    path.write_text(json.dumps(record))
    verify_fails("is not signed with a configured key")


def test_checkpoints_are_written_by_a_scheduled_job_and_verify_reads_them(
    world, amc_person, capsys
):
    (entry,) = [e for e in SCHEDULE if e.name == "audit.checkpoint"]
    assert run_job_now(entry.handler).status == Job.Status.SUCCEEDED
    (path,) = checkpoint_files()
    record = json.loads(path.read_text())
    head = AuditHead.objects.get()
    assert record["chains"] == {str(head.pk): [head.count, head.last_hash]}
    assert record["key_id"] == key_id(settings.SALAMA_AUDIT_KEYS[0])
    message = (
        "salama-audit-checkpoint\n" + canonical({k: record[k] for k in record if k != "signature"})
    ).encode()
    secret = settings.SALAMA_AUDIT_KEYS[0].encode()
    assert record["signature"] == hmac.new(secret, message, hashlib.sha256).hexdigest()
    call_command("audit", "checkpoint")  # nothing new since the job's checkpoint
    assert len(checkpoint_files()) == 1
    call_command("audit", "verify")
    assert "1 signed checkpoints agree" in capsys.readouterr().out


# 5. List reads ----------------------------------------------------------------


def test_ten_api_list_reads_write_ten_entries_naming_every_record(world):
    for number in range(12):
        register(world, world.amc_block, person_fields(given_name_latin=f"Ali{number}"))
    auth = bearer(world.user("registrar"))
    before = AuditEntry.objects.count()
    client = signed_in(world.user("registrar"))
    shown = set()
    for _ in range(10):
        answer = client.get("/api/v1/persons?page_size=100", **auth)
        assert answer.status_code == 200
        shown = {item["id"] for item in answer.json()["items"]}
    lists = AuditEntry.objects.filter(id__gt=0, action="list").order_by("-id")[:10]
    assert AuditEntry.objects.filter(action="list").count() == 10
    assert AuditEntry.objects.count() == before + 10
    for entry in lists:
        assert (entry.username, entry.model, entry.record_id) == (
            "registrar",
            "registry.Person",
            str(len(shown)),
        )
        assert set(entry.record_ids) == {str(pk) for pk in shown}
        assert "Ali" not in json.dumps(entry.content())


def test_web_search_and_household_api_are_audited_and_listed_on_the_access_page(world, amc_person):
    client = signed_in(world.user("registrar"))
    assert client.post("/registry/persons/search/", {"q": "Mohammed"}).status_code in (200, 400)
    client.get("/registry/persons/")
    entry = AuditEntry.objects.filter(action="list", model="registry.Person").latest("id")
    assert entry.record_ids == [str(amc_person.pk)]
    client.get("/api/v1/households", **bearer(world.user("registrar")))
    households = AuditEntry.objects.filter(action="list", model="registry.Household").get()
    assert households.record_ids == [str(amc_person.household_id)]
    page = signed_in(world.user("admin")).get(f"/registry/persons/{amc_person.pk}/access/")
    assert page.content.decode().count("registrar") >= 1


def test_the_duplicate_queue_names_both_people_of_each_pair(world, amc_person, hop_person):
    from salama.registry.models import DuplicateCandidate

    DuplicateCandidate.objects.create(keep=amc_person, other=hop_person, probability=0.9)
    assert signed_in(world.user("admin")).get("/registry/duplicates/").status_code == 200
    entry = AuditEntry.objects.filter(action="list", username="admin").get()
    assert (entry.model, entry.record_ids) == (
        "registry.Person",
        [str(amc_person.pk), str(hop_person.pk)],
    )


# 6. Bulk access alert -----------------------------------------------------------


@pytest.fixture
def dpo(world):
    return user_create(
        username="dpo_ngo",
        password="x" * 20,
        organisation=world.ngo,
        role=Role.DATA_PROTECTION_OFFICER,
        sites=[world.amc],
    )


def test_bulk_reads_within_an_hour_alert_the_data_protection_officer_once(world, dpo, settings):
    settings.SALAMA_BULK_ACCESS_LIMIT = 200
    reader = world.user("protection")  # of the same organisation as the officer
    start = timezone.now()
    record_list_read(reader, range(1, 151), model="registry.Person", now=start)
    record_list_read(
        reader, range(100, 251), model="registry.Person", now=start + timedelta(minutes=61)
    )
    # 150 at T, 150 at T+61 min (50 of them again): never more than 200 in one hour
    assert raise_bulk_access_alerts(now=start + timedelta(minutes=30)) == []
    assert raise_bulk_access_alerts(now=start + timedelta(minutes=62)) == []
    record_list_read(
        reader, range(300, 360), model="registry.Person", now=start + timedelta(minutes=70)
    )
    assert raise_bulk_access_alerts(now=start + timedelta(minutes=71)) == [reader.pk]
    assert raise_bulk_access_alerts(now=start + timedelta(minutes=80)) == []  # once an hour
    (alert,) = Notification.objects.filter(kind="audit.bulk_access")
    assert (alert.recipient, alert.reference) == (dpo, f"user-{reader.pk}")
    assert reader.username not in alert.subject + alert.link
    assert not Notification.objects.filter(recipient=reader).exists()


def test_an_export_alerts_the_officer(world, dpo):
    reader = world.user("protection")
    response = signed_in(reader).post(
        "/privacy/exports/",
        {"password1": "a long export password 7391", "password2": "a long export password 7391"},
    )
    assert response.status_code == 302, response.content
    run_pending_jobs()
    assert AuditEntry.objects.filter(action="export", username="protection").exists()
    assert raise_bulk_access_alerts() == [reader.pk]
    assert Notification.objects.get(kind="audit.bulk_access").recipient == dpo


def test_bulk_access_scan_is_scheduled():
    assert "salama.notifications.bulk_access.bulk_access_scan" in {e.handler for e in SCHEDULE}


# 7. Concurrent appends ----------------------------------------------------------


@pg_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_a_verifying_chain(flushable_audit):
    def append(worker: int) -> None:
        try:
            for n in range(25):
                audit_record(user=None, action="read", purpose="system", model="x.Y", record_id=n)
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert AuditEntry.objects.count() == 200 == sum(h.count for h in AuditHead.objects.all())
    assert AuditHead.objects.count() == 8  # one chain per thread: no single lock
    assert audit_verify_chain() is None

"""PROTECTION.md 16: every read and write is audited in a hash chain that
`salama audit verify` checks; the database refuses edits to it."""

from dataclasses import replace

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from salama.audit.models import AuditEntry
from salama.lib.auditchain import GENESIS, Row, entry_hash, key_id, verify
from tests.conftest import audit_guard_removed, signed_in


def test_reading_a_person_page_is_audited(world, amc_person):
    before = AuditEntry.objects.count()
    signed_in(world.user("caseworker")).get(f"/registry/persons/{amc_person.pk}/")
    entry = AuditEntry.objects.latest("id")
    assert AuditEntry.objects.count() == before + 1
    assert (entry.username, entry.action, entry.purpose, entry.record_id) == (
        "caseworker",
        "read",
        "protection",
        str(amc_person.pk),
    )


def test_a_refused_read_is_not_recorded_as_a_read(world, amc_person):
    signed_in(world.user("caseworker_hop")).get(f"/registry/persons/{amc_person.pk}/")
    assert not AuditEntry.objects.filter(username="caseworker_hop", action="read").exists()


def test_creation_records_the_fields_not_their_values(world, amc_person):
    entry = AuditEntry.objects.get(action="create", record_id=str(amc_person.pk))
    assert "given_name" in entry.changed_fields
    assert "Mohammed" not in str(entry.content())


def test_verify_passes_on_an_intact_chain(world, amc_person, capsys):
    call_command("audit", "verify")
    assert "Audit chain intact" in capsys.readouterr().out


@pytest.fixture
def unguarded(transactional_db):
    """Someone with direct database access removes the append-only guard."""
    with audit_guard_removed():
        yield
        AuditEntry.objects.all().delete()  # so that the test database can be flushed


@pytest.mark.django_db(transaction=True)
def test_verify_names_the_first_altered_entry(world, amc_person, unguarded):
    target = AuditEntry.objects.order_by("id")[3]
    with connection.cursor() as cursor:  # someone with database access edits a row
        cursor.execute("UPDATE audit_auditentry SET username = 'nobody' WHERE id = %s", [target.id])
    with pytest.raises(CommandError, match=f"entry {target.id}: content does not match"):
        call_command("audit", "verify")


@pytest.mark.django_db(transaction=True)
def test_verify_detects_a_deleted_entry(world, amc_person, unguarded):
    entries = list(AuditEntry.objects.order_by("id")[:5])
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[2].id])
    with pytest.raises(
        CommandError, match=rf"entry {entries[3].id}: has number 4 in chain \d, expected 3"
    ):
        call_command("audit", "verify")


def test_the_database_refuses_to_change_or_delete_audit_rows(world, amc_person):
    entry = AuditEntry.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(username="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_who_accessed_page_for_administrators_only(world, amc_person):
    signed_in(world.user("caseworker")).get(f"/registry/persons/{amc_person.pk}/")
    page = signed_in(world.user("admin")).get(f"/registry/persons/{amc_person.pk}/access/")
    assert page.status_code == 200
    assert "caseworker" in page.content.decode()
    assert (
        signed_in(world.user("caseworker"))
        .get(f"/registry/persons/{amc_person.pk}/access/")
        .status_code
        == 404
    )


def test_chain_functions_alone():
    key = "k" * 40
    kid = key_id(key)
    rows = []
    prev = GENESIS
    for seq, content in enumerate([{"a": 1}, {"b": 2}], start=1):
        made = entry_hash(key, prev, 1, seq, kid, content)
        rows.append(Row(seq, 1, seq, kid, "read", "1", prev, made, content))
        prev = made
    assert verify(rows, [key]) is None
    assert verify([rows[1]], [key]).entry_id == 2
    assert verify([replace(rows[0], content={"a": 2})], [key]).entry_id == 1
    assert "not configured" in verify(rows, ["o" * 40]).reason

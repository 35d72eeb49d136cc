"""Key the audit chain and close the ways around the append-only guard.

Entries get a chain (existing ones are chain 1), a gap-free number in it and the id
of the key their hash is made with; each head records its chain's count and key. Existing entries are
checked against their old unkeyed hashes first (a broken chain stops the
migration: nothing is laundered into a keyed one), then rehashed under the key.

The guard, for both databases (tests/conftest.py imports these lists):
UPDATE and DELETE are refused as before; PostgreSQL also refuses TRUNCATE of a
non-empty trail, and SQLite refuses an INSERT that would replace a row
(INSERT OR REPLACE deletes the old row without firing the delete trigger).
"""

from django.conf import settings
from django.db import migrations, models

from salama.lib.auditchain import GENESIS, entry_hash, key_id, legacy_entry_hash

_REFUSE = "SELECT RAISE(ABORT, 'the audit trail is append-only')"
SQLITE = [
    f"""CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
       BEGIN {_REFUSE}; END""",
    f"""CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_auditentry
       BEGIN {_REFUSE}; END""",
    f"""CREATE TRIGGER audit_entry_no_replace BEFORE INSERT ON audit_auditentry
       WHEN EXISTS (SELECT 1 FROM audit_auditentry
                    WHERE id = NEW.id OR (chain = NEW.chain AND seq = NEW.seq)
                       OR hash = NEW.hash)
       BEGIN {_REFUSE}; END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete",
    "DROP TRIGGER IF EXISTS audit_entry_no_replace",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
       FOR EACH ROW EXECUTE FUNCTION audit_append_only()""",
    # An empty trail may be truncated (the test suite flushes its database so).
    """CREATE OR REPLACE FUNCTION audit_no_truncate() RETURNS trigger AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM audit_auditentry) THEN
           RAISE EXCEPTION 'the audit trail is append-only';
         END IF;
         RETURN NULL;
       END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry
       FOR EACH STATEMENT EXECUTE FUNCTION audit_no_truncate()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry",
    "DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry",
    "DROP FUNCTION IF EXISTS audit_append_only()",
    "DROP FUNCTION IF EXISTS audit_no_truncate()",
]
GUARD = {"sqlite": (SQLITE_REVERSE, SQLITE), "postgresql": (POSTGRES_REVERSE, POSTGRES)}
# What migration 0002 had put in place.
_OLD_GUARD = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_entry_no_update",
               "DROP TRIGGER IF EXISTS audit_entry_no_delete"],
    "postgresql": ["DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry"],
}


def _content(entry, seq, key):  # type: ignore[no-untyped-def]
    content = {
        "at": entry.at.isoformat(),
        "user_id": entry.user_id,
        "username": entry.username,
        "action": entry.action,
        "purpose": entry.purpose,
        "model": entry.model,
        "record_id": entry.record_id,
        "changed_fields": list(entry.changed_fields),
    }
    if seq is None:
        return content
    return {**content, "record_ids": []}


def _execute(schema_editor, statements):  # type: ignore[no-untyped-def]
    for sql in statements:
        schema_editor.execute(sql)


def key_the_chain(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    entry_model = apps.get_model("audit", "AuditEntry")
    head_model = apps.get_model("audit", "AuditHead")
    secret = settings.SALAMA_AUDIT_KEYS[0]
    current = key_id(secret)
    _execute(schema_editor, _OLD_GUARD.get(vendor, []))
    old_prev, new_prev, seq = GENESIS, GENESIS, 0
    for entry in entry_model.objects.order_by("id").iterator(chunk_size=2000):
        content = _content(entry, None, "")
        if entry.prev_hash != old_prev or legacy_entry_hash(old_prev, content) != entry.hash:
            raise RuntimeError(
                f"audit entry {entry.id} does not verify under the old chain: the trail was "
                "altered before this upgrade; keep the database for investigation"
            )
        old_prev = entry.hash
        seq += 1
        new_hash = entry_hash(secret, new_prev, 1, seq, current, _content(entry, seq, current))
        entry_model.objects.filter(pk=entry.pk).update(
            chain=1, seq=seq, key_id=current, prev_hash=new_prev, hash=new_hash
        )
        new_prev = new_hash
    if seq:  # an empty trail gets its heads when it is first written to
        head_model.objects.update_or_create(
            pk=1, defaults={"count": seq, "last_hash": new_prev, "key_id": current}
        )


def guard(apps, schema_editor):  # type: ignore[no-untyped-def]
    _execute(schema_editor, GUARD.get(schema_editor.connection.vendor, ((), ()))[1])


def index_list_reads(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX audit_entry_record_ids ON audit_auditentry "
            "USING gin (record_ids jsonb_path_ops)"
        )


def unindex_list_reads(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS audit_entry_record_ids")


def unguard(apps, schema_editor):  # type: ignore[no-untyped-def]
    _execute(schema_editor, GUARD.get(schema_editor.connection.vendor, ((), ()))[0])


def unkey_the_chain(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    entry_model = apps.get_model("audit", "AuditEntry")
    prev = GENESIS
    for entry in entry_model.objects.order_by("id").iterator(chunk_size=2000):
        new_hash = legacy_entry_hash(prev, _content(entry, None, ""))
        entry_model.objects.filter(pk=entry.pk).update(prev_hash=prev, hash=new_hash, seq=None)
        prev = new_hash
    apps.get_model("audit", "AuditHead").objects.filter(pk=1).update(last_hash=prev)
    import importlib

    old = importlib.import_module("salama.audit.migrations.0002_append_only")
    _execute(schema_editor, {"sqlite": old.SQLITE, "postgresql": old.POSTGRES}.get(vendor, []))


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        migrations.AddField("auditentry", "seq", models.BigIntegerField(null=True)),
        migrations.AddField("auditentry", "chain", models.SmallIntegerField(default=1)),
        migrations.AddField(
            "auditentry", "key_id", models.CharField(max_length=16, default=""), preserve_default=False
        ),
        migrations.AddField("auditentry", "record_ids", models.JSONField(default=list)),
        migrations.AddField("audithead", "count", models.BigIntegerField(default=0)),
        migrations.AddField("audithead", "key_id", models.CharField(max_length=16, default="")),
        migrations.RunPython(key_the_chain, unkey_the_chain),
        migrations.AlterField("auditentry", "seq", models.BigIntegerField()),
        migrations.AddConstraint(
            "auditentry",
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_entry_chain_seq"),
        ),
        # Last: on SQLite, altering a column rebuilds the table and drops its triggers.
        migrations.RunPython(guard, unguard),
        # "Who accessed this person" finds the lists that named the person.
        migrations.RunPython(index_list_reads, unindex_list_reads),
    ]

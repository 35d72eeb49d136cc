import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet

from salama.audit.models import AuditEntry, AuditHead
from salama.lib.auditchain import Break, Checkpoint, Head, Row, verify


def _rows(batch: int = 2000) -> Iterator[Row]:
    last_id = 0
    while True:
        chunk = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not chunk:
            return
        for entry in chunk:
            yield Row(
                entry.id,
                entry.chain,
                entry.seq,
                entry.key_id,
                entry.action,
                entry.record_id,
                entry.prev_hash,
                entry.hash,
                entry.content(),
            )
        last_id = chunk[-1].id


class CheckpointUnreadable(ValueError):
    pass


def _read_checkpoint(path: Path) -> Checkpoint:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        heads = {int(c): Head(int(n), str(h)) for c, (n, h) in data["chains"].items()}
        return Checkpoint(
            heads=heads,
            at=str(data["at"]),
            key_id=str(data["key_id"]),
            signature=str(data["signature"]),
            name=path.name,
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CheckpointUnreadable(f"checkpoint {path.name} cannot be read ({exc})") from None


def audit_checkpoints() -> list[Checkpoint]:
    """The signed checkpoints in SALAMA_AUDIT_CHECKPOINT_DIR, by count."""
    folder = Path(settings.SALAMA_AUDIT_CHECKPOINT_DIR)
    if not folder.is_dir():
        return []
    found = [_read_checkpoint(path) for path in sorted(folder.glob("checkpoint-*.json"))]
    return sorted(found, key=lambda checkpoint: (checkpoint.at, checkpoint.total))


def audit_heads() -> dict[int, Head]:
    """Each chain's head: its entry count and last hash."""
    return {
        chain: Head(count, last_hash)
        for chain, count, last_hash in AuditHead.objects.values_list("id", "count", "last_hash")
    }


def audit_verify_chain() -> Break | None:
    """Check every entry, the head and the signed checkpoints."""
    try:
        checkpoints = audit_checkpoints()
    except CheckpointUnreadable as exc:
        return Break(0, str(exc))
    return verify(_rows(), settings.SALAMA_AUDIT_KEYS, audit_heads(), checkpoints)


def _names(record_id: str) -> Q:
    """List reads whose records include `record_id` (JSON array membership)."""
    if connection.vendor == "postgresql":
        return Q(record_ids__contains=[record_id])
    ids = AuditEntry.objects.extra(  # SQLite has no JSON containment lookup in Django
        where=["EXISTS (SELECT 1 FROM json_each(record_ids) WHERE value = %s)"],
        params=[record_id],
    ).values("id")
    return Q(id__in=ids)


def audit_entries_for(model: str, record_id: object) -> QuerySet[AuditEntry]:
    record = str(record_id)
    single = Q(record_id=record) & ~Q(action="list")
    return AuditEntry.objects.filter(
        Q(model=model) & (single | (Q(action="list") & _names(record)))
    ).order_by("-id")


def audit_count() -> int:
    return AuditEntry.objects.count()


# What a bulk-access alert counts: reads of single records and lists, and exports.
READ_ACTIONS = ("read", "list", "export")


def audit_readers_since(since: datetime, until: datetime) -> dict[int, tuple[set[str], bool]]:
    """For each user who read or exported in (since, until]: the distinct records
    read (as "model:id") and whether they exported."""
    found: dict[int, tuple[set[str], bool]] = {}
    rows = AuditEntry.objects.filter(
        at__gt=since, at__lte=until, user_id__isnull=False, action__in=READ_ACTIONS
    ).values_list("user_id", "action", "model", "record_id", "record_ids")
    for user_id, action, model, record_id, record_ids in rows.iterator(chunk_size=2000):
        assert user_id is not None  # filtered above
        records, exported = found.setdefault(user_id, (set(), False))
        if action == "export":
            found[user_id] = (records, True)
        elif action == "list":
            records.update(f"{model}:{shown}" for shown in record_ids)
        else:
            records.add(f"{model}:{record_id}")
    return found


def audit_alerted_since(since: datetime, until: datetime) -> set[int]:
    """Users about whom a bulk-access alert was raised in (since, until]."""
    ids = AuditEntry.objects.filter(
        at__gt=since, at__lte=until, action="alert", model="auth.User"
    ).values_list("record_id", flat=True)
    return {int(record_id) for record_id in ids}

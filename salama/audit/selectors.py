from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from salama.audit.models import AuditEntry
from salama.lib.auditchain import Break, verify


def _rows(batch: int = 2000) -> Iterator[tuple[int, str, str, dict[str, Any]]]:
    last_id = 0
    while True:
        chunk = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not chunk:
            return
        for entry in chunk:
            yield entry.id, entry.prev_hash, entry.hash, entry.content()
        last_id = chunk[-1].id


def audit_verify_chain() -> Break | None:
    return verify(_rows())


def audit_entries_for(model: str, record_id: object) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(model=model, record_id=str(record_id)).order_by("-id")


def audit_count() -> int:
    return AuditEntry.objects.count()

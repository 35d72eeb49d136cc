"""Writing the audit trail. Called inside the caller's transaction, so an
entry exists exactly when the operation it records was committed."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from salama.audit.models import AuditEntry, AuditHead
from salama.lib.auditchain import GENESIS, entry_hash


def audit_record(
    *,
    user: Any,
    action: str,
    purpose: str,
    model: str,
    record_id: object,
    changed_fields: Iterable[str] = (),
) -> AuditEntry:
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditHead.objects.create(pk=1, last_hash=GENESIS)
        entry = AuditEntry(
            at=timezone.now(),
            user_id=getattr(user, "pk", None),
            username=getattr(user, "username", "") or "system",
            action=action,
            purpose=purpose,
            model=model,
            record_id=str(record_id),
            changed_fields=sorted(changed_fields),
            prev_hash=head.last_hash,
        )
        entry.hash = entry_hash(entry.prev_hash, entry.content())
        entry.save(force_insert=True)
        AuditHead.objects.filter(pk=1).update(last_hash=entry.hash)
    return entry

"""The chain of custody and the evidence: every step of a complaint is a link
(salama/lib/complaints/chain.py); files are kept as received, with their SHA-256."""

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salama.audit.actions import audit_keys, newest_key_id
from salama.complaints import access
from salama.complaints.common import (
    ComplaintError,
    audit,
    require_focal_point,
)
from salama.complaints.models import (
    Complaint,
    Custody,
    Evidence,
)
from salama.lib.complaints import chain

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


EVIDENCE_PER_COMPLAINT = 20


def custody_link(
    complaint: Complaint,
    kind: str,
    actor: Any,
    now: datetime,
    *,
    evidence: Evidence | None = None,
    note: str = "",
    content: dict[str, Any] | None = None,
) -> Custody:
    locked = Complaint.objects.select_for_update().only("pk").get(pk=complaint.pk)
    last = Custody.objects.filter(complaint=locked).order_by("-seq").first()
    seq = (last.seq if last else 0) + 1
    hashed = {
        "complaint": str(complaint.pk),
        "kind": kind,
        "at": now.isoformat(),
        "actor": actor.pk if actor is not None and getattr(actor, "pk", None) else None,
        "evidence": evidence.number if evidence else None,
        "sha256": evidence.sha256 if evidence else None,
        "note_sha256": chain.file_sha256(note.encode("utf-8")) if note else None,
        **(content or {}),
    }
    kid = newest_key_id()
    return Custody.objects.create(
        complaint=complaint,
        seq=seq,
        kind=kind,
        at=now,
        actor=actor if hashed["actor"] else None,
        evidence=evidence,
        note=note,
        content=hashed,
        key_id=kid,
        hash=chain.link_hash(audit_keys()[kid], last.hash if last else chain.GENESIS, seq, hashed),
    )


@dataclass
class CustodyCheck:
    broken_at: int | None
    files_failed: list[int]
    files_checked: bool = True

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.files_failed


def custody_verify(complaint: Complaint, files: bool = True) -> CustodyCheck:
    """Is the chain whole, does every note (and, with `files`, every file)
    still hash as recorded? Files are decrypted and hashed only when asked:
    they may weigh hundreds of megabytes."""
    links = [
        chain.Link(link.seq, link.content, link.hash, link.key_id, link.note)
        for link in Custody.objects.filter(complaint=complaint).order_by("seq")
    ]
    broken = chain.first_break(audit_keys(), links)
    if not files:
        return CustodyCheck(broken_at=broken, files_failed=[], files_checked=False)
    failed = [
        item.number
        for item in complaint.evidence.all()
        if chain.file_sha256(evidence_bytes(item)) != item.sha256
        or not Custody.objects.filter(
            complaint=complaint, kind="evidence_added", content__sha256=item.sha256
        ).exists()
    ]
    return CustodyCheck(broken_at=broken, files_failed=failed, files_checked=True)


def evidence_bytes(item: Evidence) -> bytes:
    return base64.b64decode(item.data)


def evidence_store(
    complaint: Complaint,
    name: str,
    content_type: str,
    data: bytes,
    source: str,
    actor: Any,
    now: datetime,
) -> Evidence:
    if not data:
        raise ComplaintError(_("The file is empty."), errors={"file": _("The file is empty.")})
    if len(data) > EVIDENCE_MAX_BYTES:
        raise ComplaintError(
            _("The file is larger than 10 MB."), errors={"file": _("At most 10 MB.")}
        )
    # The complaint's row is locked: two files at once get numbers one after the other.
    Complaint.objects.select_for_update().only("pk").get(pk=complaint.pk)
    count = complaint.evidence.count()
    if count >= EVIDENCE_PER_COMPLAINT:
        raise ComplaintError(
            _("This complaint already has %(n)d files.") % {"n": count},
            errors={"file": _("No more files can be added.")},
        )
    item = Evidence.objects.create(
        complaint=complaint,
        number=count + 1,
        name=(name or "file")[:200],
        content_type=(content_type or "application/octet-stream")[:100],
        size=len(data),
        sha256=chain.file_sha256(data),
        data=base64.b64encode(data).decode("ascii"),
        source=source,
        added_at=now,
        added_by=actor,
    )
    custody_link(complaint, "evidence_added", actor, now, evidence=item)
    return item


@transaction.atomic
def evidence_add(
    *, user: Any, complaint: Complaint, name: str, content_type: str, data: bytes
) -> Evidence:
    require_focal_point(user, complaint)
    item = evidence_store(complaint, name, content_type, data, "staff", user, timezone.now())
    audit(user, "update", complaint.pk)
    return item


@transaction.atomic
def evidence_opened(*, user: Any, complaint: Complaint, item: Evidence) -> bytes:
    """A file read by staff: a link of the chain records who and when."""
    custody_link(complaint, "evidence_opened", user, timezone.now(), evidence=item)
    audit(user, "read", item.pk, model="complaints.Evidence")
    return evidence_bytes(item)


@transaction.atomic
def evidence_check(*, user: Any, complaint: Complaint, data: bytes) -> list[Evidence]:
    """The evidence items of the complaint whose SHA-256 the given file has
    (none: it is not, or is no longer, the file received). Focal points and
    investigators check; a break of the glass only reads."""
    if access.role_in(user, complaint) == "break_glass":
        raise ComplaintError(
            _("Only focal points and investigators check evidence."), code="not_allowed"
        )
    audit(user, "read", complaint.pk)
    digest = chain.file_sha256(data)
    matching = [item for item in complaint.evidence.all() if item.sha256 == digest]
    custody_link(
        complaint,
        "evidence_checked",
        user,
        timezone.now(),
        content={"checked_sha256": digest, "matched": [m.number for m in matching]},
    )
    return matching


@transaction.atomic
def bundle_recorded(*, user: Any, complaint: Complaint) -> None:
    """The export of a sealed bundle is a link of the chain (it comes before
    the manifest, which lists it). Focal points and investigators export; a
    break of the glass only reads."""
    if access.role_in(user, complaint) == "break_glass":
        raise ComplaintError(
            _("Only focal points and investigators export evidence."), code="not_allowed"
        )
    custody_link(complaint, "bundle_exported", user, timezone.now())
    audit(user, "export", complaint.pk)

"""What every write on a complaint shares: its error, references, links,
who is told, the audit entry and the checks of who may act."""

import secrets
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from salama.audit.actions import audit_record
from salama.complaints import access
from salama.complaints.models import (
    Complaint,
    Status,
)
from salama.notifications.actions import notify

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class ComplaintError(ValueError):
    """Bad input or a step not allowed. `code` is what the API answers with,
    `errors` the fields at fault (nothing was written)."""

    def __init__(
        self, message: Any, *, code: str = "invalid", errors: dict[str, str] | None = None
    ) -> None:
        super().__init__(str(message))
        self.code = code
        self.errors = errors or {}


def new_reference(model: Any, prefix: str) -> str:
    while True:
        reference = f"{prefix}-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))
        if not model.objects.filter(reference=reference).exists():
            return reference


def complaint_link(complaint: Complaint) -> str:
    return reverse("complaint_detail", args=[complaint.pk])


def tell_coordinators(complaint: Complaint, kind: str, subject: Any, actor: Any = None) -> None:
    """The network's coordinators read figures, never the complaint: their link
    is the figures page."""
    notify(
        recipients=access.coordinators(complaint),
        kind=kind,
        subject=subject,
        reference=complaint.reference,
        link=reverse("complaint_figures"),
        actor=actor,
    )


def tell_focal_points(complaint: Complaint, kind: str, subject: Any, actor: Any = None) -> None:
    notify(
        recipients=access.focal_points(complaint),
        kind=kind,
        subject=subject,
        reference=complaint.reference,
        link=complaint_link(complaint),
        actor=actor,
    )


def audit(user: Any, action: str, pk: Any, model: str = access.MODEL) -> None:
    audit_record(user=user, action=action, purpose=access.PURPOSE, model=model, record_id=pk)


def flag(complaint: Complaint, code: str) -> None:
    if code not in complaint.flags:
        complaint.flags = [*complaint.flags, code]
        complaint.save(update_fields=["flags"])


def require_focal_point(user: Any, complaint: Complaint) -> None:
    if access.role_in(user, complaint) != "focal_point":
        raise ComplaintError(
            _("Only the receiving organisation's focal points do this."), code="not_allowed"
        )


def require_open(complaint: Complaint) -> None:
    if complaint.status == Status.CLOSED:
        raise ComplaintError(_("This complaint is closed."), code="closed")


def clean_text(value: Any, what: str, name: str, minimum: int = 1, maximum: int = 4000) -> str:
    text = str(value or "").strip()
    if len(text) < minimum:
        message = _("%(what)s is needed (at least %(n)d characters).") % {
            "what": what,
            "n": minimum,
        }
        raise ComplaintError(message, errors={name: message})
    if len(text) > maximum:
        message = _("%(what)s is too long (at most %(n)d characters).") % {
            "what": what,
            "n": maximum,
        }
        raise ComplaintError(message, errors={name: message})
    return text


def forget_notifications(user: Any, complaint: Complaint) -> None:
    """What the user was told of the complaint and of its assistance referrals."""
    from salama.notifications.models import Notification

    references = [complaint.reference, *complaint.assistance.values_list("reference", flat=True)]
    Notification.objects.filter(recipient=user, reference__in=references).delete()

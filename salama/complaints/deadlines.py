"""The deadlines of a complaint (acknowledgement, referrals, feedback) and
their escalation, each once."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from salama.complaints import access
from salama.complaints.common import (
    audit,
    tell_coordinators,
    tell_focal_points,
)
from salama.complaints.custody import (
    custody_link,
)
from salama.complaints.models import (
    Complaint,
    PublicHit,
    Status,
    YesNo,
)
from salama.complaints.tracks import investigation_targets
from salama.notifications.models import Notification


def deadlines() -> dict[str, timedelta]:
    return {
        "acknowledgement": timedelta(hours=settings.SALAMA_COMPLAINTS_ACK_HOURS),
        "assistance": timedelta(hours=settings.SALAMA_COMPLAINTS_ASSISTANCE_HOURS),
        "investigation": timedelta(days=settings.SALAMA_COMPLAINTS_INVESTIGATION_DAYS),
        "feedback": timedelta(days=settings.SALAMA_COMPLAINTS_FEEDBACK_DAYS),
    }


def missed(complaint: Complaint, now: datetime) -> list[str]:
    """The steps whose deadline passed without them being done."""
    done = {
        "acknowledgement": complaint.acknowledged_at,
        "assistance": complaint.assistance_referred_at,
        "investigation": complaint.investigation_referred_at,
        "feedback": complaint.feedback_at,
    }
    late = []
    for step, delay in deadlines().items():
        if step == "assistance" and complaint.consent_assistance == YesNo.NO:
            continue
        # Nobody here investigates that personnel: nothing to escalate.
        if step == "investigation" and not investigation_targets(complaint):
            continue
        if done[step] is None and complaint.received_at + delay <= now:
            late.append(step)
    return late


ESCALATION_SUBJECTS = {
    "acknowledgement": gettext_lazy("A complaint was not acknowledged in time"),
    "assistance": gettext_lazy("A survivor was not referred for assistance in time"),
    "investigation": gettext_lazy("A complaint was not referred for investigation in time"),
    "feedback": gettext_lazy("A complainant has had no feedback in time"),
}


def complaint_escalations(now: datetime | None = None) -> dict[str, int]:
    """Each missed deadline once: the focal points and the coordinator told."""
    now = now or timezone.now()
    told = 0
    for complaint in access.open_complaints():
        told += _escalate(complaint.pk, now)
    return {"escalated": told}


@transaction.atomic
def _escalate(pk: Any, now: datetime) -> int:
    complaint = Complaint.objects.select_for_update().get(pk=pk)
    steps = [s for s in missed(complaint, now) if s not in complaint.escalated]
    for step in steps:
        tell_focal_points(complaint, "complaints.deadline", ESCALATION_SUBJECTS[step])
        tell_coordinators(complaint, "complaints.deadline", ESCALATION_SUBJECTS[step])
        custody_link(complaint, "deadline_missed", None, now, content={"step": step})
    if steps:
        complaint.escalated = [*complaint.escalated, *steps]
        complaint.save(update_fields=["escalated"])
    return len(steps)


OPEN_INVESTIGATION = ("under_assessment", "under_investigation")


def complaints_retention(now: datetime | None = None) -> dict[str, int]:
    """Delete complaints closed longer than SALAMA_RETENTION_COMPLAINTS_DAYS,
    with their evidence, chain of custody, feedback and referrals (an audit
    entry each), and the public pages' counts older than a day."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=int(settings.SALAMA_RETENTION_COMPLAINTS_DAYS))
    deleted = 0
    for pk in access.closed_before(cutoff):
        with transaction.atomic():
            complaint = Complaint.objects.select_for_update().filter(pk=pk).first()
            if complaint is None or complaint.status != Status.CLOSED:
                continue
            if complaint.investigation_status in OPEN_INVESTIGATION:
                continue  # kept while an investigation may still need its evidence
            references = [
                complaint.reference,
                *complaint.assistance.values_list("reference", flat=True),
            ]
            # Everywhere: what people were told of it goes too (PROTECTION.md 19).
            Notification.objects.filter(reference__in=references).delete()
            complaint.delete()
            audit(None, "delete", pk)
            deleted += 1
    pruned, _kinds = PublicHit.objects.filter(at__lt=now - timedelta(days=1)).delete()
    return {"deleted": deleted, "public_counts_pruned": pruned}

"""Bulk access raises an alert (PROTECTION.md 17): a user who read more than
SALAMA_BULK_ACCESS_LIMIT distinct records within the last hour, or exported,
is reported to the data-protection officers of the user's organisations, once
per user per hour. Runs every five minutes from the schedule, over the audit
trail (reference and link only: the alert names no person)."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.audit.actions import record_bulk_access_alert
from salama.audit.selectors import audit_alerted_since, audit_readers_since
from salama.core.models import Membership
from salama.core.roles import Role
from salama.jobs.api import JobContext, job
from salama.notifications.actions import notify

WINDOW = timedelta(hours=1)


def _officers_of(reader: Any) -> list[Any]:
    organisations = Membership.objects.filter(user=reader).values("organisation")
    officers = Membership.objects.filter(
        organisation__in=organisations, role=Role.DATA_PROTECTION_OFFICER
    ).select_related("user")
    return [membership.user for membership in officers if membership.user_id != reader.pk]


def raise_bulk_access_alerts(now: datetime | None = None) -> list[int]:
    """Alert on every reader over the limit in the hour up to `now`; the ids alerted."""
    now = now or timezone.now()
    since = now - WINDOW
    already = audit_alerted_since(since, now)
    reads = audit_readers_since(since, now)
    readers = get_user_model().objects.in_bulk(list(reads))
    alerted = []
    for reader_id, (records, exported) in reads.items():
        over = len(records) > settings.SALAMA_BULK_ACCESS_LIMIT
        reader = readers.get(reader_id)
        if reader is None or reader_id in already or not (over or exported):
            continue
        with transaction.atomic():
            notify(
                recipients=_officers_of(reader),
                kind="audit.bulk_access",
                subject=_("A user read many records within an hour")
                if over
                else _("A user exported records"),
                reference=f"user-{reader_id}",
                link=reverse("privacy_reader", args=[reader_id]),
            )
            record_bulk_access_alert(reader_id, now)
        alerted.append(reader_id)
    return alerted


@job(label=_("Alert data-protection officers to bulk access"))
def bulk_access_scan(ctx: JobContext) -> dict[str, int]:
    return {"alerts": len(raise_bulk_access_alerts())}

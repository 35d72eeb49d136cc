"""Periodic work of complaints."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from salama.complaints.deadlines import complaint_escalations, complaints_retention
from salama.jobs.handlers import job


@job(label=_("Tell focal points and the coordinator of complaint deadlines missed"))
def escalations(ctx: Any) -> dict[str, int]:
    return complaint_escalations()


@job(label=_("Delete complaints closed longer ago than their retention period"))
def retention(ctx: Any) -> dict[str, int]:
    return complaints_retention()

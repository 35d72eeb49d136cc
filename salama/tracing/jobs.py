"""Periodic work of the missing-persons desk."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from salama.jobs.handlers import job
from salama.tracing.actions import escalate_overdue, tracing_retention


@job(label=_("Escalate tracing cases without a first action in time"))
def escalate(ctx: Any) -> dict[str, int]:
    return {"escalated": escalate_overdue()}


@job(label=_("Delete tracing cases past their retention period"))
def retention(ctx: Any) -> dict[str, int]:
    return {"deleted": tracing_retention()}


@job(label=_("Remove old rate-limit counts of the public report page"))
def public_limits_prune(ctx: Any) -> dict[str, int]:
    from salama.tracing.actions import public_hits_prune

    return {"deleted": public_hits_prune()}

"""Periodic work of cases and referrals."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from salama.cases.actions import cases_retention, referral_reminders
from salama.jobs.handlers import job


@job(label=_("Remind services of referrals waiting for an answer, and escalate"))
def referral_timers(ctx: Any) -> dict[str, int]:
    return referral_reminders()


@job(label=_("Delete protection cases past their retention period"))
def retention(ctx: Any) -> dict[str, int]:
    return {"deleted": cases_retention()}

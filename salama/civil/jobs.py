"""Periodic work of civil registration."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from salama.civil.actions import civil_reminders
from salama.jobs.handlers import job


@job(label=_("Remind registration offices of records waiting and state certificates not back"))
def reminders(ctx: Any) -> dict[str, int]:
    return civil_reminders()


@job(label=_("Forget who checked documents after a day; delete look-ups after a year"))
def verifications(ctx: Any) -> dict[str, int]:
    from salama.civil.actions import verifications_prune

    return verifications_prune()

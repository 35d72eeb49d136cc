"""Periodic work of relief and recovery."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from salama.jobs.handlers import job


@job(label=_("Remind caseworkers of follow-ups that are due"))
def follow_ups_remind(ctx: Any) -> dict[str, int]:
    from salama.cases.recovery import follow_ups_remind as remind

    return {"reminded": remind()}

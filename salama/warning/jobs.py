"""Periodic work of early warning."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from salama.jobs.handlers import job
from salama.warning.actions import alerts_raise


@job(label=_("Score the weekly counts of every site and raise early-warning alerts"))
def detect(ctx: Any) -> dict[str, int]:
    return alerts_raise()

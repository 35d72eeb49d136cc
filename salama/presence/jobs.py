"""The presence app's background jobs."""

from django.utils.translation import gettext_lazy as _

from salama.jobs.api import JobContext, job
from salama.presence import actions


@job(label=_("Raise absence alerts for people not seen for days"))
def absence_days_scan(ctx: JobContext) -> dict[str, int]:
    return {"alerts": len(actions.absence_days_scan())}


@job(label=_("Delete presence checks and resolved absence alerts past their retention period"))
def retention(ctx: JobContext) -> dict[str, int]:
    return actions.presence_retention()

"""Reads for the jobs pages."""

from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from salama.jobs.handlers import UnknownHandler, resolve
from salama.jobs.models import Job

STATUS_FILTERS = {
    "": _("All"),
    "problems": _("Failed or retrying"),
    "active": _("Queued or running"),
    "succeeded": _("Succeeded"),
}


def jobs_listed(jobs: QuerySet[Job], status: str) -> QuerySet[Job]:
    """Failed first (with their error), then retrying, then the rest, newest first."""
    if status == "problems":
        jobs = jobs.filter(status__in=(Job.Status.FAILED, Job.Status.RETRYING))
    elif status == "active":
        jobs = jobs.filter(status__in=(Job.Status.QUEUED, Job.Status.RUNNING))
    elif status == "succeeded":
        jobs = jobs.filter(status=Job.Status.SUCCEEDED)
    rank = Case(
        When(status=Job.Status.FAILED, then=Value(0)),
        When(status=Job.Status.RETRYING, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return jobs.select_related("user", "organisation").order_by(rank, "-created_at")


def job_label(job: Job) -> str:
    """The handler's label in the reader's language (the stored one if it is gone)."""
    try:
        return str(resolve(job.handler).label)
    except UnknownHandler:
        return gettext(job.label) if job.label else job.handler


def progress_message(job: Job) -> str:
    return gettext(job.progress_message) if job.progress_message else ""


def waiting_for_worker(job: Job, now: Any) -> bool:
    """Queued for a while and not started: probably no `salama worker` runs."""
    if job.status != Job.Status.QUEUED:
        return False
    ready_since = job.run_after or job.created_at
    return (now - ready_since).total_seconds() > 60

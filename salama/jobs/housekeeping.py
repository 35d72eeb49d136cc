"""The jobs app's own periodic jobs (see schedule.py)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_tasks_db.models import DBTaskResult

from salama.audit.actions import audit_write_checkpoint
from salama.core.models import IdempotencyKey
from salama.jobs.actions import schedule_retry_or_fail
from salama.jobs.context import JobContext
from salama.jobs.handlers import job
from salama.jobs.models import Job, ScheduledSlot

KEEP_DAYS = 30
KEEP_SUCCEEDED_JOBS_DAYS = 90
# A running job's heartbeat is bumped every 30 s (runner._Heartbeat).
STALE_AFTER = timedelta(minutes=10)


@job(label=_("Remove old job records"))
def prune(ctx: JobContext) -> dict[str, int]:
    cutoff = timezone.now() - timedelta(days=KEEP_DAYS)
    deliveries, _d = DBTaskResult.objects.filter(
        status__in=("SUCCESSFUL", "FAILED"), finished_at__lt=cutoff
    ).delete()
    slots, _s = ScheduledSlot.objects.filter(slot__lt=cutoff).delete()
    jobs, _j = Job.objects.filter(
        status=Job.Status.SUCCEEDED,
        finished_at__lt=timezone.now() - timedelta(days=KEEP_SUCCEEDED_JOBS_DAYS),
    ).delete()
    return {"deliveries": deliveries, "slots": slots, "jobs": jobs}


@job(label=_("Recover jobs lost with their worker"))
def recover_stale(ctx: JobContext) -> dict[str, int]:
    """A job still 'running' whose heartbeat stopped was lost when its worker
    died: count the attempt as failed, so it is retried or shown as failed."""
    lost = Job.objects.filter(
        status=Job.Status.RUNNING, heartbeat_at__lt=timezone.now() - STALE_AFTER
    ).exclude(pk=ctx.job_id)
    count = 0
    for job_id in lost.values_list("pk", flat=True):
        schedule_retry_or_fail(
            job_id=job_id,
            error_type="salama.jobs.WorkerLost",
            error_message=gettext_noop("The worker running this job stopped before it finished."),
        )
        count += 1
    return {"recovered": count}


@job(label=_("Write a signed audit checkpoint"))
def audit_checkpoint(ctx: JobContext) -> dict[str, bool]:
    """A signed statement of the audit head outside the database, so that `salama
    audit verify` detects a truncated or rewritten trail (docs/security.md)."""
    return {"written": audit_write_checkpoint() is not None}


@job(label=_("Remove expired API idempotency keys"))
def prune_idempotency_keys(ctx: JobContext) -> dict[str, int]:
    """The stored first answers hold personal data: none outlives its key."""
    deleted, _by_model = IdempotencyKey.objects.filter(expires_at__lte=timezone.now()).delete()
    return {"deleted": deleted}

"""Writes on jobs: enqueue one, retry a failed one. Each in one transaction,
audited, with its django-tasks delivery written in the same transaction (the
database backend stores it as a row), so a job exists exactly when a worker
will pick it up."""

import json
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from salama.audit.actions import audit_record
from salama.core import access as core_access
from salama.jobs.handlers import JobHandler, resolve
from salama.jobs.models import Job


def _deliver(job: Job, run_after: datetime | None) -> str:
    from salama.jobs.tasks import run_job

    task = run_job.using(run_after=run_after) if run_after else run_job
    return str(task.enqueue(job_id=str(job.pk)).id)


def _check_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    try:
        return json.loads(json.dumps(kwargs))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"job kwargs must be JSON (ids, not objects): {exc}") from exc


@transaction.atomic
def job_enqueue(
    handler: JobHandler | str,
    *,
    kwargs: dict[str, Any] | None = None,
    user: Any = None,
    organisation: Any = None,
    run_after: datetime | None = None,
) -> Job:
    """Queue `handler(ctx, **kwargs)` to run in a worker (at or after run_after)."""
    found = resolve(handler)
    with translation.override(None):
        label = str(found.label)[:200]
    job = Job.objects.create(
        handler=found.path,
        label=label,
        kwargs=_check_kwargs(kwargs or {}),
        user=user if getattr(user, "pk", None) else None,
        organisation=organisation,
        max_attempts=found.max_attempts,
        backoff_seconds=found.backoff_seconds,
        run_after=run_after,
    )
    job.task_result_id = _deliver(job, run_after)
    job.save(update_fields=["task_result_id"])
    audit_record(
        user=user,
        action="enqueue",
        purpose=core_access.purpose(user),
        model="jobs.Job",
        record_id=job.pk,
    )
    return job


class NotRetryable(ValueError):
    pass


@transaction.atomic
def job_retry(*, user: Any, job: Job) -> Job:
    """Run a failed job again from its first attempt (an administrator's choice)."""
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.status != Job.Status.FAILED:
        raise NotRetryable("only a failed job can be retried")
    job.status = Job.Status.QUEUED
    job.attempts = 0
    job.run_after = None
    job.finished_at = None
    job.progress_done = job.progress_total = 0
    job.progress_message = ""
    job.task_result_id = _deliver(job, None)
    job.save()
    audit_record(
        user=user,
        action="retry",
        purpose=core_access.purpose(user),
        model="jobs.Job",
        record_id=job.pk,
    )
    return job


def schedule_retry_or_fail(
    *, job_id: Any, error_type: str, error_message: str, retry: bool = True
) -> Job:
    """After a failed attempt: deliver again after the back-off, or give up."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status != Job.Status.RUNNING:
            return job  # finished meanwhile, or already recovered
        job.error_type = error_type[:200]
        job.error_message = error_message[:300]
        now = timezone.now()
        if retry and job.attempts < job.max_attempts:
            delay = job.backoff_seconds * 2 ** max(0, job.attempts - 1)
            job.status = Job.Status.RETRYING
            job.run_after = now + timedelta(seconds=delay)
            job.task_result_id = _deliver(job, job.run_after)
        else:
            job.status = Job.Status.FAILED
            job.finished_at = now
        job.save()
    return job

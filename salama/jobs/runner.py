"""Running one job: claim it, call its handler, record the outcome.

The claim is a conditional UPDATE naming the delivery (django-tasks result id)
the job is waiting for, so a delivery that arrives twice, or a stale one after
a retry was scheduled, finds nothing to claim and does nothing.
"""

import logging
import threading
from typing import Any

from django.db import connection
from django.db.models import F
from django.utils import timezone, translation

from salama.jobs.actions import schedule_retry_or_fail
from salama.jobs.context import JobContext
from salama.jobs.handlers import JobFailed, UnknownHandler, resolve
from salama.jobs.models import Job

logger = logging.getLogger("salama.jobs")

HEARTBEAT_SECONDS = 30


def claim(job_id: Any, delivery_id: str) -> Job | None:
    now = timezone.now()
    claimed = Job.objects.filter(
        pk=job_id,
        status__in=(Job.Status.QUEUED, Job.Status.RETRYING),
        task_result_id=delivery_id,
    ).update(
        status=Job.Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
    )
    return Job.objects.get(pk=job_id) if claimed else None


def _first_line(exc: BaseException) -> str:
    # Database errors carry the offending values on later lines (DETAIL: ...).
    # A JobFailed message is a msgid, kept untranslated for each reader.
    with translation.override(None):
        text = str(exc).strip().splitlines()
    return text[0][:300] if text else ""


def _result(value: Any) -> Any:
    import json

    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError):
        return None


class _Heartbeat:
    """Bumps the job's heartbeat while its handler runs, so a job lost with its
    worker can be told from a long one (recover_stale)."""

    def __init__(self, job_id: Any, use_thread: bool) -> None:
        self.job_id = job_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True) if use_thread else None

    def _beat(self) -> None:
        beat = False
        try:
            while not self.stop.wait(HEARTBEAT_SECONDS):
                beat = True
                try:
                    Job.objects.filter(pk=self.job_id).update(heartbeat_at=timezone.now())
                except Exception:  # noqa: BLE001 - a busy database only delays the beat
                    logger.debug("heartbeat skipped for job %s", self.job_id)
        finally:
            if beat:  # this thread's own connection
                connection.close()

    def __enter__(self) -> "_Heartbeat":
        if self.thread:
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        if self.thread:
            self.thread.join(timeout=5)


def execute(job_id: Any, *, delivery_id: str, heartbeat: bool = True) -> Job | None:
    """Run the job if this delivery may claim it; its outcome is on the row."""
    job = claim(job_id, delivery_id)
    if job is None:
        logger.info("job %s: nothing to claim for delivery %s", job_id, delivery_id)
        return None
    try:
        handler = resolve(job.handler)
        with _Heartbeat(job.pk, use_thread=heartbeat):
            value = handler(JobContext.for_job(job), **job.kwargs)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the job
        error_type = f"{type(exc).__module__}.{type(exc).__qualname__}"
        logger.warning(
            "job %s (%s) attempt %d failed: %s", job.pk, job.handler, job.attempts, error_type
        )
        return schedule_retry_or_fail(
            job_id=job.pk,
            error_type=error_type,
            error_message=_first_line(exc),
            retry=not isinstance(exc, (JobFailed, UnknownHandler)),
        )
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=Job.Status.SUCCEEDED,
        result=_result(value),
        finished_at=timezone.now(),
        error_type="",
        error_message="",
    )
    return Job.objects.get(pk=job.pk)

"""The interface other apps use for background work (docs/jobs.md).

@job(label=_("Duplicate scan"), retries=3, backoff_seconds=30)
def duplicate_scan(ctx: JobContext, *, user_id: int) -> dict | None: ...

job_enqueue(duplicate_scan, kwargs={"user_id": 3}, user=request.user,
            organisation=org_or_None, run_after=None)  # -> Job
run_pending_jobs()  # every ready job, in this process (tests, commands)
"""

from collections.abc import Callable
from typing import Any

from salama.jobs.actions import job_enqueue
from salama.jobs.context import JobContext
from salama.jobs.handlers import JobFailed, JobHandler, job
from salama.jobs.models import Job

__all__ = [
    "Job",
    "JobContext",
    "JobFailed",
    "JobHandler",
    "job",
    "job_enqueue",
    "run_job_now",
    "run_pending_jobs",
]


def run_pending_jobs() -> int:
    """Run every ready job in this process until none is left (jobs they
    enqueue included); returns how many deliveries ran. Jobs waiting for a
    back-off or a later run_after are not ready."""
    from salama.jobs.worker import run_ready

    return run_ready()


def run_job_now(
    handler: JobHandler | str,
    *,
    kwargs: dict[str, Any] | None = None,
    user: Any = None,
    organisation: Any = None,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> Job:
    """Enqueue and run at once in this process (a command in the foreground):
    the same handler, row, audit and retry policy as in a worker (a retry
    waits for a worker). on_progress(done, total, message) follows it."""
    from salama.jobs.context import progress_listener
    from salama.jobs.worker import run_delivery_now

    queued = job_enqueue(handler, kwargs=kwargs, user=user, organisation=organisation)
    token = progress_listener.set(on_progress)
    try:
        run_delivery_now(queued.task_result_id)
    finally:
        progress_listener.reset(token)
    return Job.objects.get(pk=queued.pk)

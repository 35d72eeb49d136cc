"""Background jobs: retries with back-off, progress, the schedule, the pages."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from salama.audit.models import AuditEntry
from salama.jobs import scheduler
from salama.jobs.api import Job, JobContext, job, job_enqueue, run_job_now, run_pending_jobs
from salama.jobs.models import ScheduledSlot
from salama.jobs.schedule import Entry

CALLS: list[dict[str, Any]] = []


@job(label="Always fails", retries=2, backoff_seconds=10)
def always_fails(ctx: JobContext, *, n: int) -> None:
    CALLS.append({"attempt": ctx.attempt, "n": n})
    raise RuntimeError("the gateway answered 503\nDETAIL: value of a field")


@job(label="Counts in steps")
def counts(ctx: JobContext, *, steps: int) -> dict[str, Any]:
    seen = []
    for done in range(steps):
        ctx.progress(done, steps, message="Counting")
        seen.append(Job.objects.get(pk=ctx.job_id).progress_done)
    ctx.progress(steps, steps, message="Counted")
    return {"seen": seen}


@job(label="Records a call")
def records(ctx: JobContext, *, tag: str) -> str:
    CALLS.append({"tag": tag})
    return tag


@pytest.fixture(autouse=True)
def no_calls() -> None:
    CALLS.clear()


def _as_if_back_off_passed() -> None:
    DBTaskResult.objects.filter(status="READY").update(
        run_after=timezone.now() - timedelta(seconds=1)
    )


def test_a_failing_job_is_retried_with_exponential_back_off_then_failed(world: Any) -> None:
    queued = job_enqueue(always_fails, kwargs={"n": 1}, user=world.user("admin"))
    assert queued.status == Job.Status.QUEUED and queued.max_attempts == 3

    assert run_pending_jobs() == 1
    first = Job.objects.get(pk=queued.pk)
    assert first.status == Job.Status.RETRYING and first.attempts == 1
    assert timedelta(seconds=9) < first.run_after - timezone.now() <= timedelta(seconds=10)
    # Only the first line of the message is kept: later lines may carry values.
    assert first.error_type == "builtins.RuntimeError"
    assert first.error_message == "the gateway answered 503"

    assert run_pending_jobs() == 0  # the back-off has not passed

    _as_if_back_off_passed()
    assert run_pending_jobs() == 1
    second = Job.objects.get(pk=queued.pk)
    assert second.status == Job.Status.RETRYING and second.attempts == 2
    assert timedelta(seconds=19) < second.run_after - timezone.now() <= timedelta(seconds=20)

    _as_if_back_off_passed()
    assert run_pending_jobs() == 1
    failed = Job.objects.get(pk=queued.pk)
    assert failed.status == Job.Status.FAILED and failed.attempts == 3
    assert failed.finished_at is not None
    assert [c["attempt"] for c in CALLS] == [1, 2, 3]
    _as_if_back_off_passed()
    assert run_pending_jobs() == 0  # failed for good: nothing left to deliver


def test_progress_is_visible_while_the_job_runs(world: Any) -> None:
    queued = job_enqueue(counts, kwargs={"steps": 3})
    run_pending_jobs()
    done = Job.objects.get(pk=queued.pk)
    assert done.status == Job.Status.SUCCEEDED
    assert done.result == {"seen": [0, 1, 2]}
    assert (done.progress_done, done.progress_total, done.percent) == (3, 3, 100)
    assert done.progress_message == "Counted"


def test_a_delivery_that_arrives_twice_runs_the_job_once(world: Any) -> None:
    queued = job_enqueue(records, kwargs={"tag": "x"})
    delivery = DBTaskResult.objects.get(pk=queued.task_result_id)
    # A second copy of the same delivery (as if the broker handed it out twice).
    DBTaskResult.objects.create(
        args_kwargs=delivery.args_kwargs,
        task_path=delivery.task_path,
        backend_name=delivery.backend_name,
        run_after=delivery.run_after,
    )
    assert run_pending_jobs() == 2
    assert CALLS == [{"tag": "x"}]
    assert Job.objects.get(pk=queued.pk).attempts == 1


def test_enqueue_is_audited_and_refuses_non_json_kwargs(world: Any) -> None:
    user = world.user("admin")
    queued = job_enqueue(records, kwargs={"tag": "y"}, user=user, organisation=world.cma)
    entry = AuditEntry.objects.get(model="jobs.Job", record_id=str(queued.pk))
    assert (entry.action, entry.user_id) == ("enqueue", user.pk)
    with pytest.raises(ValueError, match="JSON"):
        job_enqueue(records, kwargs={"tag": user})
    with pytest.raises(LookupError):
        job_enqueue("salama.jobs.models.Job")


def test_a_job_run_in_the_foreground_goes_through_the_same_row(world: Any) -> None:
    done = run_job_now(records, kwargs={"tag": "now"})
    assert done.status == Job.Status.SUCCEEDED and done.result == "now"
    assert run_pending_jobs() == 0  # its delivery was used, not left for a worker
    assert CALLS == [{"tag": "now"}]


def test_a_scheduled_slot_is_enqueued_once(world: Any) -> None:
    entry = Entry(
        name="test.records", handler=f"{__name__}.records", kwargs={"tag": "s"}, every_minutes=15
    )
    at = datetime(2026, 5, 1, 10, 7, tzinfo=UTC)
    assert len(scheduler.tick(at, [entry])) == 1
    assert scheduler.tick(at + timedelta(minutes=5), [entry]) == []  # same slot
    slot = ScheduledSlot.objects.get()
    assert slot.slot == datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    run_pending_jobs()
    assert CALLS == [{"tag": "s"}]
    assert len(scheduler.tick(at + timedelta(minutes=8), [entry])) == 1  # 10:15 slot
    assert ScheduledSlot.objects.count() == 2
    assert Job.objects.filter(handler=f"{__name__}.records").count() == 2


def test_daily_slots_are_at_the_given_utc_time() -> None:
    entry = Entry(name="d", handler="x", daily_at="02:00")
    assert entry.slot(datetime(2026, 5, 1, 1, 59, tzinfo=UTC)) == datetime(
        2026, 4, 30, 2, 0, tzinfo=UTC
    )
    assert entry.slot(datetime(2026, 5, 1, 2, 0, tzinfo=UTC)) == datetime(
        2026, 5, 1, 2, 0, tzinfo=UTC
    )
    with pytest.raises(ValueError):
        Entry(name="bad", handler="x", daily_at="02:00", every_minutes=5)

"""Background jobs: retries with back-off, progress, the schedule, the pages."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from salama.audit.models import AuditEntry
from salama.core.roles import Role
from salama.jobs import scheduler
from salama.jobs.api import (
    Job,
    JobContext,
    JobFailed,
    job,
    job_enqueue,
    run_job_now,
    run_pending_jobs,
)
from salama.jobs.models import ScheduledSlot
from salama.jobs.schedule import SCHEDULE, Entry
from tests.conftest import PERSONAS, signed_in

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


# --- The pages and their access grid ---------------------------------------------

EVERYONE = list(PERSONAS)


def _failed_job(world: Any, starter: str | None, organisation: Any) -> Job:
    user = world.user(starter) if starter else None
    queued = job_enqueue(always_fails, kwargs={"n": 2}, user=user, organisation=organisation)
    for _attempt in range(3):
        _as_if_back_off_passed()
        run_pending_jobs()
    return Job.objects.get(pk=queued.pk)


def test_a_failed_job_is_listed_first_with_its_error_and_can_be_retried(world: Any) -> None:
    done = job_enqueue(records, kwargs={"tag": "ok"}, organisation=world.cma)
    run_pending_jobs()
    failed = _failed_job(world, "registrar", world.cma)
    admin = signed_in(world.user("admin"))
    page = admin.get("/jobs/").content.decode()
    assert page.index(f"job-{failed.pk}") < page.index(f"job-{done.pk}")
    assert "builtins.RuntimeError" in page and "the gateway answered 503" in page
    assert "DETAIL" not in page
    problems = admin.get("/jobs/?status=problems").content.decode()
    assert f"job-{failed.pk}" in problems and f"job-{done.pk}" not in problems

    confirm = admin.get(f"/jobs/{failed.pk}/retry/")
    assert confirm.status_code == 200 and "Retry the job" in confirm.content.decode()
    assert Job.objects.get(pk=failed.pk).status == Job.Status.FAILED  # GET only asks
    assert admin.post(f"/jobs/{failed.pk}/retry/").status_code == 302
    again = Job.objects.get(pk=failed.pk)
    assert (again.status, again.attempts) == (Job.Status.QUEUED, 0)
    assert AuditEntry.objects.filter(action="retry", record_id=str(failed.pk)).exists()
    run_pending_jobs()
    assert Job.objects.get(pk=failed.pk).attempts == 1
    assert admin.post(f"/jobs/{done.pk}/retry/").status_code == 302  # not failed: refused
    assert Job.objects.get(pk=done.pk).status == Job.Status.SUCCEEDED


def test_the_progress_page_polls_until_the_job_is_done(world: Any) -> None:
    queued = job_enqueue(counts, kwargs={"steps": 2}, user=world.user("registrar"))
    client = signed_in(world.user("registrar"))
    page = client.get(f"/jobs/{queued.pk}/").content.decode()
    assert "Counts in steps" in page and 'hx-trigger="every 2s"' in page
    assert f"/jobs/{queued.pk}/_partials/progress/" in page and "<noscript>" in page
    run_pending_jobs()
    partial = client.get(f"/jobs/{queued.pk}/_partials/progress/").content.decode()
    assert "hx-trigger" not in partial and "Finished at" in partial
    assert 'value="2"' in partial


@pytest.mark.parametrize("persona", EVERYONE)
def test_access_grid_for_the_jobs_pages(world: Any, persona: str) -> None:
    """Own job: its starter and its organisation's administrators; another
    organisation's job answers 404; the list and retry are administrators' only."""
    cma_job = _failed_job(world, "registrar", world.cma)  # CMA
    ngo_job = _failed_job(world, "caseworker", world.ngo)  # Protection NGO
    system_job = _failed_job(world, None, None)  # the schedule's
    client = signed_in(world.user(persona))
    role, org, _sites = PERSONAS[persona]
    is_admin = role == Role.ADMINISTRATOR

    def may_see(job: Job) -> bool:
        own = job.user is not None and job.user.username == persona
        admin_of_it = is_admin and (
            job.organisation is None or job.organisation == getattr(world, org)
        )
        return own or admin_of_it

    for job_row in (cma_job, ngo_job, system_job):
        expected = 200 if may_see(job_row) else 404
        assert client.get(f"/jobs/{job_row.pk}/").status_code == expected, job_row
        assert client.get(f"/jobs/{job_row.pk}/_partials/progress/").status_code == expected
        may_retry = is_admin and may_see(job_row)
        assert client.get(f"/jobs/{job_row.pk}/retry/").status_code == (200 if may_retry else 404)
    listing = client.get("/jobs/")
    assert listing.status_code == (200 if is_admin else 404)
    if is_admin:
        page = listing.content.decode()
        assert (f"job-{cma_job.pk}" in page) == (org == "cma")
        assert (f"job-{ngo_job.pk}" in page) == (org == "ngo")
        assert f"job-{system_job.pk}" in page
    # A retry from someone who may not is refused without a change.
    response = client.post(f"/jobs/{ngo_job.pk}/retry/")
    assert response.status_code == (302 if is_admin and org == "ngo" else 404)
    assert client.get("/jobs/not-a-uuid/").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(world: Any) -> None:
    queued = job_enqueue(records, kwargs={"tag": "z"})
    assert Client().get(f"/jobs/{queued.pk}/").status_code == 302
    assert Client().get("/jobs/").status_code == 302


# --- The duplicate queue fills itself ---------------------------------------------


def test_the_nightly_job_fills_the_duplicate_queue_without_anyone_pressing_scan(
    world: Any,
) -> None:
    from salama.registry.models import DuplicateCandidate
    from tests.test_matching import make_duplicate

    first, second, _third = make_duplicate(world)
    assert not DuplicateCandidate.objects.exists()
    claimed = scheduler.tick(datetime(2026, 5, 2, 2, 0, 30, tzinfo=UTC))  # the real schedule
    assert "registry.duplicate_scan" in {slot.entry for slot in claimed}
    run_pending_jobs()
    nightly = Job.objects.get(handler="salama.registry.jobs.duplicate_scan_all")
    assert nightly.status == Job.Status.SUCCEEDED, nightly.error_message
    # One scope: the NGO administrator's camp lies inside the CMA administrator's country.
    assert nightly.result == {"scopes": 1, "new_pairs": 1}
    pair = DuplicateCandidate.objects.get()
    assert {pair.keep_id, pair.other_id} == {first.pk, second.pk}
    page = signed_in(world.user("registrar")).get("/registry/duplicates/").content.decode()
    assert f"pair-{pair.pk}" in page


def test_an_import_fills_the_duplicate_queue(world: Any, amc_person: Any) -> None:
    from salama.registry.models import DuplicateCandidate, Person
    from tests.test_import import commit, run_job, upload

    header = "household_ref,site_code,relationship,given_name,father_name,family_name,"
    header += "given_name_latin,father_name_latin,family_name_latin,sex,birth_date,nationality\n"
    row = "H1,AMC-Z1A,head,محمد,علي,الحسن,Mohammed,Ali,Al-Hassan,M,1985-03-01,SY\n"
    client = signed_in(world.user("registrar"))
    upload_job, _page = run_job(client, upload(client, (header + row).encode()))
    assert upload_job.status == "ready"
    commit(client, upload_job)  # runs the import, then the scan it queued
    imported = Person.objects.exclude(pk=amc_person.pk).get()
    scan = Job.objects.get(handler="salama.registry.jobs.duplicate_scan")
    assert scan.status == Job.Status.SUCCEEDED and scan.user == world.user("registrar")
    pair = DuplicateCandidate.objects.get()
    assert {pair.keep_id, pair.other_id} == {amc_person.pk, imported.pk}


def test_the_scan_button_queues_a_job_and_shows_its_progress(world: Any) -> None:
    from salama.registry.models import DuplicateCandidate
    from tests.test_matching import make_duplicate

    make_duplicate(world)
    admin = signed_in(world.user("admin"))
    response = admin.post("/registry/duplicates/scan/")
    queued = Job.objects.get(handler="salama.registry.jobs.duplicate_scan")
    assert response["Location"] == f"/jobs/{queued.pk}/?next=/registry/duplicates/"
    assert not DuplicateCandidate.objects.exists()  # not in the request
    run_pending_jobs()
    page = admin.get(response["Location"]).content.decode()
    assert "Duplicate scan" in page and 'href="/registry/duplicates/"' in page
    assert DuplicateCandidate.objects.count() == 1


# --- Failures that a retry cannot fix, lost workers, the command ---------------------


@job(label="Refuses", retries=3)
def refuses(ctx: JobContext) -> None:
    CALLS.append({"attempt": ctx.attempt})
    raise JobFailed("the record is gone")


def test_a_job_failed_for_good_is_not_retried(world: Any) -> None:
    queued = job_enqueue(refuses)
    run_pending_jobs()
    failed = Job.objects.get(pk=queued.pk)
    assert (failed.status, failed.attempts) == (Job.Status.FAILED, 1)
    assert failed.error_message == "the record is gone"


@job(label="Records a call, retried once", retries=1)
def records_retried(ctx: JobContext, *, tag: str) -> str:
    return records.func(ctx, tag=tag)


def test_a_job_lost_with_its_worker_is_retried(world: Any) -> None:
    from salama.jobs import housekeeping, runner

    queued = job_enqueue(records_retried, kwargs={"tag": "lost"})
    # A worker claims it and dies: the job stays "running" and its heartbeat stops.
    runner.claim(queued.pk, queued.task_result_id)
    Job.objects.filter(pk=queued.pk).update(
        heartbeat_at=timezone.now() - housekeeping.STALE_AFTER - timedelta(seconds=1)
    )
    DBTaskResult.objects.filter(pk=queued.task_result_id).update(status="FAILED")
    fresh = job_enqueue(records, kwargs={"tag": "busy"})
    runner.claim(fresh.pk, fresh.task_result_id)  # running, heartbeat fresh: left alone
    DBTaskResult.objects.filter(pk=fresh.task_result_id).update(status="RUNNING")
    assert run_job_now(housekeeping.recover_stale).result == {"recovered": 1}
    lost = Job.objects.get(pk=queued.pk)
    assert lost.status == Job.Status.RETRYING and lost.error_type == "salama.jobs.WorkerLost"
    _as_if_back_off_passed()
    run_pending_jobs()
    assert Job.objects.get(pk=queued.pk).status == Job.Status.SUCCEEDED
    assert Job.objects.get(pk=fresh.pk).status == Job.Status.RUNNING
    assert CALLS == [{"tag": "lost"}]


def test_worker_once_runs_the_schedule_and_every_ready_job(world: Any, capsys: Any) -> None:
    import time_machine
    from django.core.management import call_command

    # One moment for both runs: crossing a minute or an hour between them would
    # rightly enqueue the next slots of the every-minute and hourly entries.
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, 30, tzinfo=UTC), tick=False):
        queued = job_enqueue(records, kwargs={"tag": "cmd"})
        call_command("worker", "--once", "--worker-id", "t1")
        assert Job.objects.get(pk=queued.pk).status == Job.Status.SUCCEEDED
        assert ScheduledSlot.objects.count() == len(SCHEDULE)
        assert {j.status for j in Job.objects.all()} == {Job.Status.SUCCEEDED}
        assert "ran" in capsys.readouterr().out
        call_command("worker", "--once")  # the same slots are not enqueued again
        assert Job.objects.count() == 1 + len(SCHEDULE)


def test_reindex_runs_through_the_job_in_the_foreground_or_in_the_background(
    world: Any, amc_person: Any, capsys: Any
) -> None:
    from django.core.management import call_command

    call_command("linkage", "reindex")
    assert "search keys rebuilt for 1 people" in capsys.readouterr().out
    done = Job.objects.get(handler="salama.registry.jobs.search_keys_rebuild")
    assert (done.status, done.progress_done, done.progress_total) == (Job.Status.SUCCEEDED, 1, 1)
    call_command("linkage", "reindex", "--background")
    assert "Queued as job" in capsys.readouterr().out
    assert run_pending_jobs() == 1


def test_the_import_page_follows_its_jobs_and_a_second_click_queues_nothing(world: Any) -> None:
    from salama.registry.models import ImportJob
    from tests.test_import import GOOD, run_job, upload

    client = signed_in(world.user("registrar"))
    upload_job, page = run_job(client, upload(client, GOOD.encode()))
    assert "Import them now" in page
    url = f"/registry/import/{upload_job.pk}/"
    client.post(f"{url}commit/")
    client.post(f"{url}commit/")  # a second click while the first is queued
    assert Job.objects.filter(handler="salama.registry.jobs.import_commit").count() == 1
    waiting = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Importing…" in waiting and "hx-trigger" in waiting and "Import them now" not in waiting
    run_pending_jobs()
    done = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Imported 4 people in 2 households" in done and "hx-trigger" not in done
    assert ImportJob.objects.get().status == "imported"

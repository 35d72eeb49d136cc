"""Retention (PROTECTION.md 19): the nightly job deletes what passed its
period everywhere (persons of closed files with everything about them,
screenings and their encrypted answers, submissions and attachments, import
files, export files, search keys) and leaves one audit entry per run with
counts and ids, no personal data. The clock is moved, nothing sleeps."""

from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings

from salama.audit.models import AuditEntry
from salama.jobs import scheduler
from salama.jobs.api import Job, run_pending_jobs
from salama.privacy import actions, selectors
from salama.privacy.models import ExportFile, FileClosure, RetentionRun
from salama.registry.models import BlockingKey, Household, ImportJob, LegalBasis, Person
from salama.screening.actions import field_credential_set, screening_record
from salama.screening.models import Alert, Attachment, Screening, Submission
from tests.conftest import person_fields, register
from tests.test_openrosa import FIELD_PASSWORD, ilo11, submit
from tests.test_screening_app import TRAFFICKED

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def nightly(at: datetime) -> RetentionRun:
    """The schedule's 01:30 UTC run on the night after `at`, as a worker runs it."""
    night = datetime.combine(at.date() + timedelta(days=1), datetime.min.time(), UTC)
    night += timedelta(hours=1, minutes=30, seconds=10)
    with time_machine.travel(night, tick=False):
        claimed = scheduler.tick(night)
        assert "privacy.retention" in {slot.entry for slot in claimed}
        run_pending_jobs()
    job = Job.objects.filter(handler="salama.privacy.jobs.retention").latest("created_at")
    assert job.status == Job.Status.SUCCEEDED, job.error_message
    return RetentionRun.objects.latest("ran_at")


def raw_count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (fixed names)
        return int(cursor.fetchone()[0])


def test_each_record_type_is_deleted_after_its_period_everywhere(world: Any, client: Any) -> None:
    caseworker = world.user("caseworker")
    with time_machine.travel(T0, tick=False):
        staying = register(world, world.amc_block).members.get()
        leaving_household = register(
            world, world.amc_block, person_fields(given_name_latin="Leila", sex="F")
        )
        leaving = leaving_household.members.get()
        duplicate = register(
            world, world.amc_block, person_fields(given_name_latin="Layla", sex="F")
        ).members.get()
        Person.objects.filter(pk=duplicate.pk).update(merged_into=leaving)  # merged earlier
        screening = screening_record(
            user=caseworker,
            person=staying,
            instrument_id="ilo-ec-delphi-labour",
            profile="adult",
            answers=TRAFFICKED,
        )
        screening_record(
            user=caseworker,
            person=leaving,
            instrument_id="ilo-ec-delphi-labour",
            profile="adult",
            answers=TRAFFICKED,
        )
        field_credential_set(user=caseworker, password=FIELD_PASSWORD)
        photo = SimpleUploadedFile("photo.jpg", b"\xff\xd8 one", "image/jpeg")
        assert submit(client, ilo11(staying, deception="yes"), photo).status_code == 201
        ImportJob.objects.create(
            user=world.user("registrar"), organisation=world.cma, filename="camp.csv"
        )
        export = actions.export_request(user=world.user("protection"), password="tulip river 42")
        actions.file_close(user=world.user("admin"), person=leaving, reason="resettled")
        run_pending_jobs()  # the export is written
    export.refresh_from_db()
    assert export.status == "ready"
    assert BlockingKey.objects.filter(person=leaving).exists()
    screenings_before = Screening.objects.count()

    # After 100 days: processed submissions (90 days), imports (30) and exports (30) are gone.
    run = nightly(T0 + timedelta(days=100))
    assert not Submission.objects.exists() and not Attachment.objects.exists()
    assert raw_count("screening_attachment") == 0
    assert not ImportJob.objects.exists()
    assert not selectors.export_path(export).exists()
    assert ExportFile.objects.get().status == "deleted"
    assert Screening.objects.count() == screenings_before  # kept for five years
    assert Person.objects.filter(pk=leaving.pk).exists()  # kept two years after closing
    assert run.counts["screening.Submission"] == 1 and run.counts["screening.Attachment"] == 1
    assert run.counts["registry.ImportJob"] == 1  # (the hourly entry deleted the export)

    # Two years after the file closed: the person, the duplicate merged into them, and
    # everything about them (screenings, alerts, search keys, legal bases, household).
    run = nightly(T0 + timedelta(days=2 * 365 + 1))
    assert not Person.objects.filter(pk__in=[leaving.pk, duplicate.pk]).exists()
    assert not BlockingKey.objects.filter(person_id__in=[leaving.pk, duplicate.pk]).exists()
    assert not LegalBasis.objects.filter(person_id=leaving.pk).exists()
    assert not Screening.objects.filter(person_id=leaving.pk).exists()
    assert not Household.objects.filter(pk=leaving_household.pk).exists()
    assert not FileClosure.objects.exists()
    assert Person.objects.filter(pk=staying.pk).exists()
    assert run.counts["registry.Person"] == 2 and run.counts["screening.Screening"] == 1
    assert set(run.deleted_ids["registry.Person"]) == {str(leaving.pk), str(duplicate.pk)}

    # Five years after it was made, the screening and its encrypted answers are gone.
    assert Alert.objects.filter(screening=screening).exists()
    run = nightly(T0 + timedelta(days=5 * 365 + 1))
    assert not Screening.objects.exists() and raw_count("screening_screening") == 0
    assert not Alert.objects.exists()
    # The screening made on the web and the one scored from the field submission.
    assert run.counts == {"screening.Alert": 2, "screening.Screening": 2}

    # One audit entry per run: counts and the run's id, no registration number or name.
    entries = AuditEntry.objects.filter(action="retention").order_by("id")
    assert entries.count() == 3
    assert entries.last().record_id == str(run.pk)  # type: ignore[union-attr]
    assert "screening.Screening=2" in entries.last().changed_fields  # type: ignore[union-attr]
    text = str(list(entries.values_list("record_id", "changed_fields")))
    for personal in (leaving.registration_number, staying.registration_number, "Leila"):
        assert personal not in text


def test_a_run_with_nothing_due_deletes_nothing_and_still_leaves_its_entry(
    world: Any, amc_person: Any
) -> None:
    run = actions.retention_run(now=T0)
    assert run.counts == {} and Person.objects.filter(pk=amc_person.pk).exists()
    assert AuditEntry.objects.filter(action="retention", record_id=str(run.pk)).exists()


@override_settings(SALAMA_RETENTION_SCREENING_DAYS=30)
def test_periods_are_settings(world: Any, amc_person: Any) -> None:
    with time_machine.travel(T0, tick=False):
        screening_record(
            user=world.user("caseworker"),
            person=amc_person,
            instrument_id="ilo-ec-delphi-labour",
            profile="adult",
            answers=TRAFFICKED,
        )
    actions.retention_run(now=T0 + timedelta(days=29))
    assert Screening.objects.exists()
    actions.retention_run(now=T0 + timedelta(days=31))
    assert not Screening.objects.exists()


def test_an_open_file_is_never_deleted_however_old(world: Any, amc_person: Any) -> None:
    actions.retention_run(now=T0 + timedelta(days=50 * 365))
    assert Person.objects.filter(pk=amc_person.pk).exists()

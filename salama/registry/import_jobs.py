"""An import: upload, check in chunks, then import whole. In the browser the
checking and the import run as background jobs (registry/jobs.py) whose
progress the page follows; the command runs the same steps in the foreground."""

from typing import Any

from django.db import transaction

from salama.audit.actions import audit_record
from salama.core import access as core_access
from salama.core.database import refresh_planner_statistics
from salama.core.models import Organisation
from salama.core.roles import Perm
from salama.jobs.api import Job, job_enqueue
from salama.registry import access, importer
from salama.registry.models import ImportJob

CHUNK = 400


def _sites(user: Any) -> dict[str, Any]:
    return {s.code: s for s in access.sites_for(user, Perm.REGISTRY_IMPORT)}


@transaction.atomic
def import_job_start(
    *, user: Any, organisation: Organisation, filename: str, content: bytes, bases: dict[str, str]
) -> ImportJob:
    rows = importer.parse_file(content, filename)
    job = ImportJob.objects.create(
        user=user,
        organisation=organisation,
        filename=filename[:200],
        rows=rows,
        bases=bases,
        total=len(rows),
    )
    audit_record(
        user=user,
        action="upload",
        purpose=core_access.purpose(user),
        model="registry.ImportJob",
        record_id=job.pk,
    )
    return job


@transaction.atomic
def import_job_start_in_background(
    *, user: Any, organisation: Organisation, filename: str, content: bytes, bases: dict[str, str]
) -> ImportJob:
    """Upload and queue the check, in one transaction."""
    upload = import_job_start(
        user=user, organisation=organisation, filename=filename, content=content, bases=bases
    )
    job_enqueue(
        "salama.registry.jobs.import_check",
        kwargs={"import_job": str(upload.pk)},
        user=user,
        organisation=organisation,
    )
    return upload


@transaction.atomic
def import_job_commit_in_background(*, user: Any, job: ImportJob) -> Job:
    """Queue the import of a checked file (once: a second request finds it queued)."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.READY:
        raise ValueError("this import is not ready")
    queued = latest_job(job, "import_commit")
    if queued is not None and queued.status != Job.Status.FAILED:
        return queued
    return job_enqueue(
        "salama.registry.jobs.import_commit",
        kwargs={"import_job": str(job.pk)},
        user=user,
        organisation=job.organisation,
    )


def latest_job(job: ImportJob, step: str) -> Job | None:
    """The newest background job of this import's `step` (import_check, import_commit)."""
    return (
        Job.objects.filter(handler=f"salama.registry.jobs.{step}", kwargs__import_job=str(job.pk))
        .order_by("-created_at")
        .first()
    )


def _scan_after_import(user: Any, organisation: Organisation) -> None:
    """New people are compared with the registry at once, not at the next
    nightly scan: in the importer's scope, or else every administrator's."""
    if core_access.has_perm(user, Perm.PERSON_MERGE):
        job_enqueue(
            "salama.registry.jobs.duplicate_scan",
            kwargs={"user_id": user.pk},
            user=user,
            organisation=organisation,
        )
    else:
        job_enqueue("salama.registry.jobs.duplicate_scan_all", user=user, organisation=organisation)


@transaction.atomic
def import_job_check_next(*, user: Any, job: ImportJob) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.CHECKING:
        return job
    end = job.checked + CHUNK
    errors = importer.check_rows(job.rows, job.checked, end, set(_sites(user)))
    job.errors += [e.as_dict() for e in errors]
    job.checked = min(end, job.total)
    if job.checked >= job.total:
        job.errors += [e.as_dict() for e in importer.check_households(job.rows)]
        job.status = ImportJob.Status.INVALID if job.errors else ImportJob.Status.READY
        if job.errors:
            job.rows = []  # nothing will be imported from this file
    job.save()
    return job


@transaction.atomic
def import_job_commit(*, user: Any, job: ImportJob) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.READY:
        raise ValueError("this import is not ready")
    households, people = importer.import_rows(
        user=user,
        organisation=job.organisation,
        rows=job.rows,
        bases=job.bases,
        sites=_sites(user),
    )
    job.status = ImportJob.Status.IMPORTED
    job.imported_households, job.imported_people = households, people
    job.rows = []
    job.save()
    audit_record(
        user=user,
        action="import",
        purpose=core_access.purpose(user),
        model="registry.ImportJob",
        record_id=job.pk,
    )
    _scan_after_import(user, job.organisation)
    transaction.on_commit(refresh_planner_statistics)
    return job

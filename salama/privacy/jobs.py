"""The data-protection jobs: writing a sealed export (the registry, or one
person's own data), deleting expired export files, and the nightly retention
run. A job gets an export's id, never personal data or a password."""

import csv
import io
import json
from typing import Any

from django.contrib.auth import get_user_model
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from salama.core import access as core_access
from salama.core.roles import Perm
from salama.jobs.api import JobContext, JobFailed, job
from salama.lib.spreadsheet import neutralise_row
from salama.privacy import access, actions, selectors
from salama.privacy.models import ExportFile
from salama.registry import access as registry_access
from salama.registry import importer
from salama.registry.sensitivity import exportable

PERSON_EXPORT_FIELDS = exportable(
    "registry.Person", (*importer.PERSON_FIELDS, "languages", "specific_needs")
)
EXPORT_COLUMNS = ("registration_number", "household", *PERSON_EXPORT_FIELDS)
PROGRESS_EVERY = 500


def _export(export_id: str, kind: str) -> ExportFile:
    export = ExportFile.objects.filter(pk=export_id, kind=kind).first()
    if export is None:
        raise JobFailed(_("This export no longer exists."))
    return export


def export_requester(export: ExportFile, perm: Perm) -> Any:
    """Who asked for the export, if they still may have it (checked at run time)."""
    user = get_user_model().objects.filter(pk=export.user_id, is_active=True).first()
    if user is None or not core_access.has_perm(user, perm):
        actions.export_fail(export_id=str(export.pk))
        raise JobFailed(_("The user who asked for this export may no longer have it."))
    return user


def export_seal_or_fail(
    export_id: str, members: dict[str, bytes], rows: int, columns: tuple[str, ...]
) -> None:
    try:
        actions.export_seal(export_id=export_id, members=members, rows=rows, columns=columns)
    except actions.ExportError as exc:  # expired while waiting: another attempt cannot help
        actions.export_fail(export_id=export_id)
        raise JobFailed(_("This export expired before it could be written.")) from exc


def _row(person: Any) -> list[Any]:
    values = [getattr(person, name) for name in PERSON_EXPORT_FIELDS]
    values = [" ".join(v) if isinstance(v, list) else v for v in values]
    return neutralise_row(
        [person.registration_number, person.household.registration_number, *values]
    )


@job(label=_("Export the registry"), retries=2, backoff_seconds=30)
def registry_export(ctx: JobContext, *, export_id: str) -> dict[str, Any]:
    """The registry in the requester's export scope as CSV, formula-leading
    cells neutralised, sealed in an AES-256 ZIP with the requester's password."""
    export = _export(export_id, ExportFile.Kind.REGISTRY)
    if export.status != ExportFile.Status.PENDING:
        return {"rows": export.rows}
    user = export_requester(export, Perm.REGISTRY_EXPORT)
    persons = registry_access.persons_for(user, Perm.REGISTRY_EXPORT).select_related("household")
    total = persons.count()
    ctx.progress(0, total, _("Writing rows"))
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(EXPORT_COLUMNS)
    done = 0
    for person in persons.iterator(chunk_size=1000):
        writer.writerow(_row(person))
        done += 1
        if done % PROGRESS_EVERY == 0:
            ctx.progress(done, total, _("Writing rows"))
    ctx.progress(done, total, _("Encrypting the file"))
    # A byte-order mark, so that spreadsheets read the names as UTF-8.
    members = {"salama-registry.csv": ("\ufeff" + text.getvalue()).encode("utf-8")}
    export_seal_or_fail(export_id, members, done, EXPORT_COLUMNS)
    ctx.progress(done, total, _("Ready"))
    return {"rows": done}


@job(label=_("Export a person's own data"), retries=2, backoff_seconds=30)
def subject_access_export(ctx: JobContext, *, export_id: str) -> dict[str, Any]:
    """All data about one person, in their language: a readable page and the
    same data as JSON, sealed like an export."""
    export = _export(export_id, ExportFile.Kind.SUBJECT_ACCESS)
    if export.status != ExportFile.Status.PENDING:
        return {"sections": export.rows}
    user = export_requester(export, Perm.SUBJECT_ACCESS)
    if export.subject_id is None:
        raise JobFailed(_("This person's record no longer exists."))
    try:
        person = access.get_subject(user, export.subject_id, audit=False)
    except Http404 as exc:  # out of the user's scope now
        actions.export_fail(export_id=export_id)
        raise JobFailed(_("This person is no longer in the scope of the user who asked.")) from exc
    ctx.progress(0, 2, _("Collecting the data"))
    organisation_ids = {o.pk for o in core_access.organisations(user)}
    with translation.override(export.language):
        data = selectors.subject_data(
            person, language=export.language, organisation_ids=organisation_ids
        )
        page = render_to_string(
            "privacy/subject_report.html", {"data": data, "LANG": export.language}
        )
    ctx.progress(1, 2, _("Encrypting the file"))
    members = {
        "salama-own-data.html": page.encode("utf-8"),
        "salama-own-data.json": json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"),
    }
    sections = sum(len(v) for v in data.values() if isinstance(v, list))
    actions.export_seal(export_id=export_id, members=members, rows=sections, columns=tuple(data))
    ctx.progress(2, 2, _("Ready"))
    return {"sections": sections}


@job(label=_("Delete expired export files"), retries=1, backoff_seconds=60)
def exports_expire(ctx: JobContext) -> dict[str, int]:
    return {"deleted": actions.exports_delete_expired()}


@job(label=_("Retention: delete what passed its period"), retries=2, backoff_seconds=300)
def retention(ctx: JobContext) -> dict[str, Any]:
    ctx.progress(0, 1, _("Deleting"))
    run = actions.retention_run()
    ctx.progress(1, 1, _("Done"))
    return {"run": str(run.pk), "counts": run.counts}

"""The case-level export job: the organisation's trafficking cases in CTDC
format, k-anonymised and sealed in an AES-256 ZIP with the requester's
password. It gets the export's id only, and re-checks at run time that the
requester still holds Perm.CASES_SHARE and the agreement is still in force."""

import io
from typing import Any

from django.utils.translation import gettext_lazy as _

from salama.core.roles import Perm
from salama.jobs.api import JobContext, JobFailed, job
from salama.lib.sharing.ctdc import CTDC_COLUMNS, ctdc_release, write_csv
from salama.privacy import actions as privacy_actions
from salama.privacy.jobs import export_requester, export_seal_or_fail
from salama.privacy.models import ExportFile
from salama.reports import access, actions, sharing
from salama.reports.models import Release


def _refuse(export_id: str, message: Any) -> JobFailed:
    privacy_actions.export_fail(export_id=export_id)
    return JobFailed(message)


@job(label=_("Export anonymised cases (CTDC format)"), retries=2, backoff_seconds=30)
def ctdc_export(ctx: JobContext, *, export_id: str) -> dict[str, Any]:
    release = Release.objects.filter(export__pk=export_id, kind=Release.Kind.CTDC).first()
    if release is None or release.export is None:
        raise JobFailed(_("This export no longer exists."))
    if release.export.status != ExportFile.Status.PENDING:
        return {"records": release.records, "suppressed": release.suppressed}
    user = export_requester(release.export, Perm.CASES_SHARE)
    if release.agreement not in access.ctdc_agreements(user):
        raise _refuse(export_id, _("The data-sharing agreement is no longer in force."))
    ctx.progress(0, 2, _("Collecting the cases"))
    cases = list(sharing.ctdc_cases(release.organisation_id))
    published = ctdc_release(cases, k=release.k or actions.sharing_k())
    text = io.StringIO()
    write_csv(published, text)
    ctx.progress(1, 2, _("Encrypting the file"))
    note = (
        f"CTDC format; k={published.k} over {', '.join(published.quasi_identifiers)}; "
        f"{len(published.rows)} records, {published.suppressed} suppressed\n"
    )
    members = {
        "salama-ctdc.csv": ("\ufeff" + text.getvalue()).encode("utf-8"),
        "README.txt": note.encode("utf-8"),
    }
    # Sealed first: the release records what was written only once it exists.
    export_seal_or_fail(export_id, members, len(published.rows), CTDC_COLUMNS)
    actions.ctdc_export_written(
        release_id=release.pk, records=len(published.rows), suppressed=published.suppressed
    )
    ctx.progress(2, 2, _("Ready"))
    return {"records": len(published.rows), "suppressed": published.suppressed}

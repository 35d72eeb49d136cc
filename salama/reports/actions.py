"""Writes of the reports: participation records, WPS Index imports and the
release log of everything that leaves Salama. Each is one transaction and
audited; the case-level export is a job that gets the export's id only."""

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from salama.audit.actions import audit_record
from salama.core import access as core_access
from salama.core.models import Site
from salama.core.roles import Perm
from salama.lib.sharing.wps import read_wps
from salama.lib.suppression import check_k
from salama.privacy import actions as privacy_actions
from salama.privacy.models import ExportFile, SharingAgreement
from salama.reports import access
from salama.reports.models import CommitteeRecord, Consultation, Release, WpsScore

CTDC_EXPORT_JOB = "salama.reports.jobs.ctdc_export"
GROUPS = ("women", "girls", "men", "boys")


class ReportError(ValueError):
    pass


def sharing_k(k: int | None = None) -> int:
    """k for anything leaving the agencies: the deployment's (11 unless set), never below 5."""
    return check_k(settings.SALAMA_SHARING_K if k is None else k)


def _audit(user: Any, action: str, model: str, record_id: object, fields: Any = ()) -> None:
    audit_record(
        user=user,
        action=action,
        purpose=core_access.purpose(user),
        model=model,
        record_id=record_id,
        changed_fields=fields,
    )


def _keeper(user: Any, site: Site) -> Any:
    if site not in access.report_sites(user, Perm.REPORTS_KEEP):
        raise PermissionDenied
    return core_access.organisation_for(user, Perm.REPORTS_KEEP)


def _not_future(day: date, what: str) -> None:
    if day > timezone.localdate():
        raise ReportError(f"{what} cannot be in the future")


@transaction.atomic
def consultation_record(*, user: Any, site: Site, data: dict[str, Any]) -> Consultation:
    """Record a consultation or feedback session held at `site`."""
    organisation = _keeper(user, site)
    _not_future(data["held_on"], "the day it was held")
    if any(int(data.get(g) or 0) < 0 for g in GROUPS):
        raise ReportError("participants cannot be fewer than 0")
    if not sum(int(data.get(g) or 0) for g in GROUPS):
        raise ReportError("give the number of participants by sex and age group")
    if not str(data.get("topics", "")).strip():
        raise ReportError("say what was discussed")
    consultation = Consultation.objects.create(
        site=site,
        site_path=site.path,
        organisation=organisation,
        recorded_by=user,
        recorded_at=timezone.now(),
        **{name: data.get(name) for name in ("kind", "held_on", "with_survivors", "topics")},
        decisions=data.get("decisions") or "",
        **{g: int(data.get(g) or 0) for g in GROUPS},
    )
    _audit(user, "create", "reports.Consultation", consultation.pk)
    return consultation


@transaction.atomic
def committee_record(*, user: Any, site: Site, data: dict[str, Any]) -> CommitteeRecord:
    """Record how many members a site committee has, and how many are women."""
    organisation = _keeper(user, site)
    _not_future(data["as_of"], "the day of the record")
    members, women = int(data["members"]), int(data["women"])
    if members < 1:
        raise ReportError("a committee has at least one member")
    if not 0 <= women <= members:
        raise ReportError("the women cannot be more than the members")
    record = CommitteeRecord.objects.create(
        site=site,
        site_path=site.path,
        organisation=organisation,
        name=str(data["name"]).strip(),
        as_of=data["as_of"],
        members=members,
        women=women,
        recorded_by=user,
        recorded_at=timezone.now(),
    )
    _audit(user, "create", "reports.CommitteeRecord", record.pk)
    return record


@transaction.atomic
def wps_import(*, user: Any, text: str) -> tuple[int, int]:
    """Import WPS Index scores; a score already held for the edition and
    country is replaced. The whole file or nothing (lib/sharing/wps.py)."""
    if not core_access.has_perm(user, Perm.REPORTS_KEEP):
        raise PermissionDenied
    rows = read_wps(text)
    now = timezone.now()
    created = 0
    for row in rows:
        _score, new = WpsScore.objects.update_or_create(
            edition=row.edition,
            country_iso3=row.country_iso3,
            defaults={
                "score": row.score,
                "rank": row.rank,
                "imported_by": user,
                "imported_at": now,
            },
        )
        created += new
    _audit(user, "import", "reports.WpsScore", "*", [f"rows={len(rows)}"])
    return created, len(rows) - created


@transaction.atomic
def release_record(
    *, user: Any, kind: str, site: Site, start: date, end: date, **facts: Any
) -> Release:
    """Log figures that leave Salama, with how they were protected."""
    if site not in access.report_sites(user):
        raise PermissionDenied
    release = Release.objects.create(
        kind=kind,
        user=user,
        organisation=core_access.organisation_for(user, Perm.AGGREGATE_VIEW),
        site=site,
        period_start=start,
        period_end=end,
        released_at=timezone.now(),
        **facts,
    )
    _audit(user, "export", "reports.Release", release.pk, [kind])
    return release


def _overlapping(site: Site) -> Q:
    """The site, the places holding it and those inside it: their people overlap."""
    return Q(site__path__in=Site.paths_holding(site.path)) | Q(site__path__startswith=site.path)


def dp_spent(site: Site, now: datetime | None = None) -> float:
    """Epsilon spent in the last 365 days by the differentially private releases of
    the site and of every place holding it or inside it (a camp's figures and its
    zones' count the same people, so their losses add up)."""
    since = (now or timezone.now()) - timedelta(days=365)
    releases = Release.objects.filter(
        _overlapping(site), kind=Release.Kind.DP, released_at__gte=since
    )
    return float(releases.aggregate(total=Sum("epsilon"))["total"] or 0.0)


@transaction.atomic
def dp_release_record(
    *, user: Any, site: Site, start: date, end: date, epsilon: float, **facts: Any
) -> Release:
    """Log a differentially private release, or refuse it (nothing is downloaded)
    when it would take the site past its yearly privacy budget. The row at the top
    of the site's tree is locked, so that two releases at once anywhere in it cannot
    both pass the check (on PostgreSQL; SQLite serialises writes anyway)."""
    top = site.path.strip("/").split("/")[0]
    Site.objects.select_for_update().filter(pk=int(top)).first()
    limit = settings.SALAMA_DP_EPSILON_PER_YEAR
    spent = dp_spent(site)
    if spent + epsilon > limit + 1e-9:
        raise ReportError(
            _(
                "This release would spend a privacy loss of %(asked)s, and %(left)s is "
                "left of the site's %(limit)s for the year. Ask for a smaller loss per "
                "count or a later date."
            )
            % {"asked": f"{epsilon:g}", "left": f"{max(limit - spent, 0):g}", "limit": limit}
        )
    return release_record(
        user=user, kind=Release.Kind.DP, site=site, start=start, end=end, epsilon=epsilon, **facts
    )


@transaction.atomic
def ctdc_export_request(
    *, user: Any, agreement: SharingAgreement, password: str, k: int | None = None
) -> Release:
    """Ask for the organisation's trafficking cases in CTDC format for the
    partner of `agreement` (in force, fetched through reports.access): a job
    writes them k-anonymised, sealed with `password`, expiring like every export."""
    if agreement not in access.ctdc_agreements(user):
        raise PermissionDenied
    organisation = core_access.organisation_for(user, Perm.CASES_SHARE)
    export = privacy_actions.new_export(
        user=user, kind=ExportFile.Kind.CTDC, organisation=organisation, password=password
    )
    release = Release.objects.create(
        kind=Release.Kind.CTDC,
        user=user,
        organisation=organisation,
        agreement=agreement,
        export=export,
        k=sharing_k(k),
        released_at=timezone.now(),
    )
    _audit(user, "export", "reports.Release", release.pk, ["ctdc", f"agreement={agreement.pk}"])
    privacy_actions.export_enqueue(export, CTDC_EXPORT_JOB)
    return release


@transaction.atomic
def ctdc_export_written(*, release_id: int, records: int, suppressed: int) -> None:
    Release.objects.filter(pk=release_id).update(records=records, suppressed=suppressed)

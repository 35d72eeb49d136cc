"""The only way the report pages fetch records. Figures are read by whoever
holds Perm.AGGREGATE_VIEW at a site (analysts included: they see aggregates
only). Participation records are kept by their organisation at its sites
(Perm.REPORTS_KEEP); another organisation's record answers 404. The release
log is the organisation's own; a case-level export needs Perm.CASES_SHARE
and an active agreement of the organisation (PROTECTION.md 14, 15)."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from salama.core import access as core_access
from salama.core.models import Site
from salama.core.roles import Perm
from salama.privacy.models import SharingAgreement
from salama.privacy.selectors import active_agreement
from salama.reports.models import CommitteeRecord, Consultation, Release

CTDC_PURPOSE = "statistics"


def report_sites(user: Any, perm: Perm = Perm.AGGREGATE_VIEW) -> list[Site]:
    """Every site at or below one where the user holds `perm`, in tree order."""
    paths = core_access.site_paths(user, perm)
    if not paths:
        return []
    under = Q(pk__in=[])
    for path in paths:
        under |= Q(path__startswith=path)
    return list(Site.objects.filter(under).order_by("path"))


def _int(pk: object) -> int:
    try:
        return int(str(pk))
    except ValueError:
        raise Http404 from None


def get_report_site(user: Any, pk: object, perm: Perm = Perm.AGGREGATE_VIEW) -> Site:
    wanted = _int(pk)
    site = next((s for s in report_sites(user, perm) if s.pk == wanted), None)
    if site is None:
        raise Http404
    return site


def _kept(user: Any, model: Any) -> QuerySet[Any]:
    scope = core_access.site_scope(
        user, Perm.REPORTS_KEEP, "site_path", organisation_field="organisation_id"
    )
    return model.objects.none() if scope is None else model.objects.filter(scope)


def consultations_for(user: Any) -> QuerySet[Consultation]:
    return _kept(user, Consultation).select_related("site")


def get_consultation(user: Any, pk: object) -> Consultation:
    found = consultations_for(user).filter(pk=_int(pk)).first()
    if found is None:
        raise Http404
    return found


def committees_for(user: Any) -> QuerySet[CommitteeRecord]:
    return _kept(user, CommitteeRecord).select_related("site")


def releases_for(user: Any) -> QuerySet[Release]:
    organisations = core_access.organisation_ids_with(user, Perm.AGGREGATE_VIEW)
    return Release.objects.filter(organisation_id__in=organisations).select_related("site", "user")


def ctdc_agreements(user: Any) -> list[SharingAgreement]:
    """The agreements in force under which the user's organisation may send
    anonymised cases for statistics (origin authorities refused by default)."""
    if not core_access.has_perm(user, Perm.CASES_SHARE):
        return []
    organisation = core_access.organisation_for(user, Perm.CASES_SHARE)
    found = []
    for agreement in SharingAgreement.objects.filter(from_organisation=organisation):
        recipient = agreement.to_organisation or agreement.recipient_name
        if active_agreement(organisation, recipient, CTDC_PURPOSE) == agreement:
            found.append(agreement)
    return found


def get_ctdc_agreement(user: Any, pk: object) -> SharingAgreement:
    wanted = str(core_access.record_uuid(pk))
    agreement = next((a for a in ctdc_agreements(user) if str(a.pk) == wanted), None)
    if agreement is None:
        raise Http404
    return agreement

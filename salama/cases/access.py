"""The only way views, the API and jobs fetch cases, referrals and services.

A protection case is case data of its organisation: it is visible to members
of that organisation whose role allows the action at the case's site (or above
it), and to nobody else (404, PROTECTION.md 7). The organisation a case is
referred to reads the referral, what it shares and nothing of the case.
Reads are audited under the purpose "protection"."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404

from salama.audit.actions import audit_record
from salama.cases.models import PlanItem, ProtectionCase, Referral, Service
from salama.core import access as core_access
from salama.core.roles import ROLE_PERMISSIONS, Perm, Role
from salama.registry.households import site_path_ancestors

PURPOSE = "protection"


def cases_for(user: Any, perm: Perm = Perm.CASE_VIEW) -> QuerySet[ProtectionCase]:
    scope = core_access.site_scope(user, perm, "site_path", organisation_field="organisation_id")
    if scope is None:
        return ProtectionCase.objects.none()
    return ProtectionCase.objects.filter(scope).select_related(
        "site", "assigned_to", "supervisor", "organisation"
    )


def get_case(user: Any, pk: object, perm: Perm = Perm.CASE_VIEW) -> ProtectionCase:
    """One case the user may act on, its read audited; else 404."""
    case = cases_for(user, perm).filter(pk=core_access.record_uuid(pk)).first()
    if case is None:
        raise Http404
    audit_record(
        user=user,
        action="read",
        purpose=PURPOSE,
        model="cases.ProtectionCase",
        record_id=case.pk,
    )
    return case


def case_for_update(case: ProtectionCase) -> ProtectionCase:
    """The case re-read and locked for a write (it was fetched through get_case)."""
    return ProtectionCase.objects.select_for_update().get(pk=case.pk)


def outgoing_for(user: Any) -> QuerySet[Referral]:
    """Referrals made from the cases the user may see."""
    return Referral.objects.filter(case__in=cases_for(user).values("pk")).select_related(
        "service", "to_organisation", "case"
    )


def incoming_for(user: Any) -> QuerySet[Referral]:
    """Referrals made to the services of the user's organisations at their sites."""
    scope = core_access.site_scope(
        user, Perm.REFERRAL_RECEIVE, "site_path", organisation_field="to_organisation_id"
    )
    if scope is None:
        return Referral.objects.none()
    return Referral.objects.filter(scope).select_related("service", "from_organisation")


def get_referral(user: Any, pk: object) -> tuple[Referral, str]:
    """A referral and the side the user reads it from ("outgoing" or
    "incoming"), its read audited; else 404."""
    uid = core_access.record_uuid(pk)
    referral = outgoing_for(user).filter(pk=uid).first()
    side = "outgoing"
    if referral is None:
        referral = incoming_for(user).filter(pk=uid).first()
        side = "incoming"
    if referral is None:
        raise Http404
    audit_record(
        user=user, action="read", purpose=PURPOSE, model="cases.Referral", record_id=referral.pk
    )
    return referral, side


def get_incoming(user: Any, pk: object) -> Referral:
    """A referral to one of the user's services, for an answer; else 404."""
    referral = incoming_for(user).filter(pk=core_access.record_uuid(pk)).first()
    if referral is None:
        raise Http404
    return referral


def referral_for_update(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().get(pk=referral.pk)


def services(
    site_path: str = "", service_type: str = "", organisation_id: Any = None
) -> QuerySet[Service]:
    """The directory: active services, at a site or the sites above and below
    it. Not personal data: every signed-in user reads it."""
    found = Service.objects.filter(active=True).select_related("organisation", "site")
    if site_path:
        found = found.filter(
            Q(site_path__startswith=site_path) | Q(site_path__in=site_path_ancestors(site_path))
        )
    if service_type:
        found = found.filter(service_type=service_type)
    if organisation_id:
        found = found.filter(organisation_id=organisation_id)
    return found


def get_service(pk: object) -> Service:
    service = Service.objects.filter(pk=core_access.record_uuid(pk), active=True).first()
    if service is None:
        raise Http404
    return service


def staff_with(organisation_id: int, site_path: str, perm: Perm) -> list[Any]:
    """Active users of the organisation whose role there holds `perm` at the
    site or above it (conditions on one and the same membership).
    Administrators hold every permission but do no case work: never them."""
    roles = [r.value for r in Role if perm in ROLE_PERMISSIONS[r] and r != Role.ADMINISTRATOR]
    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__role__in=roles,
            memberships__organisation_id=organisation_id,
            memberships__sites__path__in=site_path_ancestors(site_path),
        )
        .distinct()
        .order_by("pk")
    )


def source_record(user: Any, kind: str, pk: object) -> Any:
    """The finding a case is opened from, if the user may open a case from it:
    a screening or tracing case of one of their organisations at their sites,
    or an absence alert at their sites; else 404."""
    from salama.presence.models import AbsenceAlert
    from salama.screening.models import Screening
    from salama.tracing.models import TracingCase

    case_data = core_access.site_scope(
        user, Perm.CASE_WORK, "site_path", organisation_field="organisation_id"
    )
    at_sites = core_access.site_scope(user, Perm.CASE_WORK, "site_path")
    found: Any = None
    if kind == "screening" and case_data is not None:
        found = Screening.objects.filter(case_data, pk=core_access.record_uuid(pk)).first()
    elif kind == "tracing" and case_data is not None:
        found = TracingCase.objects.filter(case_data, pk=core_access.record_uuid(pk)).first()
    elif kind == "absence" and at_sites is not None and str(pk).isdigit():
        found = AbsenceAlert.objects.filter(at_sites, pk=int(str(pk))).first()
    if found is None:
        raise Http404
    return found


def open_case_from(organisation_id: int, kind: str, source_id: str) -> ProtectionCase | None:
    return ProtectionCase.objects.filter(
        organisation_id=organisation_id,
        source_kind=kind,
        source_id=source_id,
        status=ProtectionCase.Status.OPEN,
    ).first()


def open_case_of(organisation_id: int, person_id: Any) -> ProtectionCase | None:
    return ProtectionCase.objects.filter(
        organisation_id=organisation_id, person_id=person_id, status=ProtectionCase.Status.OPEN
    ).first()


def get_plan_item(case: ProtectionCase, pk: object) -> PlanItem:
    item = PlanItem.objects.filter(case=case, pk=int(str(pk)) if str(pk).isdigit() else 0).first()
    if item is None:
        raise Http404
    return item


def cases_about(person: Any, organisation_ids: set[int]) -> QuerySet[ProtectionCase]:
    """The cases of these organisations about the person (their own-data file)."""
    return (
        ProtectionCase.objects.filter(person=person, organisation_id__in=organisation_ids)
        .select_related("site")
        .prefetch_related("referrals", "services", "plan")
        .order_by("opened_at")
    )

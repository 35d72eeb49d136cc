"""The only way views, the API and jobs fetch complaints: the wall.

A complaint is read by
- the PSEA focal points of the organisation that received it, at its site or
  above (membership with complaint.receive in that organisation);
- once it is referred for investigation, the investigation focal points of the
  organisation investigating (complaint.investigate in that organisation);
- an administrator who broke the glass on it, for a few hours;
and never by a user named or linked as its subject, nor by one who recused
themselves. Everyone else gets 404, whoever they are; nothing here is reached
from a search, a list of another app, a dashboard, matching or an export.
Every read is audited."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from salama.audit.actions import audit_record
from salama.cases.access import staff_with
from salama.complaints.models import (
    AssistanceReferral,
    BreakGlass,
    Complaint,
    Evidence,
    VettingCheck,
)
from salama.core import access as core_access
from salama.core.roles import ROLE_PERMISSIONS, Perm, Role
from salama.registry.households import site_path_ancestors

PURPOSE = "protection"
MODEL = "complaints.Complaint"


def _reader_scope(user: Any) -> Q | None:
    scopes = []
    receive = core_access.site_scope(
        user, Perm.COMPLAINT_RECEIVE, "site_path", organisation_field="organisation_id"
    )
    if receive is not None:
        scopes.append(receive)
    investigate = core_access.site_scope(
        user,
        Perm.COMPLAINT_INVESTIGATE,
        "site_path",
        organisation_field="investigation_organisation_id",
    )
    if investigate is not None:
        scopes.append(investigate & Q(investigation_referred_at__isnull=False))
    glass = BreakGlass.objects.filter(user=user, until__gt=timezone.now()).values("complaint_id")
    if getattr(user, "is_authenticated", False) and core_access.has_perm(
        user, Perm.COMPLAINT_BREAK_GLASS
    ):
        scopes.append(Q(pk__in=glass))
    if not scopes:
        return None
    combined = scopes[0]
    for scope in scopes[1:]:
        combined |= scope
    return combined


def complaints_for(user: Any) -> QuerySet[Complaint]:
    """The complaints behind the wall that this user may read."""
    scope = _reader_scope(user)
    if scope is None:
        return Complaint.objects.none()
    return (
        Complaint.objects.filter(scope)
        .exclude(subjects__user=user)
        .exclude(recusals__user=user)
        .select_related("organisation", "site", "investigation_organisation")
    )


def role_in(user: Any, complaint: Complaint) -> str:
    """How the user reaches a complaint fetched through complaints_for:
    "focal_point", "investigator" or "break_glass" (what each may do follows)."""
    mine = Complaint.objects.filter(pk=complaint.pk)
    receive = core_access.site_scope(
        user, Perm.COMPLAINT_RECEIVE, "site_path", organisation_field="organisation_id"
    )
    if receive is not None and mine.filter(receive).exists():
        return "focal_point"
    investigate = core_access.site_scope(
        user,
        Perm.COMPLAINT_INVESTIGATE,
        "site_path",
        organisation_field="investigation_organisation_id",
    )
    if investigate is not None and mine.filter(investigate).exists():
        return "investigator"
    return "break_glass"


def get_complaint(user: Any, pk: object) -> Complaint:
    """One complaint the user may read, the read audited; else 404."""
    complaint = complaints_for(user).filter(pk=core_access.record_uuid(pk)).first()
    if complaint is None:
        raise Http404
    audit_record(user=user, action="read", purpose=PURPOSE, model=MODEL, record_id=complaint.pk)
    return complaint


def complaint_for_update(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def by_receipt(receipt_hash: str) -> Complaint | None:
    """For the public status page: the complaint whose receipt code hashes so."""
    return (
        Complaint.objects.filter(receipt_hash=receipt_hash).select_related("organisation").first()
    )


def for_complainant(pk: object) -> Complaint | None:
    """The complaint a complainant opened with their code in this session."""
    try:
        wanted = core_access.record_uuid(pk)
    except Http404:
        return None
    return Complaint.objects.filter(pk=wanted).select_related("organisation").first()


def received_from(user: Any, source_key: str) -> Complaint | None:
    """The complaint a client's retry already made (its key names the user)."""
    return (
        Complaint.objects.filter(source_key=source_key, received_by=user)
        .select_related("organisation")
        .first()
    )


def by_reference_for_glass(user: Any, reference: str) -> Complaint | None:
    """The complaint an administrator may break the glass on: one received by
    an organisation they administer, not about their organisation's staff,
    and not one they are the subject of or recused from (any of these: it
    does not exist for them). A system administrator reaches any other."""
    found = (
        Complaint.objects.filter(reference=str(reference).strip().upper())
        .exclude(subjects__user=user)
        .exclude(recusals__user=user)
    )
    if not core_access.is_system_administrator(user):
        mine = core_access.administered_organisation_ids(user)
        found = found.filter(organisation_id__in=mine).exclude(subject_organisation_id__in=mine)
    return found.first()


def get_evidence(complaint: Complaint, number: object) -> Evidence:
    try:
        wanted = int(str(number))
    except ValueError:
        raise Http404 from None
    found = complaint.evidence.filter(number=wanted).first()
    if found is None:
        raise Http404
    return found


def focal_points(complaint: Complaint) -> list[Any]:
    """Who handles it: the receiving organisation's focal points at its site,
    less its subjects and those who recused themselves."""
    return _less_excluded(
        complaint,
        staff_with(complaint.organisation_id, complaint.site_path, Perm.COMPLAINT_RECEIVE),
    )


def focal_points_at(organisation_id: int, site_path: str) -> list[Any]:
    return staff_with(organisation_id, site_path, Perm.COMPLAINT_RECEIVE)


def assistance_staff(organisation_id: int, site_path: str) -> list[Any]:
    return staff_with(organisation_id, site_path, Perm.REFERRAL_RECEIVE)


def assistance_receivers(referral: AssistanceReferral) -> list[Any]:
    """Who answers for the service, less the complaint's subjects: the accused
    may work at the very service the survivor is referred to."""
    subjects = set(referral.complaint.subjects.values_list("user_id", flat=True))
    staff = staff_with(referral.organisation_id, referral.site_path, Perm.REFERRAL_RECEIVE)
    return [u for u in staff if u.pk not in subjects]


def investigators(complaint: Complaint, organisation_id: int) -> list[Any]:
    return _less_excluded(
        complaint, staff_with(organisation_id, complaint.site_path, Perm.COMPLAINT_INVESTIGATE)
    )


def coordinators(complaint: Complaint) -> list[Any]:
    """The network's coordinators whose sites cover the complaint's, less its
    subjects: a coordinator can be named in a complaint too."""
    return _less_excluded(
        complaint,
        list(
            get_user_model()
            .objects.filter(
                is_active=True,
                memberships__role=Role.PSEA_COORDINATOR,
                memberships__sites__path__in=site_path_ancestors(complaint.site_path),
            )
            .distinct()
            .order_by("pk")
        ),
    )


def _less_excluded(complaint: Complaint, users: list[Any]) -> list[Any]:
    excluded = set(complaint.subjects.values_list("user_id", flat=True)) | set(
        complaint.recusals.values_list("user_id", flat=True)
    )
    return [u for u in users if u.pk not in excluded]


# ---- the assistance track, as the receiving service sees it ----


# Who answers a referral for a survivor of SEA: the service's staff, never an
# administrator (whose role holds every permission but reads no complaint).
ASSISTANCE_ROLES = frozenset(
    r for r in Role if Perm.REFERRAL_RECEIVE in ROLE_PERMISSIONS[r] and r != Role.ADMINISTRATOR
)


def reads_assistance(user: Any) -> bool:
    return any(role in ASSISTANCE_ROLES for role in core_access.roles(user))


def assistance_for(user: Any) -> QuerySet[AssistanceReferral]:
    """Referrals made to services of the user's organisation at their sites
    (never the complaint behind them)."""
    scope = core_access.site_scope(
        user,
        Perm.REFERRAL_RECEIVE,
        "site_path",
        organisation_field="organisation_id",
        roles=ASSISTANCE_ROLES,
    )
    if scope is None:
        return AssistanceReferral.objects.none()
    return (
        AssistanceReferral.objects.filter(scope)
        .exclude(complaint__subjects__user=user)
        .select_related("service", "case_manager")
    )


def get_assistance(user: Any, pk: object) -> AssistanceReferral:
    found = assistance_for(user).filter(pk=core_access.record_uuid(pk)).first()
    if found is None:
        raise Http404
    audit_record(
        user=user,
        action="read",
        purpose=PURPOSE,
        model="complaints.AssistanceReferral",
        record_id=found.pk,
    )
    return found


def assistance_for_update(referral: AssistanceReferral) -> AssistanceReferral:
    return AssistanceReferral.objects.select_for_update().get(pk=referral.pk)


def vetting_checks(organisation_ids: set[int]) -> QuerySet[VettingCheck]:
    return VettingCheck.objects.filter(organisation_id__in=organisation_ids)


# ---- for the jobs and the network's figures (no user reads a record here) ----


def open_complaints() -> QuerySet[Complaint]:
    """Every complaint not closed, for the deadlines job."""
    return Complaint.objects.exclude(status="closed").order_by("received_at")


def closed_before(cutoff: Any) -> list[Any]:
    """The ids of complaints closed before `cutoff`, for the retention job."""
    return list(
        Complaint.objects.filter(status="closed", closed_at__lte=cutoff).values_list(
            "pk", flat=True
        )
    )


def for_figures(user: Any) -> QuerySet[Complaint]:
    """The complaints a coordinator's figures count: at their sites (counts only)."""
    scope = core_access.site_scope(user, Perm.COMPLAINT_FIGURES, "site_path")
    return Complaint.objects.none() if scope is None else Complaint.objects.filter(scope)

"""The two tracks of a complaint: assistance, led by the survivor's consent
(a child's best interests), and investigation by whoever investigates that kind
of personnel."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.cases.access import services as directory
from salama.cases.actions import child_protection_service
from salama.cases.models import Service, ServiceType
from salama.complaints import access
from salama.complaints.common import (
    ComplaintError,
    audit,
    clean_text,
    complaint_link,
    flag,
    new_reference,
    require_focal_point,
    require_open,
    tell_coordinators,
    tell_focal_points,
)
from salama.complaints.custody import (
    custody_link,
)
from salama.complaints.models import (
    AgeGroup,
    AssistanceReferral,
    Complaint,
    Investigation,
    Status,
    SubjectType,
)
from salama.core.models import Organisation
from salama.notifications.actions import notify

NEEDS = {
    "medical": gettext_lazy("Medical care"),
    "psychosocial": gettext_lazy("Psychosocial support"),
    "safety": gettext_lazy("Safety and shelter"),
    "legal": gettext_lazy("Legal aid"),
    "material": gettext_lazy("Material assistance"),
    "child_born_of_sea": gettext_lazy("Support for a child born of sexual exploitation or abuse"),
}


# Who investigates what: the kinds of organisation a complaint about each kind
# of personnel may be referred to (the mission's conduct and discipline team
# for peacekeepers; the employer for UN staff, NGO and partner staff).
INVESTIGATES = {
    SubjectType.PEACEKEEPER_MILITARY: {"un_mission"},
    SubjectType.PEACEKEEPER_POLICE: {"un_mission"},
    SubjectType.UN_CIVILIAN: {"un", "un_mission"},
    SubjectType.NGO_STAFF: {"ngo", "un", "camp_management"},
    SubjectType.VOLUNTEER: {"ngo", "un", "camp_management", "un_mission"},
    SubjectType.OTHER: {"ngo", "un", "camp_management", "un_mission"},
    # Government forces and armed groups: no investigation referral in Salama;
    # any report to authorities is the survivor's informed choice, made outside.
    SubjectType.GOVERNMENT: set(),
    SubjectType.ARMED_GROUP: set(),
}


def _answerable(service: Service, site_path: str) -> bool:
    """Someone of the service's organisation answers referrals at the site."""
    return bool(access.assistance_staff(service.organisation_id, site_path))


def child_path(complaint: Complaint, actor: Any, now: datetime) -> None:
    """A child survivor always opens the child-protection path: a referral in
    the child's best interests to the site's child-protection service; with
    none, the coordinator is told to find one."""
    flag(complaint, "child")
    service = child_protection_service(complaint.site_path)
    reachable = service is not None and _answerable(service, complaint.site_path)
    if service is not None and (
        service.organisation_id == complaint.subject_organisation_id or not reachable
    ):
        # Never, without a person deciding, to the employer of the one complained about.
        service = next(
            (
                s
                for s in directory(site_path=complaint.site_path, service_type="child_protection")
                if s.organisation_id != complaint.subject_organisation_id
                and _answerable(s, complaint.site_path)
            ),
            None,
        )
        if service is None:
            flag(complaint, "child_service_of_subject_organisation")
    if service is None:
        flag(complaint, "no_child_protection_service")
        subject = gettext_lazy("A child survivor needs a child-protection service")
        tell_focal_points(complaint, "complaints.child_unserved", subject, actor)
        tell_coordinators(complaint, "complaints.child_unserved", subject, actor)
        return
    _assistance_create(
        complaint,
        service,
        consent_by=AssistanceReferral.ConsentBy.BEST_INTERESTS,
        language=complaint.language,
        needs=["psychosocial", "safety"],
        wishes="",
        share_contact=False,
        actor=actor,
        now=now,
    )


def _assistance_create(
    complaint: Complaint,
    service: Service,
    *,
    consent_by: str,
    language: str,
    needs: list[str],
    wishes: str,
    share_contact: bool,
    actor: Any,
    now: datetime,
) -> AssistanceReferral:
    shared = {
        "survivor_age": complaint.survivor_age,
        "survivor_sex": complaint.survivor_sex,
        "disability": complaint.survivor_disability,
        "safety_risk": complaint.safety_risk,
        "needs": needs,
        "wishes": wishes,
        "contact": complaint.contact if share_contact else "",
        "contact_preference": complaint.contact_preference if share_contact else "",
        "through": complaint.organisation.name,
    }
    referral = AssistanceReferral.objects.create(
        reference=new_reference(AssistanceReferral, "AS"),
        complaint=complaint,
        service=service,
        organisation=service.organisation,
        site_path=complaint.site_path,
        consent_by=consent_by,
        consent_language=language[:10],
        needs=needs,
        shared=shared,
        made_by=actor,
        made_at=now,
    )
    if complaint.assistance_referred_at is None:
        complaint.assistance_referred_at = now
        if complaint.status in (Status.RECEIVED, Status.ACKNOWLEDGED):
            complaint.status = Status.REFERRED
        complaint.save(update_fields=["assistance_referred_at", "status"])
    custody_link(
        complaint,
        "assistance_referred",
        actor,
        now,
        content={
            "service": str(service.pk),
            "consent_by": consent_by,
            "contact_shared": share_contact,
        },
    )
    audit(actor, "create", referral.pk, model="complaints.AssistanceReferral")
    receivers = access.assistance_receivers(referral)
    notify(
        recipients=receivers,
        kind="complaints.assistance_referral",
        subject=gettext_lazy("A referral for assistance is waiting for your service"),
        reference=referral.reference,
        link=reverse("assistance_detail", args=[referral.pk]),
        actor=actor,
    )
    return referral


@transaction.atomic
def assistance_refer(
    *,
    user: Any,
    complaint: Complaint,
    service: Service,
    consent_by: str,
    agreed: bool,
    language: str,
    needs: list[str],
    wishes: str = "",
    share_contact: bool = False,
    subject_organisation_chosen: bool = False,
) -> AssistanceReferral:
    """Refer the survivor to a service of the directory, as they agreed (a
    child in their best interests). The service reads only what is shared. A
    service of the organisation complained about only if the survivor knows
    it and chooses it."""
    require_focal_point(user, complaint)
    complaint = access.complaint_for_update(complaint)
    require_open(complaint)
    errors: dict[str, str] = {}
    if consent_by not in AssistanceReferral.ConsentBy.values:
        errors["consent_by"] = _("Say who agreed to the referral.")
    elif consent_by != AssistanceReferral.ConsentBy.SURVIVOR and (
        complaint.survivor_age != AgeGroup.CHILD
    ):
        errors["consent_by"] = _("An adult survivor decides: only their own consent refers them.")
    if consent_by != AssistanceReferral.ConsentBy.BEST_INTERESTS and not agreed:
        errors["agreed"] = _("Refer only once the survivor (or caregiver) has agreed.")
    if not _answerable(service, complaint.site_path):
        errors["service"] = _(
            "Nobody at this service answers referrals at the complaint's site: choose another."
        )
    if service.service_type == ServiceType.LAW_ENFORCEMENT:
        errors["service"] = _("Police and authorities are not an assistance service.")
    if not service.active:
        errors["service"] = _("This service is closed.")
    if (
        service.organisation_id == complaint.subject_organisation_id
        and not subject_organisation_chosen
    ):
        errors["subject_organisation_chosen"] = _(
            "This service belongs to the organisation of the person complained about. Refer "
            "there only if the survivor knows it and chooses it (tick the box)."
        )
    unknown = [n for n in needs if n not in NEEDS]
    if unknown or not needs:
        errors["needs"] = _("Choose at least one need from the list.")
    if len(wishes) > 2000:
        errors["wishes"] = _("At most 2000 characters.")
    if errors:
        raise ComplaintError(_("Please correct the fields marked."), errors=errors)
    now = timezone.now()
    if wishes.strip():
        complaint.survivor_wishes = wishes.strip()
        complaint.save(update_fields=["survivor_wishes"])
    return _assistance_create(
        complaint,
        service,
        consent_by=consent_by,
        language=language,
        needs=list(dict.fromkeys(needs)),
        wishes=wishes.strip(),
        share_contact=share_contact,
        actor=user,
        now=now,
    )


def _tell_about_referral(referral: AssistanceReferral, subject: Any, actor: Any) -> None:
    tell_focal_points(referral.complaint, "complaints.assistance_answered", subject, actor)


@transaction.atomic
def assistance_answer(
    *, user: Any, referral: AssistanceReferral, accept: bool, note: str = ""
) -> AssistanceReferral:
    """The service accepts (the user becomes the case manager) or declines."""
    referral = access.assistance_for_update(referral)
    if referral.state != AssistanceReferral.State.WAITING:
        raise ComplaintError(_("This referral was already answered."), code="wrong_state")
    if not accept:
        note = clean_text(note, _("The reason"), "note", minimum=5, maximum=1000)
    now = timezone.now()
    referral.state = (
        AssistanceReferral.State.ACCEPTED if accept else AssistanceReferral.State.DECLINED
    )
    referral.case_manager = user if accept else None
    referral.answered_at = now
    referral.answer_note = note.strip()
    referral.save(update_fields=["state", "case_manager", "answered_at", "answer_note"])
    custody_link(referral.complaint, f"assistance_{referral.state}", user, now)
    audit(user, "update", referral.pk, model="complaints.AssistanceReferral")
    _tell_about_referral(
        referral,
        gettext_lazy("A service accepted the referral for assistance")
        if accept
        else gettext_lazy("A service declined the referral for assistance"),
        user,
    )
    return referral


@transaction.atomic
def assistance_complete(*, user: Any, referral: AssistanceReferral, note: str = "") -> None:
    referral = access.assistance_for_update(referral)
    if referral.state != AssistanceReferral.State.ACCEPTED:
        raise ComplaintError(_("Only an accepted referral can be completed."), code="wrong_state")
    if referral.case_manager_id != user.pk:
        raise ComplaintError(_("Only its case manager completes a referral."), code="not_allowed")
    now = timezone.now()
    referral.state = AssistanceReferral.State.COMPLETED
    referral.completed_at = now
    referral.answer_note = (referral.answer_note + "\n" + note.strip()).strip()[:2000]
    referral.save(update_fields=["state", "completed_at", "answer_note"])
    custody_link(referral.complaint, "assistance_completed", user, now)
    audit(user, "update", referral.pk, model="complaints.AssistanceReferral")
    _tell_about_referral(referral, gettext_lazy("A service delivered the assistance"), user)


def investigation_targets(complaint: Complaint) -> list[Organisation]:
    """Organisations this complaint may be referred to for investigation, with
    an investigation focal point at the site: for peacekeepers the mission; for
    others the employer when the complaint names it (of a kind that
    investigates that personnel), else any organisation of such a kind."""
    subject_type = SubjectType(complaint.subject_type)
    kinds = INVESTIGATES.get(subject_type, set())
    candidates = Organisation.objects.filter(kind__in=kinds).order_by("name")
    peacekeeper = subject_type in (
        SubjectType.PEACEKEEPER_MILITARY,
        SubjectType.PEACEKEEPER_POLICE,
    )
    if complaint.subject_organisation_id and not peacekeeper:
        candidates = candidates.filter(pk=complaint.subject_organisation_id)
    return [org for org in candidates if access.investigators(complaint, org.pk)]


@transaction.atomic
def investigation_refer(
    *, user: Any, complaint: Complaint, organisation: Organisation
) -> Complaint:
    require_focal_point(user, complaint)
    complaint = access.complaint_for_update(complaint)
    require_open(complaint)
    if complaint.investigation_organisation_id and access.investigators(
        complaint, complaint.investigation_organisation_id
    ):
        raise ComplaintError(
            _("This complaint was already referred for investigation."), code="wrong_state"
        )
    if organisation not in investigation_targets(complaint):
        raise ComplaintError(
            _(
                "This organisation does not investigate complaints about this kind of "
                "personnel here, or has no investigation focal point at the site."
            ),
            errors={"organisation": _("Choose an organisation from the list.")},
        )
    now = timezone.now()
    complaint.investigation_organisation = organisation
    complaint.investigation_referred_at = now
    complaint.investigation_status = Investigation.ASSESSMENT
    if complaint.status in (Status.RECEIVED, Status.ACKNOWLEDGED):
        complaint.status = Status.REFERRED
    complaint.save(
        update_fields=[
            "investigation_organisation",
            "investigation_referred_at",
            "investigation_status",
            "status",
        ]
    )
    custody_link(complaint, "investigation_referred", user, now, content={"to": organisation.pk})
    audit(user, "update", complaint.pk)
    notify(
        recipients=access.investigators(complaint, organisation.pk),
        kind="complaints.investigation",
        subject=gettext_lazy("A complaint was referred to you for investigation"),
        reference=complaint.reference,
        link=complaint_link(complaint),
        actor=user,
    )
    return complaint


@transaction.atomic
def investigation_status_set(*, user: Any, complaint: Complaint, status: str) -> Complaint:
    """The investigating organisation's outcome, in the UN's published categories."""
    if access.role_in(user, complaint) != "investigator":
        raise ComplaintError(
            _("Only the investigating organisation's focal points do this."), code="not_allowed"
        )
    if status not in Investigation.values or not status:
        raise ComplaintError(
            _("Choose one of the published categories."),
            errors={"status": _("Choose one of the options.")},
        )
    complaint = access.complaint_for_update(complaint)
    require_open(complaint)
    now = timezone.now()
    complaint.investigation_status = status
    final = (Investigation.SUBSTANTIATED, Investigation.UNSUBSTANTIATED, Investigation.CLOSED)
    complaint.investigation_outcome_at = now if status in final else None
    complaint.save(update_fields=["investigation_status", "investigation_outcome_at"])
    custody_link(complaint, "investigation_status", user, now, content={"status": status})
    audit(user, "update", complaint.pk)
    subject = gettext_lazy("The investigation of a complaint has a new status")
    tell_focal_points(complaint, "complaints.investigation_status", subject, user)
    return complaint

"""Writes of protection cases and referrals: one named, atomic, audited function each.

A referral travels only with the person's informed consent (or an override
with its reason, visible to supervisors), under an active data-sharing
agreement when it crosses organisations, and carries only the fields the
receiving service needs, copied at that moment (PROTECTION.md 4, 15).
Nothing here makes lists of victims for anyone to act against them
(Security Council resolution 2388, para 17)."""

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.audit.actions import audit_record
from salama.cases import access, selectors
from salama.cases.models import (
    CaseEvent,
    CaseType,
    PlanItem,
    ProtectionCase,
    Referral,
    Risk,
    Service,
    ServiceDelivery,
    ServiceType,
)
from salama.cases.sharing import (
    AUTHORITY_TYPES,
    build_shared,
    fields_needed,
    not_covered_by_agreement,
    unknown_fields,
)
from salama.core import access as core_access
from salama.core.models import Organisation
from salama.core.roles import Perm
from salama.lib.ages import age_band, best_age
from salama.notifications.actions import notify
from salama.privacy.selectors import active_agreement
from salama.registry.models import Person

PURPOSE = "protection"
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
Kind = CaseEvent.Kind
Status = ProtectionCase.Status
RStatus = Referral.Status
# Referrals still waiting for an answer; those accepted are being acted on.
LIVE = {RStatus.PENDING, RStatus.ACCEPTED}
MIN_REASON = 10


class CaseError(ValueError):
    """Bad input for a case or a referral. `code` is what the API answers
    with; `field` the form field it belongs to."""

    def __init__(self, message: Any, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(str(message))
        self.code = code
        self.field = field


# ---- small helpers ----


def _unique(model: Any, prefix: str) -> str:
    while True:
        reference = f"{prefix}-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))
        if not model.objects.filter(reference=reference).exists():
            return reference


def _audit(user: Any, action: str, model: str, pk: Any, changed: Any = ()) -> None:
    audit_record(
        user=user,
        action=action,
        purpose=PURPOSE,
        model=model,
        record_id=pk,
        changed_fields=changed,
    )


def _event(case: ProtectionCase, kind: str, user: Any, note: str = "", at: Any = None) -> None:
    CaseEvent.objects.create(case=case, kind=kind, user=user, at=at or timezone.now(), note=note)


def _text(value: Any, label: str, field_name: str, *, minimum: int = 1) -> str:
    text = str(value or "").strip()
    if len(text) < minimum:
        raise CaseError(
            _("%(label)s is needed (at least %(n)d characters).") % {"label": label, "n": minimum},
            field=field_name,
        )
    return text


def _case_link(case: ProtectionCase) -> str:
    return reverse("case_detail", args=[case.pk])


def _referral_link(referral: Referral) -> str:
    return reverse("referral_detail", args=[referral.pk])


def _acting_organisation(user: Any, site_path: str, perm: Perm) -> Organisation:
    organisation = core_access.organisation_at(user, site_path, perm)
    if organisation is None:
        raise CaseError(_("You have no role that may open a case at this person's site."))
    return organisation


def consent_by_for(age: int | None, caregiver: str) -> str:
    """Who consents, by age band (GBVIMS and the CP AoR's guidelines): the
    caregiver for a young child, the child's assent with the caregiver's
    consent from 6, the child's own consent with the caregiver from 15; a
    best-interests determination when no suitable caregiver can consent."""
    if age is None or age >= 18:
        return ProtectionCase.ConsentBy.ADULT
    if caregiver in (ProtectionCase.Caregiver.NONE, ProtectionCase.Caregiver.NOT_INVOLVED):
        return ProtectionCase.ConsentBy.BID
    if age < 6:
        return ProtectionCase.ConsentBy.CAREGIVER
    if age < 15:
        return ProtectionCase.ConsentBy.CHILD_ASSENT
    return ProtectionCase.ConsentBy.CHILD_CONSENT


# ---- opening a case ----


@dataclass
class Opening:
    person: Person
    case_type: str
    risk: str
    source_kind: str
    source_id: str = ""
    assign_to: Any = None
    note: str = ""


def source_person(source: Any) -> Person:
    person = getattr(source, "person", None)
    if person is None:
        raise CaseError(
            _("This finding is not linked to anyone in the registry: link it first."),
            code="no_person",
            field="source",
        )
    return person


def _check_choice(value: str, choices: Any, field_name: str) -> None:
    if value not in choices.values:
        raise CaseError(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)},
            field=field_name,
        )


def _caseworkers(organisation_id: int, site_path: str) -> list[Any]:
    return access.staff_with(organisation_id, site_path, Perm.CASE_WORK)


def _default_supervisor(organisation_id: int, site_path: str, not_user: Any) -> Any:
    for candidate in access.staff_with(organisation_id, site_path, Perm.CASE_SUPERVISE):
        if candidate.pk != getattr(not_user, "pk", None) and not candidate.is_superuser:
            return candidate
    return None


@transaction.atomic
def case_open(*, user: Any, opening: Opening, now: datetime | None = None) -> ProtectionCase:
    """Open a protection case for a person, from a finding or directly. The
    case belongs to the opener's organisation; its caseworker and supervisor
    are told (not every caseworker of the site)."""
    now = now or timezone.now()
    # Locked: two openings from one finding at the same moment make one case.
    person = Person.objects.select_for_update().get(pk=opening.person.pk)
    _check_choice(opening.case_type, CaseType, "case_type")
    _check_choice(opening.risk, Risk, "risk")
    if not person.legal_bases.filter(purpose=PURPOSE).exists():
        raise CaseError(
            _("No legal basis is recorded for using this person's data for protection."),
            code="no_legal_basis",
        )
    site = person.household.site
    organisation = _acting_organisation(user, site.path, Perm.CASE_WORK)
    if opening.source_id:
        existing = access.open_case_from(organisation.pk, opening.source_kind, opening.source_id)
        if existing is not None:
            raise CaseError(
                _("A case is already open from this finding: %(reference)s.")
                % {"reference": existing.reference},
                code="already_open",
            )
    assignee = opening.assign_to or user
    if assignee not in _caseworkers(organisation.pk, site.path):
        raise CaseError(
            _("The caseworker must work cases for %(org)s at this site.") % {"org": organisation},
            field="assign_to",
        )
    age = best_age(person.birth_date, person.birth_year_min, person.birth_year_max, now.date())
    is_child = age is not None and age < 18
    case = ProtectionCase.objects.create(
        reference=_unique(ProtectionCase, "PC"),
        person=person,
        site=site,
        site_path=site.path,
        organisation=organisation,
        case_type=opening.case_type,
        risk=opening.risk,
        source_kind=opening.source_kind,
        source_id=opening.source_id,
        assigned_to=assignee,
        supervisor=_default_supervisor(organisation.pk, site.path, assignee),
        opened_by=user,
        opened_at=now,
        sex=person.sex,
        age_group=age_band(age),
        is_child=is_child,
        bia_status=(ProtectionCase.Bia.NOT_STARTED if is_child else ProtectionCase.Bia.NOT_NEEDED),
        consent_by=consent_by_for(age, ""),
    )
    _event(case, Kind.OPENED, user, opening.note, now)
    _audit(user, "create", "cases.ProtectionCase", case.pk)
    for told, subject in (
        (case.assigned_to, gettext_lazy("A protection case was opened and assigned to you")),
        (case.supervisor, gettext_lazy("A protection case you supervise was opened")),
    ):
        if told is not None and told.pk != user.pk:
            notify(
                recipients=[told],
                kind="cases.opened",
                subject=subject,
                reference=case.reference,
                link=_case_link(case),
                actor=user,
            )
    return case


@dataclass
class Handover:
    """A case another desk opens for child protection (a marriage stopped at
    the civil registration desk): no consent is asked of a child here, the
    best-interests procedure decides, and nothing is sent to police."""

    person: Person
    case_type: str
    source_kind: str
    source_id: str
    note: str
    proposed_needs: list[str] = field(default_factory=list)
    proposed_service: Service | None = None


def child_protection_organisation(site_path: str) -> Organisation | None:
    """Who takes a child-protection case at a site: the organisation of the
    first service on the site's child-protection pathway for children that has
    caseworkers there; else any organisation with a child-protection service
    and caseworkers at the site."""
    steps = selectors.pathway_steps(site_path, CaseType.CHILD_PROTECTION, True)
    candidates = [step.service for step in steps]
    candidates += list(
        access.services(site_path=site_path, service_type=ServiceType.CHILD_PROTECTION)
    )
    for service in candidates:
        if service.service_type == ServiceType.LAW_ENFORCEMENT:
            continue  # never police, even if a pathway names them
        if _caseworkers(service.organisation_id, site_path):
            return service.organisation
    return None


def _least_loaded(staff: list[Any], organisation_id: int) -> Any:
    loads = {
        row["assigned_to"]: row["n"]
        for row in ProtectionCase.objects.filter(
            organisation_id=organisation_id, status=Status.OPEN, assigned_to__in=staff
        )
        .values("assigned_to")
        .annotate(n=models.Count("pk"))
    }
    return min(staff, key=lambda u: (loads.get(u.pk, 0), u.pk))


def case_hand_over(
    *, user: Any, handover: Handover, now: datetime | None = None
) -> ProtectionCase | None:
    """Open a child-protection case in the organisation that takes them at the
    person's site, assigned to its least-loaded caseworker, with the proposed
    referral as a plan item (not a referral: that waits for the best-interests
    assessment). None when no organisation there has child-protection
    caseworkers; the caller records that. Runs inside the caller's transaction."""
    now = now or timezone.now()
    person = Person.objects.select_for_update().get(pk=handover.person.pk)
    site = person.household.site
    organisation = child_protection_organisation(site.path)
    if organisation is None:
        return None
    # A second attempt for a child who already has an open case of this kind
    # joins that case's journal, so that one caseworker follows the child.
    existing = ProtectionCase.objects.filter(
        person=person,
        organisation=organisation,
        case_type=handover.case_type,
        source_kind=handover.source_kind,
        status=Status.OPEN,
    ).first()
    if existing is not None:
        _event(existing, Kind.NOTE, user, handover.note, now)
        _audit(user, "update", "cases.ProtectionCase", existing.pk, ["journal"])
        if existing.assigned_to is not None:
            notify(
                recipients=[existing.assigned_to],
                kind="cases.note",
                subject=gettext_lazy("A child-protection case of yours has a new finding"),
                reference=existing.reference,
                link=_case_link(existing),
                actor=user,
            )
        return existing
    staff = _caseworkers(organisation.pk, site.path)
    assignee = _least_loaded(staff, organisation.pk)
    age = best_age(person.birth_date, person.birth_year_min, person.birth_year_max, now.date())
    is_child = age is None or age < 18  # a child, or could be one
    case = ProtectionCase.objects.create(
        reference=_unique(ProtectionCase, "PC"),
        person=person,
        site=site,
        site_path=site.path,
        organisation=organisation,
        case_type=handover.case_type,
        risk=Risk.HIGH,
        source_kind=handover.source_kind,
        source_id=handover.source_id,
        assigned_to=assignee,
        supervisor=_default_supervisor(organisation.pk, site.path, assignee),
        opened_by=user,
        opened_at=now,
        sex=person.sex,
        age_group=age_band(age),
        is_child=is_child,
        bia_status=(ProtectionCase.Bia.NOT_STARTED if is_child else ProtectionCase.Bia.NOT_NEEDED),
        consent_by=consent_by_for(age, ""),
        proposed_needs=list(handover.proposed_needs),
    )
    _event(case, Kind.OPENED, user, handover.note, now)
    service = handover.proposed_service or _first_child_service(site.path, organisation)
    if service is not None:
        PlanItem.objects.create(
            case=case,
            plan_type=PlanItem.PlanType.SAFETY,
            objective=_(
                "Proposed referral: %(service)s (%(org)s), after the best-interests assessment"
            )
            % {"service": service.name, "org": service.organisation},
            created_by=user,
            created_at=now,
            due_on=now.date() + timedelta(days=3),
        )
    _audit(user, "create", "cases.ProtectionCase", case.pk)
    for told, subject in (
        (case.assigned_to, gettext_lazy("A child-protection case was opened and assigned to you")),
        (case.supervisor, gettext_lazy("A child-protection case you supervise was opened")),
    ):
        if told is not None:
            notify(
                recipients=[told],
                kind="cases.opened",
                subject=subject,
                reference=case.reference,
                link=_case_link(case),
                actor=user,
            )
    return case


def child_protection_service(site_path: str) -> Service | None:
    """The service a child is referred to at a site (never police), if any."""
    organisation = child_protection_organisation(site_path)
    return _first_child_service(site_path, organisation) if organisation else None


def _first_child_service(site_path: str, organisation: Organisation) -> Service | None:
    for step in selectors.pathway_steps(site_path, CaseType.CHILD_PROTECTION, True):
        if step.service.service_type != ServiceType.LAW_ENFORCEMENT:
            return step.service
    return access.services(site_path=site_path, service_type=ServiceType.CHILD_PROTECTION).first()


# ---- working a case ----


def _open_case(case: ProtectionCase) -> ProtectionCase:
    locked = access.case_for_update(case)
    if locked.status != Status.OPEN:
        raise CaseError(_("The case is closed: reopen it first."), code="case_closed")
    return locked


@transaction.atomic
def case_note_add(*, user: Any, case: ProtectionCase, note: str) -> None:
    case = _open_case(case)
    _event(case, Kind.NOTE, user, _text(note, _("A note"), "note"))
    _audit(user, "update", "cases.ProtectionCase", case.pk, ["events"])


@transaction.atomic
def case_assign(
    *, user: Any, case: ProtectionCase, caseworker: Any, supervisor: Any = None
) -> ProtectionCase:
    """A supervisor reassigns the case (and may name another supervisor)."""
    case = _open_case(case)
    if caseworker not in _caseworkers(case.organisation_id, case.site_path):
        raise CaseError(
            _("The caseworker must work cases for %(org)s at this site.")
            % {"org": case.organisation},
            field="caseworker",
        )
    changed = []
    if caseworker != case.assigned_to:
        case.assigned_to = caseworker
        changed.append("assigned_to")
    if supervisor is not None and supervisor != case.supervisor:
        allowed = access.staff_with(case.organisation_id, case.site_path, Perm.CASE_SUPERVISE)
        if supervisor not in allowed:
            raise CaseError(
                _("The supervisor must supervise cases for %(org)s at this site.")
                % {"org": case.organisation},
                field="supervisor",
            )
        case.supervisor = supervisor
        changed.append("supervisor")
    if not changed:
        return case
    case.save(update_fields=changed)
    names = [u.get_full_name() or u.username for u in (case.assigned_to, case.supervisor) if u]
    _event(case, Kind.ASSIGNED, user, " / ".join(names))
    _audit(user, "update", "cases.ProtectionCase", case.pk, changed)
    notify(
        recipients=[u for u in (case.assigned_to,) if u and u.pk != user.pk],
        kind="cases.assigned",
        subject=gettext_lazy("A protection case was assigned to you"),
        reference=case.reference,
        link=_case_link(case),
        actor=user,
    )
    return case


@transaction.atomic
def case_review(*, user: Any, case: ProtectionCase, note: str, now: Any = None) -> None:
    case = access.case_for_update(case)
    case.reviewed_at = now or timezone.now()
    case.reviewed_by = user
    case.save(update_fields=["reviewed_at", "reviewed_by"])
    _event(case, Kind.REVIEWED, user, _text(note, _("The review's note"), "note"), case.reviewed_at)
    _audit(user, "update", "cases.ProtectionCase", case.pk, ["reviewed_at", "reviewed_by"])


@transaction.atomic
def case_risk_set(*, user: Any, case: ProtectionCase, risk: str, note: str = "") -> None:
    case = _open_case(case)
    _check_choice(risk, Risk, "risk")
    if risk == case.risk:
        if note.strip():
            _event(case, Kind.NOTE, user, note.strip())
        return
    before = case.get_risk_display()
    case.risk = risk
    case.save(update_fields=["risk"])
    _event(case, Kind.RISK, user, f"{before} → {case.get_risk_display()}. {note.strip()}".strip())
    _audit(user, "update", "cases.ProtectionCase", case.pk, ["risk"])


@dataclass
class ChildAssessment:
    bia_status: str
    bia_notes: str = ""
    bid_required: bool = False
    bid_decision: str = ""
    caregiver: str = ""
    consent_by: str = ""


@transaction.atomic
def child_assessment_save(
    *, user: Any, case: ProtectionCase, data: ChildAssessment, now: Any = None
) -> ProtectionCase:
    """The best-interests assessment and determination, the caregiver's
    involvement and who consents, for a child's case."""
    case = _open_case(case)
    if not case.is_child:
        raise CaseError(_("This is not a child's case."), field="bia_status")
    _check_choice(data.bia_status, ProtectionCase.Bia, "bia_status")
    if data.caregiver:
        _check_choice(data.caregiver, ProtectionCase.Caregiver, "caregiver")
    consent_by = data.consent_by or case.consent_by
    _check_choice(consent_by, ProtectionCase.ConsentBy, "consent_by")
    if consent_by == ProtectionCase.ConsentBy.ADULT:
        raise CaseError(_("A child cannot consent as an adult."), field="consent_by")
    no_caregiver = data.caregiver in (
        ProtectionCase.Caregiver.NONE,
        ProtectionCase.Caregiver.NOT_INVOLVED,
    )
    if no_caregiver and consent_by != ProtectionCase.ConsentBy.BID:
        raise CaseError(
            _("Without a caregiver who can consent, a best-interests determination decides."),
            field="consent_by",
        )
    if data.bid_decision.strip() and not data.bid_required:
        raise CaseError(
            _("Record that a determination is needed before its decision."), field="bid_required"
        )
    case.bia_status = data.bia_status
    case.bia_notes = data.bia_notes.strip()
    case.bid_required = data.bid_required or consent_by == ProtectionCase.ConsentBy.BID
    if data.bid_decision.strip() and data.bid_decision.strip() != case.bid_decision:
        case.bid_decision = data.bid_decision.strip()
        case.bid_decided_at = now or timezone.now()
    case.caregiver = data.caregiver
    case.consent_by = consent_by
    changed = [
        "bia_status",
        "bia_notes",
        "bid_required",
        "bid_decision",
        "bid_decided_at",
        "caregiver",
        "consent_by",
    ]
    case.save(update_fields=changed)
    _event(case, Kind.CHILD, user)
    _audit(user, "update", "cases.ProtectionCase", case.pk, changed)
    return case


@transaction.atomic
def plan_item_add(
    *,
    user: Any,
    case: ProtectionCase,
    plan_type: str,
    objective: str,
    actions: str = "",
    due_on: date | None = None,
) -> PlanItem:
    case = _open_case(case)
    _check_choice(plan_type, PlanItem.PlanType, "plan_type")
    item = PlanItem.objects.create(
        case=case,
        plan_type=plan_type,
        objective=_text(objective, _("The objective"), "objective"),
        actions=actions.strip(),
        due_on=due_on,
        created_by=user,
        created_at=timezone.now(),
    )
    _event(case, Kind.PLAN, user)
    _audit(user, "create", "cases.PlanItem", item.pk)
    return item


@transaction.atomic
def plan_item_set(*, user: Any, item: PlanItem, status: str) -> PlanItem:
    _open_case(item.case)
    _check_choice(status, PlanItem.Status, "status")
    item = PlanItem.objects.select_for_update().get(pk=item.pk)
    item.status = status
    item.done_on = timezone.localdate() if status == PlanItem.Status.DONE else None
    item.save(update_fields=["status", "done_on"])
    _event(item.case, Kind.PLAN, user)
    _audit(user, "update", "cases.PlanItem", item.pk, ["status", "done_on"])
    return item


@transaction.atomic
def case_close(
    *, user: Any, case: ProtectionCase, reason: str, note: str = "", now: Any = None
) -> ProtectionCase:
    """Close with a reason; the retention period starts now. Referrals still
    waiting for an answer are cancelled and what they shared is removed."""
    now = now or timezone.now()
    case = _open_case(case)
    _check_choice(reason, ProtectionCase.Closure, "reason")
    if reason == ProtectionCase.Closure.OTHER and not note.strip():
        raise CaseError(_("Say why the case is closed."), field="note")
    for referral in Referral.objects.select_for_update().filter(case=case, status=RStatus.PENDING):
        _cancel(user, referral)
    case.status = Status.CLOSED
    case.closed_at = now
    case.closure_reason = reason
    case.save(update_fields=["status", "closed_at", "closure_reason"])
    _event(case, Kind.CLOSED, user, note.strip(), now)
    _audit(user, "update", "cases.ProtectionCase", case.pk, ["status", "closed_at"])
    return case


@transaction.atomic
def case_reopen(*, user: Any, case: ProtectionCase, note: str) -> ProtectionCase:
    case = access.case_for_update(case)
    if case.status == Status.OPEN:
        raise CaseError(_("The case is open."))
    case.status = Status.OPEN
    case.closed_at = None
    case.closure_reason = ""
    case.save(update_fields=["status", "closed_at", "closure_reason"])
    _event(case, Kind.REOPENED, user, _text(note, _("Why the case is reopened"), "note"))
    _audit(user, "update", "cases.ProtectionCase", case.pk, ["status", "closed_at"])
    return case


# ---- referrals ----


@dataclass
class Consent:
    given: bool
    explained_by: str
    language: str
    share: list[str] = field(default_factory=list)


@dataclass
class ReferralRequest:
    service: Service
    consent: Consent | None = None
    override_reason: str = ""
    reason: str = ""
    # A referral to the police or other authorities is its own decision.
    authority_decision: bool = False
    legal_obligation: str = ""


def _check_consent(request: ReferralRequest, service: Service) -> list[str]:
    """The fields that travel, or CaseError naming what is missing."""
    consent, override = request.consent, request.override_reason.strip()
    if consent is None and not override:
        raise CaseError(
            _(
                "Record the person's informed consent to this referral, "
                "or an override with its reason."
            ),
            code="consent_required",
            field="consent",
        )
    if consent is not None and override:
        raise CaseError(
            _("Give either the person's consent or an override, not both."), field="override"
        )
    if consent is None:
        if len(override) < MIN_REASON:
            raise CaseError(
                _("An override needs its reason (at least %(n)d characters).") % {"n": MIN_REASON},
                field="override",
            )
        return fields_needed(service.service_type, minimal=True)
    if not consent.given:
        raise CaseError(
            _("The person did not agree to this referral: it is not made."),
            code="consent_refused",
            field="consent",
        )
    if not consent.explained_by.strip():
        raise CaseError(_("Say who explained the referral to the person."), field="explained_by")
    if not consent.language.strip():
        raise CaseError(_("Say in which language it was explained."), field="language")
    share = list(dict.fromkeys(consent.share))
    if not share:
        raise CaseError(_("Choose what may be shared."), field="share")
    unknown = unknown_fields(share)
    if unknown:
        raise CaseError(
            _("Some fields to share are unknown; choose from: %(fields)s.")
            % {"fields": ", ".join(fields_needed(service.service_type))},
            field="share",
        )
    allowed = fields_needed(service.service_type)
    extra = [name for name in share if name not in allowed]
    if extra:
        raise CaseError(
            _("A service of this type does not need: %(fields)s.") % {"fields": ", ".join(extra)},
            code="not_needed",
            field="share",
        )
    return share


def _check_authority(request: ReferralRequest, service: Service) -> None:
    """Police and authorities: a separate, explicit decision, with consent or a
    recorded legal obligation, never an override."""
    if service.service_type not in AUTHORITY_TYPES and service.organisation.kind != "government":
        if request.authority_decision or request.legal_obligation.strip():
            raise CaseError(_("This service is not an authority."), field="authority_decision")
        return
    if not request.authority_decision:
        raise CaseError(
            _("A referral to the police or other authorities is a separate decision: confirm it."),
            code="authority_decision_required",
            field="authority_decision",
        )
    if request.override_reason.strip() and len(request.legal_obligation.strip()) < MIN_REASON:
        raise CaseError(
            _(
                "Without the person's consent, only a recorded legal obligation "
                "allows this referral."
            ),
            code="consent_required",
            field="legal_obligation",
        )


def _agreement(case: ProtectionCase, service: Service, share: list[str]) -> Any:
    if service.organisation_id == case.organisation_id:
        return None
    agreement = active_agreement(case.organisation, service.organisation, "referral")
    if agreement is None:
        raise CaseError(
            _("%(from)s has no active data-sharing agreement with %(to)s for referrals.")
            % {"from": case.organisation, "to": service.organisation},
            code="no_sharing_agreement",
        )
    uncovered = not_covered_by_agreement(share, agreement.fields, agreement.sensitivity_classes)
    if uncovered:
        raise CaseError(
            _("The data-sharing agreement does not cover: %(fields)s.")
            % {"fields": ", ".join(uncovered)},
            code="not_in_agreement",
            field="share",
        )
    return agreement


@transaction.atomic
def referral_make(
    *, user: Any, case: ProtectionCase, request: ReferralRequest, now: Any = None
) -> Referral:
    now = now or timezone.now()
    case = _open_case(case)
    service = request.service
    if not service.active or not access.services(case.site_path).filter(pk=service.pk).exists():
        raise CaseError(
            _("This service is not in the directory of the case's site."), field="service"
        )
    _check_authority(request, service)
    share = _check_consent(request, service)
    agreement = _agreement(case, service, share)
    consent = request.consent
    referral = Referral.objects.create(
        reference=_unique(Referral, "RF"),
        case=case,
        service=service,
        from_organisation=case.organisation,
        to_organisation=service.organisation,
        site_path=service.site_path,
        service_type=service.service_type,
        case_type=case.case_type,
        agreement=agreement,
        consent_given=consent is not None,
        consent_explained_by=consent.explained_by.strip() if consent else "",
        consent_language=consent.language.strip() if consent else "",
        consent_fields=share,
        override_reason=request.override_reason.strip(),
        authority_decision=request.authority_decision,
        legal_obligation=request.legal_obligation.strip(),
        reason=request.reason.strip(),
        shared=build_shared(case, share, request.reason.strip()),
        made_by=user,
        made_at=now,
        answer_due=now + timedelta(hours=service.answer_within_hours),
        sex=case.sex,
        age_group=case.age_group,
    )
    overridden = consent is None
    _event(case, Kind.OVERRIDE if overridden else Kind.REFERRAL, user, referral.reference, now)
    _audit(user, "create", "cases.Referral", referral.pk)
    if overridden:
        # Visible to supervisors (PROTECTION.md 4): they are told at once.
        notify(
            recipients=[
                u
                for u in access.staff_with(
                    case.organisation_id, case.site_path, Perm.CASE_SUPERVISE
                )
                if u.pk != user.pk
            ],
            kind="cases.override",
            subject=gettext_lazy("A referral was made without the person's consent (override)"),
            reference=referral.reference,
            link=_referral_link(referral),
            actor=user,
        )
    notify(
        recipients=access.staff_with(
            service.organisation_id, service.site_path, Perm.REFERRAL_RECEIVE
        ),
        kind="cases.referral",
        subject=gettext_lazy("A referral was made to your service"),
        reference=referral.reference,
        link=_referral_link(referral),
        actor=user,
    )
    return referral


def _cancel(user: Any, referral: Referral) -> None:
    """A referral waiting for an answer is cancelled: what it shared goes, and
    the receiving service is told."""
    referral.status = RStatus.CANCELLED
    referral.shared = {}
    referral.save(update_fields=["status", "shared"])
    _audit(user, "update", "cases.Referral", referral.pk, ["status", "shared"])
    notify(
        recipients=access.staff_with(
            referral.to_organisation_id, referral.site_path, Perm.REFERRAL_RECEIVE
        ),
        kind="cases.cancelled",
        subject=gettext_lazy("A referral to your service was cancelled"),
        reference=referral.reference,
        link=_referral_link(referral),
        actor=user,
    )


@transaction.atomic
def referral_cancel(*, user: Any, referral: Referral, note: str) -> Referral:
    """The referring caseworker cancels a referral still waiting for an answer
    (made by mistake, or no longer needed)."""
    reason = _text(note, _("Why the referral is cancelled"), "note", minimum=5)
    referral = access.referral_for_update(referral)
    if referral.status != RStatus.PENDING:
        raise CaseError(
            _("Only a referral waiting for an answer can be cancelled."), code="already_answered"
        )
    _cancel(user, referral)
    _event(referral.case, Kind.REFERRAL, user, f"{referral.reference}: {reason}")
    return referral


def _pending(referral: Referral) -> Referral:
    locked = access.referral_for_update(referral)
    if locked.status == RStatus.WITHDRAWN:
        raise CaseError(
            _("The person withdrew their consent: this referral can no longer be acted on."),
            code="consent_withdrawn",
        )
    if locked.status != RStatus.PENDING:
        raise CaseError(_("This referral was already answered."), code="already_answered")
    return locked


def _tell_referrer(referral: Referral, subject: Any, kind: str, actor: Any) -> None:
    case = referral.case
    recipients = {u for u in (case.assigned_to, referral.made_by) if u is not None}
    notify(
        recipients=recipients,
        kind=kind,
        subject=subject,
        reference=referral.reference,
        link=_referral_link(referral),
        actor=actor,
    )


@transaction.atomic
def referral_accept(*, user: Any, referral: Referral, note: str = "", now: Any = None) -> Referral:
    referral = _pending(referral)
    referral.status = RStatus.ACCEPTED
    referral.answered_by = user
    referral.answered_at = now or timezone.now()
    referral.answer_note = note.strip()
    referral.save(update_fields=["status", "answered_by", "answered_at", "answer_note"])
    _audit(user, "update", "cases.Referral", referral.pk, ["status"])
    _tell_referrer(referral, gettext_lazy("A referral was accepted"), "cases.accepted", user)
    return referral


@transaction.atomic
def referral_decline(*, user: Any, referral: Referral, note: str, now: Any = None) -> Referral:
    referral = _pending(referral)
    referral.status = RStatus.DECLINED
    referral.answered_by = user
    referral.answered_at = now or timezone.now()
    referral.answer_note = _text(note, _("The reason for declining"), "note", minimum=5)
    # Declined: the receiver keeps nothing of what was shared.
    referral.shared = {}
    referral.save(update_fields=["status", "answered_by", "answered_at", "answer_note", "shared"])
    _audit(user, "update", "cases.Referral", referral.pk, ["status", "shared"])
    _tell_referrer(referral, gettext_lazy("A referral was declined"), "cases.declined", user)
    return referral


@transaction.atomic
def referral_complete(
    *,
    user: Any,
    referral: Referral,
    delivered_on: date,
    outcome: str,
    note: str = "",
    now: Any = None,
) -> ServiceDelivery:
    """The receiver records the service as delivered: it joins the person's
    relief-and-recovery record on the referring case, and the referring
    caseworker is told."""
    now = now or timezone.now()
    referral = access.referral_for_update(referral)
    if referral.status != RStatus.ACCEPTED:
        raise CaseError(_("Only an accepted referral can be completed."), code="not_accepted")
    _check_choice(outcome, ServiceDelivery.Outcome, "outcome")
    if delivered_on > timezone.localdate(now) or delivered_on < referral.made_at.date():
        raise CaseError(_("The date must be between the referral and today."), field="delivered_on")
    delivery = ServiceDelivery.objects.create(
        case=referral.case,
        referral=referral,
        service_type=referral.service_type,
        provider=referral.to_organisation,
        delivered_on=delivered_on,
        outcome=outcome,
        note=note.strip(),
        recorded_by=user,
        recorded_at=now,
    )
    referral.status = RStatus.COMPLETED
    referral.completed_at = now
    referral.outcome = note.strip()
    referral.save(update_fields=["status", "completed_at", "outcome"])
    _event(referral.case, Kind.SERVICE, user, referral.reference, now)
    _audit(user, "create", "cases.ServiceDelivery", delivery.pk)
    _audit(user, "update", "cases.Referral", referral.pk, ["status", "outcome"])
    _tell_referrer(
        referral, gettext_lazy("A referred service was delivered"), "cases.completed", user
    )
    return delivery


@transaction.atomic
def service_record(
    *,
    user: Any,
    case: ProtectionCase,
    service_type: str,
    provider: Organisation,
    delivered_on: date,
    outcome: str,
    note: str = "",
) -> ServiceDelivery:
    """A service the case's own organisation delivered or learnt of."""
    case = _open_case(case)
    _check_choice(service_type, ServiceType, "service_type")
    _check_choice(outcome, ServiceDelivery.Outcome, "outcome")
    if delivered_on > timezone.localdate():
        raise CaseError(_("The date cannot be in the future."), field="delivered_on")
    delivery = ServiceDelivery.objects.create(
        case=case,
        service_type=service_type,
        provider=provider,
        delivered_on=delivered_on,
        outcome=outcome,
        note=note.strip(),
        recorded_by=user,
        recorded_at=timezone.now(),
    )
    _event(case, Kind.SERVICE, user)
    _audit(user, "create", "cases.ServiceDelivery", delivery.pk)
    return delivery


@transaction.atomic
def consent_withdraw(
    *, user: Any, case: ProtectionCase, referral: Referral | None = None, note: str = ""
) -> int:
    """The person withdraws their consent (to one referral, or to all of the
    case's): from this moment nothing more is shared, and the receiver loses
    what was shared and not yet acted on (PROTECTION.md 3)."""
    now = timezone.now()
    case = access.case_for_update(case)
    referrals = Referral.objects.select_for_update().filter(case=case, status__in=LIVE)
    if referral is not None:
        referrals = referrals.filter(pk=referral.pk)
    count = 0
    for live in referrals:
        live.status = RStatus.WITHDRAWN
        live.withdrawn_at = now
        live.shared = {}
        live.save(update_fields=["status", "withdrawn_at", "shared"])
        _audit(user, "update", "cases.Referral", live.pk, ["status", "shared"])
        notify(
            recipients=access.staff_with(
                live.to_organisation_id, live.site_path, Perm.REFERRAL_RECEIVE
            ),
            kind="cases.withdrawn",
            subject=gettext_lazy("Consent to a referral was withdrawn: stop using what it shared"),
            reference=live.reference,
            link=_referral_link(live),
            actor=user,
        )
        count += 1
    if not count:
        raise CaseError(_("No referral of this case is waiting or being acted on."))
    _event(case, Kind.CONSENT_WITHDRAWN, user, note.strip(), now)
    return count


# ---- timers ----


def referral_reminders(now: datetime | None = None) -> dict[str, int]:
    """Referrals past their answer time: the receiving service is reminded;
    after SALAMA_REFERRAL_ESCALATION_HOURS more, its supervisors and the
    referring caseworker are told. Each step once."""
    now = now or timezone.now()
    reminded = escalated = 0
    late = Referral.objects.filter(status=RStatus.PENDING, answer_due__lte=now)
    for pk in late.filter(reminders=0).values_list("pk", flat=True):
        reminded += _remind(pk, now)
    escalate_after = timedelta(hours=int(settings.SALAMA_REFERRAL_ESCALATION_HOURS))
    for pk in late.filter(
        escalated_at__isnull=True, answer_due__lte=now - escalate_after
    ).values_list("pk", flat=True):
        escalated += _escalate(pk, now)
    return {"reminded": reminded, "escalated": escalated}


@transaction.atomic
def _remind(pk: Any, now: datetime) -> int:
    referral = Referral.objects.select_for_update().get(pk=pk)
    if referral.status != RStatus.PENDING or referral.reminders:
        return 0
    referral.reminders = 1
    referral.save(update_fields=["reminders"])
    notify(
        recipients=access.staff_with(
            referral.to_organisation_id, referral.site_path, Perm.REFERRAL_RECEIVE
        ),
        kind="cases.reminder",
        subject=gettext_lazy("A referral to your service is waiting for an answer"),
        reference=referral.reference,
        link=_referral_link(referral),
    )
    return 1


@transaction.atomic
def _escalate(pk: Any, now: datetime) -> int:
    referral = Referral.objects.select_for_update().select_related("case").get(pk=pk)
    if referral.status != RStatus.PENDING or referral.escalated_at:
        return 0
    referral.escalated_at = now
    referral.save(update_fields=["escalated_at"])
    receivers = access.staff_with(
        referral.to_organisation_id, referral.site_path, Perm.CASE_SUPERVISE
    )
    notify(
        recipients=receivers,
        kind="cases.escalated",
        subject=gettext_lazy("A referral to your organisation is overdue"),
        reference=referral.reference,
        link=_referral_link(referral),
    )
    _tell_referrer(
        referral, gettext_lazy("A referral is still not answered"), "cases.overdue", None
    )
    return 1


def cases_retention(now: datetime | None = None) -> int:
    """Delete cases closed longer than SALAMA_RETENTION_CASES_DAYS, with their
    journal, plan, referrals and services (an audit entry each)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=int(settings.SALAMA_RETENTION_CASES_DAYS))
    deleted = 0
    for pk in ProtectionCase.objects.filter(
        status=Status.CLOSED, closed_at__lte=cutoff
    ).values_list("pk", flat=True):
        with transaction.atomic():
            case = ProtectionCase.objects.select_for_update().filter(pk=pk).first()
            if case is None or case.status != Status.CLOSED:
                continue
            case.delete()
            _audit(None, "delete", "cases.ProtectionCase", pk)
            deleted += 1
    return deleted

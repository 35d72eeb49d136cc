"""Reads of the cases app that are not personal records: pathways, labels,
what a referral may share."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from salama.cases import access
from salama.cases.models import (
    CaseType,
    PathwayStep,
    PlanItem,
    ProtectionCase,
    Referral,
    Risk,
    Service,
)
from salama.cases.sharing import AUTHORITY_TYPES, REFERRAL_FIELDS
from salama.core.roles import Perm
from salama.privacy.selectors import active_agreement
from salama.registry import access as registry_access
from salama.registry.households import site_path_ancestors
from salama.registry.models import Person


def pathway_steps(site_path: str, case_type: str, is_child: bool) -> QuerySet[PathwayStep]:
    """The pathway for a case type at a site (the nearest site up the tree that
    has one), in order; a child's pathway when the person is a child and the
    site has one, else the general one."""
    steps = PathwayStep.objects.filter(
        site__path__in=site_path_ancestors(site_path),
        case_type=case_type,
        service__active=True,
    ).select_related("service", "service__organisation", "site")
    for children in [True, False] if is_child else [False]:
        chosen = steps.filter(for_children=children)
        nearest = chosen.order_by("-site__path").values_list("site_id", flat=True).first()
        if nearest is not None:
            return chosen.filter(site_id=nearest).order_by("rank")
    return steps.none()


# ---- lists and pages (personal records only through the access layers) ----


def filtered_cases(
    user: Any, *, status: str, case_type: str, mine: bool, q: str = ""
) -> QuerySet[ProtectionCase]:
    cases = access.cases_for(user)
    number = q.strip().upper()
    if number:
        # A number finds its case whatever the status filter says.
        return cases.filter(
            Q(reference=number) | Q(person__registration_number=number)
        ).select_related("person")
    if status == "closed":
        cases = cases.filter(status=ProtectionCase.Status.CLOSED)
    elif status != "all":
        cases = cases.filter(status=ProtectionCase.Status.OPEN)
    if case_type:
        cases = cases.filter(case_type=case_type)
    if mine:
        cases = cases.filter(assigned_to=user)
    return cases.select_related("person").order_by("-opened_at")


def caseworkers_for(user: Any) -> list[Any]:
    """The colleagues a new case may be given to: CASE_WORK members of the
    user's organisations at the user's sites."""
    found: dict[int, Any] = {}
    for membership in user.memberships.prefetch_related("sites"):
        for site in membership.sites.all():
            for colleague in access.staff_with(
                membership.organisation_id, site.path, Perm.CASE_WORK
            ):
                found.setdefault(colleague.pk, colleague)
    return sorted(found.values(), key=lambda u: u.username)


def open_case_from_source(user: Any, kind: str, source_id: str) -> ProtectionCase | None:
    """The user's open case already opened from this finding, if any."""
    return (
        access.cases_for(user)
        .filter(source_kind=kind, source_id=source_id, status=ProtectionCase.Status.OPEN)
        .first()
    )


def user_among(users: list[Any], pk: Any) -> Any:
    return next((u for u in users if u.pk == pk), None) if pk else None


def person_by_number(user: Any, number: str) -> Person:
    from salama.cases.actions import CaseError

    if not (number or "").strip():
        raise CaseError(_("Give the person's registration number."), field="registration_number")
    person = registry_access.find_person_by_number(user, number, Perm.PERSON_VIEW)
    if person is None:
        raise CaseError(
            _("No one with this registration number is in the registry of your sites."),
            field="registration_number",
        )
    return person


SOURCE_CASE_TYPES = {"tracing": CaseType.CHILD_PROTECTION, "absence": CaseType.CHILD_PROTECTION}


def suggested_opening(source: Any) -> dict[str, Any]:
    """What a finding suggests for the new case's type and risk."""
    if source is None:
        return {}
    kind, _pk, record = source
    if kind == "screening":
        level = str(record.level)
        risk = {"high": "high", "medium": "medium"}.get(level, "medium")
        return {"case_type": CaseType.TRAFFICKING, "risk": risk}
    if kind == "tracing":
        return {
            "case_type": CaseType.CHILD_PROTECTION
            if record.age_group in ("0-4", "5-11", "12-17")
            else CaseType.OTHER,
            "risk": "high" if record.urgent else "medium",
        }
    return {
        "case_type": CaseType.CHILD_PROTECTION if "child" in record.profile else CaseType.OTHER,
        "risk": "high",
    }


@dataclass
class Finding:
    kind: str
    pk: str
    label: Any
    reference: str
    at: Any
    number: str


def findings_without_case(user: Any, limit: int = 20) -> list[Finding]:
    """Open screening alerts, tracing cases and absence alerts the user can
    see that no open case of theirs came from yet."""
    from salama.presence import access as presence_access
    from salama.screening import access as screening_access
    from salama.screening.actions import alert_reference
    from salama.tracing import access as tracing_access

    taken = set(
        access.cases_for(user)
        .filter(status=ProtectionCase.Status.OPEN)
        .exclude(source_id="")
        .values_list("source_kind", "source_id")
    )
    found: list[Finding] = []
    for alert in screening_access.alerts_for(user)[:limit]:
        if ("screening", str(alert.screening_id)) not in taken:
            found.append(
                Finding(
                    "screening",
                    str(alert.screening_id),
                    _("Screening alert"),
                    alert_reference(alert),
                    alert.created_at,
                    alert.person.registration_number,
                )
            )
    for case in (
        tracing_access.cases_for(user)
        .filter(person__isnull=False)
        .exclude(status__in=["closed", "reunified", "deceased"])
        .select_related("person")[:limit]
    ):
        if ("tracing", str(case.pk)) not in taken:
            found.append(
                Finding(
                    "tracing",
                    str(case.pk),
                    _("Tracing case"),
                    case.reference,
                    case.opened_at,
                    case.person.registration_number if case.person else "",
                )
            )
    for absence in presence_access.alerts_for(user).filter(status="open")[:limit]:
        if ("absence", str(absence.pk)) not in taken:
            found.append(
                Finding(
                    "absence",
                    str(absence.pk),
                    _("Absence alert"),
                    f"AA-{absence.pk}",
                    absence.created_at,
                    absence.person.registration_number,
                )
            )
    return sorted(found, key=lambda f: f.at, reverse=True)


def case_staff(case: ProtectionCase) -> dict[str, list[Any]]:
    return {
        "caseworkers": access.staff_with(case.organisation_id, case.site_path, Perm.CASE_WORK),
        "supervisors": access.staff_with(case.organisation_id, case.site_path, Perm.CASE_SUPERVISE),
    }


def case_page(user: Any, case: ProtectionCase) -> dict[str, Any]:
    from salama.cases import forms

    can_work = access.cases_for(user, Perm.CASE_WORK).filter(pk=case.pk).exists()
    can_supervise = access.cases_for(user, Perm.CASE_SUPERVISE).filter(pk=case.pk).exists()
    staff = case_staff(case)
    referrals = list(case.referrals.select_related("service", "to_organisation"))
    from salama.cases import networks, recovery
    from salama.registry.codes import specific_needs

    return {
        "proposed_needs": [(c, specific_needs().get(c, c)) for c in case.proposed_needs],
        "record": recovery.recovery_record(case),
        "exploiters": networks.read_exploiters(user, case),
        "case": case,
        "person": case.person,
        "events": case.events.select_related("user"),
        "plan": case.plan.all(),
        "referrals": referrals,
        "overrides": [r for r in referrals if not r.consent_given],
        "live_referrals": [r for r in referrals if r.status in ("pending", "accepted")],
        "can_work": can_work and case.status == ProtectionCase.Status.OPEN,
        "can_supervise": can_supervise,
        "note_form": forms.NoteForm(),
        "risk_form": forms.RiskForm(initial={"risk": case.risk}),
        "assign_form": forms.AssignForm(initial={"caseworker": case.assigned_to_id}, **staff),
        "child_form": forms.ChildForm(initial=_child_initial(case)),
        "plan_form": forms.PlanItemForm(),
        "service_form": forms.ServiceForm(),
        "plan_statuses": PlanItem.Status.choices,
    }


def _child_initial(case: ProtectionCase) -> dict[str, Any]:
    return {
        "bia_status": case.bia_status,
        "bia_notes": case.bia_notes,
        "caregiver": case.caregiver,
        "consent_by": case.consent_by,
        "bid_required": case.bid_required,
        "bid_decision": case.bid_decision,
    }


def is_authority(service: Service) -> bool:
    return service.service_type in AUTHORITY_TYPES or service.organisation.kind == "government"


def agreement_for(case: ProtectionCase, service: Service) -> Any:
    if service.organisation_id == case.organisation_id:
        return None
    return active_agreement(case.organisation, service.organisation, "referral")


def service_choices(case: ProtectionCase) -> dict[str, Any]:
    """The case's site's pathway for its type first, then the whole directory."""
    steps = list(pathway_steps(case.site_path, case.case_type, case.is_child))
    on_pathway = {step.service_id for step in steps}
    others = [s for s in access.services(case.site_path) if s.pk not in on_pathway]
    return {"case": case, "steps": steps, "services": others}


def referral_page(user: Any, referral: Referral, side: str) -> dict[str, Any]:
    from salama.cases import forms

    works_on = access.cases_for(user, Perm.CASE_WORK).filter(pk=referral.case_id).exists()
    return {
        "referral": referral,
        "side": side,
        "shared": shared_rows(referral.shared or {}),
        "answer_form": forms.AnswerForm(),
        "complete_form": forms.CompleteForm(),
        # A referral to a service of one's own organisation is answered by its
        # receivers too, though they read it from the referring side.
        "can_answer": access.incoming_for(user).filter(pk=referral.pk).exists(),
        "can_withdraw": side == "outgoing"
        and referral.consent_given
        and referral.status in ("pending", "accepted")
        and works_on,
        "can_cancel": side == "outgoing" and referral.status == "pending" and works_on,
        "language": language_name(referral.consent_language),
    }


def language_name(code: str) -> str:
    """A language code as its name in the reader's language ("ar": Arabic)."""
    from django.conf import settings
    from django.utils.translation import gettext

    names = dict(settings.LANGUAGES)
    return (
        gettext(names[code])
        if code in names
        else (gettext("another language") if code == "other" else code)
    )


_SEXES = {"F": _("Female"), "M": _("Male"), "X": _("Other"), "U": _("Unknown")}


def shared_rows(shared: dict[str, Any]) -> list[tuple[Any, str]]:
    """What a referral shares, labelled, in the reader's language."""
    labels: dict[str, dict[str, Any]] = {
        "sex": _SEXES,
        "case_type": dict(CaseType.choices),
        "risk": dict(Risk.choices),
        "caregiver": dict(ProtectionCase.Caregiver.choices),
    }
    rows = []
    for name, value in shared.items():
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        shown = labels.get(name, {}).get(value, value)
        rows.append((REFERRAL_FIELDS.get(name, name), str(shown)))
    return rows


def alert_route(screener: Any, alert: Any) -> list[Any] | None:
    """Who is told of a screening alert about a person with an open case of
    the alert's organisation: its caseworker and supervisor (the screener
    aside); None (the site's caseworkers) when there is no such case."""
    case = access.open_case_of(alert.organisation_id, alert.person_id)
    if case is None:
        return None
    # Only those still active and still working at the case's site: else the
    # site's caseworkers, so that an alert never reaches nobody.
    staff = {u.pk for u in access.staff_with(case.organisation_id, case.site_path, Perm.CASE_WORK)}
    told = [u for u in (case.assigned_to, case.supervisor) if u is not None and u.pk in staff]
    others = [u for u in told if u.pk != getattr(screener, "pk", None)]
    return (others or told) or None

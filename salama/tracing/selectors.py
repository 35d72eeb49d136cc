"""Reads of the missing-persons desk for its pages and the API, always
starting from tracing.access (the case the viewer may see) and shaped for
display: labels in the reader's language, candidates as the viewer may see
them."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from salama.core import access as core_access
from salama.core.roles import Perm, Role
from salama.lib.masking import MASK
from salama.registry import selectors as registry_selectors
from salama.registry.selectors import HeldMatch, held_token
from salama.tracing import access
from salama.tracing.actions import CLOSED_STATES, TRANSITIONS
from salama.tracing.forms import CIRCUMSTANCE_LABELS, REASON_LABELS
from salama.tracing.models import CaseAction, CaseCandidate, Desk, TracingCase, TracingReport
from salama.tracing.reports import NAME_PARTS, PERSON_NAME_FIELDS


def desk_for_code(user: Any, code: str) -> Desk | None:
    """The desk at the site with this code that the user takes reports for."""
    return access.desks_for(user, Perm.TRACING_REPORT).filter(site__code=code).first()


def case_list(
    user: Any, *, status: str | None = None, urgent: bool | None = None, site: str | None = None
) -> QuerySet[TracingCase]:
    cases = access.cases_for(user)
    if status:
        cases = cases.filter(status=status)
    if urgent is not None:
        cases = cases.filter(urgent=urgent)
    if site:
        cases = cases.filter(site__code=site)
    return cases.order_by("-urgent", "-opened_at", "pk")


def candidates_as_seen(user: Any, candidates: list[CaseCandidate]) -> list[Any]:
    """A case's candidates as this user may see them: registry persons outside
    the user's own scope are left out, and survivors become a HeldMatch for
    roles that may not see their names (PROTECTION.md 8), as in the registry."""
    people = [c.person_id for c in candidates if c.person_id is not None]
    visible = access.visible_person_ids(user, people) if people else set()
    sees_survivors = core_access.sees_survivor_names(user)
    shown: list[Any] = []
    for candidate in candidates:
        if candidate.person is None:
            shown.append(candidate)
        elif candidate.person_id not in visible:
            continue
        elif candidate.person.mask_name and not sees_survivors:
            shown.append(
                registry_selectors.HeldMatch(registry_selectors.held_token(user, candidate.person))
            )
        else:
            shown.append(candidate)
    return shown


OPEN_STATES = (TracingCase.Status.INVESTIGATING, TracingCase.Status.LOCATED)


def filtered_cases(
    user: Any, *, status: str = "", urgent: bool = False, site_id: int | None = None
) -> QuerySet[TracingCase]:
    """The user's cases, urgent first then newest; open ones unless asked."""
    cases = access.cases_for(user)
    if status == "all":
        pass
    elif status in TracingCase.Status.values:
        cases = cases.filter(status=status)
    else:
        cases = cases.filter(status__in=OPEN_STATES)
    if urgent:
        cases = cases.filter(urgent=True)
    if site_id:
        cases = cases.filter(site_id=site_id)
    return cases.order_by("-urgent", "-opened_at")


def case_sites(user: Any) -> list[Any]:
    """The sites of the user's cases, for the list's filter."""
    from salama.core.models import Site

    ids = access.cases_for(user).order_by().values_list("site_id", flat=True).distinct()
    return list(Site.objects.filter(pk__in=ids).order_by("path"))


def open_urgent_count(user: Any) -> int:
    """Open urgent cases the user may see (the navigation's badge)."""
    return access.cases_for(user).filter(urgent=True, status__in=OPEN_STATES).count()


@dataclass
class Timer:
    due: datetime
    done_at: datetime | None
    overdue: bool
    escalation: int
    # Due within the last minute: "due now" rather than "overdue by 0 minutes".
    due_now: bool = False


def timer(case: TracingCase, now: datetime | None = None) -> Timer:
    now = now or timezone.now()
    overdue = case.first_action_at is None and case.first_action_due <= now and case.is_open
    due_now = overdue and (now - case.first_action_due).total_seconds() < 60
    return Timer(case.first_action_due, case.first_action_at, overdue, case.escalation, due_now)


def urgency_words(case: TracingCase) -> list[str]:
    return [str(REASON_LABELS.get(r, r)) for r in case.urgency_reasons or []]


def circumstance_words(codes: list[str]) -> list[str]:
    return [str(CIRCUMSTANCE_LABELS.get(c, c)) for c in codes or []]


def next_statuses(case: TracingCase) -> list[tuple[str, str, bool]]:
    """(code, label, needs a note) of the statuses the case may move to."""
    order = TracingCase.Status.values
    allowed = sorted(TRANSITIONS.get(case.status, set()), key=order.index)
    return [
        (
            s,
            str(TracingCase.Status(s).label),
            s in CLOSED_STATES or s == TracingCase.Status.INVESTIGATING,
        )
        for s in allowed
    ]


def _names(person: dict[str, Any], suffix: str) -> list[str]:
    return " ".join(str(person.get(f"{p}{suffix}") or "") for p in NAME_PARTS).split()


def report_name(person: dict[str, Any], script: str = "latin") -> str:
    """A reported person's name in the chosen script, else the other one."""
    latin, original = _names(person, "_latin"), _names(person, "")
    first, second = (original, latin) if script == "original" else (latin, original)
    return " ".join(first or second)


@dataclass
class ReportView:
    report: TracingReport
    name: str
    original: str
    latin: str
    circumstances: list[str]
    has_photo: bool


def case_reports(case: TracingCase, script: str, user: Any = None) -> list[ReportView]:
    """The case's reports as the reporters gave them. A report made from a
    survivor's registry record carries the record's names: for roles that may
    not see survivors' names they are masked, as the record is (PROTECTION.md 8)."""
    reports = access.case_reports(case).select_related("photo", "registry_person")
    masked = user is not None and not core_access.sees_survivor_names(user)
    shown = []
    for r in reports.order_by("created_at"):
        person = r.person or {}
        if masked and r.registry_person is not None and r.registry_person.mask_name:
            person = {**person, **{f: MASK for f in PERSON_NAME_FIELDS if person.get(f)}}
        shown.append(
            ReportView(
                report=r,
                name=report_name(person, script) or _("(no name given)"),
                original=" ".join(_names(person, "")),
                latin=" ".join(_names(person, "_latin")),
                circumstances=circumstance_words(r.circumstances),
                has_photo=hasattr(r, "photo"),
            )
        )
    return shown


@dataclass
class CandidateView:
    candidate: CaseCandidate
    name: str = ""
    other_case: TracingCase | None = None
    held: bool = False
    token: str = ""


@dataclass
class Candidates:
    shown: list[Any] = field(default_factory=list)
    hidden: int = 0


def candidates_for_page(user: Any, case: TracingCase, script: str) -> Candidates:
    """The case's candidates as this viewer may see them: registry persons
    outside the viewer's own scope are left out (only counted), survivors'
    records are held back from roles that may not see survivors' names
    (PROTECTION.md 8: as candidates_as_seen above does for the API), and
    another report shows only when its case is the viewer's too."""
    candidates = list(access.case_candidates(case))
    person_ids = [c.person_id for c in candidates if c.person_id]
    visible = access.visible_person_ids(user, person_ids) if person_ids else set()
    other_ids = {c.report.case_id for c in candidates if c.report is not None}
    cases = {c.pk: c for c in access.cases_for(user).filter(pk__in=other_ids)} if other_ids else {}
    sees_survivors = core_access.sees_survivor_names(user)
    out = Candidates()
    for c in candidates:
        if c.person is not None:
            if c.person.pk not in visible:
                out.hidden += 1
            elif c.person.mask_name and not sees_survivors:
                out.shown.append(HeldMatch(held_token(user, c.person)))
            else:
                out.shown.append(CandidateView(c, c.person.name(script)))
        elif c.report is not None:
            other = cases.get(c.report.case_id)
            if other is None:
                out.hidden += 1
            else:
                out.shown.append(CandidateView(c, report_name(c.report.person, script), other))
    return out


def case_person(user: Any, case: TracingCase) -> Any:
    """The registry person the case is about, if the viewer may see them:
    a HeldMatch for a survivor's record and a role that may not see it."""
    person = case.person
    if person is None or person.pk not in access.visible_person_ids(user, [person.pk]):
        return None
    if person.mask_name and not core_access.sees_survivor_names(user):
        return HeldMatch(held_token(user, person))
    return person


def case_log(case: TracingCase) -> QuerySet[CaseAction]:
    return access.case_actions(case)


def assignable(case: TracingCase) -> list[Any]:
    desk = access.desk_of_site(case.site)
    return list(access.desk_staff(desk, Role.TRACING_OFFICER)) if desk else []


def may(user: Any, perm: Perm) -> bool:
    return core_access.has_perm(user, perm)

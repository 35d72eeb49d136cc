"""The only way views, the API and jobs fetch tracing records.

A tracing case is case data of the desk's organisation: it is visible to
members of that organisation whose role allows the action at the case's site
(or above it), and to nobody else: anything else answers 404 (PROTECTION.md 7).
Reads of a case are audited under the purpose "tracing"."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from salama.audit.actions import audit_record
from salama.core import access as core_access
from salama.core.models import Site
from salama.core.roles import Perm, Role
from salama.registry import matching
from salama.registry.households import site_path_ancestors
from salama.registry.models import IdentityDocument, Person
from salama.tracing.models import (
    CaseAction,
    CaseCandidate,
    Desk,
    DutyShift,
    TracingCase,
    TracingReport,
)

PURPOSE = "tracing"


def cases_for(user: Any, perm: Perm = Perm.TRACING_VIEW) -> QuerySet[TracingCase]:
    scope = core_access.site_scope(user, perm, "site_path", organisation_field="organisation_id")
    if scope is None:
        return TracingCase.objects.none()
    return TracingCase.objects.filter(scope).select_related("site", "assigned_to")


def get_case(user: Any, pk: object, perm: Perm = Perm.TRACING_VIEW) -> TracingCase:
    """One case the user may act on, its read audited; else 404."""
    case = cases_for(user, perm).filter(pk=core_access.record_uuid(pk)).first()
    if case is None:
        raise Http404
    if perm == Perm.TRACING_VIEW:
        audit_record(
            user=user,
            action="read",
            purpose=PURPOSE,
            model="tracing.TracingCase",
            record_id=case.pk,
        )
    return case


def case_for_update(case: TracingCase) -> TracingCase:
    """The case re-read and locked for a write (it was fetched through get_case)."""
    return TracingCase.objects.select_for_update().get(pk=case.pk)


def case_reports(case: TracingCase) -> QuerySet[TracingReport]:
    return TracingReport.objects.filter(case=case).select_related("duplicate_of")


def case_candidates(case: TracingCase) -> QuerySet[CaseCandidate]:
    return CaseCandidate.objects.filter(case=case).select_related(
        "person", "person__household__site", "report", "report__case"
    )


def case_actions(case: TracingCase) -> QuerySet[CaseAction]:
    return CaseAction.objects.filter(case=case).select_related("user")


def get_candidate(case: TracingCase, pk: object) -> CaseCandidate:
    found = CaseCandidate.objects.filter(case=case, pk=_int(pk)).first()
    if found is None:
        raise Http404
    return found


def report_by_reference(reference: str) -> TracingReport | None:
    """The report a reporter names on the public status page (checked there
    against its PIN before anything of it is shown)."""
    return (
        TracingReport.objects.select_related("case", "case__site")
        .filter(reference=reference.strip().upper())
        .first()
    )


def desks_for(user: Any, perm: Perm) -> QuerySet[Desk]:
    """Desks of the user's organisations at sites where they hold `perm`."""
    scope = core_access.site_scope(user, perm, "site__path", organisation_field="organisation_id")
    if scope is None:
        return Desk.objects.none()
    return Desk.objects.filter(scope).select_related("site", "organisation")


def get_desk(user: Any, pk: object, perm: Perm) -> Desk:
    desk = desks_for(user, perm).filter(pk=_int(pk)).first()
    if desk is None:
        raise Http404
    return desk


def public_desks() -> QuerySet[Desk]:
    """Desks listed on the public report page (a site's name, never a record)."""
    return Desk.objects.filter(public=True).select_related("site", "organisation")


def desk_of_site(site: Site) -> Desk | None:
    """The desk at the site or the nearest one above it."""
    paths = site_path_ancestors(site.path)
    desks = {
        d.site.path: d for d in Desk.objects.filter(site__path__in=paths).select_related("site")
    }
    for path in reversed(paths):
        if path in desks:
            return desks[path]
    return None


def searched_paths(desk: Desk) -> list[str]:
    return sorted({desk.site.path, *(s.path for s in desk.searches.all())})


def registry_matches(
    paths: Iterable[str], query: dict[str, str], top: int = 10
) -> list[matching.Match]:
    """Registered people, at the sites the desk searches, likely to be the
    one a report describes, best first. Only people whose records may be used
    for tracing are searched (PROTECTION.md 1). Not audited as a read: the
    candidates are stored for the case, and each officer who opens the case
    sees them within their own scope."""
    paths = list(paths)
    if not paths:
        return []
    under = Q(pk__in=[])
    for path in paths:
        under |= Q(site_path__startswith=path)
    persons = Person.objects.filter(under, legal_bases__purpose=PURPOSE)
    # Merged records are dropped in Python, as in registry.access.match_persons:
    # SQLite's planner would answer "merged_into IS NULL" from its index.
    values = [
        v
        for v in persons.filter(pk__in=matching.candidate_ids(query)).values(
            *matching.VALUE_FIELDS, "merged_into_id"
        )
        if v.pop("merged_into_id") is None
    ]
    documents = dict(
        IdentityDocument.objects.filter(person__in=[v["pk"] for v in values]).values_list(
            "person_id", "number"
        )
    )
    population = _population(paths, persons.filter(merged_into__isnull=True)) if values else 1
    matches = matching.score(query, values, population, top, documents)
    shown = Person.objects.select_related("household__site").in_bulk(
        [m.person["pk"] for m in matches]
    )
    for match in matches:
        match.person = shown[match.person["pk"]]
    return matches


def _population(paths: list[str], persons: QuerySet[Person]) -> int:
    """How many people the desk searches, for the match prior: cached ten
    minutes, as the registry's own (the prior needs the order of magnitude)."""
    from django.core.cache import cache

    key = "salama:tracing-population:" + ",".join(paths)
    population = cache.get(key)
    if population is None:
        population = persons.count()
        cache.set(key, population, 600)
    return int(population)


def open_reports(organisation_id: int, exclude_case: TracingCase | None = None) -> list[Any]:
    """The desk organisation's reports on open cases, for matching a new report."""
    reports = TracingReport.objects.filter(
        organisation_id=organisation_id,
        case__status__in=[TracingCase.Status.INVESTIGATING, TracingCase.Status.LOCATED],
    ).select_related("case")
    # Only what matching reads: every other encrypted column stays undecrypted.
    reports = reports.only("pk", "kind", "person", "created_at", "case__reference")
    if exclude_case is not None:
        reports = reports.exclude(case=exclude_case)
    return list(reports.order_by("-created_at")[:2000])


def person_for_report(user: Any, pk: object) -> Person:
    """A registry person a desk report is made about (from an absence alert
    or a search), read with the user's scope; else 404."""
    from salama.registry.access import get_person

    return get_person(user, pk)


def visible_person_ids(user: Any, ids: Iterable[Any]) -> set[Any]:
    """Which of these registry persons the user may see (candidates outside
    the viewer's own scope are not shown, even within the case)."""
    from salama.registry.access import persons_for

    return set(persons_for(user).filter(pk__in=list(ids)).values_list("pk", flat=True))


def on_duty(desk: Desk, now: Any = None) -> list[Any]:
    """The desk's tracing officers on duty now; all of them when nobody is
    (a report must never reach no one)."""
    now = now or timezone.now()
    officers = list(_desk_staff(desk, Role.TRACING_OFFICER))
    on_shift = set(
        DutyShift.objects.filter(desk=desk, starts_at__lte=now, ends_at__gt=now).values_list(
            "user_id", flat=True
        )
    )
    duty = [u for u in officers if u.pk in on_shift]
    return duty or officers


def desk_staff(desk: Desk, role: Role) -> QuerySet[Any]:
    return _desk_staff(desk, role)


def _desk_staff(desk: Desk, role: Role) -> QuerySet[Any]:
    """Active members of the desk's organisation with `role` at the desk's
    site or above it."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__role=role.value,
            memberships__organisation_id=desk.organisation_id,
            memberships__sites__path__in=site_path_ancestors(desk.site.path),
        )
        .distinct()
        .order_by("pk")
    )


def overdue_cases(now: Any) -> QuerySet[TracingCase]:
    """Open cases (every organisation: the timers are the system's) whose
    first action is overdue and not escalated to the end."""
    return TracingCase.objects.filter(
        first_action_at__isnull=True,
        first_action_due__lte=now,
        escalation__lt=2,
        status=TracingCase.Status.INVESTIGATING,
    ).select_related("site")


def desk_shifts(desk: Desk) -> QuerySet[DutyShift]:
    return DutyShift.objects.filter(desk=desk, ends_at__gt=timezone.now()).select_related("user")


def _int(pk: object) -> int:
    text = str(pk)
    return int(text) if text.isdigit() and len(text) < 12 else -1


def statistics_rows(user: Any) -> list[tuple[Any, ...]]:
    """Facts of the counted cases (legal basis for statistics, PROTECTION.md
    11) at the sites where the user sees figures: no id, name or reference,
    only what the figures break down by."""
    paths = core_access.site_paths(user, Perm.AGGREGATE_VIEW)
    if not paths:
        return []
    under = Q(pk__in=[])
    for path in paths:
        under |= Q(site_path__startswith=path)
    return list(
        TracingCase.objects.filter(under, counted=True).values_list(
            "site_path", "kind", "sex", "age_group", "status", "opened_at", "first_action_at"
        )
    )


def cases_closed_before(cutoff: Any) -> QuerySet[TracingCase]:
    """Closed cases past their retention period, in every organisation."""
    return TracingCase.objects.filter(closed_at__lt=cutoff)


# Added for the desk's staff pages (helper desk).


def get_report(case: TracingCase, pk: object) -> TracingReport:
    """One report of a case the viewer was given through get_case; else 404."""
    report = (
        TracingReport.objects.filter(case=case, pk=core_access.record_uuid(pk))
        .select_related("photo")
        .first()
    )
    if report is None:
        raise Http404
    return report


def get_shift(desk: Desk, pk: object) -> DutyShift:
    shift = DutyShift.objects.filter(desk=desk, pk=_int(pk)).select_related("user").first()
    if shift is None:
        raise Http404
    return shift


def desk_sites(user: Any, perm: Perm = Perm.TRACING_DESK) -> QuerySet[Site]:
    """Sites (of level "site") where the user may open or change a desk."""
    scope = core_access.site_scope(user, perm, "path")
    if scope is None:
        return Site.objects.none()
    return Site.objects.filter(scope, level=Site.Level.SITE).order_by("path")


def searchable_sites() -> QuerySet[Site]:
    """Sites whose registry a desk may also search (any site; the desk's
    organisation decides)."""
    return Site.objects.filter(level=Site.Level.SITE).order_by("path")


def desk_organisations(user: Any) -> list[Any]:
    """The organisations for which the user keeps desks."""
    from salama.core.models import Organisation

    ids = core_access.organisation_ids_with(user, Perm.TRACING_DESK)
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


# --- The public report page (/missing/) ---


def public_hits(kind: str, key: str, since: Any) -> int:
    """How often a client (or a form) was counted under `kind` since then."""
    from salama.tracing.models import PublicLimitHit

    return PublicLimitHit.objects.filter(kind=kind, key=key, at__gte=since).count()


def public_form_sent(key: str) -> bool:
    from salama.tracing.models import PublicLimitHit

    return PublicLimitHit.objects.filter(kind=PublicLimitHit.Kind.FORM, key=key).exists()


def public_reports_at_desk(desk: Desk, since: Any) -> int:
    """Reports the public page stored for the desk since then (the desk's own
    rate limit: no client address is needed for it)."""
    return TracingReport.objects.filter(
        channel=TracingReport.Channel.PUBLIC, site_path=desk.site.path, created_at__gte=since
    ).count()


def report_for_reporter(pk: object) -> TracingReport | None:
    """The one report a reporter opened with its reference and PIN (its id
    kept in their session for a few minutes), the read audited; None when it
    is gone."""
    try:
        uuid = core_access.record_uuid(pk)
    except Http404:
        return None
    report = TracingReport.objects.select_related("case", "case__site").filter(pk=uuid).first()
    if report is not None:
        audit_record(
            user=None,
            action="read",
            purpose=PURPOSE,
            model="tracing.TracingReport",
            record_id=report.pk,
        )
    return report


def reporter_additions_since(case: TracingCase, since: Any) -> int:
    return CaseAction.objects.filter(
        case=case, kind=CaseAction.Kind.REPORTER_INFO, at__gte=since
    ).count()


def cases_about(person: Any, organisation_ids: set[int]) -> QuerySet[TracingCase]:
    """Cases of these organisations about the person: confirmed as the one
    looked for or found, or reported from their registry record."""
    about = Q(person=person) | Q(reports__registry_person=person)
    return (
        TracingCase.objects.filter(about, organisation_id__in=organisation_ids)
        .select_related("site")
        .distinct()
        .order_by("opened_at")
    )


def open_cases_about(person_id: Any) -> list[TracingCase]:
    """Open tracing cases about a registry person, whatever their desk: for
    telling their officers of a death or a marriage registration (a reference
    and a link), never for showing them to whoever asks."""
    from salama.tracing.actions import CLOSED_STATES

    return list(
        TracingCase.objects.filter(person_id=person_id)
        .exclude(status__in=CLOSED_STATES)
        .select_related("assigned_to")
    )

"""The only way presence pages, the API and the rules fetch presence records.

Checks and absence alerts are records of a site, not of one organisation: a
check is visible to those who may record presence at its site, an alert to
those who may view absences there (tracing and protection officers of any
organisation), as long as their purpose has a legal basis for the person.
Anything else is not found (404). Reads of alerts are audited.

The functions under "For the rules" read a site's registry for the absence
rules (system processing, never shown to anyone); they return values, not
records for display.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from salama.audit.actions import audit_record
from salama.core import access as core_access
from salama.core.models import Site
from salama.core.roles import Perm
from salama.presence.models import (
    AbsenceAlert,
    HouseholdCard,
    PresenceCheck,
    PresenceStatus,
    Sighting,
)
from salama.registry import access as registry_access
from salama.registry.models import Household, Person


def _scope(user: Any, perm: Perm) -> Q | None:
    return core_access.site_scope(user, perm, "site_path")


def sites_for(user: Any, perm: Perm = Perm.PRESENCE_RECORD) -> QuerySet[Site]:
    return registry_access.sites_for(user, perm)


def checks_for(user: Any) -> QuerySet[PresenceCheck]:
    scope = _scope(user, Perm.PRESENCE_RECORD)
    if scope is None:
        return PresenceCheck.objects.none()
    return PresenceCheck.objects.filter(scope).select_related("site", "recorded_by")


def get_check(user: Any, pk: object) -> PresenceCheck:
    check = checks_for(user).filter(pk=core_access.record_uuid(pk)).first()
    if check is None:
        raise Http404
    return check


def check_persons(user: Any, check: PresenceCheck) -> QuerySet[Person]:
    """The people a check covers that the user may see (scope and legal basis)."""
    return registry_access.persons_for(user).filter(site_path__startswith=check.site_path)


def check_persons_by_number(
    user: Any, check: PresenceCheck, numbers: Iterable[str]
) -> dict[str, Person]:
    """registration number → person, for the numbers that name someone the
    check covers and the user may see."""
    wanted = {n.strip().upper() for n in numbers if n.strip()}
    found = check_persons(user, check).filter(registration_number__in=wanted)
    return {p.registration_number: p for p in found}


def site_persons_by_number(user: Any, site: Site, numbers: Iterable[str]) -> dict[str, Person]:
    wanted = {n.strip().upper() for n in numbers if n.strip()}
    found = registry_access.persons_for(user).filter(
        site_path__startswith=site.path, registration_number__in=wanted
    )
    return {p.registration_number: p for p in found}


def sightings_of(check: PresenceCheck) -> QuerySet[Sighting]:
    """Who was seen at a check already fetched through get_check."""
    return Sighting.objects.filter(presence_check=check).select_related(
        "person", "person__household"
    )


def seen_ids(check: PresenceCheck) -> set[Any]:
    return set(Sighting.objects.filter(presence_check=check).values_list("person_id", flat=True))


def household_by_card(user: Any, code: str) -> Household | None:
    """The household of a valid card whose code was scanned, if the user may see it."""
    card = HouseholdCard.objects.filter(code=code.strip(), revoked=False).first()
    if card is None:
        return None
    return registry_access.households_for(user).filter(pk=card.household_id).first()


def household_members(user: Any, household: Household) -> QuerySet[Person]:
    return registry_access.household_members(user, household)


def block_households(user: Any, site: Site) -> QuerySet[Household]:
    """The households of a block (or any site) whose cards the user may print."""
    return (
        registry_access.households_for(user)
        .filter(site_path__startswith=site.path)
        .annotate(member_count=Count("members", filter=Q(members__merged_into__isnull=True)))
        .order_by("registration_number")
    )


def valid_cards(households: Iterable[Household]) -> dict[Any, HouseholdCard]:
    ids = [h.pk for h in households]
    cards = HouseholdCard.objects.filter(household_id__in=ids, revoked=False)
    return {c.household_id: c for c in cards}


def get_card(user: Any, pk: object) -> HouseholdCard:
    try:
        number = int(str(pk))
    except ValueError:
        raise Http404 from None
    card = HouseholdCard.objects.filter(pk=number).first()
    if (
        card is None
        or not registry_access.households_for(user).filter(pk=card.household_id).exists()
    ):
        raise Http404
    return card


# --- Absence alerts ------------------------------------------------------------


def alerts_for(user: Any, perm: Perm = Perm.ABSENCE_VIEW) -> QuerySet[AbsenceAlert]:
    scope = _scope(user, perm)
    if scope is None:
        return AbsenceAlert.objects.none()
    purpose = core_access.purpose(user)
    return (
        AbsenceAlert.objects.filter(scope)
        .filter(person__legal_bases__purpose=purpose)
        .select_related("person", "person__household", "resolved_by")
    )


def get_absence_alert(
    user: Any, pk: object, perm: Perm = Perm.ABSENCE_VIEW, *, audit: bool = True
) -> AbsenceAlert:
    """One absence alert the user may act on with `perm` (ABSENCE_VIEW to read,
    ABSENCE_RESOLVE to resolve), its read audited; else 404. The tracing app
    calls this before absence_alert_mark_reported."""
    try:
        number = int(str(pk))
    except ValueError:
        raise Http404 from None
    alert = alerts_for(user, perm).filter(pk=number).first()
    if alert is None:
        raise Http404
    if audit:
        audit_record(
            user=user,
            action="read",
            purpose=core_access.purpose(user),
            model="presence.AbsenceAlert",
            record_id=alert.pk,
        )
    return alert


def open_alert_count(user: Any) -> int:
    if not core_access.has_perm(user, Perm.ABSENCE_VIEW):
        return 0
    return alerts_for(user).filter(status=AbsenceAlert.Status.OPEN).count()


# --- For the rules (system reads; nothing here is shown to a user) -------------------

RULE_FIELDS = (
    "pk",
    "site_path",
    "created_at",
    "birth_date",
    "birth_year_min",
    "birth_year_max",
    "sex",
    "specific_needs",
)


def _open_alert() -> Exists:
    return Exists(
        AbsenceAlert.objects.filter(person=OuterRef("pk"), status=AbsenceAlert.Status.OPEN)
    )


def covered_persons(check: PresenceCheck) -> QuerySet[Person]:
    """Everyone a check covers: registered at or below its site by the time it
    was held, and not merged into another record."""
    return Person.objects.filter(
        site_path__startswith=check.site_path,
        merged_into__isnull=True,
        created_at__lte=check.held_at,
    )


def ensure_statuses(persons: QuerySet[Person]) -> int:
    """A PresenceStatus row for each person that has none yet."""
    missing = persons.filter(~Exists(PresenceStatus.objects.filter(person=OuterRef("pk"))))
    rows = [PresenceStatus(person_id=pk) for pk in missing.values_list("pk", flat=True)]
    PresenceStatus.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def statuses(persons: QuerySet[Person]) -> QuerySet[PresenceStatus]:
    return PresenceStatus.objects.filter(person__in=persons.values("pk"))


def rule_candidates_after_check(check: PresenceCheck, at_least: int) -> list[dict[str, Any]]:
    """People the check covered, did not see, who have no open alert and have
    missed at least `at_least` checks: their rule fields and missed count."""
    missed = PresenceStatus.objects.filter(person=OuterRef("pk"))
    seen = Sighting.objects.filter(presence_check=check, person=OuterRef("pk"))
    return list(
        covered_persons(check)
        .annotate(
            missed=Subquery(missed.values("missed_checks")[:1]),
            last_seen=Subquery(missed.values("last_seen_at")[:1]),
        )
        .filter(~Exists(seen), ~_open_alert(), missed__gte=at_least)
        .values(*RULE_FIELDS, "missed", "last_seen")
    )


def rule_candidates_by_days(paths: Iterable[str], cutoff: datetime) -> list[dict[str, Any]]:
    """People at or below `paths`, without an open alert, neither registered,
    seen nor cleared since `cutoff`: their rule fields, last seen and cleared times."""
    where = Q(pk__in=[])
    for path in paths:
        where |= Q(site_path__startswith=path)
    status = PresenceStatus.objects.filter(person=OuterRef("pk"))
    found = (
        Person.objects.filter(where, merged_into__isnull=True, created_at__lt=cutoff)
        .annotate(
            last_seen=Subquery(status.values("last_seen_at")[:1]),
            cleared=Subquery(status.values("cleared_at")[:1]),
        )
        .filter(Q(last_seen__isnull=True) | Q(last_seen__lt=cutoff))
        .filter(Q(cleared__isnull=True) | Q(cleared__lt=cutoff))
        .filter(~_open_alert())
    )
    return list(found.values(*RULE_FIELDS, "last_seen", "cleared"))


def recent_checks(since: datetime) -> list[tuple[str, datetime]]:
    closed = PresenceCheck.objects.filter(status=PresenceCheck.Status.CLOSED, held_at__gte=since)
    return list(closed.values_list("site_path", "held_at"))


def expired_presence(cutoff: Any) -> tuple[QuerySet[AbsenceAlert], QuerySet[PresenceCheck]]:
    """Alerts resolved before `cutoff`, and checks held before it (every site:
    retention is the system's)."""
    alerts = AbsenceAlert.objects.filter(resolved_at__lt=cutoff).exclude(
        status=AbsenceAlert.Status.OPEN
    )
    return alerts, PresenceCheck.objects.filter(held_at__lt=cutoff)


def sightings_of_checks(check_ids: list[Any]) -> QuerySet[Sighting]:
    return Sighting.objects.filter(presence_check_id__in=check_ids)


def sightings_about(person: Any) -> QuerySet[Sighting]:
    return Sighting.objects.filter(person=person).select_related(
        "presence_check", "presence_check__site"
    )


def alerts_about(person: Any) -> QuerySet[AbsenceAlert]:
    return AbsenceAlert.objects.filter(person=person)

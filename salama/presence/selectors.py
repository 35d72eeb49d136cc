"""Reads for the presence pages and API, always from presence.access scopes."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from salama.core.models import Site
from salama.presence import access
from salama.presence.models import AbsenceAlert, PresenceCheck
from salama.registry import selectors as registry_selectors
from salama.registry.models import Person

SEARCH_RESULTS = 20


def checks(user: Any, site: Site | None = None, kind: str = "") -> QuerySet[PresenceCheck]:
    found = access.checks_for(user)
    if site is not None:
        found = found.filter(site_path__startswith=site.path)
    if kind in PresenceCheck.Kind.values:
        found = found.filter(kind=kind)
    return found


def alerts(user: Any, status: str = "", site: Site | None = None) -> QuerySet[AbsenceAlert]:
    """Absence alerts in the user's sites; `status` one of AbsenceAlert.Status
    (empty: all), `site` a site and everything under it."""
    found = access.alerts_for(user)
    if status in AbsenceAlert.Status.values:
        found = found.filter(status=status)
    if site is not None:
        found = found.filter(site_path__startswith=site.path)
    return found


def site_by_code(user: Any, code: str, perm: Any) -> Site | None:
    if not code:
        return None
    return access.sites_for(user, perm).filter(code=code.strip().upper()).first()


def check_search(user: Any, check: PresenceCheck, query: str) -> list[Person]:
    """People the check covers matching a registration number or the words of
    a name (registry search rules: survivors' names only for roles that see them)."""
    if not query.strip():
        return []
    found = registry_selectors.person_search(user, query).filter(
        site_path__startswith=check.site_path
    )
    return registry_selectors.masked_for_list(user, found[:SEARCH_RESULTS])


def seen_people(user: Any, check: PresenceCheck) -> list[Any]:
    sightings = list(access.sightings_of(check).order_by("-at", "-id"))
    shown = registry_selectors.masked_for_list(user, [s.person for s in sightings])
    for sighting, person in zip(sightings, shown, strict=True):
        sighting.person = person
    return sightings


@dataclass
class AlertRow:
    alert: AbsenceAlert
    person: Person


def alert_rows(user: Any, alerts: Any) -> list[AlertRow]:
    shown = list(alerts)
    persons = registry_selectors.masked_for_list(user, [a.person for a in shown])
    return [AlertRow(a, p) for a, p in zip(shown, persons, strict=True)]

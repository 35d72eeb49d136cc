"""Reads of the registry, always starting from registry.access scopes."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from salama.core import access as core_access
from salama.core.roles import Role
from salama.lib.masking import MASK
from salama.registry import access
from salama.registry.forms import NAME_PARTS
from salama.registry.households import site_path_ancestors
from salama.registry.models import Household, Person

PAGE_SIZE = 25


def registry_counts(user: Any) -> dict[str, int]:
    return {
        "households": access.households_for(user).count(),
        "persons": access.persons_for(user).count(),
    }


def person_search(user: Any, query: str = "") -> QuerySet[Person]:
    """Persons in scope whose names, registration number or document number
    contain every word of the query. (Cross-script fuzzy matching is the
    linkage engine's job.)"""
    persons = access.persons_for(user).select_related("household")
    # Survivors' names are not searchable by roles that may not see them.
    names_searchable = Q() if core_access.sees_survivor_names(user) else Q(mask_name=False)
    for word in query.split()[:6]:
        by_name = Q()
        for part in NAME_PARTS:
            by_name |= Q(**{f"{part}__icontains": word})
        match = Q(registration_number__iexact=word) | Q(documents__number__iexact=word)
        persons = persons.filter(match | (by_name & names_searchable))
    return persons.distinct().order_by("registration_number")


def household_search(user: Any, query: str = "") -> QuerySet[Household]:
    """Households in scope by registration number or shelter."""
    households = access.households_for(user).order_by("registration_number")
    for word in query.split()[:4]:
        households = households.filter(
            Q(registration_number__iexact=word) | Q(shelter__icontains=word)
        )
    return households


def masked_for_list(user: Any, persons: Any) -> list[Person]:
    """Persons for a list or search result, survivors' names replaced by a
    mask unless the user's role needs them (PROTECTION.md 8). The instances
    are display copies: they are never saved."""
    shown = list(persons)
    if core_access.sees_survivor_names(user):
        return shown
    for person in shown:
        if person.mask_name:
            for part in NAME_PARTS:
                setattr(person, part, MASK)
    return shown


def paginate(queryset: QuerySet[Any], page: Any, size: int = PAGE_SIZE) -> Page:  # type: ignore[type-arg]
    return Paginator(queryset, size).get_page(page)


CHILD_PROTECTION_ROLES = (Role.CASEWORKER, Role.PROTECTION_OFFICER)


def child_protection_staff(site_path: str) -> QuerySet[Any]:
    """Active caseworkers and protection officers, of any organisation, whose
    memberships cover the site at `site_path` (the site or one above it)."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__role__in=[r.value for r in CHILD_PROTECTION_ROLES],
            memberships__sites__path__in=site_path_ancestors(site_path),
        )
        .distinct()
        .order_by("pk")
    )

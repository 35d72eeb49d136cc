"""Reads of the registry, always starting from registry.access scopes."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from salama.registry import access
from salama.registry.forms import NAME_PARTS
from salama.registry.models import Person

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
    for word in query.split()[:6]:
        match = Q(registration_number__iexact=word) | Q(documents__number__iexact=word)
        for part in NAME_PARTS:
            match |= Q(**{f"{part}__icontains": word})
        persons = persons.filter(match)
    return persons.distinct().order_by("registration_number")


def paginate(queryset: QuerySet[Any], page: Any, size: int = PAGE_SIZE) -> Page:  # type: ignore[type-arg]
    return Paginator(queryset, size).get_page(page)

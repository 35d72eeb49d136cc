"""The navigation's entry for civil registration."""

from typing import Any

from django import template

from salama.core import access as core_access
from salama.core.roles import Perm

register = template.Library()


@register.simple_tag(takes_context=True)
def civil_nav(context: Any) -> bool:
    user = getattr(context.get("request"), "user", None)
    return bool(user and user.is_authenticated and core_access.has_perm(user, Perm.CIVIL_VIEW))


@register.simple_tag(takes_context=True)
def civil_records_of(context: Any, person: Any) -> Any:
    """The civil records of the user's office in which the person is a party
    (for the person page), or None for a user without civil registration."""
    user = getattr(context.get("request"), "user", None)
    if not (user and user.is_authenticated and core_access.has_perm(user, Perm.CIVIL_VIEW)):
        return None
    from django.db.models import Q

    from salama.civil import access

    found = access.events_for(user).filter(Q(parties__person=person) | Q(child=person))
    return list(found.distinct()[:20])

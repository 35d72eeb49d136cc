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

"""The navigation's entries for complaints: only for those behind the wall
(and for a service with assistance referrals waiting)."""

from typing import Any

from django import template

from salama.core import access as core_access
from salama.core.roles import Perm

register = template.Library()


@register.simple_tag(takes_context=True)
def complaints_nav(context: Any) -> dict[str, bool]:
    user = getattr(context.get("request"), "user", None)
    if not (user and user.is_authenticated):
        return {}
    from salama.complaints import access

    def has(perm: Perm) -> bool:
        return core_access.has_perm(user, perm)

    return {
        "complaints": has(Perm.COMPLAINT_RECEIVE) or has(Perm.COMPLAINT_INVESTIGATE),
        "desk": has(Perm.COMPLAINT_RECEIVE),
        "assistance": access.reads_assistance(user) and access.assistance_for(user).exists(),
        "figures": has(Perm.COMPLAINT_FIGURES),
        "glass": has(Perm.COMPLAINT_BREAK_GLASS),
    }

"""The navigation's entries for cases and referrals."""

from typing import Any

from django import template

from salama.core import access as core_access
from salama.core.roles import Perm

register = template.Library()


@register.simple_tag(takes_context=True)
def cases_nav(context: Any) -> dict[str, Any]:
    """Whether the navigation shows cases and referrals, and how many
    referrals to the user's services wait for an answer."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return {"cases": False, "referrals": False, "networks": False}
    from salama.cases import access

    receives = core_access.has_perm(user, Perm.REFERRAL_RECEIVE)
    return {
        "cases": core_access.has_perm(user, Perm.CASE_VIEW),
        "networks": core_access.has_perm(user, Perm.NETWORK_VIEW),
        "referrals": receives or core_access.has_perm(user, Perm.CASE_VIEW),
        "waiting": access.incoming_for(user).filter(status="pending").count() if receives else 0,
    }

"""The only way to read early-warning alerts: by the sites where the user sees
aggregates. Alerts hold counts, never a person."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from salama.core import access as core_access
from salama.core.roles import Perm
from salama.registry.selectors import protection_officers
from salama.warning.models import Alert

# Who verifies an alert: the active protection officers covering its site.
__all__ = ["alerts_for", "alerts_at", "get_alert", "may_verify", "protection_officers"]


def alerts_for(user: Any) -> QuerySet[Alert]:
    scope = core_access.site_scope(user, Perm.AGGREGATE_VIEW, "site_path")
    if scope is None:
        return Alert.objects.none()
    return Alert.objects.filter(scope).select_related("site")


def get_alert(user: Any, pk: object) -> Alert:
    try:
        return alerts_for(user).get(pk=int(str(pk)))
    except (Alert.DoesNotExist, ValueError):
        raise Http404 from None


def may_verify(user: Any, alert: Alert) -> bool:
    scope = core_access.site_scope(user, Perm.WARNING_VERIFY, "site_path")
    return scope is not None and Alert.objects.filter(scope, pk=alert.pk).exists()


def alerts_at(site: Any, signals: list[str]) -> QuerySet[Alert]:
    """A site's alerts of some signals, for the system itself (the demo's
    verifications); never for a page."""
    return Alert.objects.filter(site=site, signal__in=signals)

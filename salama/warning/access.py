"""The only way to read early-warning alerts: by the sites where the user sees
aggregates. Alerts hold counts, never a person."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from salama.core import access as core_access
from salama.core.roles import Perm
from salama.registry.selectors import protection_officers
from salama.warning.models import Alert

# Who verifies an alert: the active protection officers covering its site.
__all__ = [
    "alerts_for",
    "alerts_at",
    "get_alert",
    "may_verify",
    "protection_officers",
    "verifiable_ids",
]


def alerts_for(user: Any) -> QuerySet[Alert]:
    """Alerts of the camps where the user sees aggregates; those of a zone or block
    only where the user verifies them: that a block's count rose says more about
    its few households than a camp's figure."""
    scope = core_access.site_scope(user, Perm.AGGREGATE_VIEW, "site_path")
    if scope is None:
        return Alert.objects.none()
    verifies = core_access.site_scope(user, Perm.WARNING_VERIFY, "site_path")
    camps = ~Q(site__kind="")
    visible = scope & (camps | verifies) if verifies is not None else scope & camps
    return Alert.objects.filter(visible).select_related("site")


def verifiable_ids(user: Any, ids: list[int]) -> set[int]:
    """Which of these alerts the user verifies (and so sees exact counts of)."""
    scope = core_access.site_scope(user, Perm.WARNING_VERIFY, "site_path")
    if scope is None:
        return set()
    return set(Alert.objects.filter(scope, pk__in=ids).values_list("pk", flat=True))


def get_alert(user: Any, pk: object) -> Alert:
    try:
        return alerts_for(user).get(pk=int(str(pk)))
    except (Alert.DoesNotExist, ValueError):
        raise Http404 from None


def may_verify(user: Any, alert: Alert) -> bool:
    return alert.pk in verifiable_ids(user, [alert.pk])


def alerts_at(site: Any, signals: list[str]) -> QuerySet[Alert]:
    """A site's alerts of some signals, for the system itself (the demo's
    verifications); never for a page."""
    return Alert.objects.filter(site=site, signal__in=signals)

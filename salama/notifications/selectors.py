"""Reads on notifications: a user's own list and channels, and the delivery
log of the users an administrator manages."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F, QuerySet

from salama.core.models import Membership
from salama.core.roles import ROLE_PERMISSIONS, Perm
from salama.notifications.models import ChannelPreference, Delivery, Notification

PAGE_SIZE = 25


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_of(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    """Unread first, then newest first."""
    notifications = Notification.objects.filter(recipient=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by(F("read_at").desc(nulls_first=True), "-created", "-id")


def channels_of(user: Any) -> ChannelPreference:
    """The user's channel choices, or the defaults (not yet saved)."""
    return ChannelPreference.objects.filter(user=user).first() or ChannelPreference(user=user)


def administered_organisation_ids(user: Any) -> list[int]:
    roles = [role.value for role, perms in ROLE_PERMISSIONS.items() if Perm.ADMINISTER in perms]
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return list(
        Membership.objects.filter(user=user, role__in=roles).values_list(
            "organisation_id", flat=True
        )
    )


def deliveries_for_administrator(user: Any, *, failed_only: bool = False) -> QuerySet[Delivery]:
    """Deliveries to members of the organisations `user` administers, newest first."""
    members = get_user_model().objects.filter(
        memberships__organisation_id__in=administered_organisation_ids(user)
    )
    deliveries = Delivery.objects.filter(notification__recipient__in=members)
    if failed_only:
        deliveries = deliveries.filter(
            status__in=[Delivery.Status.FAILED, Delivery.Status.RETRYING]
        )
    return deliveries.select_related("notification__recipient").order_by("-created")

"""A notification belongs to its recipient: anyone else gets 404."""

from typing import Any

from django.http import Http404

from salama.notifications.models import Notification


def get_own_notification(user: Any, pk: object) -> Notification:
    try:
        return Notification.objects.get(pk=int(str(pk)), recipient=user)
    except (ValueError, Notification.DoesNotExist):
        raise Http404 from None

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from salama.notifications.selectors import unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The unread count shown in the header: one count query, made only when
    a template shows it; 0 for anyone not signed in."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}

from typing import Any

from django.http import HttpRequest


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The unread count shown in the header."""
    return {"unread_notifications": 0}

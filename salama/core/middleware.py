"""Session limits and cache headers (PROTECTION.md 23, 24)."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

Handler = Callable[[HttpRequest], HttpResponse]

SESSION_STARTED = "salama_session_started"


def session_limits(get_response: Handler) -> Handler:
    """End a session that has lasted longer than the absolute limit.

    The idle timeout is Django's own (SESSION_COOKIE_AGE renewed each request).
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED] = now
            elif now - float(started) > settings.SALAMA_SESSION_ABSOLUTE_SECONDS:
                logout(request)
        return get_response(request)

    return middleware


def no_store(get_response: Handler) -> Handler:
    """Nothing a signed-in user sees is kept in a browser or proxy cache."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if not request.path.startswith("/" + settings.STATIC_URL.strip("/")):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response

    return middleware


def method_not_allowed_page(get_response: Handler) -> Handler:
    """A page opened the wrong way (a link to an action that needs a form) says so,
    instead of Django's empty 405; machine clients (API, OpenRosa) keep theirs."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if (
            response.status_code == 405
            and not response.content
            and not request.path.startswith(("/api/", "/openrosa/"))
        ):
            page = render(request, "405.html", status=405)
            if "Allow" in response:
                page["Allow"] = response["Allow"]
            return page
        return response

    return middleware

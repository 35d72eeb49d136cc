"""Session limits and cache headers (PROTECTION.md 23, 24)."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

Handler = Callable[[HttpRequest], HttpResponse]

SESSION_STARTED = "salama_session_started"
SESSION_SEEN = "salama_session_seen"
# The idle stamp is refreshed (and the session row written) at most this often: every
# read would otherwise write the session row, and writes queue behind each other.
SEEN_REFRESH_SECONDS = 60


def session_limits(get_response: Handler) -> Handler:
    """End a session idle longer than SESSION_COOKIE_AGE, or older than the absolute limit.

    The session row is saved only when it changes (SESSION_SAVE_EVERY_REQUEST is off):
    the idle stamp changes once a minute at most, and each save sets the row's expiry to
    SESSION_COOKIE_AGE from then, so a session expires at most that long after its last
    request (and at least that long less a minute).
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session = request.session
            now = time.time()
            started = session.get(SESSION_STARTED)
            seen = session.get(SESSION_SEEN)  # None in a session older than the stamp
            if started is None:
                session[SESSION_STARTED] = session[SESSION_SEEN] = now
            elif now - float(started) > settings.SALAMA_SESSION_ABSOLUTE_SECONDS or (
                seen is not None and now - float(seen) > settings.SESSION_COOKIE_AGE
            ):
                logout(request)
            elif seen is None or now - float(seen) >= SEEN_REFRESH_SECONDS:
                session[SESSION_SEEN] = now  # saved, with a new expiry, by SessionMiddleware
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

"""Every page with personal data is behind `staff_page`: signed in, and
two-factor verified where enforcement is on."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect

from salama.core import access
from salama.core.roles import ROLES_NEEDING_2FA

View = Callable[..., HttpResponseBase]


def needs_second_factor(request: HttpRequest) -> bool:
    if not settings.SALAMA_ENFORCE_2FA:
        return False
    user = request.user
    return bool(access.roles(user) & ROLES_NEEDING_2FA) and not user.is_verified()  # type: ignore[union-attr]


def staff_page(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if needs_second_factor(request):
            return redirect("otp")
        return view(request, *args, **kwargs)

    return wrapper


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"

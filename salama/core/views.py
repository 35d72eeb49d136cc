import base64
from io import BytesIO
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from salama.core import selectors
from salama.core.decorators import needs_second_factor, staff_page
from salama.core.forms import OtpForm
from salama.core.models import UserPreference


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


def locked_out(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """The same answer for every locked-out name, known or not (PROTECTION.md 22)."""
    return render(
        request,
        "core/login.html",
        {"locked": True, "form": None},
        status=429,
    )


@login_required
def otp(request: HttpRequest) -> HttpResponse:
    """Two-factor step: enrol a TOTP authenticator the first time, then verify."""
    if not needs_second_factor(request):
        return redirect("home")
    device = TOTPDevice.objects.devices_for_user(request.user, confirmed=True).first()  # type: ignore[attr-defined]
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=request.user, name="authenticator", confirmed=False
            )
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _why = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", _("Too many wrong codes. Wait a few seconds and try again."))
        elif device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect("home")
        else:
            form.add_error("token", _("That code is not valid. Check the time on your phone."))
    context = {"form": form, "enrolling": enrolling}
    if enrolling:
        image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
        buffer = BytesIO()
        image.save(buffer)
        context["qr_svg"] = buffer.getvalue().decode()
        context["secret"] = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "core/otp.html", context)


@staff_page
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"summary": selectors.home_summary(request.user)})


@require_POST
@staff_page
def preferences(request: HttpRequest) -> HttpResponse:
    script = request.POST.get("name_script", "latin")
    if script in {"latin", "original"}:
        UserPreference.objects.update_or_create(
            user=request.user,  # type: ignore[misc]
            defaults={"name_script": script},
        )
    return redirect(safe_next(request))


def safe_next(request: HttpRequest) -> str:
    """The page to return to, only if it is on this site."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth import logout

    logout(request)
    return redirect("login")

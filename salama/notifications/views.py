"""Notification pages: a user's own list and channels, and the delivery log
for administrators. Thin: reads from selectors/access, writes via actions."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from salama.core import access as core_access
from salama.core.decorators import is_htmx, staff_page
from salama.core.roles import Perm
from salama.notifications import access, actions, selectors


def _page(queryset: QuerySet, number: str | None) -> Page:  # type: ignore[type-arg]
    return Paginator(queryset, selectors.PAGE_SIZE).get_page(number)


def _list_response(request: HttpRequest, params: dict[str, str]) -> HttpResponse:
    unread_only = params.get("show") == "unread"
    context = {
        "page": _page(
            selectors.notifications_of(request.user, unread_only=unread_only), params.get("page")
        ),
        "show": "unread" if unread_only else "all",
    }
    if is_htmx(request):
        return render(request, "notifications/_partials/notification_list.html", context)
    return render(request, "notifications/list.html", context)


@require_http_methods(["GET"])
@staff_page
def notification_list(request: HttpRequest) -> HttpResponse:
    return _list_response(request, request.GET.dict())


def _back_to_list(request: HttpRequest) -> HttpResponse:
    if is_htmx(request):
        return _list_response(request, request.POST.dict())
    return redirect("notification_list")


@require_POST
@staff_page
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = access.get_own_notification(request.user, pk)
    actions.notification_mark_read(user=request.user, notification=notification)
    return _back_to_list(request)


@require_POST
@staff_page
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read and go to the record; the link is checked to stay inside Salama."""
    notification = access.get_own_notification(request.user, pk)
    actions.notification_mark_read(user=request.user, notification=notification)
    if not url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        raise Http404
    return redirect(notification.link)


@require_POST
@staff_page
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = actions.notifications_mark_all_read(user=request.user)
    if not is_htmx(request):
        text = ngettext(
            "%(count)d notification marked read.", "%(count)d notifications marked read.", count
        )
        messages.success(request, text % {"count": count})
    return _back_to_list(request)


@require_http_methods(["GET", "POST"])
@staff_page
def notification_preferences(request: HttpRequest) -> HttpResponse:
    preference = selectors.channels_of(request.user)
    error = ""
    if request.method == "POST":
        email = request.POST.get("email") == "on"
        webhook = request.POST.get("webhook") == "on"
        if email and not request.user.email:  # type: ignore[union-attr]
            error = _(
                "Email needs an email address on your account; ask an administrator to add one."
            )
        elif webhook and not settings.SALAMA_WEBHOOK_URL:
            error = _("No SMS gateway or webhook is configured on this server.")
        else:
            actions.channels_set(user=request.user, email=email, webhook=webhook)
            messages.success(request, _("Your notification channels were saved."))
            return redirect("notification_preferences")
    context = {
        "preference": preference,
        "email_address": request.user.email,  # type: ignore[union-attr]
        "webhook_available": bool(settings.SALAMA_WEBHOOK_URL),
        "error": error,
    }
    return render(request, "notifications/preferences.html", context, status=400 if error else 200)


@require_http_methods(["GET"])
@staff_page
def delivery_log(request: HttpRequest) -> HttpResponse:
    if not core_access.has_perm(request.user, Perm.ADMINISTER):
        raise Http404
    failed_only = request.GET.get("failed") == "1"
    deliveries = selectors.deliveries_for_administrator(request.user, failed_only=failed_only)
    context = {"page": _page(deliveries, request.GET.get("page")), "failed_only": failed_only}
    return render(request, "notifications/deliveries.html", context)

"""The public complaint pages: /complaints/new and /complaints/status/. No
account, no JavaScript, in Arabic, French and English. A complainant may stay
anonymous; they get a receipt code, shown once, with which they see the
status, the receiving organisation and the feedback, and add information.
A wrong code tells nothing. Spam resistance as on the missing-persons page
(salama/tracing/views_public.py): a field robots fill, a signed time, a form
stored once, hourly limits per client counted by a keyed hash of its network."""

import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from salama.complaints import access, actions
from salama.complaints.common import ComplaintError
from salama.complaints.forms import AddForm, PublicIntakeForm, ReceiptForm
from salama.complaints.models import PublicHit
from salama.complaints.selectors import PUBLIC_STATUS
from salama.lib.tracing import public as rules
from salama.tracing.views_public import client_key, form_stamp, stamp_read

SESSION_KEY = "salama_complaint"
SESSION_SECONDS = 15 * 60
GET_POST = require_http_methods(["GET", "POST"])


def _hits(kind: str, client: str) -> int:
    since = timezone.now() - timedelta(hours=1)
    return PublicHit.objects.filter(kind=kind, key=client, at__gte=since).count()


def _limited(request: HttpRequest, reason: str) -> HttpResponse:
    response = render(request, "complaints/public/limited.html", {"reason": reason}, status=429)
    response["Retry-After"] = "3600"
    return response


def _form_page(
    request: HttpRequest, form: PublicIntakeForm, status: int = 200, note: str = ""
) -> HttpResponse:
    return render(
        request,
        "complaints/public/new.html",
        {
            "form": form,
            "note": note,
            "files_again": bool(request.FILES) and form.is_bound,
            "has_receivers": len(form.fields["receiver"].choices) > 1,  # type: ignore[attr-defined]
        },
        status=status,
    )


def _refused(request: HttpRequest, note: str) -> HttpResponse:
    data = request.POST.copy()
    data["stamp"] = form_stamp()
    form = PublicIntakeForm(data)
    form.is_valid()
    form.errors.clear()
    return _form_page(request, form, status=400, note=note)


@never_cache
@GET_POST
def new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _form_page(request, PublicIntakeForm(initial={"stamp": form_stamp()}))
    form = PublicIntakeForm(request.POST, request.FILES)
    if request.POST.get("website"):
        return _refused(request, _("This form could not be sent."))
    verdict, form_key = stamp_read(str(request.POST.get("stamp", "")))
    if verdict != rules.FRESH or form_key is None:
        return _refused(
            request, _("This form could not be sent. Please check it and send it again.")
        )
    client = client_key(request)
    if _hits("complaint", client) >= settings.SALAMA_COMPLAINTS_PUBLIC_PER_CLIENT:
        return _limited(request, "client")
    if not form.is_valid():
        return _form_page(request, form, status=400)
    try:
        received = actions.public_complaint_take(
            intake=form.intake((get_language() or "en")[:2]), client=client, form_key=form_key
        )
    except actions.AlreadySent:
        return render(request, "complaints/public/sent_twice.html", status=409)
    except ComplaintError as error:
        form.show_errors(error.errors)
        return _form_page(request, form, status=400)
    # Shown on this answer only (no-store), never in a URL or a message.
    return render(
        request,
        "complaints/public/receipt.html",
        {"code": received.code, "organisation": received.complaint.organisation.name},
    )


def _opened(request: HttpRequest) -> Any:
    held = request.session.get(SESSION_KEY)
    if not isinstance(held, dict) or float(held.get("until", 0)) < time.time():
        request.session.pop(SESSION_KEY, None)
        return None
    return access.for_complainant(held.get("complaint"))


def _status_page(
    request: HttpRequest, complaint: Any, adds: AddForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "complaint": complaint,
        "state": PUBLIC_STATUS.get(complaint.status, ""),
        "feedback": list(complaint.feedback.all()),
        "adds": adds or AddForm(),
    }
    return render(request, "complaints/public/status.html", context, status=status)


@never_cache
@GET_POST
def status(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        complaint = _opened(request)
        if complaint is not None:
            return _status_page(request, complaint)
        return render(request, "complaints/public/lookup.html", {"form": ReceiptForm()})
    step = request.POST.get("step")
    if step == "leave":
        request.session.pop(SESSION_KEY, None)
        return redirect("complaint_status")
    if step == "add":
        return _adds(request)
    return _lookup(request)


def _lookup(request: HttpRequest) -> HttpResponse:
    client = client_key(request)
    if _hits("lookup", client) >= settings.SALAMA_COMPLAINTS_LOOKUPS_PER_CLIENT:
        return _limited(request, "lookup")
    form = ReceiptForm(request.POST)
    complaint = actions.receipt_lookup(form.data.get("code", "")) if form.is_valid() else None
    if complaint is None:
        actions.public_hit("lookup", client)
        return render(
            request,
            "complaints/public/lookup.html",
            {"form": ReceiptForm(), "failed": True},
            status=200,
        )
    request.session.cycle_key()
    request.session[SESSION_KEY] = {
        "complaint": str(complaint.pk),
        "until": time.time() + SESSION_SECONDS,
    }
    return redirect("complaint_status")


def _adds(request: HttpRequest) -> HttpResponse:
    complaint = _opened(request)
    if complaint is None:
        messages.info(
            request,
            _("For your safety the complaint closed after 15 minutes. Enter your code again."),
        )
        return redirect("complaint_status")
    form = AddForm(request.POST, request.FILES)
    if not form.is_valid():
        return _status_page(request, complaint, form, status=400)
    files = [
        (f.name or "file", f.content_type or "", f.read()) for f in form.cleaned_data["evidence"]
    ]
    try:
        actions.complainant_adds(complaint=complaint, text=form.cleaned_data["text"], files=files)
    except ComplaintError as error:
        for message in error.errors.values() or [str(error)]:
            form.add_error(None, message)
        return _status_page(request, complaint, form, status=400)
    messages.success(request, _("Thank you. The focal point has what you added."))
    return redirect("complaint_status")

"""The public pages, under /missing/: no account, no JavaScript needed.

Anyone may report a missing or a found person, and with the reference and
PIN they were given, see what the desk can tell them and add information.
Nothing on these pages says whether anyone is in the registry: the answer
to a report is the same whether or not it matched someone, and the status
page says nothing about any person (a located person decides what the
reporter learns).

Spam and guessing are resisted without a third-party service: a field
people never see (a robot fills it), a signed time (a person needs a few
seconds; a form open for hours is sent again), a form stored once, and
hourly limits per client and per desk counted in the database (several
servers answer). A client is counted by a keyed hash of its address, never
by the address itself. docs/tracing.md#the-public-report-page"""

import re
import secrets
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from salama.lib.tracing import public as rules
from salama.tracing import access, actions
from salama.tracing.forms_public import (
    PublicReportForm,
    ReporterAddsForm,
    StatusLookupForm,
    site_name,
)
from salama.tracing.models import KINDS, PublicLimitHit
from salama.tracing.reports import ReportError, clean_report

STAMP_SALT = "salama.tracing.public.form"
# The report a reporter opened with its PIN, in their session for a while.
SESSION_KEY = "salama_tracing_report"
SESSION_SECONDS = 15 * 60
HOUR = 3600
GET_POST = require_http_methods(["GET", "POST"])
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


# --- Spam resistance and rate limits ---


def _keyed(purpose: str, value: str) -> str:
    return salted_hmac(f"salama.tracing.public.{purpose}", value, algorithm="sha256").hexdigest()


def client_key(request: HttpRequest) -> str:
    """The client as the limits count it: a keyed hash of its address (as the
    server's proxy handling set REMOTE_ADDR), never the address."""
    return _keyed("client", rules.client_network(str(request.META.get("REMOTE_ADDR", ""))))


def form_stamp(at: float | None = None) -> str:
    """A signed value for one report form: when it was shown, and a one-time
    value so that the same form is stored once."""
    return signing.dumps(
        {"t": time.time() if at is None else at, "n": secrets.token_hex(16)}, salt=STAMP_SALT
    )


def stamp_read(value: str) -> tuple[str, str | None]:
    """(verdict, the form's key) of a sent stamp; an unreadable one is "bad"."""
    try:
        stamp = signing.loads(value, salt=STAMP_SALT)
        sent_at, nonce = float(stamp["t"]), str(stamp["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return "bad", None
    verdict = rules.form_age_verdict(
        time.time() - sent_at,
        settings.SALAMA_TRACING_PUBLIC_FORM_MIN_SECONDS,
        settings.SALAMA_TRACING_PUBLIC_FORM_MAX_SECONDS,
    )
    return verdict, _keyed("form", nonce)


def _hour_ago() -> Any:
    return timezone.now() - timedelta(seconds=HOUR)


def _limited(request: HttpRequest, reason: str, desk: Any = None) -> HttpResponse:
    response = render(
        request, "tracing/public/limited.html", {"reason": reason, **_desk_facts(desk)}, status=429
    )
    response["Retry-After"] = str(HOUR)
    return response


# --- The report page ---


def _desk_facts(desk: Any) -> dict[str, Any]:
    if desk is None:
        return {}
    language = (get_language() or "en").split("-")[0]
    return {
        "desk_site": site_name(desk.site),
        "desk_place": desk.place_in(language),
        "desk_hours": desk.hours_in(language),
    }


def _report_page(
    request: HttpRequest, form: PublicReportForm, status: int = 200, note: str = ""
) -> HttpResponse:
    return render(
        request,
        "tracing/public/report.html",
        {"form": form, "note": note, "photo_again": bool(request.FILES) and form.is_bound},
        status=status,
    )


def _refused(request: HttpRequest, desks: list[Any], stamp: str, note: str) -> HttpResponse:
    """The form again with what was typed, a new stamp, and why it was not sent."""
    data = request.POST.copy()
    data["stamp"] = stamp
    form = PublicReportForm(data, desks=desks)
    form.is_valid()
    form.errors.clear()
    return _report_page(request, form, status=400, note=note)


# Why a form from a robot, or a stale one, was not taken.
_STAMP_NOTES = {
    "bad": gettext_lazy("This form could not be sent. Please check it and send it again."),
    rules.TOO_FAST: gettext_lazy("That was very fast. Please check the form, then send it again."),
    rules.TOO_OLD: gettext_lazy(
        "This page was open for a long time. Please check the form, then send it again."
    ),
}


def _screened(
    request: HttpRequest, desks: list[Any], form: PublicReportForm
) -> tuple[HttpResponse | None, str]:
    """A refusal of a robot's form, a stale one or one sent before; else
    None and the form's key (it is stored once)."""
    if form.honeypot_filled:
        return _refused(request, desks, form_stamp(), _("This form could not be sent.")), ""
    verdict, form_key = stamp_read(str(request.POST.get("stamp", "")))
    if verdict != rules.FRESH or form_key is None:
        note = str(_STAMP_NOTES.get(verdict, _STAMP_NOTES["bad"]))
        return _refused(request, desks, form_stamp(), note), ""
    if access.public_form_sent(form_key):
        return render(request, "tracing/public/sent_twice.html", status=409), ""
    return None, form_key


@never_cache
@GET_POST
def report(request: HttpRequest) -> HttpResponse:
    desks = list(access.public_desks())
    if request.method != "POST":
        form = PublicReportForm(desks=desks, initial={"stamp": form_stamp()})
        return _report_page(request, form)
    form = PublicReportForm(request.POST, request.FILES, desks=desks)
    refusal, form_key = _screened(request, desks, form)
    if refusal is not None:
        return refusal
    client = client_key(request)
    if access.public_hits(PublicLimitHit.Kind.REPORT, client, _hour_ago()) >= (
        settings.SALAMA_TRACING_PUBLIC_REPORTS_PER_CLIENT
    ):
        return _limited(request, "client")
    data = None
    if form.is_valid():
        try:
            data = clean_report(form.report_data())
        except ReportError as error:
            form.show_errors(error.errors)
    if data is None:
        return _report_page(request, form, status=400)
    desk = form.desks[form.cleaned_data["desk"]]
    if (
        access.public_reports_at_desk(desk, _hour_ago())
        >= settings.SALAMA_TRACING_PUBLIC_REPORTS_PER_DESK
    ):
        return _limited(request, "desk", desk)
    try:
        taken = actions.public_report_take(
            desk=desk,
            data=data,
            client=client,
            form=form_key,
            photo=form.cleaned_data.get("photo"),
        )
    except actions.AlreadySent:
        return render(request, "tracing/public/sent_twice.html", status=409)
    except ReportError as error:
        form.show_errors(error.errors)
        return _report_page(request, form, status=400)
    # Shown on this answer only (no-store), never in a URL: the PIN is kept as a hash.
    return render(
        request,
        "tracing/public/receipt.html",
        {"reference": taken.report.reference, "pin": taken.pin, **_desk_facts(desk)},
    )


# --- The status page ---


def _normal_reference(value: str) -> str:
    text = re.sub(r"[\s\-_]+", "", value).upper()
    return f"{text[:2]}-{text[2:]}" if re.fullmatch(r"[MF]R[A-Z0-9]{8}", text) else value.strip()


def _opened(request: HttpRequest) -> Any:
    """The report this session opened with its PIN in the last minutes, or None."""
    held = request.session.get(SESSION_KEY)
    if not isinstance(held, dict) or float(held.get("until", 0)) < time.time():
        request.session.pop(SESSION_KEY, None)
        return None
    report = access.report_for_reporter(held.get("report"))
    if report is None:
        request.session.pop(SESSION_KEY, None)
    return report


def _status_page(
    request: HttpRequest, report: Any, adds: ReporterAddsForm | None = None, status: int = 200
) -> HttpResponse:
    case = report.case
    desk = access.desk_of_site(case.site)
    context = {
        "report": report,
        "kind": dict(KINDS).get(report.kind, ""),
        "site": site_name(case.site),
        "state": rules.public_state(case.status, case.disclosure),
        "adds": adds or ReporterAddsForm(),
        **_desk_facts(desk),
    }
    return render(request, "tracing/public/status.html", context, status=status)


def _lookup_page(
    request: HttpRequest, form: StatusLookupForm, failed: bool = False
) -> HttpResponse:
    return render(request, "tracing/public/lookup.html", {"form": form, "failed": failed})


@never_cache
@GET_POST
def status(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        report = _opened(request)
        if report is not None:
            return _status_page(request, report)
        return _lookup_page(request, StatusLookupForm())
    step = request.POST.get("step")
    if step == "add":
        return _reporter_adds(request)
    if step == "leave":
        request.session.pop(SESSION_KEY, None)
        return redirect("missing_status")
    return _lookup(request)


def _lookup(request: HttpRequest) -> HttpResponse:
    client = client_key(request)
    if access.public_hits(PublicLimitHit.Kind.LOOKUP, client, _hour_ago()) >= (
        settings.SALAMA_TRACING_PUBLIC_LOOKUPS_PER_CLIENT
    ):
        return _limited(request, "lookup")
    form = StatusLookupForm(request.POST)
    if not form.is_valid():
        return _lookup_page(request, form)
    pin = form.cleaned_data["pin"].strip().translate(_DIGITS)
    report = access.report_by_reference(_normal_reference(form.cleaned_data["reference"]))
    if report is None:
        # The same work as a wrong PIN (a keyed hash), so that an unknown
        # reference takes as long and answers the same.
        actions.pin_digest_unknown(pin)
        opened = False
    else:
        opened = actions.pin_matches(report, pin)
    if not opened or report is None:
        actions.public_lookup_failed(client=client)
        # The same answer for an unknown reference, a wrong PIN and a locked report;
        # the reference stays in the form, so that only the PIN is typed again.
        retry = StatusLookupForm(initial={"reference": form.cleaned_data["reference"]})
        return _lookup_page(request, retry, failed=True)
    request.session.cycle_key()
    request.session[SESSION_KEY] = {
        "report": str(report.pk),
        "until": time.time() + SESSION_SECONDS,
    }
    return redirect("missing_status")


def _reporter_adds(request: HttpRequest) -> HttpResponse:
    report = _opened(request)
    if report is None:
        messages.info(
            request,
            _(
                "For your safety the report closed after 15 minutes."
                " Enter the reference and PIN again."
            ),
        )
        return redirect("missing_status")
    form = ReporterAddsForm(request.POST)
    if not form.is_valid():
        return _status_page(request, report, form, status=400)
    try:
        actions.reporter_adds(report=report, text=form.cleaned_data["text"])
    except actions.TracingError as error:
        form.add_error("text", str(error))
        return _status_page(request, report, form, status=400)
    messages.success(request, _("Thank you. The desk has your information."))
    return redirect("missing_status")

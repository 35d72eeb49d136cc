"""Presence pages: roll calls and distributions, household cards, absence
alerts. Thin: records from presence.access, writes through presence.actions."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from salama.audit.actions import record_list_read
from salama.core import access as core_access
from salama.core.decorators import is_htmx, staff_page
from salama.core.roles import Perm
from salama.presence import access, actions, cards, forms, importer, selectors
from salama.presence.models import AbsenceAlert, PresenceCheck, Sighting
from salama.registry.selectors import paginate


def _require(request: HttpRequest, perm: Perm) -> None:
    if not core_access.has_perm(request.user, perm):
        raise Http404


# --- Checks --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_page
def check_list(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.PRESENCE_RECORD)
    sites = access.sites_for(request.user)
    form = forms.CheckForm(request.POST or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        try:
            check = actions.check_open(
                user=request.user,
                site=form.cleaned_data["site"],
                kind=form.cleaned_data["kind"],
                held_at=form.cleaned_data["held_at"],
            )
        except actions.PresenceError as error:
            form.add_error("held_at", str(error))
        else:
            return redirect("presence_check", pk=check.pk)
    site = selectors.site_by_code(request.user, request.GET.get("site", ""), Perm.PRESENCE_RECORD)
    kind = request.GET.get("kind", "")
    page = paginate(selectors.checks(request.user, site, kind), request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "sites": sites,
        "site": site,
        "kind": kind,
        "kinds": PresenceCheck.Kind.choices,
        "query": _query(site=site.code if site else "", kind=kind),
    }
    return render(request, "presence/checks.html", context)


def _query(**params: str) -> str:
    return "&".join(f"{k}={v}" for k, v in params.items() if v)


def _check_context(request: HttpRequest, check: PresenceCheck, **extra: Any) -> dict[str, Any]:
    seen = selectors.seen_people(request.user, check)
    record_list_read(request.user, [s.person for s in seen])
    return {
        "check": check,
        "seen": seen,
        "open": check.status == PresenceCheck.Status.OPEN,
        "alerts": check.alerts.count() if check.status == PresenceCheck.Status.CLOSED else 0,
        "list_form": forms.ListForm(),
        **extra,
    }


@staff_page
def check_detail(request: HttpRequest, pk: str) -> HttpResponse:
    _require(request, Perm.PRESENCE_RECORD)
    check = access.get_check(request.user, pk)
    return render(request, "presence/check.html", _check_context(request, check))


@require_POST
@staff_page
def check_search(request: HttpRequest, pk: str) -> HttpResponse:
    """People of the check's site by number or name (POST: names stay out of URLs)."""
    _require(request, Perm.PRESENCE_RECORD)
    check = access.get_check(request.user, pk)
    query = request.POST.get("q", "")[:100]
    found = selectors.check_search(request.user, check, query)
    record_list_read(request.user, found)
    context = {"found": found, "seen_ids": access.seen_ids(check), "q": query}
    if is_htmx(request):
        return render(
            request, "presence/_partials/search_results.html", {"check": check, **context}
        )
    return render(request, "presence/check.html", _check_context(request, check, **context))


@require_POST
@staff_page
def check_mark(request: HttpRequest, pk: str) -> HttpResponse:
    """Mark people seen: one found by search, or the ticked members of a scanned card."""
    _require(request, Perm.PRESENCE_RECORD)
    check = access.get_check(request.user, pk)
    method = request.POST.get("method", Sighting.Method.SEARCH)
    if method not in (Sighting.Method.SEARCH, Sighting.Method.SCAN):
        raise Http404
    ids = request.POST.getlist("person")
    persons = list(access.check_persons(request.user, check).filter(pk__in=_uuids(ids)))
    if len(persons) != len(set(ids)):
        raise Http404
    try:
        added = actions.sightings_add(
            user=request.user, check=check, persons=persons, method=method
        )
    except actions.PresenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Marked as seen: %(n)d.") % {"n": added})
    if method == Sighting.Method.SCAN:
        return redirect("presence_scan", pk=check.pk)
    return redirect("presence_check", pk=check.pk)


def _uuids(values: list[str]) -> list[Any]:
    return [core_access.record_uuid(v) for v in values]


@require_POST
@staff_page
def check_unmark(request: HttpRequest, pk: str) -> HttpResponse:
    _require(request, Perm.PRESENCE_RECORD)
    check = access.get_check(request.user, pk)
    person = (
        access.check_persons(request.user, check)
        .filter(pk=core_access.record_uuid(request.POST.get("person", "")))
        .first()
    )
    if person is None:
        raise Http404
    try:
        actions.sighting_remove(user=request.user, check=check, person=person)
    except actions.PresenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("No longer marked as seen."))
    return redirect("presence_check", pk=check.pk)


@require_http_methods(["GET", "POST"])
@staff_page
def check_scan(request: HttpRequest, pk: str) -> HttpResponse:
    """The camera page: a card's code (scanned, or typed from the card) shows
    the household's members, all ticked; untick who is not here, then mark."""
    _require(request, Perm.PRESENCE_RECORD)
    check = access.get_check(request.user, pk)
    context: dict[str, Any] = {"check": check, "open": check.status == PresenceCheck.Status.OPEN}
    if request.method == "POST":
        code = request.POST.get("code", "")[:80]
        household = access.household_by_card(request.user, code)
        if household is None or not household.site_path.startswith(check.site_path):
            context["error"] = _(
                "This card is not valid here: revoked, unknown, or of another site."
            )
        else:
            members = registry_access_members(request.user, household)
            record_list_read(request.user, members)
            context.update(household=household, members=members, seen_ids=access.seen_ids(check))
    template = "presence/_partials/card_members.html" if is_htmx(request) else "presence/scan.html"
    return render(request, template, context)


def registry_access_members(user: Any, household: Any) -> list[Any]:
    from salama.registry.selectors import masked_for_list

    return masked_for_list(user, access.household_members(user, household))


@require_POST
@staff_page
def check_import(request: HttpRequest, pk: str) -> HttpResponse:
    _require(request, Perm.PRESENCE_RECORD)
    check = access.get_check(request.user, pk)
    form = forms.ListForm(request.POST, request.FILES)
    errors: list[Any] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            numbers = importer.parse_list(upload.read(), upload.name)
        except importer.ListFileError as error:
            errors = [importer.RowError(0, str(error))]
        else:
            persons, errors = importer.check_list(request.user, check, numbers)
            if not errors:
                try:
                    added = actions.sightings_add(
                        user=request.user,
                        check=check,
                        persons=persons,
                        method=Sighting.Method.IMPORT,
                    )
                except actions.PresenceError as error:
                    errors = [importer.RowError(0, str(error))]
                else:
                    messages.success(
                        request, _("The list marked %(n)d people as seen.") % {"n": added}
                    )
                    return redirect("presence_check", pk=check.pk)
    context = _check_context(request, check, list_errors=errors)
    context["list_form"] = form
    return render(request, "presence/check.html", context, status=400)


@require_http_methods(["GET", "POST"])
@staff_page
def check_finish(request: HttpRequest, pk: str) -> HttpResponse:
    _require(request, Perm.PRESENCE_RECORD)
    check = access.get_check(request.user, pk)
    if request.method == "POST":
        try:
            raised = actions.check_close(user=request.user, check=check)
        except actions.PresenceError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The check is finished. Absence alerts raised: %(n)d.") % {"n": len(raised)},
            )
        return redirect("presence_check", pk=check.pk)
    covered = access.check_persons(request.user, check).count()
    return render(
        request,
        "presence/check_finish.html",
        {"check": check, "covered": covered, "seen": len(access.seen_ids(check))},
    )


# --- Household cards ---------------------------------------------------------------


@staff_page
def card_sites(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.PRESENCE_RECORD)
    sites = access.sites_for(request.user).filter(level="block")
    return render(request, "presence/card_sites.html", {"sites": sites})


def _card_site(request: HttpRequest, code: str) -> Any:
    site = selectors.site_by_code(request.user, code, Perm.PRESENCE_RECORD)
    if site is None:
        raise Http404
    return site


@staff_page
def card_block(request: HttpRequest, code: str) -> HttpResponse:
    _require(request, Perm.PRESENCE_RECORD)
    site = _card_site(request, code)
    page = paginate(access.block_households(request.user, site), request.GET.get("page"), 50)
    record_list_read(request.user, page.object_list)
    valid = access.valid_cards(page.object_list)
    rows = [(h, valid.get(h.pk)) for h in page.object_list]
    return render(
        request,
        "presence/card_block.html",
        {"site": site, "page": page, "rows": rows, "pdf": cards.PDF_AVAILABLE},
    )


@require_POST
@staff_page
def card_print(request: HttpRequest, code: str) -> HttpResponse:
    """Every household of the block gets its card (issued now if it had none),
    as a PDF to print; the same codes again on a reprint."""
    _require(request, Perm.PRESENCE_RECORD)
    site = _card_site(request, code)
    households = list(access.block_households(request.user, site).select_related("site"))
    if not households:
        messages.error(request, _("No household is registered in this block."))
        return redirect("presence_card_block", code=site.code)
    issued = actions.cards_issue(user=request.user, households=households)
    record_list_read(request.user, households)
    printable = cards.printable(households, issued)
    if cards.PDF_AVAILABLE:
        response = HttpResponse(cards.pdf(printable, site), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="cards-{site.code}.pdf"'
        return response
    return render(request, "presence/cards_print.html", {"site": site, "cards": printable})


@require_http_methods(["GET", "POST"])
@staff_page
def card_revoke(request: HttpRequest, pk: str) -> HttpResponse:
    _require(request, Perm.PRESENCE_RECORD)
    card = access.get_card(request.user, pk)
    household = card.household
    if request.method == "POST":
        actions.card_revoke(user=request.user, card=card)
        messages.success(request, _("The card is revoked; print the block again for a new one."))
        return redirect("presence_card_block", code=household.site.code)
    return render(request, "presence/card_revoke.html", {"card": card, "household": household})


# --- Absence alerts ----------------------------------------------------------------


@staff_page
def alert_list(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.ABSENCE_VIEW)
    status = request.GET.get("status", AbsenceAlert.Status.OPEN)
    if status not in AbsenceAlert.Status.values and status != "all":
        status = AbsenceAlert.Status.OPEN
    site = selectors.site_by_code(request.user, request.GET.get("site", ""), Perm.ABSENCE_VIEW)
    found = selectors.alerts(request.user, "" if status == "all" else status, site)
    page = paginate(found, request.GET.get("page"))
    rows = selectors.alert_rows(request.user, page.object_list)
    record_list_read(request.user, page.object_list)
    context = {
        "page": page,
        "rows": rows,
        "status": status,
        "statuses": AbsenceAlert.Status.choices,
        "site": site,
        "sites": access.sites_for(request.user, Perm.ABSENCE_VIEW),
        "query": _query(status=status, site=site.code if site else ""),
    }
    return render(request, "presence/alerts.html", context)


@staff_page
def alert_detail(request: HttpRequest, pk: str) -> HttpResponse:
    _require(request, Perm.ABSENCE_VIEW)
    alert = access.get_absence_alert(request.user, pk)
    row = selectors.alert_rows(request.user, [alert])[0]
    may_resolve = core_access.has_perm(request.user, Perm.ABSENCE_RESOLVE) and (
        access.alerts_for(request.user, Perm.ABSENCE_RESOLVE).filter(pk=alert.pk).exists()
    )
    context = {
        "alert": alert,
        "person": row.person,
        "open": alert.status == AbsenceAlert.Status.OPEN,
        "may_resolve": may_resolve,
        "safe_form": forms.SafeForm(),
        "reference": actions.alert_reference(alert),
    }
    return render(request, "presence/alert.html", context)


@require_POST
@staff_page
def alert_safe(request: HttpRequest, pk: str) -> HttpResponse:
    _require(request, Perm.ABSENCE_RESOLVE)
    alert = access.get_absence_alert(request.user, pk, Perm.ABSENCE_RESOLVE, audit=False)
    form = forms.SafeForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        actions.absence_alert_confirm_safe(user=request.user, alert=alert, note=note)
    except actions.PresenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Confirmed safe."))
    return redirect("absence_alert", pk=alert.pk)


@require_http_methods(["GET", "POST"])
@staff_page
def alert_dismiss(request: HttpRequest, pk: str) -> HttpResponse:
    _require(request, Perm.ABSENCE_RESOLVE)
    alert = access.get_absence_alert(request.user, pk, Perm.ABSENCE_RESOLVE, audit=False)
    form = forms.DismissForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.absence_alert_dismiss(
                user=request.user, alert=alert, reason=form.cleaned_data["reason"]
            )
        except actions.PresenceError as error:
            form.add_error("reason", str(error))
        else:
            messages.success(request, _("The alert is dismissed."))
            return redirect("absence_alert", pk=alert.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "presence/alert_dismiss.html",
        {"alert": alert, "form": form, "reference": actions.alert_reference(alert)},
        status=status,
    )

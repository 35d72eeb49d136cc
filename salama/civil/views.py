"""Pages of the civil registration desk, under /civil/."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salama.audit.actions import record_list_read
from salama.civil import access, actions, certificates, forms, selectors
from salama.civil.actions import CivilError, Declaration, PartyInput
from salama.civil.certificates import CertificateError
from salama.civil.models import CivilEvent, EventType, Flag, Status
from salama.core import access as core_access
from salama.core.decorators import is_htmx, staff_page
from salama.core.roles import Perm
from salama.registry import access as registry_access
from salama.registry.selectors import paginate


def _require(request: HttpRequest, perm: Perm) -> None:
    if not core_access.has_perm(request.user, perm):
        raise Http404


def _back(event: CivilEvent, anchor: str = "") -> HttpResponse:
    return redirect(f"/civil/{event.pk}/" + (f"#{anchor}" if anchor else ""))


@staff_page
def event_list(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.CIVIL_VIEW)
    form = forms.FilterForm(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    events = selectors.filtered_events(
        request.user,
        q=chosen.get("q") or "",
        event_type=chosen.get("event_type") or "",
        status=chosen.get("status") or "",
    )
    page = paginate(events, request.GET.get("page"))
    record_list_read(request.user, page.object_list, purpose=access.PURPOSE)
    for event in page.object_list:
        event.flag_labels = [Flag(f).label for f in event.flags if f in Flag.values]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "types": EventType.choices,
        "can_register": core_access.has_perm(request.user, Perm.CIVIL_REGISTER),
    }
    if is_htmx(request):
        return render(request, "civil/_partials/event_rows.html", context)
    return render(request, "civil/event_list.html", context)


# ---- declaring ----


def _person(request: HttpRequest, number: str, field: str) -> Any:
    found = registry_access.find_person_by_number(request.user, number, Perm.PERSON_VIEW)
    if found is None:
        raise CivilError(
            _(
                "No person with this registration number is in the registry at your sites "
                "(or no legal basis for civil registration is recorded for them)."
            ),
            field=field,
        )
    return found


def _common_parties(request: HttpRequest, data: dict[str, Any]) -> list[PartyInput]:
    parties = []
    if data.get("informant_number"):
        person = _person(request, data["informant_number"], "informant_number")
        parties.append(PartyInput("informant", person))
    elif data.get("informant_name"):
        parties.append(PartyInput("informant", None, data["informant_name"]))
    for key in ("witness_1", "witness_2"):
        if data.get(key):
            parties.append(PartyInput("witness", None, data[key]))
    return parties


def declaration_from(request: HttpRequest, event_type: str, form: Any) -> Declaration:
    """The declaration a valid form describes; CivilError names the field of
    a registration number that finds nobody."""
    data = form.cleaned_data
    parties: list[PartyInput] = []
    details: dict[str, Any] = {}
    status = Status.DECLARED
    if event_type in {EventType.BIRTH, EventType.STILLBIRTH}:
        parties.append(
            PartyInput("mother", _person(request, data["mother_number"], "mother_number"))
        )
        if data.get("father_number"):
            parties.append(
                PartyInput("father", _person(request, data["father_number"], "father_number"))
            )
        keys = [k for k in form.fields if k.startswith("child_")]
        keys += ["place_type", "weight_grams", "gestation_weeks"]
        details = {k: data[k] for k in keys if k in data and data[k] not in ("", None)}
        if data.get("notified"):
            status = Status.NOTIFIED
    elif event_type in {EventType.MARRIAGE, EventType.DIVORCE}:
        for key in ("spouse_1_number", "spouse_2_number"):
            parties.append(PartyInput("spouse", _person(request, data[key], key)))
        if event_type == EventType.DIVORCE:
            details = {k: data[k] for k in ("marriage_number", "decree") if data.get(k)}
    else:
        parties.append(
            PartyInput("deceased", _person(request, data["deceased_number"], "deceased_number"))
        )
        details = {
            "manner": data["manner"],
            "cause_source": data["cause_source"],
            "causes": form.causes(),
        }
        if data.get("other_conditions"):
            details["other_conditions"] = data["other_conditions"]
    if status == Status.DECLARED or data.get("informant_number") or data.get("informant_name"):
        parties += _common_parties(request, data)
    return Declaration(
        event_type=event_type,
        status=status,
        event_date=data["event_date"],
        place=data["place"],
        officiant_kind=data.get("officiant_kind") or "",
        officiant_name=data.get("officiant_name") or "",
        parties=parties,
        details=details,
        late_evidence=data.get("late_evidence") or "",
        court_authorisation_shown=bool(data.get("court_authorisation_shown")),
        presented_by=data.get("presented_by") or "",
        spouse_leaving_country=bool(data.get("spouse_leaving_country")),
    )


def _form_error(form: Any, exc: CivilError) -> None:
    name = (exc.field or "").removeprefix("details.")
    form.add_error(name if name in form.fields else None, str(exc))


@staff_page
def event_new(request: HttpRequest, event_type: str) -> HttpResponse:
    _require(request, Perm.CIVIL_REGISTER)
    if event_type not in EventType.values:
        raise Http404
    form_class = forms.FORMS[event_type]
    form = form_class(request.POST or None)
    added_id = request.session.pop(ADDED_KEY, None) if request.method == "GET" else None
    context: dict[str, Any] = {
        "form": form,
        "event_type": event_type,
        "label": EventType(event_type).label,
        # A person just added for this declaration: their number, to type in.
        "added": _added(request, added_id),
    }
    if request.method == "POST" and form.is_valid():
        try:
            declared = actions.event_declare(
                user=request.user, declaration=declaration_from(request, event_type, form)
            )
        except CivilError as exc:
            _form_error(form, exc)
        else:
            if declared.stopped is not None:
                # Shown after a redirect: reloading the page does not send the
                # declaration (and count the attempt) again.
                request.session[REFUSAL_KEY] = {
                    "refusals": selectors.refusal_sentences(declared.refusals),
                    "case_reference": declared.case_reference,
                }
                return redirect("civil_refused")
            assert declared.event is not None
            messages.success(request, _("Recorded as %(ref)s.") % {"ref": declared.event.reference})
            return _back(declared.event)
    status = 400 if form.is_bound else 200
    return render(request, "civil/event_new.html", context, status=status)


REFUSAL_KEY = "salama.civil.refusal"
ADDED_KEY = "salama.civil.added"


def _added(request: HttpRequest, person_id: Any) -> Any:
    """The person just added for this declaration, if still in the user's scope."""
    if not person_id:
        return None
    try:
        return registry_access.get_person(request.user, person_id, audit=False)
    except (Http404, registry_access.NoLegalBasis):
        return None


@staff_page
def marriage_refused(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.CIVIL_REGISTER)
    shown = request.session.get(REFUSAL_KEY)
    if not shown:
        return redirect("civil_events")
    return render(request, "civil/marriage_refused.html", shown)


# ---- one record ----


@staff_page
def event_detail(request: HttpRequest, pk: str) -> HttpResponse:
    event = access.get_event(request.user, pk)
    can_register = access.events_for(request.user, Perm.CIVIL_REGISTER).filter(pk=event.pk).exists()
    return render(
        request,
        "civil/event_detail.html",
        selectors.event_page(event, can_register=can_register, error=request.GET.get("e", "")),
    )


def _registering(request: HttpRequest, pk: str) -> CivilEvent:
    return access.get_event(request.user, pk, Perm.CIVIL_REGISTER)


def _run(request: HttpRequest, event: CivilEvent, step: Any, done: str, **kwargs: Any) -> Any:
    try:
        step(user=request.user, event=event, **kwargs)
    except (CivilError, CertificateError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return _back(event)


@staff_page
@require_POST
def event_validate(request: HttpRequest, pk: str) -> HttpResponse:
    event = _registering(request, pk)
    return _run(
        request,
        event,
        actions.event_validate,
        _("Validated."),
        approve_late=request.POST.get("approve_late") == "1",
        note=request.POST.get("note", "")[:1000],
    )


@staff_page
@require_POST
def event_register(request: HttpRequest, pk: str) -> HttpResponse:
    event = _registering(request, pk)
    return _run(request, event, actions.event_register, _("Registered."))


@staff_page
@require_POST
def event_declare_notified(request: HttpRequest, pk: str) -> HttpResponse:
    event = _registering(request, pk)
    informant = PartyInput("informant", None, request.POST.get("informant_name", "")[:120])
    number = request.POST.get("informant_number", "").strip()
    try:
        if number:
            informant.person = _person(request, number, "informant_number")
        actions.event_complete_notification(
            user=request.user,
            event=event,
            informant=informant,
            late_evidence=request.POST.get("late_evidence", "")[:2000],
        )
    except CivilError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Declared."))
    return _back(event)


@staff_page
@require_POST
def event_state_number(request: HttpRequest, pk: str) -> HttpResponse:
    event = _registering(request, pk)
    return _run(
        request,
        event,
        actions.state_number_record,
        _("Recorded."),
        number=request.POST.get("number", ""),
    )


@staff_page
@require_POST
def event_duplicate(request: HttpRequest, pk: str) -> HttpResponse:
    event = _registering(request, pk)
    return _run(
        request,
        event,
        actions.duplicate_decide,
        _("Decided."),
        is_duplicate=request.POST.get("is_duplicate") == "1",
        note=request.POST.get("note", ""),
    )


@staff_page
@require_POST
def event_flag(request: HttpRequest, pk: str) -> HttpResponse:
    event = _registering(request, pk)
    return _run(
        request,
        event,
        actions.review_flag_resolve,
        _("Outcome recorded."),
        code=request.POST.get("code", ""),
        outcome=request.POST.get("outcome", ""),
        note=request.POST.get("note", "")[:1000],
    )


@staff_page
@require_POST
def event_correction_request(request: HttpRequest, pk: str) -> HttpResponse:
    event = _registering(request, pk)
    return _run(
        request,
        event,
        actions.correction_request,
        _("Correction requested."),
        note=request.POST.get("note", ""),
    )


@staff_page
def event_correct(request: HttpRequest, pk: str) -> HttpResponse:
    event = _registering(request, pk)
    form = forms.CorrectionForm(
        request.POST or None,
        initial={
            "event_date": event.event_date,
            "place": event.place,
            "officiant_name": event.officiant_name,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {
            k: data[k]
            for k in ("event_date", "place", "officiant_name")
            if data.get(k) not in (None, "") and data[k] != getattr(event, k)
        }
        try:
            if not changes:
                raise CivilError(_("Nothing was changed."), field="place")
            actions.event_correct(
                user=request.user, event=event, changes=changes, reason=data["reason"]
            )
        except CivilError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Corrected. Its documents were revoked: issue new ones."))
            return _back(event)
    return render(
        request,
        "civil/event_correct.html",
        {"event": event, "form": form},
        status=400 if form.is_bound else 200,
    )


@staff_page
def event_archive(request: HttpRequest, pk: str) -> HttpResponse:
    event = _registering(request, pk)
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.event_archive(
                user=request.user, event=event, reason=form.cleaned_data["reason"]
            )
        except CivilError as exc:
            form.add_error("reason", str(exc))
        else:
            messages.success(request, _("Archived."))
            return _back(event)
    return render(
        request,
        "civil/event_archive.html",
        {"event": event, "form": form},
        status=400 if form.is_bound else 200,
    )


# ---- documents ----


@staff_page
@require_POST
def certificate_new(request: HttpRequest, pk: str) -> HttpResponse:
    event = _registering(request, pk)
    try:
        certificate = certificates.certificate_issue(user=request.user, event=event)
    except CertificateError as exc:
        messages.error(request, str(exc))
        return _back(event, "documents")
    messages.success(request, _("Issued %(serial)s: print it.") % {"serial": certificate.serial})
    return _back(event, "documents")


@staff_page
def certificate_pdf(request: HttpRequest, pk: str, serial: str) -> HttpResponse:
    event = _registering(request, pk)
    certificate = access.get_certificate(request.user, event, serial)
    pdf = certificates.certificate_pdf(user=request.user, certificate=certificate)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate.serial}.pdf"'
    return response


@staff_page
def certificate_revoke(request: HttpRequest, pk: str, serial: str) -> HttpResponse:
    event = _registering(request, pk)
    certificate = access.get_certificate(request.user, event, serial)
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reissue = request.POST.get("reissue") == "1"
        step = certificates.certificate_reissue if reissue else certificates.certificate_revoke
        try:
            step(user=request.user, certificate=certificate, reason=form.cleaned_data["reason"])
        except CertificateError as exc:
            form.add_error("reason", str(exc))
        else:
            messages.success(request, _("Revoked.") if not reissue else _("Revoked and reissued."))
            return _back(event, "documents")
    return render(
        request,
        "civil/certificate_revoke.html",
        {"event": event, "certificate": certificate, "form": form},
        status=400 if form.is_bound else 200,
    )


# ---- someone not yet in the registry ----


@staff_page
def person_add(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.CIVIL_REGISTER)
    sites = selectors.blocks_for(request.user)
    form = forms.MinimalPersonForm(request.POST or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        try:
            person = actions.person_add_minimal(user=request.user, data=form.cleaned_data)
        except CivilError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("Added to the registry as %(number)s: use this number in the declaration.")
                % {"number": person.registration_number},
            )
            back = request.POST.get("next", "")
            # Only back to a declaration form: never an address from outside.
            if back.startswith("/civil/new/") and "?" not in back:
                request.session[ADDED_KEY] = str(person.pk)  # not in the address
                return redirect(back)
            return redirect("civil_events")
    return render(
        request,
        "civil/person_add.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=400 if form.is_bound else 200,
    )


@staff_page
@require_POST
def attachment_new(request: HttpRequest, pk: str) -> HttpResponse:
    event = _registering(request, pk)
    upload = request.FILES.get("file")
    try:
        actions.attachment_add(
            user=request.user,
            event=event,
            kind=request.POST.get("kind", ""),
            name=(upload.name or "") if upload else "",
            content=upload.read(actions.MAX_ATTACHMENT_BYTES + 1) if upload else b"",
        )
    except CivilError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Attached."))
    return _back(event, "attachments")


@staff_page
def attachment_file(request: HttpRequest, pk: str, number: int) -> HttpResponse:
    import base64

    event = _registering(request, pk)
    attachment = event.attachments.filter(pk=number).first()
    if attachment is None:
        raise Http404
    response = HttpResponse(base64.b64decode(attachment.data), content_type=attachment.content_type)
    response["Content-Disposition"] = f'attachment; filename="document-{attachment.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_page
@require_POST
def person_find(request: HttpRequest) -> HttpResponse:
    """The declaration page's finder: names in any script and spelling,
    ranked by the registry's matching engine (names are posted, never in a
    URL); it shows registration numbers to type into the form."""
    from salama.registry import selectors as registry_selectors
    from salama.registry.forms import SearchForm

    _require(request, Perm.CIVIL_REGISTER)
    form = SearchForm(request.POST)
    matches: list[Any] = []
    by_number: list[Any] = []
    if form.is_valid() and form.text():
        best: dict[Any, Any] = {}
        for query in form.queries():
            for match in registry_access.match_persons(request.user, query, top=5):
                known = best.get(match.person.pk)
                if known is None or match.probability > known.probability:
                    best[match.person.pk] = match
        ranked = sorted(best.values(), key=lambda m: -m.probability)[:5]
        matches = registry_selectors.matches_as_seen(request.user, ranked)
        by_number = list(registry_selectors.number_hits(request.user, form.text()))
    shown = [*by_number, *[m.person for m in matches if hasattr(m, "person")]]
    record_list_read(request.user, shown)
    return render(
        request,
        "civil/_partials/found.html" if is_htmx(request) else "civil/person_find.html",
        {"form": form, "matches": matches, "by_number": by_number, "searched": form.is_bound},
        status=200 if form.is_valid() else 400,
    )

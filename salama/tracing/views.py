"""The missing-persons desk's staff pages: the case list, taking a report,
the case page and its actions, the desk's settings and duty roster, and the
printed notice. Thin: cases come from tracing.access, writes go through
tracing.actions, one action per POST."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from salama.audit.actions import record_list_read
from salama.core import access as core_access
from salama.core.decorators import is_htmx, staff_page
from salama.core.fields import decrypt_bytes
from salama.core.roles import Perm, Role
from salama.registry.selectors import HeldMatch, paginate
from salama.tracing import access, actions, forms, selectors
from salama.tracing.models import TracingCase
from salama.tracing.reports import ReportError, clean_report

# The reference and PIN of a report just taken, shown once on its case page.
TAKEN_KEY = "tracing_taken"
PHOTO_MAGIC = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


def _require(request: HttpRequest, perm: Perm) -> None:
    if not core_access.has_perm(request.user, perm):
        raise Http404


def _script(request: HttpRequest) -> str:
    preference = getattr(request.user, "preference", None)
    return str(getattr(preference, "name_script", "latin"))


# ---- The case list ----


@staff_page
def case_list(request: HttpRequest) -> HttpResponse:
    """The user's cases, urgent first: open ones unless the filter asks."""
    _require(request, Perm.TRACING_VIEW)
    form = forms.CaseFilterForm(request.GET or None, sites=selectors.case_sites(request.user))
    chosen = form.cleaned_data if form.is_valid() else {}
    cases = selectors.filtered_cases(
        request.user,
        status=chosen.get("status") or "",
        urgent=chosen.get("urgent") == "1",
        site_id=chosen.get("site") or None,
    )
    page = paginate(cases, request.GET.get("page"))
    record_list_read(request.user, page.object_list, purpose=access.PURPOSE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [(c, selectors.timer(c)) for c in page.object_list],
        "query": query.urlencode(),
        "can_report": core_access.has_perm(request.user, Perm.TRACING_REPORT),
    }
    if is_htmx(request):
        return render(request, "tracing/_partials/case_rows.html", context)
    return render(request, "tracing/case_list.html", context)


# ---- Taking a report ----


def _photo(upload: Any) -> tuple[tuple[bytes, str] | None, str]:
    """The uploaded photo as (bytes, type sniffed from its content)."""
    if not upload:
        return None, ""
    if upload.size > actions.MAX_PHOTO_BYTES:
        return None, _("A photo is at most 5 MB.")
    content = upload.read()
    kind = next((t for magic, t in PHOTO_MAGIC if content.startswith(magic)), "")
    if not kind and content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        kind = "image/webp"
    return (content, kind or "application/octet-stream"), ""


def _alert_for(request: HttpRequest, alert: str, person: Any) -> Any:
    """The absence alert a report is opened from (one the user may resolve,
    about the same person), or None; another one answers 404."""
    if not alert:
        return None
    from salama.presence.access import get_absence_alert

    found = get_absence_alert(request.user, alert, Perm.ABSENCE_RESOLVE)
    if person is None or found.person_id != person.pk:
        raise Http404
    return found


@require_http_methods(["GET", "POST"])
@staff_page
def report_new(request: HttpRequest) -> HttpResponse:
    """A report taken at the desk; with ?person=<id>, made from the registry."""
    _require(request, Perm.TRACING_REPORT)
    desks = list(access.desks_for(request.user, Perm.TRACING_REPORT))
    if not desks:
        return render(request, "tracing/report_new.html", {"no_desk": True})
    source = request.POST if request.method == "POST" else request.GET
    person_pk = (source.get("person") or "").strip()
    person = access.person_for_report(request.user, person_pk) if person_pk else None
    alert = (source.get("alert") or "").strip()[:40]
    absence_alert = _alert_for(request, alert, person)
    status = 200
    if request.method == "POST":
        form = forms.ReportForm(request.POST, request.FILES, desks=desks)
        if form.is_valid():
            try:
                photo, problem = _photo(form.cleaned_data.get("photo"))
                if problem:
                    raise ReportError({"photo": problem})
                data = clean_report(form.report_data())
                desk = next(d for d in desks if d.pk == form.cleaned_data["desk"])
                taken = actions.report_take(
                    user=request.user,
                    desk=desk,
                    data=data,
                    channel="desk",
                    registry_person=person,
                    photo=photo,
                    absence_alert=absence_alert,
                )
            except ReportError as exc:
                form.add_report_errors(exc.errors)
            else:
                request.session[TAKEN_KEY] = {
                    "case": str(taken.case.pk),
                    "reference": taken.report.reference,
                    "pin": taken.pin,
                    "duplicate": taken.duplicate_of.case.reference if taken.duplicate_of else "",
                }
                return redirect("tracing_case", pk=taken.case.pk)
        status = 422
    else:
        initial = forms.prefill_from(person) if person else {}
        form = forms.ReportForm(initial={**initial, "alert": alert}, desks=desks)
    context = {"form": form, "person": person, "names": [form[n] for n in forms.NAME_FIELDS]}
    return render(request, "tracing/report_new.html", context, status=status)


# ---- The case page ----


def _case_context(request: HttpRequest, case: TracingCase, **extra: Any) -> dict[str, Any]:
    user = request.user
    script = _script(request)
    taken = request.session.get(TAKEN_KEY)
    if taken and taken.get("case") == str(case.pk):
        del request.session[TAKEN_KEY]  # shown once, never again
    else:
        taken = None
    candidates = selectors.candidates_for_page(user, case, script)
    subject = selectors.case_person(user, case)
    shown_people = [
        c.candidate.person_id
        for c in candidates.shown
        if not isinstance(c, HeldMatch) and c.candidate.person_id
    ]
    if subject is not None and not isinstance(subject, HeldMatch):
        shown_people.append(subject.pk)
    record_list_read(user, shown_people, model="registry.Person", purpose=access.PURPOSE)
    can_act = access.cases_for(user, Perm.TRACING_ACT).filter(pk=case.pk).exists()
    context = {
        "case": case,
        "taken": taken,
        "reports": selectors.case_reports(case, script, request.user),
        "candidates": candidates,
        "subject": subject,
        "log": selectors.case_log(case),
        "timer": selectors.timer(case),
        "reasons": selectors.urgency_words(case),
        "next_statuses": selectors.next_statuses(case),
        "can_act": can_act,
        "officers": selectors.assignable(case) if can_act else [],
        "act_form": forms.ActionForm(),
        "handover_form": forms.HandoverForm(),
        "located": case.status in {"located", "reunified"} or case.person_id is not None,
    }
    context.update(extra)
    return context


@staff_page
def case_detail(request: HttpRequest, pk: str) -> HttpResponse:
    _require(request, Perm.TRACING_VIEW)
    case = access.get_case(request.user, pk)
    return render(request, "tracing/case_detail.html", _case_context(request, case))


@staff_page
def report_photo(request: HttpRequest, pk: str, report_pk: str) -> HttpResponse:
    """A report's photo, decrypted for this response only and never cached."""
    _require(request, Perm.TRACING_VIEW)
    case = access.get_case(request.user, pk)
    report = access.get_report(case, report_pk)
    photo = getattr(report, "photo", None) if hasattr(report, "photo") else None
    if photo is None:
        raise Http404
    response = HttpResponse(decrypt_bytes(bytes(photo.data)), content_type=photo.content_type)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


def _acting_case(request: HttpRequest, pk: str) -> TracingCase:
    _require(request, Perm.TRACING_ACT)
    return access.get_case(request.user, pk, Perm.TRACING_ACT)


def _refused(request: HttpRequest, case: TracingCase, error: str, **extra: Any) -> HttpResponse:
    """The case page again with the error at the top; nothing was written."""
    context = _case_context(request, case, error=error, **extra)
    return render(request, "tracing/case_detail.html", context, status=422)


def _confirm(
    request: HttpRequest, title: str, lines: list[str], *, danger: bool = False, back: str
) -> HttpResponse | None:
    """A consequential action asks once more, with what will happen, before
    it is taken: None when the POST already carries the confirmation."""
    if request.POST.get("confirmed") == "1":
        return None
    fields = [
        (k, v) for k, values in request.POST.lists() for v in values if k != "csrfmiddlewaretoken"
    ]
    context = {
        "title": title,
        "lines": lines,
        "fields": fields,
        "action": request.path,
        "danger": danger,
        "back": back,
    }
    return render(request, "tracing/confirm.html", context)


def _done(request: HttpRequest, case: TracingCase, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("tracing_case", pk=case.pk)


@require_POST
@staff_page
def case_act(request: HttpRequest, pk: str) -> HttpResponse:
    """A note, a contact, a place searched or a sighting (htmx: the log)."""
    case = _acting_case(request, pk)
    form = forms.ActionForm(request.POST)
    error = ""
    if form.is_valid():
        data: dict[str, Any] = {}
        if form.cleaned_data["place"]:
            data["place"] = form.cleaned_data["place"]
        seen_at = form.cleaned_data.get("seen_at")
        if seen_at and form.cleaned_data["kind"] == "sighting":
            data["seen_at"] = forms.aware(seen_at).isoformat()
        try:
            actions.case_act(
                user=request.user,
                case=case,
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
                **data,
            )
        except actions.TracingError as exc:
            error = str(exc)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if is_htmx(request):
        context = {
            "case": case,
            "log": selectors.case_log(case),
            "act_form": form if error else forms.ActionForm(),
            "act_error": error,
            "can_act": True,
        }
        # htmx swaps 2xx answers only: the error is shown in the partial.
        return render(request, "tracing/_partials/log.html", context)
    if error:
        return _refused(request, case, error, act_form=form, act_error=error)
    return _done(request, case, _("Added to the case's log."))


@require_POST
@staff_page
def case_status(request: HttpRequest, pk: str) -> HttpResponse:
    case = _acting_case(request, pk)
    status = request.POST.get("status", "")
    note = request.POST.get("note", "")[:2000]
    if status not in TracingCase.Status.values:
        return _refused(request, case, _("Unknown status."))
    label = str(TracingCase.Status(status).label)
    asked = _confirm(
        request,
        _("Change the case's status to %(status)s?") % {"status": label},
        [note] if note.strip() else [],
        danger=status in actions.CLOSED_STATES,
        back=reverse("tracing_case", args=[case.pk]),
    )
    if asked:
        return asked
    try:
        actions.case_status_set(user=request.user, case=case, status=status, note=note)
    except actions.TracingError as exc:
        return _refused(request, case, str(exc))
    return _done(request, case, _("Status changed to %(status)s.") % {"status": label})


@require_POST
@staff_page
def candidate_decide(request: HttpRequest, pk: str, candidate_pk: str) -> HttpResponse:
    case = _acting_case(request, pk)
    candidate = access.get_candidate(case, candidate_pk)
    visible = selectors.candidates_for_page(request.user, case, _script(request)).shown
    if not any(getattr(c, "candidate", None) == candidate for c in visible):
        raise Http404  # held back from this viewer, or outside their scope
    decision = request.POST.get("decision")
    if decision not in ("confirm", "reject"):
        return _refused(request, case, _("Choose confirm or not this person."))
    confirmed = decision == "confirm"
    who = (
        f"{candidate.person.registration_number} ({candidate.person.name(_script(request))})"
        if candidate.person
        else candidate.report.reference
        if candidate.report
        else ""
    )
    lines = [
        _("This is %(who)s: the case becomes located.") % {"who": who}
        if confirmed
        else _("%(who)s is not the person looked for.") % {"who": who}
    ]
    asked = _confirm(
        request,
        _("Confirm this candidate?") if confirmed else _("Reject this candidate?"),
        lines,
        back=reverse("tracing_case", args=[case.pk]),
    )
    if asked:
        return asked
    try:
        actions.candidate_decide(
            user=request.user, case=case, candidate=candidate, confirmed=confirmed
        )
    except actions.TracingError as exc:
        return _refused(request, case, str(exc))
    return _done(
        request, case, _("Candidate confirmed.") if confirmed else _("Candidate rejected.")
    )


@require_POST
@staff_page
def case_assign(request: HttpRequest, pk: str) -> HttpResponse:
    case = _acting_case(request, pk)
    chosen = request.POST.get("assignee", "")
    assignee = next((u for u in selectors.assignable(case) if str(u.pk) == chosen), None)
    if assignee is None:
        return _refused(request, case, _("Assign the case to a tracing officer of this desk."))
    try:
        actions.case_assign(user=request.user, case=case, assignee=assignee)
    except actions.TracingError as exc:
        return _refused(request, case, str(exc))
    return _done(request, case, _("Assigned to %(name)s.") % {"name": assignee.username})


@require_POST
@staff_page
def case_disclosure(request: HttpRequest, pk: str) -> HttpResponse:
    """The located person's choice whether the reporter may be told."""
    case = _acting_case(request, pk)
    choice = request.POST.get("agreed")
    if choice not in ("yes", "no"):
        return _refused(request, case, _("Say whether the located person agrees."))
    note = request.POST.get("note", "")[:2000]
    agreed = choice == "yes"
    asked = _confirm(
        request,
        _("Record the located person's choice?"),
        [
            _("The reporter may be told where the person is.")
            if agreed
            else _(
                "The reporter is not told where the person is: the case cannot become "
                "reunified, and the choice is kept."
            ),
            *([note] if note.strip() else []),
        ],
        back=reverse("tracing_case", args=[case.pk]),
    )
    if asked:
        return asked
    try:
        actions.disclosure_record(user=request.user, case=case, agreed=agreed, note=note)
    except actions.TracingError as exc:
        return _refused(request, case, str(exc))
    return _done(request, case, _("The located person's choice is recorded."))


@require_POST
@staff_page
def case_handover(request: HttpRequest, pk: str) -> HttpResponse:
    """Handing the case to the police or another authority: a recorded
    decision, taken after a confirmation step, never automatic."""
    case = _acting_case(request, pk)
    form = forms.HandoverForm(request.POST)
    if not form.is_valid():
        return _refused(
            request, case, _("Complete the handover form."), handover_form=form, show_handover=True
        )
    c = form.cleaned_data
    consent = dict(form.fields["consent"].choices)[c["consent"]]  # type: ignore[attr-defined]
    asked = _confirm(
        request,
        _("Hand this case over to %(authority)s?") % {"authority": c["authority"]},
        [
            _("Consent: %(consent)s.") % {"consent": consent},
            *(
                [
                    _(
                        "The person refused. Hand over against their wish only when their "
                        "safety or a child's best interests require it, and say why below."
                    )
                ]
                if c["consent"] == "refused"
                else []
            ),
            _("Safety considerations: %(text)s") % {"text": c["safety"]},
            _("Reason: %(text)s") % {"text": c["reason"]},
            _("The decision is recorded in the case's log with your name."),
        ],
        danger=True,
        back=reverse("tracing_case", args=[case.pk]),
    )
    if asked:
        return asked
    try:
        actions.handover_record(user=request.user, case=case, **c)
    except actions.TracingError as exc:
        return _refused(request, case, str(exc), handover_form=form, show_handover=True)
    return _done(request, case, _("The handover is recorded."))


# ---- Desk settings and the duty roster ----


TRANSLATED_DESK_FIELDS = ("place_ar", "place_fr", "hours_ar", "hours_fr")


def _desk_form(request: HttpRequest, desk: Any, data: Any = None) -> forms.DeskForm:
    user = request.user
    sites = [desk.site] if desk else list(access.desk_sites(user))
    initial = {}
    if desk is not None:
        initial = {
            "site": desk.site_id,
            "organisation": desk.organisation_id,
            "place": desk.place,
            "hours": desk.hours,
            **{k: getattr(desk, k) for k in TRANSLATED_DESK_FIELDS},
            "searches": [s.pk for s in desk.searches.all()],
            "public": desk.public,
        }
    else:
        initial = {"public": True}
    return forms.DeskForm(
        data,
        initial=initial,
        sites=sites,
        all_sites=access.searchable_sites(),
        organisations=access.desk_organisations(user),
    )


@staff_page
def desk_list(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.TRACING_DESK)
    desks = list(access.desks_for(request.user, Perm.TRACING_DESK))
    context = {"desks": desks, "can_open": access.desk_sites(request.user).exists()}
    return render(request, "tracing/desk_list.html", context)


def _save_desk(request: HttpRequest, desk: Any) -> HttpResponse | forms.DeskForm:
    form = _desk_form(request, desk, request.POST)
    if not form.is_valid():
        return form
    c = form.cleaned_data
    site = next(
        s for s in ([desk.site] if desk else access.desk_sites(request.user)) if s.pk == c["site"]
    )
    organisation = next(
        o for o in access.desk_organisations(request.user) if o.pk == c["organisation"]
    )
    try:
        saved = actions.desk_save(
            user=request.user,
            site=site,
            organisation=organisation,
            place=c["place"],
            hours=c["hours"],
            searches=list(access.searchable_sites().filter(pk__in=c["searches"])),
            public=c["public"],
            translations={k: c[k] for k in TRANSLATED_DESK_FIELDS},
        )
    except (actions.TracingError, PermissionDenied) as exc:
        form.add_error(None, str(exc))
        return form
    messages.success(request, _("The desk is saved."))
    return redirect("tracing_desk", pk=saved.pk)


@require_http_methods(["GET", "POST"])
@staff_page
def desk_new(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.TRACING_DESK)
    if not access.desk_sites(request.user).exists():
        raise Http404
    form = _desk_form(request, None)
    status = 200
    if request.method == "POST":
        saved = _save_desk(request, None)
        if not isinstance(saved, forms.DeskForm):
            return saved
        form, status = saved, 422
    return render(request, "tracing/desk_edit.html", {"form": form, "desk": None}, status=status)


def _desk_page(request: HttpRequest, desk: Any, status: int = 200, **extra: Any) -> HttpResponse:
    now = timezone.now()
    shifts = list(access.desk_shifts(desk))
    officers = access.desk_staff(desk, Role.TRACING_OFFICER)
    context = {
        "desk": desk,
        "form": _desk_form(request, desk),
        "shift_form": forms.ShiftForm(officers=officers),
        "current": [s for s in shifts if s.starts_at <= now],
        "upcoming": [s for s in shifts if s.starts_at > now],
        "has_officers": officers.exists(),
        "now": now,
    }
    context.update(extra)
    return render(request, "tracing/desk_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_page
def desk_edit(request: HttpRequest, pk: str) -> HttpResponse:
    _require(request, Perm.TRACING_DESK)
    desk = access.get_desk(request.user, pk, Perm.TRACING_DESK)
    if request.method == "POST":
        saved = _save_desk(request, desk)
        if not isinstance(saved, forms.DeskForm):
            return saved
        return _desk_page(request, desk, status=422, form=saved)
    return _desk_page(request, desk)


@require_POST
@staff_page
def shift_add(request: HttpRequest, pk: str) -> HttpResponse:
    _require(request, Perm.TRACING_DESK)
    desk = access.get_desk(request.user, pk, Perm.TRACING_DESK)
    officers = access.desk_staff(desk, Role.TRACING_OFFICER)
    form = forms.ShiftForm(request.POST, officers=officers)
    if form.is_valid():
        c = form.cleaned_data
        try:
            actions.duty_shift_add(
                user=request.user,
                desk=desk,
                officer=officers.get(pk=c["officer"]),
                starts_at=forms.aware(c["starts_at"]),
                ends_at=forms.aware(c["ends_at"]),
            )
        except actions.TracingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The shift is on the roster."))
            return redirect("tracing_desk", pk=desk.pk)
    return _desk_page(request, desk, status=422, shift_form=form)


@require_POST
@staff_page
def shift_end(request: HttpRequest, pk: str, shift_pk: str) -> HttpResponse:
    _require(request, Perm.TRACING_DESK)
    desk = access.get_desk(request.user, pk, Perm.TRACING_DESK)
    shift = access.get_shift(desk, shift_pk)
    asked = _confirm(
        request,
        _("End this shift now?"),
        [
            _("%(name)s is no longer on duty: new reports go to the others on duty.")
            % {"name": shift.user.get_full_name() or shift.user.username}
        ],
        back=reverse("tracing_desk", args=[desk.pk]),
    )
    if asked:
        return asked
    actions.duty_shift_end(user=request.user, shift=shift)
    messages.success(request, _("The shift is ended."))
    return redirect("tracing_desk", pk=desk.pk)


# ---- The printed notice ----

NOTICE_LANGUAGES = ("en", "fr", "ar")


def notice_texts(languages: tuple[str, ...] = NOTICE_LANGUAGES, desk: Any = None) -> list[Any]:
    """The notice's words in each language, translated here (the PDF library
    holds no translations), with the desk's place and hours in that language."""
    from salama.lib.pdfdocs import NoticeText

    texts = []
    for code in languages:
        with translation.override(code):
            texts.append(
                NoticeText(
                    language=code,
                    title=_("Missing persons desk"),
                    body=[
                        _("Is someone missing, or have you found someone who is lost?"),
                        _("Report it at once: there is no waiting period."),
                        _(
                            "At the desk, or on the report page at any time. You get a "
                            "reference and a PIN to follow the report."
                        ),
                        _("What you tell us is kept confidential."),
                    ],
                    where=_("Where"),
                    hours=_("Hours"),
                    report_online=_("Report online"),
                    place=_desk_place(desk, code) if desk else "",
                    opening_hours=desk.hours_in(code) if desk else "",
                )
            )
    return texts


def _desk_place(desk: Any, language: str) -> str:
    site = desk.site
    name = site.name_in(language) if hasattr(site, "name_in") else site.name
    return ", ".join(p for p in (desk.place_in(language), name) if p)


@staff_page
def desk_notice(request: HttpRequest, pk: str) -> HttpResponse:
    """The desk's notice, an A4 PDF in English, French and Arabic with a QR
    code of the public report page."""
    _require(request, Perm.TRACING_DESK)
    desk = access.get_desk(request.user, pk, Perm.TRACING_DESK)
    from salama.lib.pdfdocs import desk_notice as notice_pdf

    site = desk.site
    place = ", ".join(p for p in (desk.place, site.name) if p)
    try:
        pdf = notice_pdf(
            notice_texts(desk=desk),
            url=request.build_absolute_uri("/missing/"),
            place=place,
            hours=desk.hours or "—",
        )
    except ValueError:
        messages.error(
            request,
            _(
                "The notice cannot be printed: shorten the desk's place and hours, and write "
                "them in Latin or Arabic script."
            ),
        )
        return redirect("tracing_desk", pk=desk.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="desk-notice-{site.code}.pdf"'
    return response

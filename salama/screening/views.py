"""Screening pages. Thin: people come from registry.access, screenings and
alerts from screening.access, writes go through screening.actions."""

from typing import Any

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from salama.audit.actions import audit_record, record_list_read
from salama.core import access as core_access
from salama.core.decorators import staff_page
from salama.core.roles import Perm
from salama.lib.screening.engine import CHILD_ADMINISTRATION, AnswerError
from salama.lib.screening.needs import need_name
from salama.registry import access as registry_access
from salama.registry.codes import SEXES
from salama.registry.selectors import paginate
from salama.screening import access, actions, catalogue, codes, forms, results, selectors
from salama.screening.models import LEVELS

LEVEL_LABELS = dict(LEVELS)


def _require(request: HttpRequest, perm: Perm) -> None:
    if not core_access.has_perm(request.user, perm):
        raise Http404


def _language() -> str:
    return (get_language() or "en")[:2]


@require_http_methods(["GET", "POST"])
@staff_page
def screening_start(request: HttpRequest, pk: str) -> HttpResponse:
    """Choose the instrument and profile; a child needs a caregiver or a
    trained caseworker present."""
    _require(request, Perm.SCREENING_CREATE)
    person = registry_access.get_person(request.user, pk, Perm.SCREENING_CREATE)
    if request.method == "GET":  # the page shows the person: a read (PROTECTION.md 16)
        audit_record(
            user=request.user,
            action="read",
            purpose=actions.PURPOSE,
            model="registry.Person",
            record_id=person.pk,
        )
    error = ""
    if request.method == "POST":
        instrument_id = request.POST.get("instrument", "")
        profile = request.POST.get("profile", "")
        administered_with = request.POST.get("administered_with", "")
        profile_reason = request.POST.get("profile_reason", "").strip()[:300]
        instrument = catalogue.instruments().get(instrument_id)
        try:
            actions.check_profile(person, profile, profile_reason)
            mismatch = ""
        except actions.ProfileMismatch as exc:
            mismatch = str(exc).split(": ", 1)[-1]
        if instrument is None:
            error = _("Choose an instrument.")
        elif profile not in instrument.profiles:
            error = _("This instrument has no %(profile)s profile.") % {"profile": profile}
        elif profile == "child" and administered_with not in CHILD_ADMINISTRATION:
            error = _("A child is screened with a caregiver present or by a trained caseworker.")
        elif mismatch:
            error = mismatch
        else:
            known = {i.id for i in instrument.items()}
            prefill = {k: v for k, v in actions.registry_answers(person).items() if k in known}
            draft = forms.Draft(
                instrument.id,
                str(person.pk),
                profile,
                administered_with,
                prefill,
                0,
                profile_reason,
            )
            return _section_page(request, person, draft, {})
    language = _language()
    context = {
        "person": person,
        "instruments": [
            {
                "id": i.id,
                "title": i.title.get(language),
                "publisher": i.publisher.get(language),
                "version": i.version,
                "profiles": codes.profile_labels(i.profiles),
                "validation": i.validation_status.get(language),
            }
            for i in catalogue.instruments().values()
        ],
        "profile": request.POST.get("profile") or actions.default_profile(person),
        "expected_profile": actions.default_profile(person),
        "profile_reason": request.POST.get("profile_reason", ""),
        "age": actions.person_age(person),
        "error": error,
    }
    return render(request, "screening/start.html", context)


@require_POST
@staff_page
def screening_step(request: HttpRequest, pk: str) -> HttpResponse:
    """Take one page's answers, then show the next page or record the screening."""
    _require(request, Perm.SCREENING_CREATE)
    person = registry_access.get_person(request.user, pk, Perm.SCREENING_CREATE, audit=False)
    try:
        draft = forms.Draft.load(request.POST.get("draft", ""))
    except signing.BadSignature:
        messages.error(request, _("This form has expired or was changed. Please start again."))
        return redirect("screening_start", pk=person.pk)
    if draft.person != str(person.pk):
        raise Http404
    instrument = catalogue.get(draft.instrument)
    sections = forms.sections_for(instrument, draft.profile, draft.answers)
    if draft.step >= len(sections):
        return redirect("screening_start", pk=person.pk)
    section = sections[draft.step]
    items = forms.items_shown(section, draft.profile, draft.answers)
    answers, errors = forms.read_section(instrument, draft.profile, items, request.POST)
    for item in items:  # this page's answers replace what was there before
        draft.answers.pop(item.id, None)
    draft.answers.update(answers)
    if request.POST.get("back") and draft.step > 0:
        draft.step -= 1
        return _section_page(request, person, draft, {})
    if errors:
        return _section_page(request, person, draft, errors, status=422)
    draft.step += 1
    if draft.step < len(forms.sections_for(instrument, draft.profile, draft.answers)):
        return _section_page(request, person, draft, {})
    try:
        screening = actions.screening_record(
            user=request.user,
            person=person,
            instrument_id=instrument.id,
            profile=draft.profile,
            answers=draft.answers,
            administered_with=draft.administered_with or None,
            profile_reason=draft.profile_reason,
        )
    except AnswerError as exc:
        draft.step = 0
        return _section_page(request, person, draft, {exc.item: str(exc)}, status=422)
    return redirect("screening_detail", pk=screening.pk)


def _section_page(
    request: HttpRequest, person: Any, draft: forms.Draft, errors: dict[str, str], status: int = 200
) -> HttpResponse:
    instrument = catalogue.get(draft.instrument)
    sections = forms.sections_for(instrument, draft.profile, draft.answers)
    section = sections[min(draft.step, len(sections) - 1)]
    language = _language()
    questions = [
        {
            "item": item,
            "name": item.name.get(language) if item.name else "",
            "label": item.label.get(language),
            "hint": item.hint.get(language) if item.hint else "",
            "choices": forms.choices_of(item, language),
            "value": draft.answers.get(item.id, ""),
            "error": errors.get(item.id, ""),
            "when": forms.same_page_condition(item, section),
        }
        for item in forms.items_shown(section, draft.profile, draft.answers)
    ]
    context = {
        "person": person,
        "instrument": instrument,
        "title": instrument.title.get(language),
        "section_title": section.title.get(language),
        "questions": questions,
        "draft": draft.sign(),
        "step": draft.step + 1,
        "steps": len(sections),
        "last": draft.step + 1 >= len(sections),
        "profile": draft.profile,
        "child_note": instrument.child_administration.get(language)
        if draft.profile == "child" and instrument.child_administration
        else "",
        "errors": errors,
    }
    return render(request, "screening/section.html", context, status=status)


@staff_page
def screening_detail(request: HttpRequest, pk: str) -> HttpResponse:
    _require(request, Perm.SCREENING_VIEW)
    screening = access.get_screening(request.user, pk)
    result = screening.result
    language = _language()
    context = {
        "screening": screening,
        "person": screening.person,
        "result": results.told(result, language),
        "profile_reason": result.get("profile_reason", ""),
        "needs": [(c, need_name(c, language)) for c in result["specific_needs"]],
        "alert": getattr(screening, "alert", None),
        "referrals": codes.referral_labels(result["referrals"]),
        "profile": codes.PROFILE_LABELS.get(screening.profile, screening.profile),
        "administered_with": codes.WITH_LABELS.get(screening.administered_with, ""),
        "instrument_title": _instrument_title(screening.instrument),
    }
    return render(request, "screening/detail.html", context)


def _instrument_title(instrument_id: str) -> str:
    instrument = catalogue.instruments().get(instrument_id)
    return instrument.title.get(_language()) if instrument else instrument_id


@staff_page
def alert_list(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.ALERT_VIEW)
    page = paginate(access.alerts_for(request.user), request.GET.get("page"))
    rows = selectors.alert_rows(request.user, page.object_list, _language())
    record_list_read(request.user, page.object_list)
    return render(request, "screening/alerts.html", {"page": page, "rows": rows})


@require_POST
@staff_page
def alert_acknowledge(request: HttpRequest, pk: str) -> HttpResponse:
    _require(request, Perm.ALERT_VIEW)
    alert = access.get_alert(request.user, pk)
    actions.alert_acknowledge(user=request.user, alert=alert)
    messages.success(request, _("Alert acknowledged."))
    return redirect("alert_list")


@staff_page
def figures(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.AGGREGATE_VIEW)
    language = _language()
    found = selectors.indicator_figures(request.user, language)
    screened, counted = selectors.screening_figures(request.user, language)
    cells = found.cells + counted.cells
    small = found.hidden_small + counted.hidden_small
    secondary = found.hidden_secondary + counted.hidden_secondary
    context = {
        "screened": screened_tables(screened, language),
        "instruments": figure_tables(found, language),
        "cells": cells,
        "small": small,
        "secondary": secondary,
        "hidden": small + secondary,
        "k": found.k,
    }
    return render(request, "screening/figures.html", context)


def _bar(count: int | None, largest: int, rtl: bool) -> dict[str, int]:
    share = round(100 * count / largest) if count and largest else 0
    return {"width": share, "x": 100 - share if rtl else 0}


def screened_tables(screened: list[selectors.ScreeningFigures], language: str) -> list[Any]:
    """Per instrument: people screened, and a bar per result level."""
    out = []
    for s in screened:
        by = {b.by: b for b in s.breakdowns}
        levels = [
            (_group_label("level", g), n, _bar(n, s.total or 0, language == "ar"))
            for g, n in by["level"].rows
        ]
        others = [
            (_breakdown_name(b.by, b.grouped), [(_group_label(b.by, g), n) for g, n in b.rows])
            for b in s.breakdowns
            if b.by != "level"
        ]
        out.append(
            {
                "title": _instrument_title(s.instrument),
                "total": s.total,
                "levels": levels,
                "breakdowns": others,
            }
        )
    return out


def _breakdown_name(by: str, grouped: bool = False) -> str:
    name = {
        "site": _("By site"),
        "sex": _("By sex"),
        "age_group": _("By age group"),
        "week": _("By week") if not grouped else _("By month"),
        "level": _("By result"),
    }[by]
    if grouped and by != "week":
        return _("%(breakdown)s (grouped, so that the counts can be shown)") % {"breakdown": name}
    return name


def _group_label(by: str, group: str) -> str:
    words = {
        "0-17": _("under 18"),
        "18+": _("18 and over"),
        "alert": _("positive or high risk (alert raised)"),
        "no_alert": _("medium, low or no risk"),
        "?": _("unknown"),
        "": _("unknown"),
        "unknown": _("unknown"),
    }
    if by == "sex":
        return str(dict(SEXES).get(group, group))
    if by == "week" and len(group) == 10:
        return _("week of %(date)s") % {"date": group}
    if by == "level" and group in LEVEL_LABELS:
        return str(LEVEL_LABELS[group])
    return str(words.get(group, group))


def figure_tables(found: selectors.Figures, language: str) -> list[dict[str, Any]]:
    """Indicators grouped by instrument, each with its bar (a share of the
    largest published total of its instrument) and its breakdowns."""
    tables: dict[str, dict[str, Any]] = {}
    for f in found.indicators:
        table = tables.setdefault(
            f.instrument, {"title": _instrument_title(f.instrument), "rows": []}
        )
        table["rows"].append(
            {
                "label": selectors.indicator_label(f.instrument, f.indicator, language),
                "total": f.total,
                "breakdowns": [
                    (
                        _breakdown_name(b.by, b.grouped),
                        [(_group_label(b.by, g), n) for g, n in b.rows],
                    )
                    for b in f.breakdowns
                ],
            }
        )
    for table in tables.values():
        largest = max((r["total"] or 0 for r in table["rows"]), default=0)
        for row in table["rows"]:
            row["bar"] = _bar(row["total"], largest, language == "ar")
    return list(tables.values())


@staff_page
def review_queue(request: HttpRequest) -> HttpResponse:
    """Field submissions that could not be attached to a person on receipt."""
    _require(request, Perm.SUBMISSION_REVIEW)
    page = paginate(access.submissions_for_review(request.user), request.GET.get("page"))
    record_list_read(request.user, page.object_list)
    for submission in page.object_list:
        submission.form_title = selectors.form_title(submission.form_id, _language())
    return render(request, "screening/review.html", {"page": page})


@require_http_methods(["GET", "POST"])
@staff_page
def review_submission(request: HttpRequest, pk: str) -> HttpResponse:
    _require(request, Perm.SUBMISSION_REVIEW)
    submission = access.get_submission_for_review(request.user, pk)
    error = ""
    if request.method == "POST":
        number = request.POST.get("registration_number", "").strip()[:40]
        person = registry_access.find_person_by_number(request.user, number, Perm.SCREENING_CREATE)
        if person is None:
            error = _("No registered person with this number in your sites.")
        else:
            actions.submission_attach(user=request.user, submission=submission, person=person)
            submission.refresh_from_db()
            if submission.screening_id:
                return redirect("screening_detail", pk=submission.screening_id)
            if submission.status == submission.Status.STORED:
                messages.success(request, _("Case intake attached to the person."))
                return redirect("person_detail", pk=person.pk)
            error = submission.problem
    context = {
        "submission": submission,
        "fields": selectors.submission_fields(submission, _language()),
        "form_title": selectors.form_title(submission.form_id, _language()),
        "error": error,
    }
    return render(request, "screening/review_submission.html", context)

"""The relief-and-recovery page of a case (/cases/recovery/<case>/): the
services delivered, the eligibility flags with their evidence, the
follow-ups; the forms to record a flag and add a follow-up."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salama.cases import access, recovery
from salama.cases.forms_recovery import EligibilityForm, FollowUpForm
from salama.cases.models import ProtectionCase
from salama.core import access as core_access
from salama.core.decorators import staff_page
from salama.core.roles import Perm


def _require(request: HttpRequest, perm: Perm) -> None:
    if not core_access.has_perm(request.user, perm):
        raise Http404


def _context(request: HttpRequest, case: ProtectionCase, **extra: Any) -> dict[str, Any]:
    can_work = access.cases_for(request.user, Perm.CASE_WORK).filter(pk=case.pk).exists()
    context: dict[str, Any] = {
        "case": case,
        "record": recovery.recovery_record(case),
        "can_work": can_work,
        "eligibility_form": EligibilityForm(),
        "follow_up_form": FollowUpForm(),
        "error": "",
    }
    context.update(extra)
    return context


@staff_page
def recovery_page(request: HttpRequest, case_pk: str) -> HttpResponse:
    _require(request, Perm.CASE_VIEW)
    case = access.get_case(request.user, case_pk)
    return render(request, "cases/recovery/record.html", _context(request, case))


def _working_case(request: HttpRequest, case_pk: str) -> ProtectionCase:
    _require(request, Perm.CASE_WORK)
    return access.get_case(request.user, case_pk, Perm.CASE_WORK)


def _errors(form: Any) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _refused(request: HttpRequest, case: ProtectionCase, error: str, **forms: Any) -> HttpResponse:
    """The page again with the error at the top; nothing was written."""
    context = _context(request, case, error=error, **forms)
    return render(request, "cases/recovery/record.html", context, status=422)


@require_POST
@staff_page
def eligibility_save(request: HttpRequest, case_pk: str) -> HttpResponse:
    case = _working_case(request, case_pk)
    form = EligibilityForm(request.POST)
    if not form.is_valid():
        return _refused(request, case, _errors(form), eligibility_form=form)
    try:
        recovery.eligibility_record(user=request.user, case=case, **form.cleaned_data)
    except recovery.RecoveryError as exc:
        return _refused(request, case, str(exc), eligibility_form=form)
    messages.success(request, _("Eligibility recorded."))
    return redirect("cases_recovery", case_pk=case.pk)


@require_POST
@staff_page
def follow_up_save(request: HttpRequest, case_pk: str) -> HttpResponse:
    case = _working_case(request, case_pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _refused(request, case, _errors(form), follow_up_form=form)
    try:
        recovery.follow_up_add(user=request.user, case=case, **form.cleaned_data)
    except recovery.RecoveryError as exc:
        return _refused(request, case, str(exc), follow_up_form=form)
    messages.success(request, _("Follow-up added."))
    return redirect("cases_recovery", case_pk=case.pk)

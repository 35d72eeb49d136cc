"""Staff pages of protection cases and referrals, under /cases/."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from salama.audit.actions import record_list_read
from salama.cases import access, actions, forms, selectors
from salama.cases.actions import CaseError, Consent, Opening, ReferralRequest
from salama.cases.models import ProtectionCase, Referral
from salama.cases.sharing import fields_needed
from salama.core import access as core_access
from salama.core.decorators import is_htmx, staff_page
from salama.core.roles import Perm
from salama.registry.selectors import paginate


def _require(request: HttpRequest, perm: Perm) -> None:
    if not core_access.has_perm(request.user, perm):
        raise Http404


def _may(request: HttpRequest, case: ProtectionCase, perm: Perm) -> bool:
    return access.cases_for(request.user, perm).filter(pk=case.pk).exists()


def _back(case: ProtectionCase, anchor: str = "") -> HttpResponse:
    url = f"/cases/{case.pk}/" + (f"#{anchor}" if anchor else "")
    return redirect(url)


# ---- lists ----


@staff_page
def case_list(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.CASE_VIEW)
    form = forms.CaseFilterForm(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    cases = selectors.filtered_cases(
        request.user,
        status=chosen.get("status") or "",
        case_type=chosen.get("case_type") or "",
        mine=chosen.get("mine") == "1",
        q=chosen.get("q") or "",
    )
    page = paginate(cases, request.GET.get("page"))
    record_list_read(request.user, page.object_list, purpose=access.PURPOSE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_open": core_access.has_perm(request.user, Perm.CASE_WORK),
        "incoming": access.incoming_for(request.user).filter(status="pending").count(),
    }
    if is_htmx(request):
        return render(request, "cases/_partials/case_rows.html", context)
    return render(request, "cases/case_list.html", context)


# ---- opening ----


def _source(request: HttpRequest, raw: str) -> tuple[str, str, Any]:
    kind, _sep, pk = raw.partition(":")
    if kind not in ("screening", "tracing", "absence") or not pk:
        raise Http404
    return kind, pk, access.source_record(request.user, kind, pk)


@staff_page
def case_new(request: HttpRequest) -> HttpResponse:
    """Open a case from a finding (?source=kind:id) or directly for a person."""
    _require(request, Perm.CASE_WORK)
    raw_source = request.POST.get("source") or request.GET.get("source") or ""
    source = _source(request, raw_source) if raw_source else None
    person = actions.source_person(source[2]) if source and source[2].person_id else None
    if source is not None:
        existing = selectors.open_case_from_source(request.user, source[0], source[1])
        if existing is not None:
            messages.info(
                request,
                _("A case is already open from this finding: %(ref)s.")
                % {"ref": existing.reference},
            )
            return _back(existing)
    caseworkers = selectors.caseworkers_for(request.user)
    initial = {"source": raw_source, **selectors.suggested_opening(source)}
    form = forms.CaseOpenForm(request.POST or None, initial=initial, caseworkers=caseworkers)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = person or selectors.person_by_number(request.user, data["registration_number"])
            case = actions.case_open(
                user=request.user,
                opening=Opening(
                    person=person,
                    case_type=data["case_type"],
                    risk=data["risk"],
                    source_kind=source[0] if source else "direct",
                    source_id=source[1] if source else "",
                    assign_to=selectors.user_among(caseworkers, data.get("assign_to")),
                    note=data.get("note") or "",
                ),
            )
        except CaseError as e:
            error = str(e)
        else:
            messages.success(request, _("Case %(ref)s opened.") % {"ref": case.reference})
            return _back(case)
    findings = [] if source else selectors.findings_without_case(request.user)
    context = {
        "form": form,
        "source": source,
        "person": person,
        "error": error,
        "findings": findings,
    }
    invalid = bool(error) or (request.method == "POST" and bool(form.errors))
    return render(request, "cases/case_new.html", context, status=400 if invalid else 200)


# ---- one case ----


@staff_page
def case_detail(request: HttpRequest, pk: str) -> HttpResponse:
    _require(request, Perm.CASE_VIEW)
    case = access.get_case(request.user, pk)
    context = selectors.case_page(request.user, case)
    return render(request, "cases/case_detail.html", context)


def _post_case(request: HttpRequest, pk: str, perm: Perm = Perm.CASE_WORK) -> ProtectionCase:
    _require(request, perm)
    return access.get_case(request.user, pk, perm)


def _failed(request: HttpRequest, case: ProtectionCase, error: Any) -> HttpResponse:
    context = selectors.case_page(request.user, case)
    context["error"] = str(error)
    return render(request, "cases/case_detail.html", context, status=400)


def _form_errors(form: Any) -> str:
    return " ".join(
        f"{form.fields[name].label}: {' '.join(errs)}" if name in form.fields else " ".join(errs)
        for name, errs in form.errors.items()
    )


@staff_page
@require_POST
def case_note(request: HttpRequest, pk: str) -> HttpResponse:
    case = _post_case(request, pk)
    form = forms.NoteForm(request.POST)
    if not form.is_valid():
        return _failed(request, case, _form_errors(form))
    try:
        actions.case_note_add(user=request.user, case=case, note=form.cleaned_data["note"])
    except CaseError as e:
        return _failed(request, case, e)
    return _back(case, "journal")


@staff_page
@require_POST
def case_risk(request: HttpRequest, pk: str) -> HttpResponse:
    case = _post_case(request, pk)
    form = forms.RiskForm(request.POST)
    if not form.is_valid():
        return _failed(request, case, _form_errors(form))
    try:
        actions.case_risk_set(user=request.user, case=case, **form.cleaned_data)
    except CaseError as e:
        return _failed(request, case, e)
    return _back(case)


@staff_page
@require_POST
def case_assign(request: HttpRequest, pk: str) -> HttpResponse:
    case = _post_case(request, pk, Perm.CASE_SUPERVISE)
    staff = selectors.case_staff(case)
    form = forms.AssignForm(
        request.POST, caseworkers=staff["caseworkers"], supervisors=staff["supervisors"]
    )
    if not form.is_valid():
        return _failed(request, case, _form_errors(form))
    users = get_user_model().objects
    try:
        actions.case_assign(
            user=request.user,
            case=case,
            caseworker=users.get(pk=form.cleaned_data["caseworker"]),
            supervisor=(
                users.get(pk=form.cleaned_data["supervisor"])
                if form.cleaned_data.get("supervisor")
                else None
            ),
        )
    except CaseError as e:
        return _failed(request, case, e)
    return _back(case)


@staff_page
@require_POST
def case_review(request: HttpRequest, pk: str) -> HttpResponse:
    case = _post_case(request, pk, Perm.CASE_SUPERVISE)
    form = forms.NoteForm(request.POST)
    if not form.is_valid():
        return _failed(request, case, _form_errors(form))
    try:
        actions.case_review(user=request.user, case=case, note=form.cleaned_data["note"])
    except CaseError as e:
        return _failed(request, case, e)
    messages.success(request, _("Review recorded."))
    return _back(case, "journal")


@staff_page
@require_POST
def case_child(request: HttpRequest, pk: str) -> HttpResponse:
    case = _post_case(request, pk)
    form = forms.ChildForm(request.POST)
    if not form.is_valid():
        return _failed(request, case, _form_errors(form))
    try:
        actions.child_assessment_save(
            user=request.user, case=case, data=actions.ChildAssessment(**form.cleaned_data)
        )
    except CaseError as e:
        return _failed(request, case, e)
    return _back(case, "child")


@staff_page
@require_POST
def case_plan(request: HttpRequest, pk: str) -> HttpResponse:
    case = _post_case(request, pk)
    form = forms.PlanItemForm(request.POST)
    if not form.is_valid():
        return _failed(request, case, _form_errors(form))
    try:
        actions.plan_item_add(user=request.user, case=case, **form.cleaned_data)
    except CaseError as e:
        return _failed(request, case, e)
    return _back(case, "plan")


@staff_page
@require_POST
def case_plan_item(request: HttpRequest, pk: str, item_pk: str) -> HttpResponse:
    case = _post_case(request, pk)
    item = access.get_plan_item(case, item_pk)
    try:
        actions.plan_item_set(user=request.user, item=item, status=request.POST.get("status", ""))
    except CaseError as e:
        return _failed(request, case, e)
    return _back(case, "plan")


@staff_page
@require_POST
def case_service(request: HttpRequest, pk: str) -> HttpResponse:
    case = _post_case(request, pk)
    form = forms.ServiceForm(request.POST)
    if not form.is_valid():
        return _failed(request, case, _form_errors(form))
    try:
        actions.service_record(
            user=request.user, case=case, provider=case.organisation, **form.cleaned_data
        )
    except CaseError as e:
        return _failed(request, case, e)
    return _back(case, "services")


@staff_page
def case_close(request: HttpRequest, pk: str) -> HttpResponse:
    """Closing asks for a reason and a confirmation (retention starts)."""
    case = _post_case(request, pk)
    form = forms.CloseForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            actions.case_close(
                user=request.user,
                case=case,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except CaseError as e:
            error = str(e)
        else:
            messages.success(request, _("Case %(ref)s closed.") % {"ref": case.reference})
            return _back(case)
    context = {
        "case": case,
        "form": form,
        "error": error,
        "pending": case.referrals.filter(status="pending").count(),
    }
    return render(
        request, "cases/case_close.html", context, status=400 if error or form.errors else 200
    )


@staff_page
@require_POST
def case_reopen(request: HttpRequest, pk: str) -> HttpResponse:
    case = _post_case(request, pk, Perm.CASE_SUPERVISE)
    try:
        actions.case_reopen(user=request.user, case=case, note=request.POST.get("note", ""))
    except CaseError as e:
        return _failed(request, case, e)
    return _back(case)


# ---- referrals ----


@staff_page
def referral_new(request: HttpRequest, pk: str) -> HttpResponse:
    """Choose a service (the site's pathway first), then record consent."""
    case = _post_case(request, pk)
    service_id = request.POST.get("service") or request.GET.get("service")
    if not service_id:
        return render(request, "cases/referral_choose.html", selectors.service_choices(case))
    service = access.get_service(service_id)
    offered = [
        name for name in fields_needed(service.service_type) if name != "caregiver" or case.is_child
    ]
    form = forms.ReferralForm(request.POST or None, initial={"service": service.pk}, fields=offered)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        consent = None
        if data["basis"] == form.CONSENT and not data["agreed"]:
            error = _(
                "Tick that the person agreed to this referral and to what is shared, "
                "or record an override with its reason."
            )
        if data["basis"] == form.CONSENT:
            consent = Consent(
                given=data["agreed"],
                explained_by=data["explained_by"],
                language=data["language"],
                share=data["share"],
            )
        try:
            if error:
                raise CaseError(error, code="consent_required")
            referral = actions.referral_make(
                user=request.user,
                case=case,
                request=ReferralRequest(
                    service=service,
                    consent=consent,
                    override_reason=data["override_reason"] if consent is None else "",
                    reason=data["reason"],
                    authority_decision=data["authority_decision"],
                    legal_obligation=data["legal_obligation"],
                ),
            )
        except CaseError as e:
            error = str(e)
        else:
            messages.success(request, _("Referral %(ref)s sent.") % {"ref": referral.reference})
            return redirect("referral_detail", pk=referral.pk)
    context = {
        "case": case,
        "service": service,
        "form": form,
        "error": error,
        "authority": selectors.is_authority(service),
        "agreement": selectors.agreement_for(case, service),
    }
    return render(request, "cases/referral_new.html", context, status=400 if error else 200)


@staff_page
def referral_list(request: HttpRequest) -> HttpResponse:
    direction = request.GET.get("direction", "incoming")
    if direction not in ("incoming", "outgoing"):
        direction = "incoming"
    if not (
        core_access.has_perm(request.user, Perm.REFERRAL_RECEIVE)
        or core_access.has_perm(request.user, Perm.CASE_VIEW)
    ):
        raise Http404
    referrals = (
        access.incoming_for(request.user)
        if direction == "incoming"
        else access.outgoing_for(request.user)
    )
    status = request.GET.get("status", "")
    if status in Referral.Status.values:
        referrals = referrals.filter(status=status)
    page = paginate(referrals.order_by("-made_at"), request.GET.get("page"))
    record_list_read(request.user, page.object_list, purpose=access.PURPOSE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "direction": direction,
        "status": status,
        "statuses": forms.REFERRAL_STATUSES,
        "directions": forms.REFERRAL_DIRECTIONS,
        "query": query.urlencode(),
    }
    return render(request, "cases/referral_list.html", context)


@staff_page
def referral_detail(request: HttpRequest, pk: str) -> HttpResponse:
    referral, side = access.get_referral(request.user, pk)
    return render(
        request, "cases/referral_detail.html", selectors.referral_page(request.user, referral, side)
    )


def _answer(request: HttpRequest, pk: str, do: Any) -> HttpResponse:
    _require(request, Perm.REFERRAL_RECEIVE)
    referral = access.get_incoming(request.user, pk)
    try:
        done = do(referral)
    except CaseError as e:
        referral, side = access.get_referral(request.user, referral.pk)  # the re-read is audited
        context = selectors.referral_page(request.user, referral, side)
        context["error"] = str(e)
        return render(request, "cases/referral_detail.html", context, status=400)
    if done is not None:
        messages.success(request, _("Saved. The referring caseworker is told."))
    return redirect("referral_detail", pk=referral.pk)


@staff_page
@require_POST
def referral_accept(request: HttpRequest, pk: str) -> HttpResponse:
    note = request.POST.get("note", "")
    return _answer(
        request, pk, lambda r: actions.referral_accept(user=request.user, referral=r, note=note)
    )


@staff_page
@require_POST
def referral_decline(request: HttpRequest, pk: str) -> HttpResponse:
    note = request.POST.get("note", "")
    return _answer(
        request, pk, lambda r: actions.referral_decline(user=request.user, referral=r, note=note)
    )


@staff_page
@require_POST
def referral_complete(request: HttpRequest, pk: str) -> HttpResponse:
    form = forms.CompleteForm(request.POST)

    def complete(referral: Referral) -> Referral:
        if not form.is_valid():
            raise CaseError(_form_errors(form))
        actions.referral_complete(user=request.user, referral=referral, **form.cleaned_data)
        return referral

    return _answer(request, pk, complete)


@staff_page
def consent_withdraw(request: HttpRequest, pk: str) -> HttpResponse:
    """The person withdraws consent: one referral (?referral=) or all of the case's."""
    case = _post_case(request, pk)
    referral = None
    if request.GET.get("referral") or request.POST.get("referral"):
        raw = request.POST.get("referral") or request.GET.get("referral")
        referral = (
            access.outgoing_for(request.user)
            .filter(case=case, pk=core_access.record_uuid(raw))
            .first()
        )
        if referral is None:
            raise Http404
    form = forms.WithdrawForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            count = actions.consent_withdraw(
                user=request.user, case=case, referral=referral, note=form.cleaned_data["note"]
            )
        except CaseError as e:
            error = str(e)
        else:
            messages.success(
                request,
                ngettext(
                    "Consent withdrawn: %(n)d referral stopped.",
                    "Consent withdrawn: %(n)d referrals stopped.",
                    count,
                )
                % {"n": count},
            )
            return _back(case, "referrals")
    context = {"case": case, "referral": referral, "form": form, "error": error}
    return render(
        request, "cases/consent_withdraw.html", context, status=400 if error or form.errors else 200
    )


@staff_page
@require_POST
def referral_cancel(request: HttpRequest, pk: str) -> HttpResponse:
    _require(request, Perm.CASE_WORK)
    referral = access.outgoing_for(request.user).filter(pk=core_access.record_uuid(pk)).first()
    if referral is None:
        raise Http404
    access.get_case(request.user, referral.case_id, Perm.CASE_WORK)
    try:
        actions.referral_cancel(
            user=request.user, referral=referral, note=request.POST.get("note", "")
        )
    except CaseError as e:
        context = selectors.referral_page(request.user, referral, "outgoing")
        context["error"] = str(e)
        return render(request, "cases/referral_detail.html", context, status=400)
    messages.success(request, _("Referral %(ref)s cancelled.") % {"ref": referral.reference})
    return redirect("referral_detail", pk=referral.pk)

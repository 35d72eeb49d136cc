"""Staff pages of complaints, under /complaints/: the focal points' and the
investigators' list and complaint page, desk intake, the assistance referrals
as a service sees them, breaking the glass, the network's figures and vetting
checks. Whoever is outside the wall gets 404 on every one."""

import re
from pathlib import PurePosixPath
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from salama.audit.actions import record_list_read
from salama.cases.access import services as directory
from salama.cases.models import ServiceType
from salama.complaints import access, actions, custody, figures, forms, selectors, tracks
from salama.complaints.common import ComplaintError
from salama.complaints.models import Complaint, Investigation, Status
from salama.core import access as core_access
from salama.core.decorators import staff_page
from salama.core.models import Organisation
from salama.core.roles import Perm
from salama.registry.selectors import paginate

SHORT_STATUS = {
    "received": _lazy("Received"),
    "acknowledged": _lazy("Acknowledged"),
    "referred": _lazy("Referred"),
    "closed": _lazy("Closed"),
}


def _require(request: HttpRequest, *perms: Perm) -> None:
    if not any(core_access.has_perm(request.user, p) for p in perms):
        raise Http404


def _back(complaint: Complaint, anchor: str = "") -> HttpResponse:
    return redirect(f"/complaints/{complaint.pk}/" + (f"#{anchor}" if anchor else ""))


def _refused(request: HttpRequest, error: ComplaintError) -> None:
    said = list(dict.fromkeys(error.errors.values())) or [str(error)]
    messages.error(request, " ".join(said))


@staff_page
def complaint_list(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.COMPLAINT_RECEIVE, Perm.COMPLAINT_INVESTIGATE)
    found = access.complaints_for(request.user)
    q = str(request.GET.get("q", "")).strip().upper()
    if q:
        found = found.filter(reference__icontains=q)
    state = request.GET.get("status", "")
    if state in Status.values:
        found = found.filter(status=state)
    page = paginate(found, request.GET.get("page"))
    record_list_read(request.user, page.object_list, purpose=access.PURPOSE)
    return render(
        request,
        "complaints/list.html",
        {
            "page": page,
            "q": q,
            "status": state,
            "statuses": [(code, SHORT_STATUS[code]) for code in Status.values],
            "can_take": core_access.has_perm(request.user, Perm.COMPLAINT_RECEIVE),
        },
    )


@staff_page
def desk_new(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.COMPLAINT_RECEIVE)
    form = forms.DeskIntakeForm(
        request.POST or None,
        request.FILES or None,
        organisation_ids=core_access.organisation_ids_with(request.user, Perm.COMPLAINT_RECEIVE),
    )
    if request.method == "POST" and form.is_valid():
        try:
            received = actions.complaint_receive(
                intake=form.intake((get_language() or "en")[:2]),
                channel=form.cleaned_data["channel"],
                received_by=request.user,
            )
        except ComplaintError as error:
            form.show_errors(error.errors)
        else:
            return render(
                request,
                "complaints/desk_receipt.html",
                {"complaint": received.complaint, "code": received.code},
            )
    status = 400 if request.method == "POST" else 200
    return render(request, "complaints/desk_new.html", {"form": form}, status=status)


def _assistance_services(complaint: Complaint) -> list[Any]:
    return [
        s
        for s in directory(site_path=complaint.site_path)
        if s.service_type != ServiceType.LAW_ENFORCEMENT
    ]


@staff_page
def complaint_detail(request: HttpRequest, pk: str) -> HttpResponse:
    complaint = access.get_complaint(request.user, pk)
    return _detail_page(request, complaint)


def _detail_page(
    request: HttpRequest,
    complaint: Complaint,
    assistance_form: forms.AssistanceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    role = access.role_in(request.user, complaint)
    context: dict[str, Any] = {
        "complaint": complaint,
        "role": role,
        "investigator": role == "investigator",
        "focal": role == "focal_point",
        # The subject organisation's investigators never read who took it, nor
        # who complained unless the complainant agreed.
        "identity_shown": role != "investigator" or complaint.consent_identity == "yes",
        "custody": selectors.custody_rows(complaint),
        "check": custody.custody_verify(complaint, files=request.GET.get("verify") == "files"),
        "evidence": list(complaint.evidence.all()),
        "feedback": list(complaint.feedback.all()),
        "additions": list(complaint.additions.all()),
        "assistance": list(complaint.assistance.select_related("service", "case_manager")),
        "subjects": list(complaint.subjects.select_related("user")),
        "outcome_form": forms.OutcomeForm(initial={"status": complaint.investigation_status}),
        "investigation_choices": Investigation.choices,
    }
    if role == "focal_point":
        context["assistance_form"] = assistance_form or forms.AssistanceForm(
            services=_assistance_services(complaint),
            initial={"language": complaint.language, "consent_by": "survivor"},
        )
        context["investigation_form"] = forms.InvestigationForm(
            targets=tracks.investigation_targets(complaint)
        )
        investigating = complaint.investigation_organisation_id
        context["can_refer_investigation"] = complaint.status != "closed" and (
            not investigating or not access.investigators(complaint, investigating)
        )
    return render(request, "complaints/detail.html", context, status=status)


def _post_step(request: HttpRequest, pk: str, step: Any, anchor: str, done: str) -> HttpResponse:
    complaint = access.get_complaint(request.user, pk)
    try:
        step(complaint)
    except ComplaintError as error:
        _refused(request, error)
    else:
        messages.success(request, done)
    return _back(complaint, anchor)


@staff_page
@require_POST
def acknowledge(request: HttpRequest, pk: str) -> HttpResponse:
    return _post_step(
        request,
        pk,
        lambda c: actions.complaint_acknowledge(user=request.user, complaint=c),
        "handling",
        _("Acknowledged."),
    )


@staff_page
@require_POST
def feedback(request: HttpRequest, pk: str) -> HttpResponse:
    return _post_step(
        request,
        pk,
        lambda c: actions.feedback_give(
            user=request.user, complaint=c, text=request.POST.get("text", "")
        ),
        "feedback",
        _("The complainant will read this with their receipt code."),
    )


@staff_page
@require_POST
def subject(request: HttpRequest, pk: str) -> HttpResponse:
    return _post_step(
        request,
        pk,
        lambda c: actions.subject_link(
            user=request.user, complaint=c, username=request.POST.get("username", "")
        ),
        "subjects",
        _("Linked: this user can no longer see that the complaint exists."),
    )


@staff_page
@require_POST
def identity(request: HttpRequest, pk: str) -> HttpResponse:
    return _post_step(
        request,
        pk,
        lambda c: actions.identity_share(
            user=request.user, complaint=c, note=request.POST.get("note", "")
        ),
        "complainant",
        _("Recorded: the investigators now read who the complainant is."),
    )


@staff_page
@require_POST
def recuse(request: HttpRequest, pk: str) -> HttpResponse:
    complaint = access.get_complaint(request.user, pk)
    try:
        actions.recuse(
            user=request.user, complaint=complaint, reason=request.POST.get("reason", "")
        )
    except ComplaintError as error:
        _refused(request, error)
        return _back(complaint, "recuse")
    messages.success(request, _("You recused yourself: the complaint is no longer yours to see."))
    return redirect("complaints")


@staff_page
@require_POST
def close(request: HttpRequest, pk: str) -> HttpResponse:
    if request.POST.get("confirm") != "yes":
        complaint = access.get_complaint(request.user, pk)
        messages.error(request, _("Tick the box to confirm that you close this complaint."))
        return _back(complaint, "close")
    return _post_step(
        request,
        pk,
        lambda c: actions.complaint_close(
            user=request.user, complaint=c, note=request.POST.get("note", "")
        ),
        "handling",
        _("Closed."),
    )


@staff_page
@require_POST
def assistance_new(request: HttpRequest, pk: str) -> HttpResponse:
    complaint = access.get_complaint(request.user, pk)
    form = forms.AssistanceForm(request.POST, services=_assistance_services(complaint))
    if not form.is_valid():
        # Shown again with what was chosen, each fault at its field.
        return _detail_page(request, complaint, form, status=400)
    data = form.cleaned_data
    try:
        tracks.assistance_refer(
            user=request.user,
            complaint=complaint,
            service=form.services[data["service"]],
            consent_by=data["consent_by"],
            agreed=data["agreed"],
            language=data["language"],
            needs=data["needs"],
            wishes=data.get("wishes") or "",
            share_contact=data["share_contact"],
            subject_organisation_chosen=data["subject_organisation_chosen"],
        )
    except ComplaintError as error:
        for name, message in error.errors.items():
            form.add_error(name if name in form.fields else None, message)
        if not error.errors:
            form.add_error(None, str(error))
        return _detail_page(request, complaint, form, status=400)
    messages.success(request, _("Referred: the service was told."))
    return _back(complaint, "assistance")


@staff_page
@require_POST
def investigation_new(request: HttpRequest, pk: str) -> HttpResponse:
    complaint = access.get_complaint(request.user, pk)
    form = forms.InvestigationForm(request.POST, targets=tracks.investigation_targets(complaint))
    if not form.is_valid():
        messages.error(request, _("Choose an organisation from the list."))
        return _back(complaint, "investigation")
    try:
        tracks.investigation_refer(
            user=request.user,
            complaint=complaint,
            organisation=form.targets[form.cleaned_data["organisation"]],
        )
    except ComplaintError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Referred for investigation."))
    return _back(complaint, "investigation")


@staff_page
@require_POST
def outcome(request: HttpRequest, pk: str) -> HttpResponse:
    return _post_step(
        request,
        pk,
        lambda c: tracks.investigation_status_set(
            user=request.user, complaint=c, status=request.POST.get("status", "")
        ),
        "investigation",
        _("The status was recorded; the focal points were told."),
    )


@staff_page
@require_POST
def evidence_new(request: HttpRequest, pk: str) -> HttpResponse:
    complaint = access.get_complaint(request.user, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
        return _back(complaint, "evidence")
    try:
        custody.evidence_add(
            user=request.user,
            complaint=complaint,
            name=upload.name or "file",
            content_type=upload.content_type or "",
            data=upload.read(),
        )
    except ComplaintError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The file was added with its SHA-256."))
    return _back(complaint, "evidence")


@staff_page
@require_POST
def evidence_check(request: HttpRequest, pk: str) -> HttpResponse:
    complaint = access.get_complaint(request.user, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose the file to check."))
        return _back(complaint, "evidence")
    try:
        matching = custody.evidence_check(
            user=request.user, complaint=complaint, data=upload.read()
        )
    except ComplaintError as error:
        _refused(request, error)
        return _back(complaint, "evidence")
    if matching:
        messages.success(
            request,
            _("The file is identical to evidence item %(n)s as received (SHA-256 matches).")
            % {"n": ", ".join(str(m.number) for m in matching)},
        )
    else:
        messages.error(
            request,
            _(
                "The file does not match any evidence of this complaint: it is not the file "
                "received, or it was changed."
            ),
        )
    return _back(complaint, "evidence")


@staff_page
def evidence_file(request: HttpRequest, pk: str, number: int) -> HttpResponse:
    complaint = access.get_complaint(request.user, pk)
    item = access.get_evidence(complaint, number)
    data = custody.evidence_opened(user=request.user, complaint=complaint, item=item)
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = (
        f'attachment; filename="evidence-{item.number}{_extension(item.name)}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _extension(name: str) -> str:
    """The file's own extension when it is a plain one (.jpg, .pdf), so that a
    phone opens it; served as an attachment whatever it is."""
    suffix = PurePosixPath(name).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ""


@staff_page
@require_POST
def bundle(request: HttpRequest, pk: str) -> HttpResponse:
    from salama.complaints.bundles import bundle_export

    complaint = access.get_complaint(request.user, pk)
    form = forms.BundleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a password of at least 12 characters."))
        return _back(complaint, "bundle")
    try:
        data = bundle_export(
            user=request.user, complaint=complaint, password=form.cleaned_data["password"]
        )
    except ComplaintError as error:
        _refused(request, error)
        return _back(complaint, "bundle")
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{complaint.reference}-bundle.zip"'
    return response


# ---- assistance, as the service sees it ----


@staff_page
def assistance_list(request: HttpRequest) -> HttpResponse:
    if not access.reads_assistance(request.user):
        raise Http404
    page = paginate(access.assistance_for(request.user), request.GET.get("page"))
    return render(request, "complaints/assistance_list.html", {"page": page})


@staff_page
def assistance_detail(request: HttpRequest, pk: str) -> HttpResponse:
    referral = access.get_assistance(request.user, pk)
    labels = dict(tracks.NEEDS)
    return render(
        request,
        "complaints/assistance_detail.html",
        {
            "referral": referral,
            "shared": referral.shared,
            "needs": [labels.get(n, n) for n in referral.needs],
            "form": forms.AnswerForm(),
        },
    )


@staff_page
@require_POST
def assistance_answer(request: HttpRequest, pk: str) -> HttpResponse:
    referral = access.get_assistance(request.user, pk)
    step = request.POST.get("step")
    note = request.POST.get("note", "")
    try:
        if step == "complete":
            tracks.assistance_complete(user=request.user, referral=referral, note=note)
        else:
            tracks.assistance_answer(
                user=request.user, referral=referral, accept=step == "accept", note=note
            )
    except ComplaintError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Recorded; the PSEA focal point was told."))
    return redirect("assistance_detail", pk=referral.pk)


# ---- breaking the glass, figures, vetting ----


@staff_page
def break_glass(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.COMPLAINT_BREAK_GLASS)
    form = forms.BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            glass = actions.break_glass(
                user=request.user,
                reference=form.cleaned_data["reference"],
                reason=form.cleaned_data["reason"],
            )
        except ComplaintError as error:
            form.add_error(None, " ".join([str(error)]))
        else:
            return redirect("complaint_detail", pk=glass.complaint_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "complaints/break_glass.html", {"form": form}, status=status)


@staff_page
def network_figures(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.COMPLAINT_FIGURES)
    found = figures.network_figures(request.user)
    if request.GET.get("format") == "csv":
        response = HttpResponse(figures.figures_csv(found), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="sea-figures.csv"'
        return response
    context = {"figures": found, "tables": figures.labelled(found), **_figure_labels(found)}
    return render(request, "complaints/figures.html", context)


def _figure_labels(found: figures.NetworkFigures) -> dict[str, Any]:
    counted = found.counted
    return {
        "k": counted.k,
        "cells": counted.cells,
        "hidden": counted.hidden_small + counted.hidden_secondary,
        "small": counted.hidden_small,
        "secondary": counted.hidden_secondary,
    }


@staff_page
def vetting(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.COMPLAINT_RECEIVE)
    organisations = core_access.organisation_ids_with(request.user, Perm.COMPLAINT_RECEIVE)
    form = forms.VettingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.vetting_record(
                user=request.user,
                organisation=Organisation.objects.get(pk=min(organisations)),
                staff_name=form.cleaned_data["staff_name"],
                checked_on=form.cleaned_data["checked_on"],
            )
        except ComplaintError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Recorded."))
            return redirect("complaint_vetting")
    checks = paginate(access.vetting_checks(organisations), request.GET.get("page"))
    return render(
        request,
        "complaints/vetting.html",
        {"form": form, "page": checks},
        status=400 if request.method == "POST" else 200,
    )

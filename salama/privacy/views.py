"""Data-protection pages: exports (the registry, a person's own data),
data-sharing agreements. Thin: records come from privacy.access (404 outside
the user's scope), writes go through privacy.actions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from salama.core import access as core_access
from salama.core.decorators import staff_page
from salama.core.roles import Perm
from salama.privacy import access, actions, selectors
from salama.privacy.forms import AgreementForm, FilePasswordForm, SubjectAccessForm, SubjectFindForm
from salama.privacy.models import ExportFile, FileClosure, RecipientKind
from salama.registry.selectors import paginate

GET_POST = require_http_methods(["GET", "POST"])
ORIGIN_WARNING = gettext_lazy(
    "This agreement allows transfers to the authorities of the country of origin, which "
    "this server permits (SALAMA_ALLOW_TRANSFER_TO_ORIGIN_AUTHORITIES). Such transfers "
    "can put people who fled at risk: share only what the agreement names, and only "
    "what each person agreed to."
)


def _follow(export: ExportFile) -> HttpResponse:
    """The job's page, which continues to the export's page once done."""
    target = reverse("privacy_export", args=[export.pk])
    return redirect(reverse("job_detail", args=[export.job_id]) + f"?next={target}")


@staff_page
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "can_export": core_access.has_perm(request.user, Perm.REGISTRY_EXPORT),
        "can_subject_access": core_access.has_perm(request.user, Perm.SUBJECT_ACCESS),
        "can_agree": core_access.has_perm(request.user, Perm.ADMINISTER),
        "export_days": selectors.export_days(),
        "sees_alerts": core_access.has_perm(request.user, Perm.AUDIT_VIEW),
    }
    if not any(v for k, v in context.items() if k.startswith("can_")):
        raise Http404
    return render(request, "privacy/home.html", context)


@GET_POST
@staff_page
def export_list(request: HttpRequest) -> HttpResponse:
    """The user's export files, and the form asking for a new registry export."""
    may_export = core_access.has_perm(request.user, Perm.REGISTRY_EXPORT)
    form = FilePasswordForm(request.POST or None)
    if request.method == "POST":
        if not may_export:
            raise PermissionDenied
        if form.is_valid():
            try:
                export = actions.export_request(
                    user=request.user, password=form.cleaned_data["password1"]
                )
            except ValidationError as exc:
                form.add_error("password1", exc)
            else:
                return _follow(export)
    exports = access.exports_of(request.user).select_related("subject")[:100]
    context = {
        "form": form,
        "may_export": may_export,
        "exports": exports,
        "export_days": selectors.export_days(),
    }
    return render(request, "privacy/export_list.html", context, status=400 if form.errors else 200)


@staff_page
def export_detail(request: HttpRequest, pk: str) -> HttpResponse:
    export = access.get_export(request.user, pk)
    context = {"export": export, "expired": selectors.export_is_expired(export)}
    return render(request, "privacy/export_detail.html", context)


@staff_page
def export_download(request: HttpRequest, pk: str) -> HttpResponseBase:
    """The sealed file, to its requester only, until it expires (then 410)."""
    export = access.get_export(request.user, pk)
    if selectors.export_is_expired(export):
        return render(request, "privacy/export_gone.html", {"export": export}, status=410)
    path = selectors.export_path(export)
    if export.status != ExportFile.Status.READY or not path.exists():
        raise Http404
    actions.export_download_record(user=request.user, export=export)
    response = FileResponse(path.open("rb"), as_attachment=True, filename=export.filename)
    response["Content-Type"] = "application/zip"
    return response


@GET_POST
@staff_page
def subject_find(request: HttpRequest) -> HttpResponse:
    """Find a person by registration number (sent in the body, never in the URL)."""
    if not core_access.has_perm(request.user, Perm.SUBJECT_ACCESS):
        raise Http404
    form = SubjectFindForm(request.POST or None)
    not_found = False
    if request.method == "POST" and form.is_valid():
        person = access.find_subject(request.user, form.cleaned_data["registration_number"])
        if person is not None:
            return redirect("privacy_subject", pk=person.pk)
        not_found = True
    status = 404 if not_found else 400 if form.errors else 200
    context = {"form": form, "not_found": not_found}
    return render(request, "privacy/subject_find.html", context, status=status)


@GET_POST
@staff_page
def subject_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """One person: ask for all their data in one file, or close their file."""
    if not core_access.has_perm(request.user, Perm.SUBJECT_ACCESS):
        raise Http404
    person = access.get_subject(request.user, pk, audit=request.method == "GET")
    preferred = actions.person_language(person)
    form = SubjectAccessForm(request.POST or None, initial={"language": preferred or ""})
    if request.method == "POST" and form.is_valid():
        try:
            export = actions.subject_access_request(
                user=request.user,
                person=person,
                language=form.cleaned_data["language"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            form.add_error("password1", exc)
        except actions.ExportError as exc:
            form.add_error("language", str(exc))
        else:
            return _follow(export)
    context = {
        "person": person,
        "form": form,
        "preferred": preferred,
        "closure": FileClosure.objects.filter(person=person).first(),
        "reasons": FileClosure.Reason.choices,
        "retention_days": selectors.closed_person_days(),
    }
    return render(
        request, "privacy/subject_detail.html", context, status=400 if form.errors else 200
    )


@require_POST
@staff_page
def subject_close(request: HttpRequest, pk: str) -> HttpResponse:
    """Close a person's file: their record is deleted once the retention period
    passes. The first POST shows what closing does; only the second, carrying
    the explicit confirmation, closes it."""
    if not core_access.has_perm(request.user, Perm.SUBJECT_ACCESS):
        raise Http404
    person = access.get_subject(request.user, pk, audit=False)
    reason = request.POST.get("reason", "")
    if request.POST.get("confirm") != "yes":
        reasons = dict(FileClosure.Reason.choices)
        if reason not in reasons:
            messages.error(request, _("Choose why the file is closed."))
            return redirect("privacy_subject", pk=person.pk)
        context = {
            "person": person,
            "reason": reason,
            "reason_label": reasons[reason],
            "retention_days": selectors.closed_person_days(),
        }
        return render(request, "privacy/subject_close.html", context)
    try:
        actions.file_close(user=request.user, person=person, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("privacy_subject", pk=person.pk)
    messages.success(
        request, _("The file is closed; it will be deleted after its retention period.")
    )
    return redirect("privacy_subject", pk=person.pk)


@staff_page
def reader_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """Everything one user did, for the data protection officer a bulk-access
    alert was sent to (PROTECTION.md 17)."""
    reader, entries = access.get_reader(request.user, pk)
    page = paginate(entries, request.GET.get("page"), 50)
    return render(request, "privacy/reader_detail.html", {"reader": reader, "page": page})


def _administrator(request: HttpRequest) -> None:
    if not core_access.has_perm(request.user, Perm.ADMINISTER):
        raise Http404


@staff_page
def agreement_list(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    agreements = access.agreements_for(request.user).select_related("ended_by")
    context = {
        "rows": [{"a": a, **selectors.agreement_shared(a)} for a in agreements],
        "origin_allowed": selectors.origin_transfers_allowed(),
    }
    return render(request, "privacy/agreement_list.html", context)


@GET_POST
@staff_page
def agreement_new(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    organisations = access.sharing_organisations(request.user)
    form = AgreementForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.agreement_create(
                user=request.user,
                from_organisation=data["from_organisation"],
                recipient_kind=data["recipient_kind"],
                to_organisation=data["to_organisation"],
                recipient_name=data["recipient_name"],
                purposes=data["purposes"],
                sensitivity_classes=data["sensitivity_classes"],
                fields=data["field_list"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                signatory=data["signatory"],
            )
        except actions.AgreementError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("The agreement is recorded."))
            if data["recipient_kind"] == RecipientKind.ORIGIN_AUTHORITIES:
                messages.warning(request, ORIGIN_WARNING)
            return redirect("privacy_agreements")
    status = 400 if form.errors else 200
    context = {"form": form, "origin_allowed": selectors.origin_transfers_allowed()}
    return render(request, "privacy/agreement_form.html", context, status=status)


@GET_POST
@staff_page
def agreement_end(request: HttpRequest, pk: str) -> HttpResponse:
    """Ending an agreement is asked for on a page of its own: only a POST
    carrying the explicit confirmation ends it."""
    _administrator(request)
    agreement = access.get_agreement_to_manage(request.user, pk)
    confirmed = request.method == "POST" and request.POST.get("confirm") == "yes"
    if not confirmed:
        context = {"a": agreement, **selectors.agreement_shared(agreement)}
        status = 400 if request.method == "POST" else 200
        return render(request, "privacy/agreement_end.html", context, status=status)
    try:
        actions.agreement_end(user=request.user, agreement=agreement)
    except actions.AgreementError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The agreement has ended: nothing more is shared under it."))
    return redirect("privacy_agreements")

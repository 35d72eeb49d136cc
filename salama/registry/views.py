"""Registry pages. Thin: records come from registry.access, writes go
through registry.actions."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from salama.core import access as core_access
from salama.core.decorators import is_htmx, staff_page
from salama.core.roles import Perm
from salama.registry import (
    access,
    actions,
    audit_text,
    households,
    import_jobs,
    importer,
    selectors,
)
from salama.registry.codes import LEGAL_BASES, PURPOSES, specific_needs
from salama.registry.forms import HouseholdForm, LegalBasesForm, PersonForm, PersonFormSet
from salama.registry.views_search import person_list, person_search  # noqa: F401 (urls)
from salama.screening import access as screening_access


def _require(request: HttpRequest, perm: Perm) -> None:
    if not core_access.has_perm(request.user, perm):
        raise Http404


@staff_page
def person_detail(request: HttpRequest, pk: str) -> HttpResponse:
    person = access.get_person(request.user, pk)
    may = access.actions_on_person(
        request.user, person, [Perm.PERSON_CHANGE, Perm.PERSON_DELETE, Perm.PERSON_MERGE]
    )
    context = {
        "person": person,
        "documents": person.documents.all(),
        "bases": {b.purpose: b for b in person.legal_bases.all()},
        "purposes": PURPOSES,
        "basis_choices": LEGAL_BASES,
        "needs": [(c, specific_needs().get(c, c)) for c in person.specific_needs],
        "revisions": access.person_revisions(person)[:20],
        "can_change": Perm.PERSON_CHANGE in may,
        "can_delete": Perm.PERSON_DELETE in may,
        "household_members": access.household_members(request.user, person.household),
        "can_merge": Perm.PERSON_MERGE in may,
        "merged_records": access.merged_records(request.user, person),
        "screenings": screening_access.person_screenings(request.user, person)[:50]
        if core_access.has_perm(request.user, Perm.SCREENING_VIEW)
        else None,
    }
    return render(request, "registry/person_detail.html", context)


@require_http_methods(["GET", "POST"])
@staff_page
def person_edit(request: HttpRequest, pk: str) -> HttpResponse:
    person = access.get_person(request.user, pk, Perm.PERSON_CHANGE)
    document = person.documents.first()
    initial = (
        {
            "document_type": document.document_type,
            "document_number": document.number,
            "document_issuer": document.issuer,
        }
        if document
        else {}
    )
    form = PersonForm(request.POST or None, instance=person, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = actions.PersonData.from_cleaned(form.cleaned_data)
        try:
            changed = actions.person_update(user=request.user, person=person, data=data)
        except actions.HouseholdError as error:
            form.add_error("relationship", error.problems)
        else:
            if changed:
                messages.success(
                    request,
                    _("Saved. Changed: %(fields)s") % {"fields": audit_text.field_labels(changed)},
                )
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("person_detail", pk=person.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "registry/person_edit.html", {"person": person, "form": form}, status=status
    )


@require_POST
@staff_page
def person_consent(request: HttpRequest, pk: str) -> HttpResponse:
    person = access.get_person(request.user, pk, Perm.PERSON_CHANGE)
    purpose = request.POST.get("purpose", "")
    basis = request.POST.get("basis", "")
    form = LegalBasesForm({f"basis_{purpose}": basis, "basis_registration": "consent"})
    if (
        purpose not in dict(PURPOSES)
        or (purpose == "registration" and not basis)
        or not form.is_valid()
    ):
        messages.error(request, _("Choose a purpose and a legal basis from the list."))
    else:
        actions.legal_basis_set(
            user=request.user, person=person, purpose=purpose, basis=basis or None
        )
        messages.success(request, _("Legal basis recorded."))
    return redirect("person_detail", pk=person.pk)


@require_http_methods(["GET", "POST"])
@staff_page
def person_delete(request: HttpRequest, pk: str) -> HttpResponse:
    person = access.get_person(request.user, pk, Perm.PERSON_DELETE)
    if request.method == "POST":
        if request.POST.get("confirm") != person.registration_number:
            messages.error(request, _("Type the registration number to confirm."))
        else:
            try:
                actions.person_delete(user=request.user, person=person)
            except actions.PersonDeleteRefused as refused:
                messages.error(
                    request,
                    ngettext(
                        "%(count)d other record was merged into this one. Separate it "
                        "(unmerge) or delete it first.",
                        "%(count)d other records were merged into this one. Separate them "
                        "(unmerge) or delete them first.",
                        refused.merged,
                    )
                    % {"count": refused.merged},
                )
                context = {"person": person}
                return render(request, "registry/person_delete.html", context, status=400)
            messages.success(request, _("The person's record was deleted."))
            return redirect("person_list")
    return render(request, "registry/person_delete.html", {"person": person})


@staff_page
def person_access_log(request: HttpRequest, pk: str) -> HttpResponse:
    person, entries = access.person_access_log(request.user, pk)
    page = selectors.paginate(entries, request.GET.get("page"), 50)
    # Each reader's name links to everything they did (the data-protection
    # page privacy_reader) where the viewer may open it.
    user_ids = {e.user_id for e in page if e.user_id is not None}
    context = {
        "person": person,
        "page": page,
        "reader_ids": selectors.audit_readable_user_ids(request.user, user_ids),
    }
    return render(request, "registry/person_access_log.html", context)


@staff_page
def household_detail(request: HttpRequest, pk: str) -> HttpResponse:
    household = access.get_household(request.user, pk)
    members = list(access.household_members(request.user, household))
    context = {
        "household": household,
        "members": members,
        "composition": households.registered_as([m.specific_needs for m in members]),
        "can_add_member": core_access.has_perm(request.user, Perm.PERSON_CREATE)
        and access.may_change_household(request.user, household),
    }
    return render(request, "registry/household_detail.html", context)


@require_http_methods(["GET", "POST"])
@staff_page
def household_add_member(request: HttpRequest, pk: str) -> HttpResponse:
    """Add a person (a newborn, a relative who arrived later) to a household."""
    _require(request, Perm.PERSON_CREATE)
    household = access.get_household(request.user, pk, Perm.HOUSEHOLD_CHANGE, audit=False)
    post = request.POST or None
    form = PersonForm(post, initial={"relationship": "child"})
    bases_form = LegalBasesForm(post)
    if request.method == "POST" and form.is_valid() and bases_form.is_valid():
        try:
            person = actions.person_add(
                user=request.user,
                household=household,
                data=actions.PersonData.from_cleaned(form.cleaned_data),
                bases=bases_form.bases(),
            )
        except actions.HouseholdError as error:
            form.add_error("relationship", error.problems)
        else:
            messages.success(
                request,
                _("Added to household %(number)s.") % {"number": household.registration_number},
            )
            return redirect("person_detail", pk=person.pk)
    context = {"household": household, "form": form, "bases_form": bases_form}
    return render(
        request, "registry/household_add_member.html", context, status=400 if post else 200
    )


@require_http_methods(["GET", "POST"])
@staff_page
def household_new(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.HOUSEHOLD_CREATE)
    sites = access.sites_for(request.user, Perm.HOUSEHOLD_CREATE)
    post = request.POST or None
    household_form = HouseholdForm(post, sites=sites)
    bases_form = LegalBasesForm(post)
    members = PersonFormSet(post, prefix="m", initial=[{"relationship": "head"}])
    if request.method == "POST" and all(
        f.is_valid() for f in (household_form, bases_form, members)
    ):
        try:
            household = actions.household_register(
                user=request.user,
                organisation=core_access.organisation_for(request.user, Perm.HOUSEHOLD_CREATE),
                site=household_form.cleaned_data["site"],
                shelter=household_form.cleaned_data["shelter"],
                members=[actions.PersonData.from_cleaned(f.cleaned_data) for f in members.forms],
                bases=bases_form.bases(),
                composition=household_form.cleaned_data["composition"],
            )
        except actions.HouseholdError as error:
            household_form.add_error("composition", error.problems)
        else:
            count = len(members.forms)
            messages.success(
                request,
                ngettext(
                    "Household %(number)s registered with %(count)d member.",
                    "Household %(number)s registered with %(count)d members.",
                    count,
                )
                % {"number": household.registration_number, "count": count},
            )
            return redirect("household_detail", pk=household.pk)
    context = {"household_form": household_form, "bases_form": bases_form, "members": members}
    return render(request, "registry/household_new.html", context, status=400 if post else 200)


@staff_page
def household_member_form(request: HttpRequest) -> HttpResponse:
    """One more blank member form for the desk (htmx)."""
    _require(request, Perm.HOUSEHOLD_CREATE)
    try:
        index = max(0, min(int(request.GET.get("index", "1")), 39))
    except ValueError:
        index = 1
    form = PersonFormSet(prefix="m").empty_form
    form.prefix = f"m-{index}"
    return render(request, "registry/_partials/member_form.html", {"form": form, "index": index})


@require_http_methods(["GET", "POST"])
@staff_page
def import_start(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.REGISTRY_IMPORT)
    bases_form = LegalBasesForm(request.POST or None)
    error = ""
    if request.method == "POST" and bases_form.is_valid():
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose a file to import.")
        elif upload.size and upload.size > _max_import_bytes():
            error = _("The file is larger than the limit of %(mb)d MB.") % {
                "mb": _max_import_bytes() // 2**20
            }
        else:
            try:
                job = import_jobs.import_job_start_in_background(
                    user=request.user,
                    organisation=core_access.organisation_for(request.user, Perm.REGISTRY_IMPORT),
                    filename=upload.name or "upload",
                    content=upload.read(),
                    bases=bases_form.bases(),
                )
            except importer.ImportFileError as exc:
                error = str(exc)
            else:
                return redirect("import_job", pk=job.pk)
    context = {"bases_form": bases_form, "error": error, "columns": importer.COLUMNS}
    return render(
        request,
        "registry/import_start.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


def _max_import_bytes() -> int:
    from django.conf import settings

    return int(settings.SALAMA_IMPORT_MAX_BYTES)


@staff_page
def import_job(request: HttpRequest, pk: str) -> HttpResponse:
    """The upload's state; while its background jobs run, the page polls it."""
    job = access.get_import_job(request.user, pk)
    check = import_jobs.latest_job(job, "import_check")
    commit = import_jobs.latest_job(job, "import_commit")
    checking = job.status == job.Status.CHECKING and not (check and check.finished)
    importing = job.status == job.Status.READY and commit is not None and not commit.finished
    context = {"job": job, "check": check, "commit": commit, "polling": checking or importing}
    template = "registry/_partials/import_progress.html" if is_htmx(request) else None
    return render(request, template or "registry/import_job.html", context)


@require_POST
@staff_page
def import_commit(request: HttpRequest, pk: str) -> HttpResponse:
    """Queue the import of a checked file; the page follows it."""
    job = access.get_import_job(request.user, pk)
    try:
        import_jobs.import_job_commit_in_background(user=request.user, job=job)
    except ValueError:
        messages.error(request, _("This import is not ready: check the file first."))
    return redirect("import_job", pk=job.pk)

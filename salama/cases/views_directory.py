"""The service directory's pages under /cases/directory/: the list (every
signed-in user), a service's page, the keepers' forms, and each site's
referral pathways. Thin: reads from selectors_directory, writes through
salama.cases.directory, one write per POST. A page a user may not use answers
404, as everywhere."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from salama.cases import directory, forms_directory
from salama.cases import selectors_directory as selectors
from salama.cases.models import Service
from salama.core.decorators import is_htmx, staff_page
from salama.core.models import Site
from salama.registry.selectors import paginate


def _require_keeper(request: HttpRequest) -> None:
    if not selectors.can_keep(request.user):
        raise Http404


# ---- The directory ----


@staff_page
def service_list(request: HttpRequest) -> HttpResponse:
    form = forms_directory.DirectoryFilterForm(
        request.GET or None,
        sites=selectors.directory_sites(),
        organisations=selectors.organisations(),
    )
    chosen = form.cleaned_data if form.is_valid() else {}
    found = selectors.directory(
        site=selectors.site_by_code(chosen.get("site") or ""),
        service_type=chosen.get("service_type") or "",
        organisation=selectors.organisation_by_short_name(chosen.get("organisation") or ""),
        text=chosen.get("q") or "",
    )
    page = paginate(found, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_keep": selectors.can_keep(request.user),
    }
    if is_htmx(request):
        return render(request, "cases/directory/_partials/service_rows.html", context)
    return render(request, "cases/directory/service_list.html", context)


@staff_page
def service_detail(request: HttpRequest, pk: str) -> HttpResponse:
    service = selectors.service(pk)
    steps = service.pathway_steps.select_related("site").order_by("site__path", "case_type")
    context = {
        "service": service,
        "steps": steps,
        "keeps": selectors.keeps_site(request.user, service.site_path),
    }
    return render(request, "cases/directory/service_detail.html", context)


def _service_form(request: HttpRequest, data: Any = None, **kwargs: Any) -> Any:
    return forms_directory.ServiceForm(
        data,
        sites=selectors.keeper_sites(request.user),
        organisations=selectors.organisations(),
        **kwargs,
    )


def _save(request: HttpRequest, service: Service | None) -> HttpResponse:
    form = _service_form(request, request.POST)
    if form.is_valid():
        c = dict(form.cleaned_data)
        site = selectors.keeper_sites(request.user).get(pk=c.pop("site"))
        c["organisation"] = selectors.organisations().get(pk=c["organisation"])
        try:
            saved = directory.service_save(user=request.user, site=site, data=c, service=service)
        except directory.DirectoryError as exc:
            form.add_directory_error(exc.field, str(exc))
        else:
            messages.success(request, _("The service is saved."))
            return redirect("service_detail", pk=saved.pk)
    context = {"form": form, "service": service}
    return render(request, "cases/directory/service_edit.html", context, status=422)


@require_http_methods(["GET", "POST"])
@staff_page
def service_new(request: HttpRequest) -> HttpResponse:
    _require_keeper(request)
    if request.method == "POST":
        return _save(request, None)
    site = selectors.site_by_code(request.GET.get("site", "")[:20])
    initial = {"site": site.pk} if site and selectors.keeps_site(request.user, site.path) else {}
    form = _service_form(request, initial=initial)
    return render(request, "cases/directory/service_edit.html", {"form": form, "service": None})


@require_http_methods(["GET", "POST"])
@staff_page
def service_edit(request: HttpRequest, pk: str) -> HttpResponse:
    _require_keeper(request)
    service = selectors.kept_service(request.user, pk)
    if request.method == "POST":
        return _save(request, service)
    form = _service_form(request, initial=forms_directory.service_initial(service))
    return render(request, "cases/directory/service_edit.html", {"form": form, "service": service})


@require_http_methods(["GET", "POST"])
@staff_page
def service_deactivate(request: HttpRequest, pk: str) -> HttpResponse:
    """Asks first, with what follows; deactivates on the confirmed POST."""
    _require_keeper(request)
    service = selectors.kept_service(request.user, pk)
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        try:
            directory.service_deactivate(user=request.user, service=service)
        except directory.DirectoryError as exc:
            messages.error(request, str(exc))
            return redirect("service_detail", pk=service.pk)
        messages.success(
            request, _("%(name)s is no longer in the directory.") % {"name": service.name}
        )
        return redirect("service_directory")
    context = {
        "service": service,
        "steps": service.pathway_steps.count(),
        "open_referrals": selectors.open_referrals(service),
    }
    return render(request, "cases/directory/service_deactivate.html", context)


# ---- Pathways ----


def _pathway_site(request: HttpRequest, code: str) -> Site:
    """The site the pathways page is about: the one asked for (404 if none
    has that code), else the first camp the user keeps, else the first camp."""
    if code:
        site = selectors.site_by_code(code[:20])
        if site is None:
            raise Http404
        return site
    kept = selectors.keeper_sites(request.user).filter(level=Site.Level.SITE).first()
    site = kept or selectors.directory_sites().filter(level=Site.Level.SITE).first()
    if site is None:
        raise Http404
    return site


def _pathways_page(
    request: HttpRequest, site: Site, status: int = 200, **extra: Any
) -> HttpResponse:
    keeps = selectors.keeps_site(request.user, site.path)
    services = list(selectors.directory(site=site)) if keeps else []
    context = {
        "site": site,
        "sites": selectors.directory_sites(),
        "pathways": selectors.pathways(site),
        "keeps": keeps,
        "step_form": forms_directory.StepForm(services=services) if keeps else None,
    }
    context.update(extra)
    return render(request, "cases/directory/pathways.html", context, status=status)


def _back_to(site: Site, anchor: str = "") -> HttpResponse:
    url = f"{reverse('service_pathways')}?site={site.code}"
    return redirect(f"{url}#{anchor}" if anchor else url)


@staff_page
def pathway_list(request: HttpRequest) -> HttpResponse:
    return _pathways_page(request, _pathway_site(request, request.GET.get("site", "")))


@require_POST
@staff_page
def pathway_add(request: HttpRequest) -> HttpResponse:
    _require_keeper(request)
    site = _pathway_site(request, request.POST.get("site", "") or "-")
    if not selectors.keeps_site(request.user, site.path):
        raise Http404
    services = list(selectors.directory(site=site))
    form = forms_directory.StepForm(request.POST, services=services)
    if form.is_valid():
        c = form.cleaned_data
        service = next(s for s in services if str(s.pk) == c["service"])
        try:
            directory.pathway_step_add(
                user=request.user,
                site=site,
                case_type=c["case_type"],
                for_children=c["for_children"],
                service=service,
                note=c["note"],
            )
        except directory.DirectoryError as exc:
            form.add_error("service" if exc.field == "service" else None, str(exc))
        else:
            messages.success(request, _("The service is added to the pathway."))
            anchor = f"{c['case_type']}-{'child' if c['for_children'] else 'all'}"
            return _back_to(site, anchor)
    return _pathways_page(request, site, status=422, step_form=form)


@require_POST
@staff_page
def pathway_remove(request: HttpRequest, pk: str) -> HttpResponse:
    _require_keeper(request)
    step = selectors.kept_step(request.user, pk)
    directory.pathway_step_remove(user=request.user, step=step)
    messages.success(
        request, _("%(name)s is taken out of the pathway.") % {"name": step.service.name}
    )
    return _back_to(step.site, f"{step.case_type}-{'child' if step.for_children else 'all'}")


@require_POST
@staff_page
def pathway_move(request: HttpRequest, pk: str) -> HttpResponse:
    _require_keeper(request)
    step = selectors.kept_step(request.user, pk)
    direction = request.POST.get("direction", "")
    try:
        directory.pathway_step_move(user=request.user, step=step, direction=direction)
    except directory.DirectoryError as exc:
        messages.error(request, str(exc))
    return _back_to(step.site, f"{step.case_type}-{'child' if step.for_children else 'all'}")

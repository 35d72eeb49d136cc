"""Pages of alleged exploiters and networks: recording an alleged exploiter
on a case (its caseworkers), and the clusters of linked cases (protection
officers of the owning organisation). Thin: cases come from cases.access,
reads and writes go through cases.networks. No export."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salama.cases import access, networks
from salama.cases.forms_networks import ExploiterForm
from salama.cases.models import ProtectionCase
from salama.core import access as core_access
from salama.core.decorators import staff_page
from salama.core.roles import Perm


def case_page(case: ProtectionCase) -> str:
    """The case's own page (/cases/<pk>/) where it exists, else this part's."""
    path = f"/cases/{case.pk}/"
    try:
        resolve(path)
    except Resolver404:
        return reverse("networks_case", args=[case.pk])
    return path


def _case_context(request: HttpRequest, case: ProtectionCase, **extra: object) -> dict[str, object]:
    return {
        "case": case,
        "exploiters": networks.read_exploiters(request.user, case),
        "can_work": core_access.has_perm(request.user, Perm.CASE_WORK)
        and access.cases_for(request.user, Perm.CASE_WORK).filter(pk=case.pk).exists(),
        "case_page": case_page(case),
        **extra,
    }


@require_GET
@staff_page
def case_exploiters(request: HttpRequest, case_pk: str) -> HttpResponse:
    """A case's alleged exploiters on a page of their own (the case page
    includes the same part)."""
    case = access.get_case(request.user, case_pk, Perm.CASE_VIEW)
    return render(request, "cases/networks/case.html", _case_context(request, case))


@require_POST
@staff_page
def exploiter_add(request: HttpRequest, case_pk: str) -> HttpResponse:
    case = access.get_case(request.user, case_pk, Perm.CASE_WORK)
    form = ExploiterForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            networks.exploiter_record(user=request.user, case=case, data=form.data_for_action())
        except networks.ExploiterError as exc:
            error = str(exc)
    else:
        error = _("Check the fields marked below.")
    if error:
        context = _case_context(request, case, exploiter_form=form, exploiter_error=error)
        return render(request, "cases/networks/case.html", context, status=422)
    messages.success(request, _("The alleged exploiter was recorded."))
    return redirect(case_page(case) + "#exploiters")


@require_POST
@staff_page
def exploiter_remove(request: HttpRequest, case_pk: str, pk: int) -> HttpResponse:
    case = access.get_case(request.user, case_pk, Perm.CASE_WORK)
    exploiter = networks.exploiters_of(case).filter(pk=pk).first()
    if exploiter is None:
        raise Http404
    networks.exploiter_remove(user=request.user, exploiter=exploiter)
    messages.success(request, _("The record was removed."))
    return redirect(case_page(case) + "#exploiters")


@require_GET
@staff_page
def clusters(request: HttpRequest) -> HttpResponse:
    """Cases of the user's organisations linked through alleged exploiters."""
    if not core_access.has_perm(request.user, Perm.NETWORK_VIEW):
        raise Http404
    return render(
        request, "cases/networks/clusters.html", {"clusters": networks.clusters_for(request.user)}
    )

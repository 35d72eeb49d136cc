"""Staff pages of protection cases and referrals."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from salama.cases import access
from salama.core import access as core_access
from salama.core.decorators import staff_page
from salama.core.roles import Perm


def _require(request: HttpRequest, perm: Perm) -> None:
    if not core_access.has_perm(request.user, perm):
        raise Http404


@staff_page
def case_list(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.CASE_VIEW)
    cases = access.cases_for(request.user)[:50]
    return render(request, "cases/case_list.html", {"cases": cases})

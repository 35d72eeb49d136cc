"""The one person search (the home page's, the menu's and the people list's):
names in any script and spelling ranked by the linkage engine, with the
exact-text list as a filter of the same page. Queries are posted, so that
names typed never appear in URLs or logs."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from salama.audit.actions import record_list_read
from salama.core import access as core_access
from salama.core.decorators import is_htmx, staff_page
from salama.core.roles import Perm
from salama.registry import access, matching, selectors
from salama.registry.forms import SearchForm

FUZZY_RESULTS = 20


def _require(request: HttpRequest) -> None:
    if not core_access.has_perm(request.user, Perm.PERSON_VIEW):
        raise Http404


def _likely(user: Any, form: SearchForm) -> list[Any]:
    """Ranked candidates over every query the words make, each person once
    with their best probability. For roles that may not see survivors' names
    a survivor is only "a possible match held by protection staff", with a
    way to ask them (PROTECTION.md 8)."""
    best: dict[Any, matching.Match] = {}
    for query in form.queries():
        for match in access.match_persons(user, query, top=FUZZY_RESULTS):
            known = best.get(match.person.pk)
            if known is None or match.probability > known.probability:
                best[match.person.pk] = match
    shown = sorted(best.values(), key=lambda m: -m.probability)[:FUZZY_RESULTS]
    return selectors.matches_as_seen(user, shown)


def _context(request: HttpRequest, form: SearchForm) -> dict[str, Any]:
    user = request.user
    if not form.is_bound or not form.is_valid():
        page = selectors.paginate(selectors.person_search(user), request.GET.get("page"))
        return {"form": form, "mode": "exact", "page": page, "query": ""}
    mode, text = form.cleaned_data["mode"], form.text()
    if mode == "exact" or not text:
        found = selectors.person_search(user, text[:100])
        page = selectors.paginate(found, request.POST.get("page"))
        return {"form": form, "mode": "exact", "page": page, "query": text}
    return {
        "form": form,
        "mode": "fuzzy",
        "query": text,
        "by_number": selectors.number_hits(user, text),
        "matches": _likely(user, form),
    }


def _shown(context: dict[str, Any]) -> list[Any]:
    """The people a search page shows, audited as one list read (PROTECTION.md 16)."""
    if context["mode"] == "exact":
        return list(context["page"].object_list)
    shown = [m.person for m in context["matches"] if not isinstance(m, selectors.HeldMatch)]
    return [*context["by_number"], *shown]


def _render(request: HttpRequest, form: SearchForm) -> HttpResponse:
    context = _context(request, form)
    record_list_read(request.user, _shown(context))
    status = 400 if form.is_bound and not form.is_valid() else 200
    if is_htmx(request):
        return render(request, "registry/_partials/search_results.html", context, status=status)
    return render(request, "registry/person_list.html", context, status=status)


@staff_page
def person_list(request: HttpRequest) -> HttpResponse:
    """The search page; with nothing typed, everyone in scope, page by page."""
    _require(request)
    return _render(request, SearchForm())


@require_POST
@staff_page
def person_search(request: HttpRequest) -> HttpResponse:
    _require(request)
    return _render(request, SearchForm(request.POST))


@require_http_methods(["GET", "POST"])
@staff_page
def person_find(request: HttpRequest) -> HttpResponse:
    """The menu's "Find a person": the same page."""
    _require(request)
    return _render(request, SearchForm(request.POST or None))

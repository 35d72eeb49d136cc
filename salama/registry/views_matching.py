"""Finding people: search-before-create at the desk, the person search page,
and the duplicate review queue with merge and unmerge."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from salama.audit.actions import record_list_read
from salama.core import access as core_access
from salama.core.decorators import is_htmx, staff_page
from salama.core.roles import Perm
from salama.lib.linkage.clusters import clusters
from salama.lib.linkage.records import invalid_columns
from salama.registry import access, actions, selectors
from salama.registry.models import Person
from salama.registry.views_search import person_find  # noqa: F401 (urls)


def _require(request: HttpRequest, perm: Perm) -> None:
    if not core_access.has_perm(request.user, perm):
        raise Http404


def desk_query(data: Any, prefix: str) -> dict[str, str]:
    """An engine query from one member of the desk form (either script)."""
    get = lambda name: (data.get(f"{prefix}-{name}") or "").strip()  # noqa: E731
    original = {f"{p}_name": get(f"{p}_name") for p in ("given", "father", "grandfather", "family")}
    latin = {
        f"{p}_name": get(f"{p}_name_latin") for p in ("given", "father", "grandfather", "family")
    }
    names = original if any(original.values()) else latin
    query = {
        **names,
        "sex": get("sex"),
        "phone": get("phone"),
        "document_number": get("document_number"),
        "place_of_origin": get("origin_place"),
    }
    if get("birth_date"):
        query["birth_date"] = get("birth_date")
    elif get("stated_age").isdigit():
        query["age"] = get("stated_age")
    return query


def _has_name(query: dict[str, str]) -> bool:
    return any(
        query.get(f"{p}_name") for p in ("given", "father", "grandfather", "family")
    ) or bool(query.get("full_name"))


@require_POST
@staff_page
def desk_matches(request: HttpRequest, index: int) -> HttpResponse:
    """Likely existing people for the member being typed at the desk (htmx)."""
    _require(request, Perm.PERSON_CREATE)
    query = desk_query(request.POST, f"m-{index}")
    if invalid_columns(query):
        return _invalid_desk_query(invalid_columns(query))
    matches = access.match_persons(request.user, query, top=5) if _has_name(query) else []
    matches = selectors.matches_as_seen(request.user, [m for m in matches if m.probability >= 0.05])
    record_list_read(
        request.user, [m.person for m in matches if not isinstance(m, selectors.HeldMatch)]
    )
    return render(request, "registry/_partials/matches.html", {"matches": matches, "compact": True})


@require_POST
@staff_page
def held_match_ask(request: HttpRequest) -> HttpResponse:
    """The button of a possible match held by protection staff: the site's
    protection officers are told; the asker sees only that they were."""
    _require(request, Perm.PERSON_VIEW)
    person = selectors.held_person(request.user, request.POST.get("token", ""))
    if person is None:
        return render(request, "registry/_partials/held_asked.html", {"expired": True}, status=400)
    told = actions.held_match_ask(user=request.user, person=person)
    if not is_htmx(request):
        if told:
            messages.success(
                request, _("Protection staff were asked to look at the possible match.")
            )
        else:
            messages.warning(
                request,
                _(
                    "No protection officer covers this site in Salama: "
                    "ask your protection focal point."
                ),
            )
        return redirect("person_find")
    return render(request, "registry/_partials/held_asked.html", {"told": told})


# Engine columns of a desk query → the desk's fields, to name them.
DESK_FIELDS = {"sex": "sex", "birth_date": "birth_date", "age": "stated_age"}


def _invalid_desk_query(columns: list[str]) -> HttpResponse:
    """400 naming the fields (never their values) that cannot be searched."""
    fields = [Person._meta.get_field(DESK_FIELDS.get(c, c)) for c in columns]
    labels = [str(getattr(field, "verbose_name", field.name)) for field in fields]
    message = _("Check these fields before searching: %(fields)s.") % {"fields": ", ".join(labels)}
    return HttpResponseBadRequest(format_html('<p class="error">{}</p>', message))


@staff_page
def duplicate_list(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.PERSON_MERGE)
    pending = list(access.duplicate_candidates(request.user, "pending")[:200])
    cluster_of = clusters((c.keep_id, c.other_id) for c in pending)
    for candidate in pending:
        candidate.cluster = cluster_of[candidate.keep_id]  # type: ignore[attr-defined]
    pending.sort(key=lambda c: (c.cluster, -c.probability))  # type: ignore[attr-defined]
    merged = list(access.duplicate_candidates(request.user, "merged").order_by("-decided_at")[:50])
    context = {
        "pending": pending,
        "merged": merged,
        "can_scan": core_access.has_perm(request.user, Perm.PERSON_DELETE),
    }
    people = [pk for pair in pending + merged for pk in (pair.keep_id, pair.other_id)]
    record_list_read(request.user, people, model="registry.Person")
    return render(request, "registry/duplicates.html", context)


@require_POST
@staff_page
def duplicate_scan(request: HttpRequest) -> HttpResponse:
    """Administrators start a scan now (it also runs nightly and after each
    import) as a background job; pairs wait for a human decision."""
    _require(request, Perm.PERSON_MERGE)
    if not core_access.has_perm(request.user, Perm.PERSON_DELETE):
        raise Http404
    from salama.jobs.api import job_enqueue
    from salama.registry.jobs import duplicate_scan as scan_job

    queued = job_enqueue(
        scan_job,
        kwargs={"user_id": request.user.pk},
        user=request.user,
        organisation=core_access.organisation_for(request.user, Perm.PERSON_MERGE),
    )
    messages.success(request, _("The scan runs in the background; new pairs join the queue."))
    return redirect(f"{reverse('job_detail', args=[queued.pk])}?next={reverse('duplicate_list')}")


@require_http_methods(["GET", "POST"])
@staff_page
def duplicate_decide(request: HttpRequest, pk: str) -> HttpResponse:
    """GET: both records side by side, every field, differences marked, and
    the choice of the record to keep; POST: the decision."""
    if request.method == "GET":
        candidate = access.duplicate_candidate_to_review(request.user, pk)
        context = {
            "candidate": candidate,
            "rows": selectors.comparison(request.user, candidate.keep, candidate.other),
        }
        return render(request, "registry/duplicate_confirm.html", context)
    candidate = access.get_duplicate_candidate(request.user, pk)
    decision = request.POST.get("decision")
    if candidate.status != "pending":
        messages.error(request, _("This pair was already decided."))
    elif decision == "merge":
        keep = (
            candidate.keep
            if request.POST.get("keep") != str(candidate.other_id)
            else candidate.other
        )
        try:
            actions.duplicate_merge(user=request.user, candidate=candidate, keep=keep)
        except actions.MergeRefused as refused:
            messages.error(request, str(refused))
        except ValueError:
            messages.error(request, _("One of these records is already merged into another."))
        else:
            messages.success(
                request,
                _("Merged. The merged record keeps its history and can be separated again."),
            )
    elif decision == "reject":
        actions.duplicate_reject(user=request.user, candidate=candidate)
        messages.success(request, _("Recorded as two different people."))
    else:
        messages.error(request, _("Choose merge or not the same person."))
    return redirect("duplicate_list")


@require_POST
@staff_page
def person_unmerge(request: HttpRequest, pk: str) -> HttpResponse:
    _require(request, Perm.PERSON_MERGE)
    person = access.get_person(request.user, pk, Perm.PERSON_MERGE, audit=False)
    try:
        actions.person_unmerge(user=request.user, person=person)
    except ValueError:
        messages.error(request, _("This record is not merged."))
    else:
        messages.success(request, _("The records are separate again."))
    return redirect("person_detail", pk=person.pk)

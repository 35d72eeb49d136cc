"""Reads of the missing-persons desk for pages and the API (records come
through tracing.access)."""

from typing import Any

from django.db.models import QuerySet

from salama.core import access as core_access
from salama.core.roles import Perm
from salama.registry import selectors as registry_selectors
from salama.tracing import access
from salama.tracing.models import CaseCandidate, Desk, TracingCase


def desk_for_code(user: Any, code: str) -> Desk | None:
    """The desk at the site with this code that the user takes reports for."""
    return access.desks_for(user, Perm.TRACING_REPORT).filter(site__code=code).first()


def case_list(
    user: Any, *, status: str | None = None, urgent: bool | None = None, site: str | None = None
) -> QuerySet[TracingCase]:
    cases = access.cases_for(user)
    if status:
        cases = cases.filter(status=status)
    if urgent is not None:
        cases = cases.filter(urgent=urgent)
    if site:
        cases = cases.filter(site__code=site)
    return cases.order_by("-urgent", "-opened_at", "pk")


def candidates_as_seen(user: Any, candidates: list[CaseCandidate]) -> list[Any]:
    """A case's candidates as this user may see them: registry persons outside
    the user's own scope are left out, and survivors become a HeldMatch for
    roles that may not see their names (PROTECTION.md 8), as in the registry."""
    people = [c.person_id for c in candidates if c.person_id is not None]
    visible = access.visible_person_ids(user, people) if people else set()
    sees_survivors = core_access.sees_survivor_names(user)
    shown: list[Any] = []
    for candidate in candidates:
        if candidate.person is None:
            shown.append(candidate)
        elif candidate.person_id not in visible:
            continue
        elif candidate.person.mask_name and not sees_survivors:
            shown.append(
                registry_selectors.HeldMatch(registry_selectors.held_token(user, candidate.person))
            )
        else:
            shown.append(candidate)
    return shown

"""Presence API (/api/v1/presence/...). Same access rules as the pages:
records only through presence.access, writes through presence.actions."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from salama.audit.actions import record_list_read
from salama.core import access as core_access
from salama.core.api_auth import WRITE_AUTH
from salama.core.api_errors import ApiError, answers
from salama.core.idempotency import IDEMPOTENCY_OPENAPI, idempotent
from salama.core.roles import Perm
from salama.presence import access, actions, importer, selectors
from salama.registry.selectors import paginate

router = Router(tags=["presence"])

MAX_PAGE_SIZE = 100
MAX_SEEN = 20_000


class CheckIn(Schema):
    site: str = Field(..., min_length=1, max_length=40, description="the site's code")
    kind: Literal["roll_call", "distribution"]
    held_at: datetime | None = Field(None, description="ISO 8601; now if left out")
    seen: list[str] = Field(
        ..., max_length=MAX_SEEN, description="registration numbers of the people seen"
    )


class AlertOut(Schema):
    id: int
    reference: str
    person_id: UUID
    registration_number: str
    site_path: str
    rule: str = Field(..., description="checks (consecutive checks missed) or days")
    profile: str
    missed_checks: int
    days_unseen: int
    last_seen_at: datetime | None
    status: str
    created_at: datetime
    case_reference: str

    @staticmethod
    def resolve_reference(obj: Any) -> str:
        return actions.alert_reference(obj)

    @staticmethod
    def resolve_registration_number(obj: Any) -> str:
        return str(obj.person.registration_number)


class CheckOut(Schema):
    id: UUID
    site: str
    kind: str
    held_at: datetime
    covered: int = Field(..., description="people registered at the site when it was held")
    seen: int
    alerts_raised: int
    alerts: list[AlertOut] = Field(
        [], description="the alerts raised, for callers who may view absences (else empty)"
    )


class AlertPage(Schema):
    items: list[AlertOut]
    count: int
    page: int
    pages: int


def _need(request: HttpRequest, perm: Perm) -> None:
    if not core_access.has_perm(request.user, perm):
        raise Http404


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(
        "invalid", "The check is not valid.", 422, [{"field": field, "message": message}]
    )


@router.post(
    "/presence/checks",
    response=answers({201: CheckOut}),
    summary="Record a roll call or distribution: who was seen",
    auth=WRITE_AUTH,
    openapi_extra=IDEMPOTENCY_OPENAPI,
)
@idempotent
def create_check(request: HttpRequest, payload: CheckIn) -> Any:
    """Everyone registered at the site (and below it) is covered; those not in
    `seen` count as missed, and absence alerts are raised in the same
    transaction. An unknown number, or one of another site, refuses the whole
    check (422, naming each by its position) and nothing is written."""
    _need(request, Perm.PRESENCE_RECORD)
    user = request.user
    site = selectors.site_by_code(user, payload.site, Perm.PRESENCE_RECORD)
    if site is None:
        raise _invalid("site", "Unknown site, or not one where you may record presence.")
    held_at = payload.held_at
    if held_at is not None and timezone.is_naive(held_at):
        held_at = timezone.make_aware(held_at)
    if held_at is not None and held_at > timezone.now():
        raise _invalid("held_at", "A check cannot be held in the future.")
    found = access.site_persons_by_number(user, site, payload.seen)
    errors = []
    for index, number in enumerate(payload.seen):
        if number.strip().upper() not in found:
            shown = importer.shown_number(number)
            message = (
                f"{shown}: not registered at this site"
                if shown
                else "not a registration number of this site"
            )
            errors.append({"field": f"seen.{index}", "message": message})
    if errors:
        raise ApiError(
            "invalid",
            "Some registration numbers are unknown here; nothing was recorded.",
            422,
            errors,
        )
    check, raised = actions.check_record(
        user=user, site=site, kind=payload.kind, held_at=held_at, persons=list(found.values())
    )
    shown_alerts: list[Any] = []
    if raised and core_access.has_perm(user, Perm.ABSENCE_VIEW):
        shown_alerts = list(access.alerts_for(user).filter(pk__in=[a.pk for a in raised]))
        record_list_read(user, shown_alerts)
    body = {
        "id": check.pk,
        "site": site.code,
        "kind": check.kind,
        "held_at": check.held_at,
        "covered": check.covered,
        "seen": check.seen,
        "alerts_raised": len(raised),
        "alerts": shown_alerts,
    }
    return Status(201, body)


@router.get("/presence/alerts", response=answers({200: AlertPage}), summary="List absence alerts")
def list_alerts(
    request: HttpRequest,
    status: Literal["open", "safe", "dismissed", "reported", "all"] = "open",
    site: str = Query("", max_length=40, description="a site's code: it and everything below"),
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    """Absence alerts at your sites, newest first (open ones unless `status` says otherwise)."""
    _need(request, Perm.ABSENCE_VIEW)
    where = None
    if site:
        where = selectors.site_by_code(request.user, site, Perm.ABSENCE_VIEW)
        if where is None:
            raise ApiError(
                "invalid", "Unknown site.", 422, [{"field": "site", "message": "Unknown site."}]
            )
    found = selectors.alerts(request.user, "" if status == "all" else status, where)
    page_obj = paginate(found, page, page_size)
    record_list_read(request.user, page_obj.object_list)
    return {
        "items": list(page_obj.object_list),
        "count": page_obj.paginator.count,
        "page": page_obj.number,
        "pages": page_obj.paginator.num_pages,
    }

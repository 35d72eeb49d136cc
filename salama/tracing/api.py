"""Missing-persons desk API (/api/v1/tracing/...). Same access rules as the
pages: cases only through tracing.access, writes through tracing.actions,
validation through tracing.reports (the one path of the desk form, the public
page and the API)."""

import datetime as dt
from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from salama.audit.actions import record_list_read
from salama.core import access as core_access
from salama.core.api_auth import WRITE_AUTH
from salama.core.api_errors import ApiError, answers
from salama.core.idempotency import IDEMPOTENCY_OPENAPI, idempotent
from salama.core.roles import Perm
from salama.lib.tracing.urgency import CIRCUMSTANCES
from salama.registry import selectors as registry_selectors
from salama.tracing import access, actions, selectors
from salama.tracing.models import TracingCase
from salama.tracing.reports import ReportError, clean_report

router = Router(tags=["tracing"])

MAX_PAGE_SIZE = 100
STATUS_CODES = list(TracingCase.Status.values)
CaseStatus = Literal[
    "investigating", "located", "reunified", "referred", "closed", "deceased", "detained"
]


def _name() -> Any:
    return Field("", max_length=80)


class ReportPersonIn(Schema):
    """Who is missing or was found, with the registry's fields: names in
    either script, sex, and a birth date or a stated age."""

    given_name: str = _name()
    father_name: str = _name()
    grandfather_name: str = _name()
    family_name: str = _name()
    given_name_latin: str = _name()
    father_name_latin: str = _name()
    grandfather_name_latin: str = _name()
    family_name_latin: str = _name()
    sex: str = Field("U", description="F, M, X or U", json_schema_extra={"enum": list("FMXU")})
    birth_date: date | None = None
    stated_age: int | None = Field(None, ge=0, le=120)


class LastSeenIn(Schema):
    date: dt.date | None = None
    place: str = Field("", max_length=200)
    with_whom: str = Field("", max_length=200)


class ReporterIn(Schema):
    name: str = Field("", max_length=200)
    relationship: str = Field("", max_length=200)
    contact: str = Field("", max_length=200)


class ReportIn(Schema):
    site: str = Field(..., max_length=20, description="The code of the desk's site, e.g. AMC")
    kind: Literal["missing", "found"]
    person: ReportPersonIn
    description: str = Field("", max_length=2000)
    marks: str = Field("", max_length=2000, description="Distinguishing marks")
    last_seen: LastSeenIn | None = None
    circumstances: list[str] = Field(
        [],
        max_length=len(CIRCUMSTANCES),
        json_schema_extra={"items": {"type": "string", "enum": list(CIRCUMSTANCES)}},
    )
    circumstances_detail: str = Field("", max_length=2000)
    reporter: ReporterIn | None = None
    unaccompanied: bool = False
    woman_at_risk: bool = False
    counted: bool = Field(
        False, description="The reporter agrees that the report is counted, without names"
    )


class CandidateOut(Schema):
    person_id: str | None = None
    registration_number: str | None = None
    report_reference: str | None = None
    probability: float | None = None
    explanation: list[dict[str, Any]] = []
    held_by_protection: bool = False


class ReportOut(Schema):
    id: str
    reference: str
    pin: str = Field(description="Give it to the reporter once: it is stored only as a hash")
    case_id: str
    case_reference: str
    status: str
    urgent: bool
    first_action_due: datetime
    duplicate_of: str | None = None
    candidates: list[CandidateOut]


class CaseSummaryOut(Schema):
    id: str
    reference: str
    kind: str
    site: str
    status: str
    urgency: str
    urgent: bool
    opened_at: datetime
    first_action_due: datetime
    first_action_at: datetime | None = None
    escalation: int


class CasePage(Schema):
    items: list[CaseSummaryOut]
    count: int
    page: int
    pages: int


class ActionOut(Schema):
    kind: str
    at: datetime
    user: str | None = None
    note: str
    data: dict[str, Any]


class CaseOut(CaseSummaryOut):
    reports: list[str]
    candidates: list[CandidateOut]
    actions: list[ActionOut]


def _need(request: HttpRequest, perm: Perm) -> None:
    if not core_access.has_perm(request.user, perm):
        raise Http404


def _candidates_out(user: Any, candidates: list[Any]) -> list[dict[str, Any]]:
    return [_candidate_out(c) for c in selectors.candidates_as_seen(user, candidates)]


def _candidate_out(seen: Any) -> dict[str, Any]:
    if isinstance(seen, registry_selectors.HeldMatch):
        return {"held_by_protection": True}
    out: dict[str, Any] = {"probability": seen.probability, "explanation": seen.explanation}
    if seen.person_id is not None:
        out.update(
            person_id=str(seen.person_id), registration_number=seen.person.registration_number
        )
    if seen.report_id is not None:
        out["report_reference"] = seen.report.reference
    return out


def _summary(case: TracingCase) -> dict[str, Any]:
    return {
        "id": str(case.pk),
        "reference": case.reference,
        "kind": case.kind,
        "site": case.site.code,
        "status": case.status,
        "urgency": case.urgency,
        "urgent": case.urgent,
        "opened_at": case.opened_at,
        "first_action_due": case.first_action_due,
        "first_action_at": case.first_action_at,
        "escalation": case.escalation,
    }


@router.post(
    "/tracing/reports",
    response=answers({201: ReportOut}),
    summary="Report a missing or a found person",
    auth=WRITE_AUTH,
    openapi_extra=IDEMPOTENCY_OPENAPI,
)
@idempotent
def create_report(request: HttpRequest, payload: ReportIn) -> Any:
    """Opens a tracing case at once, tells the desk's on-duty officers and its
    protection officer, and searches the registry and the open reports: the
    answer carries the ranked candidates you may see. A likely earlier report
    of the same person is linked (`duplicate_of`), never refused."""
    _need(request, Perm.TRACING_REPORT)
    desk = selectors.desk_for_code(request.user, payload.site)
    if desk is None:
        raise ApiError(
            "invalid",
            "No desk you take reports for is at this site.",
            422,
            [{"field": "site", "message": "no desk of yours at this site"}],
        )
    raw = payload.dict()
    person = {k: ("" if v is None else v) for k, v in raw.pop("person").items()}
    born = payload.person.birth_date
    person["birth_date"] = born.isoformat() if born else ""
    person["stated_age"] = payload.person.stated_age
    person.update(description=raw.pop("description"), marks=raw.pop("marks"))
    last_seen: dict[str, Any] = raw.pop("last_seen") or {}
    if isinstance(last_seen.get("date"), date):
        last_seen["date"] = last_seen["date"].isoformat()
    try:
        data = clean_report({**raw, "person": person, "last_seen": last_seen})
        taken = actions.report_take(user=request.user, desk=desk, data=data, channel="api")
    except ReportError as error:
        raise ApiError(
            "invalid",
            "The report is not valid.",
            422,
            [{"field": k, "message": v} for k, v in error.errors.items()],
        ) from None
    except PermissionDenied:
        raise Http404 from None
    return Status(
        201,
        {
            "id": str(taken.report.pk),
            "reference": taken.report.reference,
            "pin": taken.pin,
            "case_id": str(taken.case.pk),
            "case_reference": taken.case.reference,
            "status": taken.case.status,
            "urgent": taken.case.urgent,
            "first_action_due": taken.case.first_action_due,
            "duplicate_of": taken.duplicate_of.reference if taken.duplicate_of else None,
            "candidates": _candidates_out(request.user, taken.candidates),
        },
    )


@router.get("/tracing/cases", response=answers({200: CasePage}), summary="List tracing cases")
def list_cases(
    request: HttpRequest,
    status: CaseStatus | None = None,
    urgent: bool | None = None,
    site: str | None = Query(None, max_length=20),
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    """The cases of your organisation at your sites, urgent first, newest first."""
    _need(request, Perm.TRACING_VIEW)
    if status is not None and status not in STATUS_CODES:
        raise ApiError(
            "invalid",
            "Unknown status.",
            422,
            [{"field": "status", "message": f"one of {', '.join(STATUS_CODES)}"}],
        )
    cases = selectors.case_list(request.user, status=status, urgent=urgent, site=site)
    page_obj = registry_selectors.paginate(cases, page, page_size)
    record_list_read(request.user, page_obj.object_list, model="tracing.TracingCase")
    return {
        "items": [_summary(c) for c in page_obj.object_list],
        "count": page_obj.paginator.count,
        "page": page_obj.number,
        "pages": page_obj.paginator.num_pages,
    }


@router.get(
    "/tracing/cases/{case_id}", response=answers({200: CaseOut}), summary="Read one tracing case"
)
def get_case(request: HttpRequest, case_id: str) -> Any:
    """The case with its candidates (those you may see), its log and the time
    its first action is due."""
    case = access.get_case(request.user, case_id)
    candidates = list(access.case_candidates(case))
    return {
        **_summary(case),
        "reports": [r.reference for r in access.case_reports(case)],
        "candidates": _candidates_out(request.user, candidates),
        "actions": [
            {
                "kind": a.kind,
                "at": a.at,
                "user": a.user.username if a.user else None,
                "note": a.note,
                "data": a.data,
            }
            for a in access.case_actions(case)
        ],
    }

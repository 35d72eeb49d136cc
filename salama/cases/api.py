"""Cases and referrals API (/api/v1/cases, /api/v1/referrals). Same rules as
the pages: records only through cases.access, writes through cases.actions.
Another organisation's case answers 404; the organisation a case is referred
to reads only the referral."""

import uuid
from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from salama.audit.actions import record_list_read
from salama.cases import access, actions
from salama.cases.actions import CaseError, Consent, Opening, ReferralRequest
from salama.cases.models import ProtectionCase, Referral
from salama.core import access as core_access
from salama.core.api_auth import WRITE_AUTH
from salama.core.api_errors import ApiError, ErrorOut, answers
from salama.core.idempotency import IDEMPOTENCY_OPENAPI, idempotent
from salama.core.roles import Perm
from salama.registry import access as registry_access
from salama.registry import selectors as registry_selectors

router = Router(tags=["cases"])

MAX_PAGE_SIZE = 100
# Refusals that are about the state of things, not the shape of the request.
CONFLICTS = {
    "consent_required",
    "consent_refused",
    "no_sharing_agreement",
    "not_in_agreement",
    "authority_decision_required",
    "consent_withdrawn",
    "already_answered",
    "already_open",
    "case_closed",
    "not_accepted",
    "no_legal_basis",
}
CaseType = Literal["trafficking", "gbv", "child_protection", "other"]
RiskLevel = Literal["high", "medium", "low"]
SourceKind = Literal["screening", "tracing", "absence", "direct"]


def _answers(ok: dict[int, Any]) -> dict[int, Any]:
    return {**answers(ok), 409: ErrorOut}


def _refused(error: CaseError) -> ApiError:
    status = 409 if error.code in CONFLICTS else 422
    errors = [{"field": error.field, "message": str(error)}] if error.field else []
    return ApiError(error.code, str(error), status, errors)


def _need(request: HttpRequest, perm: Perm) -> None:
    if not core_access.has_perm(request.user, perm):
        raise Http404


class CaseSourceIn(Schema):
    kind: SourceKind = "direct"
    id: str = Field(
        "", max_length=40, description="the screening's, tracing case's or absence alert's id"
    )


class ProtectionCaseIn(Schema):
    person_id: uuid.UUID
    case_type: CaseType
    risk: RiskLevel = "medium"
    source: CaseSourceIn = CaseSourceIn(kind="direct", id="")
    note: str = Field("", max_length=4000)


class PlanItemOut(Schema):
    plan_type: str
    objective: str
    due_on: date | None
    status: str


class ReferralSummaryOut(Schema):
    id: str
    reference: str
    case_id: str | None = None
    service_id: str
    service_type: str
    from_organisation: str
    to_organisation: str
    status: str
    consent_given: bool
    made_at: datetime
    answer_due: datetime
    answered_at: datetime | None
    completed_at: datetime | None


class ReferralOut(ReferralSummaryOut):
    shared: dict[str, Any]
    answer_note: str
    outcome: str


class ProtectionCaseOut(Schema):
    id: str
    reference: str
    person_id: str
    registration_number: str
    organisation: str
    site: str
    case_type: str
    risk: str
    status: str
    source: dict[str, str]
    is_child: bool
    assigned_to: str | None
    supervisor: str | None
    opened_at: datetime
    closed_at: datetime | None
    closure_reason: str
    plan: list[PlanItemOut]
    referrals: list[ReferralSummaryOut]


class ReferralPage(Schema):
    items: list[ReferralSummaryOut]
    count: int
    page: int
    pages: int


class ConsentIn(Schema):
    given: bool
    explained_by: str = Field(..., max_length=200)
    language: str = Field(..., max_length=10)
    share: list[str] = Field(default_factory=list, max_length=20)


class OverrideIn(Schema):
    reason: str = Field(..., max_length=4000)


class AuthorityIn(Schema):
    decision: bool = False
    legal_obligation: str = Field("", max_length=4000)


class ReferralIn(Schema):
    case_id: uuid.UUID
    service_id: uuid.UUID
    consent: ConsentIn | None = None
    override: OverrideIn | None = None
    reason: str = Field("", max_length=4000, description="what the service is asked to do")
    authority: AuthorityIn | None = None


class AnswerIn(Schema):
    note: str = Field("", max_length=4000)


def _user_name(user: Any) -> str | None:
    return user.username if user else None


def _referral(referral: Referral, side: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(referral.pk),
        "reference": referral.reference,
        "service_id": str(referral.service_id),
        "service_type": referral.service_type,
        "from_organisation": referral.from_organisation.short_name,
        "to_organisation": referral.to_organisation.short_name,
        "status": referral.status,
        "consent_given": referral.consent_given,
        "made_at": referral.made_at,
        "answer_due": referral.answer_due,
        "answered_at": referral.answered_at,
        "completed_at": referral.completed_at,
    }
    # The receiver never learns which case a referral came from.
    if side == "outgoing":
        out["case_id"] = str(referral.case_id)
    return out


def _case(case: ProtectionCase) -> dict[str, Any]:
    return {
        "id": str(case.pk),
        "reference": case.reference,
        "person_id": str(case.person_id),
        "registration_number": case.person.registration_number,
        "organisation": case.organisation.short_name,
        "site": case.site.code,
        "case_type": case.case_type,
        "risk": case.risk,
        "status": case.status,
        "source": {"kind": case.source_kind, "id": case.source_id},
        "is_child": case.is_child,
        "assigned_to": _user_name(case.assigned_to),
        "supervisor": _user_name(case.supervisor),
        "opened_at": case.opened_at,
        "closed_at": case.closed_at,
        "closure_reason": case.closure_reason,
        "plan": [
            {
                "plan_type": i.plan_type,
                "objective": i.objective,
                "due_on": i.due_on,
                "status": i.status,
            }
            for i in case.plan.all()
        ],
        "referrals": [
            _referral(r, "outgoing")
            for r in case.referrals.select_related("from_organisation", "to_organisation")
        ],
    }


def _person_for(request: HttpRequest, payload: ProtectionCaseIn) -> tuple[Any, str, str]:
    kind, source_id = payload.source.kind, payload.source.id.strip()
    if kind == "direct":
        try:
            return registry_access.get_person(request.user, payload.person_id), kind, ""
        except PermissionDenied:
            raise ApiError(
                "no_legal_basis", "No legal basis for protection is recorded for this person.", 409
            ) from None
    if not source_id:
        raise ApiError(
            "invalid",
            "The source needs its id.",
            422,
            [{"field": "source.id", "message": "required"}],
        )
    record = access.source_record(request.user, kind, source_id)
    person = actions.source_person(record)
    if person.pk != payload.person_id:
        raise ApiError(
            "invalid",
            "The source is about another person.",
            422,
            [{"field": "person_id", "message": "not the person of the source"}],
        )
    return person, kind, source_id


@router.post(
    "/cases",
    response=_answers({201: ProtectionCaseOut}),
    summary="Open a protection case",
    auth=WRITE_AUTH,
    openapi_extra=IDEMPOTENCY_OPENAPI,
)
@idempotent
def create_case(request: HttpRequest, payload: ProtectionCaseIn) -> Any:
    """Opens a case of your organisation for a person, from a screening, a
    tracing case, an absence alert, or directly. You become its caseworker;
    a supervisor of your organisation at the site is named and told."""
    _need(request, Perm.CASE_WORK)
    try:
        person, kind, source_id = _person_for(request, payload)
        case = actions.case_open(
            user=request.user,
            opening=Opening(
                person=person,
                case_type=payload.case_type,
                risk=payload.risk,
                source_kind=kind,
                source_id=source_id,
                note=payload.note,
            ),
        )
    except CaseError as error:
        raise _refused(error) from None
    return Status(201, _case(case))


@router.get(
    "/cases/{case_id}",
    response=_answers({200: ProtectionCaseOut}),
    summary="Read one protection case",
)
def get_case(request: HttpRequest, case_id: str) -> Any:
    """A case of your organisation at your sites; any other answers 404."""
    _need(request, Perm.CASE_VIEW)
    return _case(access.get_case(request.user, case_id))


@router.post(
    "/referrals",
    response=_answers({201: ReferralOut}),
    summary="Refer a case to a service",
    auth=WRITE_AUTH,
    openapi_extra=IDEMPOTENCY_OPENAPI,
)
@idempotent
def create_referral(request: HttpRequest, payload: ReferralIn) -> Any:
    """Needs the person's informed consent (`consent`, with what may be
    shared) or an `override` with its reason: neither answers 409
    `consent_required`. A service of another organisation needs an active
    data-sharing agreement (409 `no_sharing_agreement`). Police and other
    authorities need `authority.decision` (409 `authority_decision_required`)."""
    _need(request, Perm.CASE_WORK)
    case = access.get_case(request.user, payload.case_id, Perm.CASE_WORK)
    service = access.get_service(payload.service_id)
    consent = (
        Consent(
            given=payload.consent.given,
            explained_by=payload.consent.explained_by,
            language=payload.consent.language,
            share=payload.consent.share,
        )
        if payload.consent
        else None
    )
    authority = payload.authority or AuthorityIn(decision=False, legal_obligation="")
    try:
        referral = actions.referral_make(
            user=request.user,
            case=case,
            request=ReferralRequest(
                service=service,
                consent=consent,
                override_reason=payload.override.reason if payload.override else "",
                reason=payload.reason,
                authority_decision=authority.decision,
                legal_obligation=authority.legal_obligation,
            ),
        )
    except CaseError as error:
        raise _refused(error) from None
    return Status(201, _referral_out(referral, "outgoing"))


def _referral_out(referral: Referral, side: str) -> dict[str, Any]:
    return {
        **_referral(referral, side),
        "shared": referral.shared or {},
        "answer_note": referral.answer_note,
        "outcome": referral.outcome,
    }


@router.get("/referrals", response=answers({200: ReferralPage}), summary="List referrals")
def list_referrals(
    request: HttpRequest,
    direction: Literal["incoming", "outgoing"] = "incoming",
    status: Literal["pending", "accepted", "declined", "completed", "withdrawn", "cancelled"]
    | None = None,
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    """`incoming`: made to your organisation's services at your sites;
    `outgoing`: made from your organisation's cases."""
    if direction == "incoming":
        referrals = access.incoming_for(request.user)
    else:
        referrals = access.outgoing_for(request.user)
    if status:
        referrals = referrals.filter(status=status)
    referrals = referrals.select_related("from_organisation", "to_organisation").order_by(
        "-made_at"
    )
    page_obj = registry_selectors.paginate(referrals, page, page_size)
    record_list_read(
        request.user, page_obj.object_list, model="cases.Referral", purpose=access.PURPOSE
    )
    return {
        "items": [_referral(r, direction) for r in page_obj.object_list],
        "count": page_obj.paginator.count,
        "page": page_obj.number,
        "pages": page_obj.paginator.num_pages,
    }


@router.get(
    "/referrals/{referral_id}", response=answers({200: ReferralOut}), summary="Read one referral"
)
def get_referral(request: HttpRequest, referral_id: str) -> Any:
    """The referring organisation and the receiving one read it; the receiver
    sees what the person agreed to share, and nothing of the case."""
    referral, side = access.get_referral(request.user, referral_id)
    return _referral_out(referral, side)


def _answer(request: HttpRequest, referral_id: str, do: Any) -> Any:
    _need(request, Perm.REFERRAL_RECEIVE)
    referral = access.get_incoming(request.user, referral_id)
    try:
        done = do(referral)
    except CaseError as error:
        raise _refused(error) from None
    return _referral_out(done, "incoming")


@router.post(
    "/referrals/{referral_id}/accept",
    response=_answers({200: ReferralOut}),
    summary="Accept a referral to your service",
    auth=WRITE_AUTH,
)
def accept_referral(request: HttpRequest, referral_id: str, payload: AnswerIn) -> Any:
    return _answer(
        request,
        referral_id,
        lambda r: actions.referral_accept(user=request.user, referral=r, note=payload.note),
    )


@router.post(
    "/referrals/{referral_id}/decline",
    response=_answers({200: ReferralOut}),
    summary="Decline a referral to your service",
    auth=WRITE_AUTH,
)
def decline_referral(request: HttpRequest, referral_id: str, payload: AnswerIn) -> Any:
    """Needs a note saying why (at least 5 characters)."""
    return _answer(
        request,
        referral_id,
        lambda r: actions.referral_decline(user=request.user, referral=r, note=payload.note),
    )


@router.post(
    "/referrals/{referral_id}/withdraw",
    response=_answers({200: ReferralOut}),
    summary="The person withdraws consent to a referral",
    auth=WRITE_AUTH,
)
def withdraw_referral(request: HttpRequest, referral_id: str, payload: AnswerIn) -> Any:
    """Stops the referral at once: the receiver can no longer read what it shared."""
    _need(request, Perm.CASE_WORK)
    referral = (
        access.outgoing_for(request.user).filter(pk=core_access.record_uuid(referral_id)).first()
    )
    if referral is None:
        raise Http404
    case = access.get_case(request.user, referral.case_id, Perm.CASE_WORK)
    try:
        actions.consent_withdraw(user=request.user, case=case, referral=referral, note=payload.note)
    except CaseError as error:
        raise _refused(error) from None
    referral.refresh_from_db()
    return _referral_out(referral, "outgoing")

"""Complaints API: desk intake by a PSEA focal point (POST /api/v1/complaints,
the same fields as the public page) and reading one complaint behind the wall
(GET /api/v1/complaints/{id}: 404 to everyone outside it, subjects and
administrators included). No list, search or match ever returns a complaint."""

from datetime import date, datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from salama.complaints import access, actions
from salama.complaints.actions import Intake
from salama.complaints.common import ComplaintError
from salama.complaints.models import Complaint
from salama.core import access as core_access
from salama.core.api_auth import WRITE_AUTH
from salama.core.api_errors import ApiError, ErrorOut, answers
from salama.core.idempotency import HEADER, MAX_KEY_LENGTH
from salama.core.models import Organisation, Site
from salama.core.roles import Perm

router = Router(tags=["complaints"])

YesNoIn = Literal["yes", "no", "unknown"]


class ComplaintIn(Schema):
    site: str = Field(..., max_length=40, description="the camp's site code")
    channel: Literal["desk", "hotline", "letter", "box", "outreach", "referral"] = "desk"
    language: str = Field("en", max_length=10)
    relationship: Literal["self", "relative", "witness", "staff", "other"]
    contact_preference: Literal["none", "phone", "in_person", "through_someone"] = "none"
    contact: str = Field("", max_length=200)
    complainant_name: str = Field("", max_length=120)
    consent_assistance: YesNoIn
    consent_identity: YesNoIn = "no"
    survivor_age: Literal["child", "adult", "unknown"]
    survivor_sex: Literal["female", "male", "other", "unknown"]
    survivor_disability: YesNoIn = "unknown"
    safety_risk: YesNoIn = "unknown"
    category: Literal["sexual_exploitation", "sexual_abuse", "other"]
    incident_date: date | None = None
    incident_year: int | None = Field(None, ge=1990, le=2100)
    incident_place: str = Field("", max_length=200)
    narrative: str = Field(..., min_length=10, max_length=10000)
    subject_type: Literal[
        "peacekeeper_military",
        "peacekeeper_police",
        "un_civilian",
        "ngo_staff",
        "volunteer",
        "government",
        "armed_group",
        "other",
    ]
    subject_organisation: str = Field("", max_length=30, description="short name, if known")
    subject_organisation_text: str = Field("", max_length=200)
    subject_country: str = Field("", max_length=60)
    subject_name: str = Field("", max_length=200)
    subject_in_contact: YesNoIn = "unknown"


class ComplaintCreated(Schema):
    id: str
    reference: str
    receipt_code: str | None = Field(
        ..., description="shown this once (null on a retry); Salama keeps only its hash"
    )
    organisation: str


# A retry must not make a second complaint, nor keep the receipt code to replay it:
# the key is kept only as a hash with the complaint, and a retry gets the complaint
# without its code (core.idempotency would store the whole first answer).
RETRY_OPENAPI: dict[str, Any] = {
    "parameters": [
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
            "description": (
                "A unique value per complaint (a UUID). Sending it again answers 200 with the "
                "complaint first made and receipt_code null, and creates nothing: the code is "
                "given once, and Salama keeps only its hash."
            ),
        }
    ]
}


class ComplaintOut(Schema):
    id: str
    reference: str
    organisation: str
    site: str
    channel: str
    received_at: datetime
    status: str
    category: str
    survivor_age: str
    survivor_sex: str
    subject_type: str
    investigation_status: str
    acknowledged_at: datetime | None
    assistance_referred_at: datetime | None
    investigation_referred_at: datetime | None
    feedback_at: datetime | None
    evidence: list[dict[str, Any]]


def _answers(ok: dict[int, Any]) -> dict[int, Any]:
    return {**answers(ok), 409: ErrorOut}


def _fields_error(error: ComplaintError) -> ApiError:
    errors = [{"field": f, "message": m} for f, m in error.errors.items()]
    return ApiError(error.code, str(error), 422, errors)


def _intake(request: HttpRequest, payload: ComplaintIn) -> Intake:
    site = Site.objects.filter(code=payload.site.strip().upper()).first()
    if site is None:
        raise ApiError("invalid", "Unknown site.", 422, [{"field": "site", "message": "unknown"}])
    organisations = core_access.organisation_ids_with(request.user, Perm.COMPLAINT_RECEIVE)
    receiving = next(
        (
            org
            for org in Organisation.objects.filter(pk__in=organisations).order_by("pk")
            if request.user in access.focal_points_at(org.pk, site.path)
        ),
        None,
    )
    if receiving is None:
        raise ApiError(
            "not_your_site",
            "You receive no complaints at this site.",
            422,
            [{"field": "site", "message": "not one of your sites"}],
        )
    subject_org = None
    if payload.subject_organisation:
        subject_org = Organisation.objects.filter(
            short_name__iexact=payload.subject_organisation.strip()
        ).first()
        if subject_org is None:
            raise ApiError(
                "invalid",
                "Unknown organisation: give it in subject_organisation_text instead.",
                422,
                [{"field": "subject_organisation", "message": "unknown"}],
            )
    data = payload.dict()
    for name in ("site", "channel", "subject_organisation"):
        data.pop(name)
    return Intake(organisation=receiving, site=site, subject_organisation=subject_org, **data)


def _out(complaint: Complaint) -> dict[str, Any]:
    return {
        "id": str(complaint.pk),
        "reference": complaint.reference,
        "organisation": complaint.organisation.short_name,
        "site": complaint.site.code,
        "channel": complaint.channel,
        "received_at": complaint.received_at,
        "status": complaint.status,
        "category": complaint.category,
        "survivor_age": complaint.survivor_age,
        "survivor_sex": complaint.survivor_sex,
        "subject_type": complaint.subject_type,
        "investigation_status": complaint.investigation_status,
        "acknowledged_at": complaint.acknowledged_at,
        "assistance_referred_at": complaint.assistance_referred_at,
        "investigation_referred_at": complaint.investigation_referred_at,
        "feedback_at": complaint.feedback_at,
        "evidence": [
            {"number": e.number, "sha256": e.sha256, "size": e.size, "added_at": e.added_at}
            for e in complaint.evidence.all()
        ],
    }


def _created(complaint: Complaint, code: str | None) -> dict[str, Any]:
    return {
        "id": str(complaint.pk),
        "reference": complaint.reference,
        "receipt_code": code,
        "organisation": complaint.organisation.short_name,
    }


@router.post(
    "/complaints",
    response=_answers({201: ComplaintCreated, 200: ComplaintCreated}),
    summary="Take a complaint of sexual exploitation or abuse at a desk",
    auth=WRITE_AUTH,
    openapi_extra=RETRY_OPENAPI,
)
def create_complaint(request: HttpRequest, payload: ComplaintIn) -> Any:
    """For PSEA focal points: the complaint is received by your organisation
    at the site. The answer holds the receipt code once; give it to the
    complainant. A retry with the same Idempotency-Key answers 200 with the
    complaint and no code. Anyone else: 404."""
    if not core_access.has_perm(request.user, Perm.COMPLAINT_RECEIVE):
        raise Http404
    key = str(request.headers.get(HEADER, ""))[:MAX_KEY_LENGTH]
    source = actions.source_key("api", request.user, key) if key else ""
    if source:
        first = access.received_from(request.user, source)
        if first is not None:
            return Status(200, _created(first, None))
    try:
        received = actions.complaint_receive(
            intake=_intake(request, payload),
            channel=payload.channel,
            received_by=request.user,
            source_key=source,
        )
    except actions.AlreadySent:
        first = access.received_from(request.user, source)
        assert first is not None
        return Status(200, _created(first, None))
    except ComplaintError as error:
        raise _fields_error(error) from None
    return Status(201, _created(received.complaint, received.code))


@router.get(
    "/complaints/{complaint_id}",
    response=_answers({200: ComplaintOut}),
    summary="Read one complaint (behind the wall)",
)
def get_complaint(request: HttpRequest, complaint_id: str) -> Any:
    """The receiving organisation's focal points and, once referred, the
    investigating organisation's focal points; everyone else 404. Narrative
    and identities are read on the complaint's page, not through the API."""
    return _out(access.get_complaint(request.user, complaint_id))

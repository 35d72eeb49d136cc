"""Civil registration API (/api/v1/civil/events). Same rules as the desk:
records only through civil.access, writes through civil.actions. A marriage in
which a party could be under the minimum age answers 409 `party_under_18`
(the attempt is recorded and a child-protection case opened)."""

import uuid
from datetime import date, datetime
from typing import Any, Literal

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from salama.civil import access, actions, certificates, selectors
from salama.civil.actions import CivilError, Declaration, PartyInput
from salama.civil.certificates import CertificateError
from salama.civil.models import CivilEvent
from salama.core import access as core_access
from salama.core.api_auth import WRITE_AUTH
from salama.core.api_errors import ApiError, ErrorOut, answers
from salama.core.idempotency import IDEMPOTENCY_OPENAPI, idempotent
from salama.core.roles import Perm
from salama.registry import access as registry_access

router = Router(tags=["civil registration"])

EventTypeIn = Literal["birth", "stillbirth", "marriage", "divorce", "death"]
RoleIn = Literal["mother", "father", "spouse", "deceased", "informant", "witness"]
OfficiantKind = Literal["religious_court", "civil_authority", "health_facility", "other", ""]
CONFLICTS = {
    "party_under_18",
    "not_registered",
    "wrong_status",
    "late_approval_needed",
    "potential_duplicate",
    "correction_pending",
    "archived",
    "not_your_site",
    "party_deceased",
}
PDF_OPENAPI = {
    "responses": {
        200: {
            "description": "The document as PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


class PartyIn(Schema):
    person_id: uuid.UUID | None = None
    role: RoleIn
    name: str = Field("", max_length=120, description="for a witness or informant not registered")


class WitnessIn(Schema):
    person_id: uuid.UUID | None = None
    name: str = Field("", max_length=120)


class OfficiantIn(Schema):
    kind: OfficiantKind = ""
    name: str = Field("", max_length=200)


class CivilEventIn(Schema):
    type: EventTypeIn
    parties: list[PartyIn] = Field(..., min_length=1, max_length=12)
    date: date
    place: str = Field(..., min_length=1, max_length=200)
    officiant: OfficiantIn | str | None = None
    witnesses: list[WitnessIn | str] = Field(default_factory=list, max_length=6)
    details: dict[str, Any] = Field(default_factory=dict)
    status: Literal["declared", "notified"] = "declared"
    late_evidence: str = Field("", max_length=2000)
    court_authorisation_shown: bool = False
    spouse_leaving_country: bool = False
    register_now: bool = Field(
        False,
        description="register at once (the server gives the number), as a registrar at the desk",
    )


class PartyOut(Schema):
    role: str
    person_id: str | None
    registration_number: str | None


class CertificateOut(Schema):
    serial: str
    kind: str
    issued_at: datetime
    revoked_at: datetime | None


class CivilEventOut(Schema):
    id: str
    reference: str
    type: str
    status: str
    number: str | None
    flags: list[str]
    date: date
    place: str
    site: str
    organisation: str
    parties: list[PartyOut]
    child_id: str | None
    state_certificate_number: str
    certificates: list[CertificateOut]
    created_at: datetime
    registered_at: datetime | None


def _answers(ok: dict[int, Any]) -> dict[int, Any]:
    return {**answers(ok), 409: ErrorOut}


def _refused(error: CivilError | CertificateError) -> ApiError:
    status = 409 if error.code in CONFLICTS else 422
    field = getattr(error, "field", None)
    errors = [{"field": field, "message": str(error)}] if field else []
    return ApiError(error.code, str(error), status, errors)


def _need(request: HttpRequest, perm: Perm) -> None:
    if not core_access.has_perm(request.user, perm):
        raise Http404


def _out(event: CivilEvent) -> dict[str, Any]:
    return {
        "id": str(event.pk),
        "reference": event.reference,
        "type": event.event_type,
        "status": event.status,
        "number": event.number,
        "flags": list(event.flags),
        "date": event.event_date,
        "place": event.place,
        "site": event.site.code,
        "organisation": event.organisation.short_name,
        "parties": [
            {
                "role": p.role,
                "person_id": str(p.person_id) if p.person_id else None,
                "registration_number": p.person.registration_number if p.person else None,
            }
            for p in event.parties.select_related("person")
        ],
        "child_id": str(event.child_id) if event.child_id else None,
        "state_certificate_number": event.state_certificate_number,
        "certificates": [
            {
                "serial": c.serial,
                "kind": c.kind,
                "issued_at": c.issued_at,
                "revoked_at": c.revoked_at,
            }
            for c in event.certificates.all()
        ],
        "created_at": event.created_at,
        "registered_at": event.registered_at,
    }


def _person(request: HttpRequest, person_id: uuid.UUID | None, where: str) -> Any:
    if person_id is None:
        return None
    try:
        return registry_access.get_person(request.user, person_id)
    except Http404:
        raise ApiError(
            "invalid",
            "No such person in the registry at your sites.",
            422,
            [{"field": where, "message": "not found"}],
        ) from None
    except registry_access.NoLegalBasis:
        raise ApiError(
            "no_legal_basis",
            "No legal basis for civil registration is recorded for this person.",
            409,
            [{"field": where, "message": "no legal basis for civil registration"}],
        ) from None


def _declaration(request: HttpRequest, payload: CivilEventIn) -> Declaration:
    parties = [
        PartyInput(p.role, _person(request, p.person_id, f"parties[{i}].person_id"), p.name)
        for i, p in enumerate(payload.parties)
    ]
    for i, w in enumerate(payload.witnesses):
        if isinstance(w, str):
            parties.append(PartyInput("witness", None, w[:120]))
        else:
            person = _person(request, w.person_id, f"witnesses[{i}].person_id")
            parties.append(PartyInput("witness", person, w.name))
    officiant = payload.officiant
    kind, name = ("", officiant) if isinstance(officiant, str) else ("", "")
    if isinstance(officiant, OfficiantIn):
        kind, name = officiant.kind, officiant.name
    details = dict(payload.details)
    if payload.type == "marriage" and payload.spouse_leaving_country:
        details["spouse_leaving_country"] = True
    return Declaration(
        event_type=payload.type,
        status=payload.status,
        event_date=payload.date,
        place=payload.place,
        parties=parties,
        officiant_kind=kind,
        officiant_name=(name or "")[:200],
        details=details,
        late_evidence=payload.late_evidence,
        court_authorisation_shown=payload.court_authorisation_shown,
        presented_by="api",
        spouse_leaving_country=payload.spouse_leaving_country,
    )


@router.post(
    "/civil/events",
    response=_answers({201: CivilEventOut}),
    summary="Declare a birth, marriage, divorce or death",
    auth=WRITE_AUTH,
    openapi_extra=IDEMPOTENCY_OPENAPI,
)
@idempotent
def create_event(request: HttpRequest, payload: CivilEventIn) -> Any:
    """Records a notification or a declaration of your office. Parties are
    registry persons (`person_id`); witnesses and informants may be names.
    A marriage in which either party could be under the minimum age (18, by
    the registry's date of birth or estimated age) answers 409
    `party_under_18`: nothing is registered, the attempt is recorded without
    names and a child-protection case is opened. With `register_now`, the record
    is registered at once and the answer holds its number (a late
    registration must first be validated at the desk: 409). Registration is
    free."""
    _need(request, Perm.CIVIL_REGISTER)
    try:
        with transaction.atomic():
            declared = actions.event_declare(
                user=request.user, declaration=_declaration(request, payload)
            )
            if declared.event is not None and payload.register_now:
                actions.event_register(user=request.user, event=declared.event)
                declared.event.refresh_from_db()
    except CivilError as error:
        raise _refused(error) from None
    if declared.stopped is not None:
        raise ApiError(
            "party_under_18",
            " ".join(selectors.refusal_sentences(declared.refusals)),
            409,
        )
    assert declared.event is not None
    return Status(201, _out(declared.event))


@router.get(
    "/civil/events/{event_id}",
    response=_answers({200: CivilEventOut}),
    summary="Read one civil registration record",
)
def get_event(request: HttpRequest, event_id: str) -> Any:
    """A record of your office at your sites; any other answers 404."""
    _need(request, Perm.CIVIL_VIEW)
    return _out(access.get_event(request.user, event_id))


@router.get(
    "/civil/events/{event_id}/certificate.pdf",
    response=_answers({200: None}),
    summary="The record's current document as PDF",
    openapi_extra=PDF_OPENAPI,
)
def get_certificate(request: HttpRequest, event_id: str) -> Any:
    """The valid certificate (or registration record, or notification) of the
    record, issued now if it has none; its print is journaled. A record that
    is neither registered nor notified answers 409 `not_registered`."""
    _need(request, Perm.CIVIL_REGISTER)
    event = access.get_event(request.user, event_id, Perm.CIVIL_REGISTER)
    try:
        certificate = selectors.live_certificate(event) or certificates.certificate_issue(
            user=request.user, event=event
        )
        pdf = certificates.certificate_pdf(
            user=request.user, certificate=certificate, template="api"
        )
    except CertificateError as error:
        raise _refused(error) from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate.serial}.pdf"'
    return response

"""Registry API (/api/v1/persons, /api/v1/households). Same access rules as
the pages: records only through registry.access, writes through actions,
validation through the same forms."""

from datetime import date
from functools import partial
from typing import Any, Literal
from uuid import UUID

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from salama.audit.actions import record_list_read
from salama.core import access as core_access
from salama.core.api_auth import WRITE_AUTH
from salama.core.api_errors import ApiError, answers, form_errors
from salama.core.idempotency import IDEMPOTENCY_OPENAPI, idempotent
from salama.core.roles import Perm
from salama.lib.linkage.records import has_name, invalid_columns
from salama.lib.masking import MASK
from salama.registry import access, actions, households, selectors
from salama.registry.codes import DOCUMENT_TYPES, RELATIONSHIPS, SEXES
from salama.registry.forms import DEFAULT_BASES, PERSON_FIELDS, LegalBasesForm, PersonForm

router = Router(tags=["registry"])

MAX_PAGE_SIZE = 100


def _name(optional: bool = False) -> Any:
    return Field(None if optional else "", max_length=80)


SEX_CODES = [code for code, _label in SEXES]
RELATIONSHIP_CODES = [code for code, _label in RELATIONSHIPS]
DOCUMENT_TYPE_CODES = [code for code, _label in DOCUMENT_TYPES]


# Enumerations are stated in the schema; the values are checked by PersonForm,
# the one validation path of the desk, the API and imports.
def _enum(codes: list[str], *, null: bool = False) -> dict[str, Any]:
    return {"enum": [*codes, None] if null else codes}


SEX = _enum(SEX_CODES)


class PersonIn(Schema):
    """A person: at least one name with letters, in either script."""

    given_name: str = _name()
    father_name: str = _name()
    grandfather_name: str = _name()
    family_name: str = _name()
    given_name_latin: str = _name()
    father_name_latin: str = _name()
    grandfather_name_latin: str = _name()
    family_name_latin: str = _name()
    sex: str = Field(..., description="F, M, X or U", json_schema_extra=SEX)
    birth_date: date | None = None
    birth_date_estimated: bool = False
    stated_age: int | None = Field(None, ge=0, le=120)
    stated_age_on: date | None = None
    nationality: str = Field("", max_length=60, description="ISO 3166-1 alpha-2, or the name")
    origin_country: str = Field("", max_length=60, description="ISO 3166-1 alpha-2, or the name")
    origin_admin1: str = Field("", max_length=80)
    origin_place: str = Field("", max_length=120)
    languages: list[str] = Field([], max_length=20)
    phone: str = Field("", max_length=30)
    relationship: str = Field("head", json_schema_extra=_enum(RELATIONSHIP_CODES))
    specific_needs: list[str] = Field(
        [], max_length=30, description="UNHCR specific-needs codes, e.g. SC-UC"
    )
    document_type: str = Field("", json_schema_extra=_enum(["", *DOCUMENT_TYPE_CODES]))
    document_number: str = Field("", max_length=60)
    document_issuer: str = Field("", max_length=100)


class PersonPatch(Schema):
    """Only the fields sent are changed."""

    given_name: str | None = _name(True)
    father_name: str | None = _name(True)
    grandfather_name: str | None = _name(True)
    family_name: str | None = _name(True)
    given_name_latin: str | None = _name(True)
    father_name_latin: str | None = _name(True)
    grandfather_name_latin: str | None = _name(True)
    family_name_latin: str | None = _name(True)
    sex: str | None = Field(
        None, description="F, M, X or U", json_schema_extra=_enum(SEX_CODES, null=True)
    )
    birth_date: date | None = None
    birth_date_estimated: bool | None = None
    stated_age: int | None = Field(None, ge=0, le=120)
    stated_age_on: date | None = None
    nationality: str | None = Field(None, max_length=60)
    origin_country: str | None = Field(None, max_length=60)
    origin_admin1: str | None = Field(None, max_length=80)
    origin_place: str | None = Field(None, max_length=120)
    languages: list[str] | None = Field(None, max_length=20)
    phone: str | None = Field(None, max_length=30)
    relationship: str | None = Field(None, json_schema_extra=_enum(RELATIONSHIP_CODES, null=True))
    specific_needs: list[str] | None = Field(None, max_length=30)


class PersonOut(Schema):
    id: UUID
    registration_number: str
    household_id: UUID
    given_name: str
    father_name: str
    grandfather_name: str
    family_name: str
    given_name_latin: str
    father_name_latin: str
    grandfather_name_latin: str
    family_name_latin: str
    sex: str
    birth_date: date | None
    birth_date_estimated: bool
    birth_year_min: int | None
    birth_year_max: int | None
    nationality: str
    origin_country: str
    origin_admin1: str
    origin_place: str
    languages: list[str]
    phone: str
    relationship: str
    specific_needs: list[str]
    name_masked: bool = Field(False, description="names hidden: a survivor, in a list")

    @staticmethod
    def resolve_name_masked(obj: Any) -> bool:
        return bool(obj.given_name_latin == MASK or obj.given_name == MASK)

    @staticmethod
    def resolve_nationality(obj: Any) -> str:
        return str(obj.nationality.code or "")

    @staticmethod
    def resolve_origin_country(obj: Any) -> str:
        return str(obj.origin_country.code or "")


class PersonPage(Schema):
    items: list[PersonOut]
    count: int
    page: int
    pages: int


class HouseholdOut(Schema):
    id: UUID
    registration_number: str
    site_code: str
    shelter: str
    registered_by: str

    @staticmethod
    def resolve_site_code(obj: Any) -> str:
        return str(obj.site.code)

    @staticmethod
    def resolve_registered_by(obj: Any) -> str:
        return str(obj.registered_by.short_name)


class HouseholdDetail(HouseholdOut):
    members: list[PersonOut]

    @staticmethod
    def resolve_members(obj: Any) -> list[Any]:
        return list(obj.scoped_members)


class HouseholdPage(Schema):
    items: list[HouseholdOut]
    count: int
    page: int
    pages: int


class HouseholdIn(Schema):
    site_code: str = Field(..., max_length=40)
    shelter: str = Field("", max_length=100)
    legal_bases: dict[str, str] = Field(
        default_factory=lambda: {k: v for k, v in DEFAULT_BASES.items() if v},
        description="purpose → legal basis; sharing is absent (no) unless given",
    )
    members: list[PersonIn] = Field(..., min_length=1, max_length=40)
    composition: str | None = Field(
        None,
        description=(
            "head (a member is the head of household), child_headed or "
            "unaccompanied_child; the last two set the specific-needs code (SC-CH, "
            "SC-UC) and alert child protection. Left out: a household with a head, "
            "or one whose members carry SC-CH or SC-UC."
        ),
        json_schema_extra=_enum([code for code, _ in households.COMPOSITIONS], null=True),
    )


class PersonCreate(PersonIn):
    household_id: UUID


class HouseholdPatch(Schema):
    shelter: str = Field(..., max_length=100)


def _page_of(
    queryset: Any, page: int, page_size: int, shown: Any = list, *, reader: Any
) -> dict[str, Any]:
    page_obj = selectors.paginate(queryset, page, max(1, min(page_size, MAX_PAGE_SIZE)))
    record_list_read(reader, page_obj.object_list)  # every record shown (rule 16)
    return {
        "items": shown(page_obj.object_list),
        "count": page_obj.paginator.count,
        "page": page_obj.number,
        "pages": page_obj.paginator.num_pages,
    }


def _person_data(
    payload: dict[str, Any], *, field: str = "", instance: Any = None
) -> actions.PersonData:
    form = PersonForm(data=payload, instance=instance)
    if not form.is_valid():
        raise ApiError("invalid", "Some fields are not valid.", 422, form_errors(form, field))
    return actions.PersonData.from_cleaned(form.cleaned_data)


def _bases(raw: dict[str, str]) -> dict[str, str]:
    form = LegalBasesForm(data={f"basis_{k}": v for k, v in raw.items()})
    unknown = set(raw) - {name.removeprefix("basis_") for name in form.fields}
    if unknown or not form.is_valid():
        errors = form_errors(form, "legal_bases") if not form.is_valid() else []
        errors += [
            {"field": f"legal_bases.{k}", "message": "Unknown purpose."} for k in sorted(unknown)
        ]
        raise ApiError("invalid", "The legal bases are not valid.", 422, errors)
    return form.bases()


def _page() -> Any:
    return Query(1, ge=1, le=100_000)


def _page_size() -> Any:
    return Query(25, ge=1, le=MAX_PAGE_SIZE)


def _refuse_search_in_url(request: HttpRequest, search_path: str) -> None:
    """Names and shelters (addresses) never go in a URL, where server and proxy
    logs keep them: a `q` on a list answers 400 naming where to send it."""
    if "q" in request.GET:
        raise ApiError(
            "invalid",
            f"Searches do not go in URLs: send them as POST {search_path}.",
            400,
            [{"field": "q", "message": "not accepted in a URL"}],
        )


@router.get("/persons", response=answers({200: PersonPage}), summary="List persons")
def list_persons(request: HttpRequest, page: int = _page(), page_size: int = _page_size()) -> Any:
    """Everyone in your scope, page by page. Names never go in a URL (they
    would stay in server and proxy logs): search with POST /persons/search.
    A `q` here answers 400."""
    _need(request, Perm.PERSON_VIEW)
    _refuse_search_in_url(request, "/api/v1/persons/search")
    persons = selectors.person_search(request.user, "")
    shown = partial(selectors.masked_for_list, request.user)
    return _page_of(persons, page, page_size, shown, reader=request.user)


class SearchIn(Schema):
    q: str = Field("", max_length=100, description="words of a name, or a number")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=MAX_PAGE_SIZE)


@router.post(
    "/persons/search",
    response=answers({200: PersonPage}),
    summary="Search persons (query in the body)",
)
def search_persons(request: HttpRequest, payload: SearchIn) -> Any:
    _need(request, Perm.PERSON_VIEW)
    persons = selectors.person_search(request.user, payload.q)
    shown = partial(selectors.masked_for_list, request.user)
    return _page_of(persons, payload.page, payload.page_size, shown, reader=request.user)


MATCH_NAMES = ("full_name", "given_name", "father_name", "grandfather_name", "family_name")


class MatchIn(Schema):
    """Who is looked for: at least one name with letters (full_name or a
    name part); punctuation, digits or spaces alone are no name (422)."""

    model_config = {
        "json_schema_extra": {
            "anyOf": [
                {"required": [name], "properties": {name: {"minLength": 1}}} for name in MATCH_NAMES
            ]
        }
    }

    full_name: str = Field("", max_length=200, description="any script, any order")
    given_name: str = Field("", max_length=80)
    father_name: str = Field("", max_length=80)
    grandfather_name: str = Field("", max_length=80)
    family_name: str = Field("", max_length=80)
    sex: Literal["", "F", "M", "X", "U"] = ""
    birth_date: date | None = None
    birth_year: int | None = Field(None, ge=1880, le=2100)
    age: int | None = Field(None, ge=0, le=130)
    place_of_origin: str = Field("", max_length=120)
    phone: str = Field("", max_length=30)
    document_number: str = Field("", max_length=60)
    top: int = Field(10, ge=1, le=50)


class FieldExplanation(Schema):
    feature: str
    status: str = Field(..., description="agreed, partly, disagreed or missing")
    level: str
    weight: float


HELD_MESSAGE = (
    "A possible match held by protection staff. "
    "POST its ask_token to /api/v1/persons/match/ask to ask them to look."
)


class MatchOut(Schema):
    person: PersonOut | None = Field(None, description="absent for a match held by protection")
    probability: float | None = None
    explanation: list[FieldExplanation] = []
    held_by_protection: bool = Field(
        False,
        description="a survivor the caller's role may not see: no record, only a message "
        "and a token to ask protection staff",
    )
    message: str = ""
    ask_token: str = Field("", description="opaque, for POST /persons/match/ask, valid one hour")


class AskIn(Schema):
    token: str = Field(..., max_length=1000)


class AskOut(Schema):
    told: bool
    message: str


@router.post(
    "/persons/match",
    response=answers({200: list[MatchOut]}),
    summary="Find a person: ranked candidates",
)
def match_persons(request: HttpRequest, payload: MatchIn) -> Any:
    """Registered people likely to be the one described, with the
    probability and a per-field explanation. Needs at least one name."""
    _need(request, Perm.PERSON_VIEW)
    query = {k: ("" if v is None else str(v)) for k, v in payload.dict(exclude={"top"}).items()}
    if not has_name(query):
        raise ApiError(
            "invalid",
            "Give at least one name with letters.",
            422,
            [{"field": "full_name", "message": "at least one name with letters"}],
        )
    if invalid_columns(query):  # the schema's types already hold: a safety net
        raise ApiError(
            "invalid",
            "Some fields are not valid.",
            422,
            [{"field": c, "message": "not valid"} for c in invalid_columns(query)],
        )
    found = access.match_persons(request.user, query, top=payload.top)
    seen = selectors.matches_as_seen(request.user, found)
    record_list_read(
        request.user, [m.person for m in seen if not isinstance(m, selectors.HeldMatch)]
    )
    return [_match_out(request.user, m) for m in seen]


def _match_out(user: Any, match: Any) -> dict[str, Any]:
    if isinstance(match, selectors.HeldMatch):
        return {"held_by_protection": True, "message": HELD_MESSAGE, "ask_token": match.token}
    shown = selectors.masked_for_list(user, [match.person])[0]
    return {"person": shown, "probability": match.probability, "explanation": match.explanation}


@router.post(
    "/persons/match/ask",
    response=answers({202: AskOut}),
    summary="Ask protection staff about a possible match they hold",
)
def ask_about_held_match(request: HttpRequest, payload: AskIn) -> Any:
    """The site's protection officers are told (a reference and a link, no
    personal data); the answer says only whether anyone was told."""
    _need(request, Perm.PERSON_VIEW)
    person = selectors.held_person(request.user, payload.token)
    if person is None:
        raise ApiError(
            "invalid",
            "The token is not valid or has expired: search again.",
            422,
            [{"field": "token", "message": "invalid or expired"}],
        )
    told = actions.held_match_ask(user=request.user, person=person)
    message = "Protection staff were asked." if told else "No protection officer covers the site."
    return Status(202, {"told": bool(told), "message": message})


@router.get("/persons/{person_id}", response=answers({200: PersonOut}), summary="Read one person")
def get_person(request: HttpRequest, person_id: str) -> Any:
    return access.get_person(request.user, person_id)


@router.post(
    "/persons",
    response=answers({201: PersonOut}),
    summary="Add a person to a household",
    auth=WRITE_AUTH,
    openapi_extra=IDEMPOTENCY_OPENAPI,
)
@idempotent
def create_person(request: HttpRequest, payload: PersonCreate) -> Any:
    _need(request, Perm.PERSON_CREATE)
    household = access.get_household(
        request.user, payload.household_id, Perm.HOUSEHOLD_CHANGE, audit=False
    )
    data = _person_data(payload.dict(exclude={"household_id"}))
    bases = {k: v for k, v in DEFAULT_BASES.items() if v}
    try:
        person = actions.person_add(user=request.user, household=household, data=data, bases=bases)
    except actions.HouseholdError as error:
        raise _household_error(error) from None
    return Status(201, person)


@router.patch(
    "/persons/{person_id}",
    response=answers({200: PersonOut}),
    summary="Change a person",
    auth=WRITE_AUTH,
)
def update_person(request: HttpRequest, person_id: str, payload: PersonPatch) -> Any:
    person = access.get_person(request.user, person_id, Perm.PERSON_CHANGE)
    current = {name: getattr(person, name) for name in PERSON_FIELDS}
    current.update(
        nationality=str(person.nationality or ""),
        origin_country=str(person.origin_country or ""),
        languages=person.languages,
        specific_needs=person.specific_needs,
    )
    current.update(payload.dict(exclude_unset=True))
    data = _person_data({k: ("" if v is None else v) for k, v in current.items()}, instance=person)
    try:
        actions.person_update(user=request.user, person=person, data=data)
    except actions.HouseholdError as error:
        raise _household_error(error) from None
    return access.get_person(request.user, person_id, Perm.PERSON_CHANGE)


@router.get("/households", response=answers({200: HouseholdPage}), summary="List households")
def list_households(
    request: HttpRequest, page: int = _page(), page_size: int = _page_size()
) -> Any:
    """Every household in your scope, page by page. A shelter can be an address,
    so searches go in a body: POST /households/search. A `q` here answers 400."""
    _need(request, Perm.HOUSEHOLD_VIEW)
    _refuse_search_in_url(request, "/api/v1/households/search")
    households = selectors.household_search(request.user, "")
    return _page_of(households, page, page_size, reader=request.user)


@router.post(
    "/households/search",
    response=answers({200: HouseholdPage}),
    summary="Search households (query in the body)",
)
def search_households(request: HttpRequest, payload: SearchIn) -> Any:
    """`q` matches a household number exactly or a shelter in part."""
    _need(request, Perm.HOUSEHOLD_VIEW)
    households = selectors.household_search(request.user, payload.q[:100])
    return _page_of(households, payload.page, payload.page_size, reader=request.user)


@router.get(
    "/households/{household_id}",
    response=answers({200: HouseholdDetail}),
    summary="Read one household",
)
def get_household(request: HttpRequest, household_id: str) -> Any:
    household = access.get_household(request.user, household_id)
    household.scoped_members = selectors.masked_for_list(  # type: ignore[attr-defined]
        request.user, access.household_members(request.user, household)
    )
    return household


@router.post(
    "/households",
    response=answers({201: HouseholdDetail}),
    summary="Register a household and its members",
    auth=WRITE_AUTH,
    openapi_extra=IDEMPOTENCY_OPENAPI,
)
@idempotent
def create_household(request: HttpRequest, payload: HouseholdIn) -> Any:
    _need(request, Perm.HOUSEHOLD_CREATE)
    site = (
        access.sites_for(request.user, Perm.HOUSEHOLD_CREATE).filter(code=payload.site_code).first()
    )
    if site is None:
        raise ApiError(
            "invalid",
            "Unknown site, or not one you may register in.",
            422,
            [{"field": "site_code", "message": "Unknown site."}],
        )
    members = [_person_data(m.dict(), field=f"members.{i}") for i, m in enumerate(payload.members)]
    try:
        household = actions.household_register(
            user=request.user,
            organisation=core_access.organisation_for(request.user, Perm.HOUSEHOLD_CREATE),
            site=site,
            shelter=payload.shelter,
            members=members,
            bases=_bases(payload.legal_bases),
            composition=payload.composition or _composition_of(members),
        )
    except actions.HouseholdError as error:
        raise _household_error(error, "composition") from None
    household.scoped_members = selectors.masked_for_list(  # type: ignore[attr-defined]
        request.user, access.household_members(request.user, household)
    )
    return Status(201, household)


@router.patch(
    "/households/{household_id}",
    response=answers({200: HouseholdOut}),
    summary="Change a household",
    auth=WRITE_AUTH,
)
def update_household(request: HttpRequest, household_id: str, payload: HouseholdPatch) -> Any:
    household = access.get_household(request.user, household_id, Perm.HOUSEHOLD_CHANGE, audit=False)
    return actions.household_update(user=request.user, household=household, shelter=payload.shelter)


def _household_error(error: actions.HouseholdError, field: str = "relationship") -> ApiError:
    return ApiError(
        "invalid",
        "The household has no valid head.",
        422,
        [{"field": field, "message": m} for m in error.problems],
    )


def _composition_of(members: list[actions.PersonData]) -> str:
    return households.composition_from_needs(
        [households.member_of(m.fields) for m in members],
        [list(m.fields.get("specific_needs") or []) for m in members],
        timezone.localdate(),
    )


def _need(request: HttpRequest, perm: Perm) -> None:
    if not core_access.has_perm(request.user, perm):
        raise Http404

"""GET /api/v1/services: the service directory (not personal data). Every
signed-in user and every token with the read scope reads it, as the pages."""

from typing import Any, Literal, get_args

from django.http import HttpRequest
from ninja import Query, Router, Schema

from salama.cases import selectors_directory as selectors
from salama.cases.models import Service, ServiceType
from salama.core.api_errors import ApiError, answers
from salama.registry.selectors import paginate

router = Router(tags=["services"])

MAX_PAGE_SIZE = 100
# ServiceType's codes, spelled out for the schema (tests check they agree).
ServiceTypeCode = Literal[
    "health",
    "srh",
    "clinical_rape",
    "psychosocial",
    "safe_shelter",
    "food",
    "cash",
    "livelihoods",
    "education",
    "legal_aid",
    "child_protection",
    "ddr",
    "family_tracing",
    "documentation",
    "law_enforcement",
]
SERVICE_TYPE_CODES: tuple[str, ...] = get_args(ServiceTypeCode)


class ServiceOut(Schema):
    id: str
    name: str
    service_type: str
    organisation: str
    site: str
    languages: str
    hours: str
    capacity: int | None = None
    contact: str
    accepts_children: bool
    staff_gender: str
    answer_within_hours: int


class ServicePage(Schema):
    items: list[ServiceOut]
    count: int
    page: int
    pages: int


def _invalid(field: str, message: str) -> ApiError:
    # The message never repeats the value sent (PROTECTION.md 24).
    return ApiError("invalid", message, 422, [{"field": field, "message": message}])


def _out(service: Service) -> dict[str, Any]:
    return {
        "id": str(service.pk),
        "name": service.name,
        "service_type": service.service_type,
        "organisation": service.organisation.short_name,
        "site": service.site.code,
        "languages": service.languages,
        "hours": service.hours,
        "capacity": service.capacity,
        "contact": service.contact,
        "accepts_children": service.accepts_children,
        "staff_gender": service.staff_gender,
        "answer_within_hours": service.answer_within_hours,
    }


@router.get("/services", response=answers({200: ServicePage}), summary="List the service directory")
def list_services(
    request: HttpRequest,
    site: str = Query(
        "",
        max_length=20,
        description="A site's code: the services at it, and at the sites above and below it",
    ),
    service_type: ServiceTypeCode | None = None,
    organisation: str = Query("", max_length=30, description="An organisation's short name"),
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    """The active services of the directory, by type and name, with the
    organisation that provides each (its short name) and its site (code)."""
    where = selectors.site_by_code(site) if site.strip() else None
    if site.strip() and where is None:
        raise _invalid("site", "Unknown site.")
    if service_type is not None and service_type not in ServiceType.values:
        raise _invalid("service_type", f"One of {', '.join(ServiceType.values)}.")
    provider = selectors.organisation_by_short_name(organisation) if organisation.strip() else None
    if organisation.strip() and provider is None:
        raise _invalid("organisation", "Unknown organisation.")
    found = selectors.directory(site=where, service_type=service_type or "", organisation=provider)
    page_obj = paginate(found.select_related("site", "organisation"), page, page_size)
    return {
        "items": [_out(s) for s in page_obj.object_list],
        "count": page_obj.paginator.count,
        "page": page_obj.number,
        "pages": page_obj.paginator.num_pages,
    }

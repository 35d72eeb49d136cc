"""The JSON API at /api/v1/, with its OpenAPI schema and docs."""

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from salama.cases.api import router as cases_router
from salama.cases.api_directory import router as services_router
from salama.civil.api import router as civil_router
from salama.complaints.api import router as complaints_router
from salama.core import idempotency
from salama.core.api_auth import READ_AUTH
from salama.core.api_errors import ApiError
from salama.presence.api import router as presence_router
from salama.registry.api import router as registry_router
from salama.reports.api import router as reports_router
from salama.tracing.api import router as tracing_router

# What django-ninja answers (400) when the parser below refuses a body.
UNPARSED_BODY = "Cannot parse request body"


class ObjectBodyParser(Parser):
    """Every request body is one JSON object: `null`, a string or a list was
    read as "no fields given" and answered as if it were `{}`."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError("not an object")
        return data


api = NinjaAPI(
    parser=ObjectBodyParser(),
    title="Salama API",
    version="1",
    description=(
        "Registry of camp residents. Every record is scoped by organisation, site and role; "
        "a record outside your scope answers 404. Errors have one shape: "
        '{"code": "...", "message": "..."}.\n\n'
        "Authentication: a bearer token (`Authorization: Bearer slm_...`), made by an "
        "administrator for a user who holds two-factor sign-in, or the browser session. "
        "A token expires (90 days unless chosen otherwise) and has scopes: `read` for every "
        "GET and for searches, `write` for calls that create or change records; an expired "
        "token answers 401, a missing scope 403.\n\n"
        "Retries: every call that creates a record accepts an `Idempotency-Key` header. "
        "Send a new unique value (a UUID) per record you mean to create, and the same value "
        "when you retry after a timeout or a lost connection: the retry returns the first "
        "answer (same status and body, with `Idempotent-Replayed: true`) and creates nothing. "
        "The same key with a different request answers 422 `idempotency_key_reused`. Keys "
        "are per user and kept 24 hours."
    ),
    auth=READ_AUTH,
    urls_namespace="api",
)
api.add_router("/", registry_router)
api.add_router("/", tracing_router)
api.add_router("/", presence_router)
api.add_router("/", services_router)
api.add_router("/", cases_router)
api.add_router("/", civil_router)
api.add_router("/", complaints_router)
api.add_router("/", reports_router)


def _error(
    request: HttpRequest, status: int, code: str, message: str, **extra: Any
) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(ApiError)
def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return api.create_response(request, exc.body(), status=exc.status)


@api.exception_handler(idempotency.Replay)
def on_replay(request: HttpRequest, exc: idempotency.Replay) -> HttpResponse:
    return idempotency.replay_response(exc.record)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 404, "not_found", "No such record, or not one you may see.")


@api.exception_handler(PermissionDenied)
def on_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 403, "forbidden", str(exc) or "Not allowed.")


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "Sign in, or send a valid bearer token.")


@api.exception_handler(ValidationError)
def on_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [{"field": _field(e.get("loc", [])), "message": e.get("msg", "")} for e in exc.errors]
    return _error(request, 422, "invalid", "The request is not valid.", errors=errors)


def _field(loc: list[Any]) -> str:
    """("body", "payload", "members", 0, "sex") → "members.0.sex"."""
    parts = [str(p) for p in loc[1:]]
    if parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and str(exc).startswith(UNPARSED_BODY):
        message = "The body must be one JSON object, sent as application/json."
        return _error(request, 400, "invalid", message)
    return _error(request, exc.status_code, "error", str(exc))

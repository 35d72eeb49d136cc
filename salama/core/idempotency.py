"""Idempotency-Key for the API's creating calls (POST /households, POST
/persons, …): a client that lost an answer sends the same request again with
the same key and gets the first answer, status and body, instead of a second
record. The same key with another request answers 422. Keys are per user (a
token acts as its user), kept in the database so that every server process
agrees, for settings.SALAMA_IDEMPOTENCY_HOURS; jobs.housekeeping removes them.

Usage, below the route decorator:

    @router.post("/households", ..., openapi_extra=IDEMPOTENCY_OPENAPI)
    @idempotent
    def create_household(request, payload): ...
"""

import hashlib
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja.decorators import decorate_view

from salama.core.api_errors import ApiError
from salama.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# Set on a replayed answer, so that a client (and its operator) can tell.
REPLAYED_HEADER = "Idempotent-Replayed"
_CLAIM = "_salama_idempotency_claim"

IDEMPOTENCY_OPENAPI: dict[str, Any] = {
    "parameters": [
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
            "description": (
                "A unique value per intended record (a UUID). Sending the same request again "
                "with the same key returns the first answer (status and body, with the header "
                "Idempotent-Replayed: true) and creates nothing; the same key with another "
                "request answers 422. Keys are kept 24 hours (SALAMA_IDEMPOTENCY_HOURS)."
            ),
        }
    ]
}


class Replay(Exception):
    """The first answer to this key, to be sent again instead of running the view."""

    def __init__(self, record: IdempotencyKey) -> None:
        super().__init__(record.key)
        self.record = record


def replay_response(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(record.body, status=record.status, content_type=record.content_type)
    response[REPLAYED_HEADER] = "true"
    return response


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.path):
        digest.update(part.encode() + b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _key_of(request: HttpRequest) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise ApiError(
            "invalid",
            f"The {HEADER} header must be 1 to {MAX_KEY_LENGTH} printable ASCII characters.",
            400,
            [{"field": HEADER, "message": "invalid"}],
        )
    return key


def _claim(request: HttpRequest, key: str) -> None:
    """Reserve the key for this request inside the request's transaction, or
    raise Replay / ApiError. A concurrent request with the same key waits on
    the unique row until this one commits, then replays its answer."""
    now = timezone.now()
    fingerprint = _fingerprint(request)
    user: Any = request.user  # authenticated: the view runs after authentication
    for _attempt in range(2):
        found = IdempotencyKey.objects.filter(user=user, key=key).first()
        if found is not None and found.expires_at <= now:
            found.delete()  # expired, not yet pruned: the key is free again
            found = None
        if found is not None:
            if found.fingerprint != fingerprint:
                raise ApiError(
                    "idempotency_key_reused",
                    f"This {HEADER} was used with a different request; use a new key.",
                    422,
                    [{"field": HEADER, "message": "used with a different request"}],
                )
            raise Replay(found)
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    user=user,
                    key=key,
                    fingerprint=fingerprint,
                    status=0,  # filled in with the answer
                    content_type="",
                    body="",
                    created_at=now,
                    expires_at=now + timedelta(hours=settings.SALAMA_IDEMPOTENCY_HOURS),
                )
        except IntegrityError:
            continue  # another request with this key committed first: replay it
        setattr(request, _CLAIM, record)
        return


def _in_transaction(run: Callable[..., Any]) -> Callable[..., Any]:
    """Around ninja's whole operation (authentication, view, serialisation):
    the record, the key and the stored answer commit together or not at all."""

    @wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if HEADER.lower() not in {name.lower() for name in request.headers}:
            return run(request, *args, **kwargs)
        with transaction.atomic():
            response = run(request, *args, **kwargs)
            record: IdempotencyKey | None = getattr(request, _CLAIM, None)
            if record is not None:
                if 200 <= response.status_code < 300:
                    record.status = response.status_code
                    record.content_type = response.get("Content-Type", "application/json")
                    record.body = response.content.decode("utf-8")
                    record.save(update_fields=["status", "content_type", "body"])
                else:
                    # Nothing was created (a 4xx changes nothing): the key stays free.
                    record.delete()
        return response

    return wrapped


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Honour an Idempotency-Key header on this creating endpoint."""

    @wraps(view)
    def claimed(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key = _key_of(request)
        if key is not None:
            _claim(request, key)
        return view(request, *args, **kwargs)

    return decorate_view(_in_transaction)(claimed)

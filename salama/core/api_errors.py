"""One error shape for the whole API: {"code": ..., "message": ...}."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from ninja import Field, Schema


class ApiError(Exception):
    def __init__(
        self, code: str, message: str, status: int = 400, errors: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.errors = code, message, status, errors or []

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body


def form_errors(form: forms.BaseForm, prefix: str = "") -> list[dict[str, Any]]:
    out = []
    for name, errors in form.errors.as_data().items():
        field = "" if name == "__all__" else name
        path = ".".join(p for p in (prefix, field) if p)
        out += [{"field": path, "message": message} for message in _messages(errors)]
    return out


def _messages(errors: list[ValidationError]) -> list[str]:
    """Messages that never repeat the value sent: Django's "Select a valid
    choice. %(value)s is not one of the available choices." would put what a
    client typed into an error answer (PROTECTION.md 24)."""
    out = []
    for error in errors:
        for item in error.error_list:
            params = dict(item.params or {})
            if "value" in params:
                params["value"] = "…"
            out.append(str(item.message % params if params else item.message))
    return out


class FieldErrorOut(Schema):
    field: str = Field(..., description='where, e.g. "members.0.sex"; empty for the whole request')
    message: str


class ErrorOut(Schema):
    """The one error shape."""

    code: str = Field(..., description="invalid, not_found, unauthenticated, forbidden, error")
    message: str
    errors: list[FieldErrorOut] = []


# The error answers every operation may give, documented in the schema.
ERROR_ANSWERS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}


def answers(ok: dict[int, Any]) -> dict[int, Any]:
    """An operation's answers: its successes and every error answer."""
    return {**ok, **ERROR_ANSWERS}

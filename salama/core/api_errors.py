"""One error shape for the whole API: {"code": ..., "message": ...}."""

from typing import Any

from django import forms
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
    for name, messages in form.errors.items():
        field = "" if name == "__all__" else name
        path = ".".join(p for p in (prefix, field) if p)
        out += [{"field": path, "message": str(m)} for m in messages]
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

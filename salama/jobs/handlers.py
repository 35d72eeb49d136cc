"""The @job decorator and the handlers it registers.

A handler is a plain function `fn(ctx, **kwargs)`; the decorator wraps it
with its label and retry policy so that a Job row can name it by dotted path.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from salama.jobs.context import JobContext


class JobHandler:
    def __init__(
        self,
        func: Callable[..., Any],
        *,
        label: str | Promise,
        retries: int,
        backoff_seconds: int,
    ) -> None:
        if retries < 0 or backoff_seconds < 0:
            raise ValueError("retries and backoff_seconds must not be negative")
        self.func = func
        self.label = label
        self.retries = retries
        self.backoff_seconds = backoff_seconds
        self.path = f"{func.__module__}.{func.__qualname__}"
        self.__name__ = func.__name__
        self.__doc__ = func.__doc__

    @property
    def max_attempts(self) -> int:
        return self.retries + 1

    def __call__(self, ctx: "JobContext", **kwargs: Any) -> Any:
        return self.func(ctx, **kwargs)

    def __repr__(self) -> str:
        return f"<JobHandler {self.path}>"


def job(
    *, label: str | Promise, retries: int = 0, backoff_seconds: int = 30
) -> Callable[[Callable[..., Any]], JobHandler]:
    """Declare a background job handler. `retries` failed attempts are retried
    after backoff_seconds, 2x, 4x ... (exponential back-off)."""

    def wrap(func: Callable[..., Any]) -> JobHandler:
        return JobHandler(func, label=label, retries=retries, backoff_seconds=backoff_seconds)

    return wrap


class JobFailed(Exception):
    """Raised by a handler for a failure that another attempt cannot fix (a user
    who may no longer do this, a record gone): the job fails at once, without
    retries, and the message (no personal data) is shown."""


class UnknownHandler(LookupError):
    pass


def resolve(handler: "JobHandler | str") -> JobHandler:
    """The handler itself, or the one a dotted path names."""
    if isinstance(handler, JobHandler):
        return handler
    try:
        found = import_string(handler)
    except ImportError as exc:
        raise UnknownHandler(f"no job handler at {handler!r}") from exc
    if not isinstance(found, JobHandler):
        raise UnknownHandler(f"{handler!r} is not a @job handler")
    return found

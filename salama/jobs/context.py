"""What a running handler knows about its job, and how it reports progress."""

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.functional import Promise

from salama.core.models import Organisation
from salama.jobs.models import Job

# A command running a job in the foreground listens here for a progress bar.
progress_listener: ContextVar[Callable[[int, int, str], None] | None] = ContextVar(
    "progress_listener", default=None
)


@dataclass
class JobContext:
    job_id: UUID
    user_id: int | None
    organisation_id: int | None
    attempt: int

    @classmethod
    def for_job(cls, job: Job) -> "JobContext":
        return cls(
            job_id=job.pk,
            user_id=job.user_id,
            organisation_id=job.organisation_id,
            attempt=job.attempts,
        )

    @property
    def user(self) -> Any:
        if self.user_id is None:
            return None
        return get_user_model().objects.filter(pk=self.user_id, is_active=True).first()

    @property
    def organisation(self) -> Organisation | None:
        if self.organisation_id is None:
            return None
        return Organisation.objects.filter(pk=self.organisation_id).first()

    def progress(self, done: int, total: int, message: "str | Promise" = "") -> None:
        """Record how far the job is. Outside the handler's step transactions
        it is visible at once; `message` is a short fixed text (no personal
        data), stored untranslated and translated for each reader."""
        with translation.override(None):
            text = str(message)[:200]
        Job.objects.filter(pk=self.job_id).update(
            progress_done=max(0, int(done)),
            progress_total=max(0, int(total)),
            progress_message=text,
            heartbeat_at=timezone.now(),
        )
        listener = progress_listener.get()
        if listener is not None:
            listener(int(done), int(total), str(message))

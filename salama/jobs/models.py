"""Background jobs: one row per unit of work, and the schedule's claimed slots.

A Job is what people see (progress, error, retry); the django-tasks result it
points to is only the delivery that makes a worker pick it up.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salama.core.models import Organisation


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        RETRYING = "retrying", _("Waiting to retry")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Dotted path of the @job handler; its label is looked up from it when shown.
    handler = models.CharField(max_length=200)
    label = models.CharField(max_length=200)
    # Ids and options only, never personal data (they are shown to administrators).
    kwargs = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=1)
    backoff_seconds = models.PositiveIntegerField(default=30)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_message = models.CharField(max_length=200, blank=True)
    # The class and first line of the last exception: no traceback, no values.
    error_type = models.CharField(max_length=200, blank=True)
    error_message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    run_after = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every progress report: a running job whose heartbeat stops was
    # lost with its worker (see salama.jobs.runner.recover_stale).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.label} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, self.progress_done * 100 // self.progress_total)


class ScheduledSlot(models.Model):
    """One due slot of a schedule entry, claimed by the worker that enqueued it.

    The unique constraint is the lock: several workers on several machines
    insert the same (entry, slot); one succeeds, in the same transaction as its
    job_enqueue, and the others roll back.
    """

    entry = models.CharField(max_length=100)
    slot = models.DateTimeField()
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-slot"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "slot"], name="one_job_per_schedule_slot")
        ]

    def __str__(self) -> str:
        return f"{self.entry} @ {self.slot:%Y-%m-%d %H:%M}"

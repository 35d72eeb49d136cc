"""The background job that sends one delivery; its retries are the jobs
framework's, with exponential back-off (docs/notifications.md)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from salama.jobs.api import JobContext, job
from salama.notifications.actions import BACKOFF_SECONDS, MAX_ATTEMPTS, delivery_attempt
from salama.notifications.models import Delivery


class DeliveryFailed(RuntimeError):
    """Raised so that the job is tried again later, or shown as failed."""


@job(label=_("Send a notification"), retries=MAX_ATTEMPTS - 1, backoff_seconds=BACKOFF_SECONDS)
def deliver_notification(ctx: JobContext, *, delivery_id: str) -> dict[str, Any]:
    delivery = delivery_attempt(delivery_id=delivery_id, attempt=ctx.attempt)
    retrying = delivery.status == Delivery.Status.RETRYING
    gave_up = delivery.status == Delivery.Status.FAILED and ctx.attempt >= MAX_ATTEMPTS
    if retrying or gave_up:  # the job's own log shows it too
        raise DeliveryFailed(f"{delivery.channel}: {delivery.last_error}")
    return {"status": delivery.status, "attempts": delivery.attempts}

"""The background job that sends one delivery; its retries are the jobs
framework's, with exponential back-off (docs/notifications.md)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from salama.jobs.api import JobContext, job
from salama.notifications.actions import BACKOFF_SECONDS, MAX_ATTEMPTS, delivery_attempt
from salama.notifications.models import Delivery


class DeliveryFailed(RuntimeError):
    """A transient failure: raised so that the job is tried again later."""


@job(label=_("Send a notification"), retries=MAX_ATTEMPTS - 1, backoff_seconds=BACKOFF_SECONDS)
def deliver_notification(ctx: JobContext, *, delivery_id: str) -> dict[str, Any]:
    delivery = delivery_attempt(delivery_id=delivery_id, last_attempt=ctx.attempt >= MAX_ATTEMPTS)
    if delivery.status == Delivery.Status.RETRYING:
        raise DeliveryFailed(f"{delivery.channel}: {delivery.last_error}")
    return {"status": delivery.status, "attempts": delivery.attempts}

"""Writes on notifications. `notify` is the one way every capability tells
users something: it writes the in-app notifications at once and queues one
delivery job per outside channel each recipient has chosen, all in one
transaction (a job exists exactly when its notification does)."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise

from salama.audit.actions import audit_record
from salama.core import access as core_access
from salama.jobs.api import job_enqueue
from salama.notifications import rules
from salama.notifications.channels import SENDERS, Outcome
from salama.notifications.models import Channel, ChannelPreference, Delivery, Notification
from salama.notifications.selectors import channels_of

# Six attempts with exponential back-off from 30 s: 30 s, 1, 2, 4 and 8 minutes.
MAX_ATTEMPTS = 6
BACKOFF_SECONDS = 30
DELIVERY_JOB = "salama.notifications.delivery_jobs.deliver_notification"


class PreferenceError(ValueError):
    pass


def _active_unique(recipients: Iterable[Any]) -> list[Any]:
    """Each active user once, in the order given (deactivated users get nothing)."""
    seen: dict[int, Any] = {}
    for user in recipients:
        if user.is_active and user.pk not in seen:
            seen[user.pk] = user
    return list(seen.values())


def outside_channels(user: Any, preference: ChannelPreference) -> list[str]:
    """The channels besides in-app on which `user` receives notifications now."""
    channels: list[str] = []
    if preference.email and user.email:
        channels.append(Channel.EMAIL)
    if preference.webhook and settings.SALAMA_WEBHOOK_URL:
        channels.append(Channel.WEBHOOK)
    return channels


def _queue_delivery(notification: Notification, channel: str, actor: Any) -> Delivery:
    delivery = Delivery.objects.create(notification=notification, channel=channel)
    # The job belongs to the recipient's organisation, so that only its administrators
    # see the delivery on the jobs page.
    membership = notification.recipient.memberships.select_related("organisation").first()
    job = job_enqueue(
        DELIVERY_JOB,
        kwargs={"delivery_id": str(delivery.pk)},
        user=actor,
        organisation=membership.organisation if membership else None,
    )
    delivery.job_id = str(job.pk)
    delivery.save(update_fields=["job_id"])
    return delivery


@transaction.atomic
def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    subject: str | Promise,
    reference: str,
    link: str,
    actor: Any = None,
) -> list[Notification]:
    """Tell `recipients` that `kind` happened to the record `reference`, found at `link`.

    `subject` is a fixed translatable phrase (gettext_lazy): it is sent by
    email as it is, so it must never hold a name, a date or any field of a
    record; NotificationError says what is wrong and nothing is written.
    """
    fields = {
        "kind": rules.clean_kind(kind),
        "subject": rules.clean_subject(subject),
        "reference": rules.clean_reference(reference),
        "link": rules.clean_link(link),
    }
    users = _active_unique(recipients)
    notifications = Notification.objects.bulk_create(
        [Notification(recipient=user, **fields) for user in users]
    )
    preferences = {p.user_id: p for p in ChannelPreference.objects.filter(user__in=users)}
    for notification in notifications:
        user = notification.recipient
        audit_record(
            user=actor,
            action="notify",
            purpose=core_access.purpose(actor),
            model="notifications.Notification",
            record_id=notification.pk,
        )
        preference = preferences.get(user.pk) or ChannelPreference(user=user)
        for channel in outside_channels(user, preference):
            _queue_delivery(notification, channel, actor)
    return notifications


def notification_mark_read(*, user: Any, notification: Notification) -> None:
    """Marking one's own notification read is not audited: it changes no record."""
    Notification.objects.filter(pk=notification.pk, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_mark_all_read(*, user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def channels_set(*, user: Any, email: bool, webhook: bool) -> ChannelPreference:
    if email and not user.email:
        raise PreferenceError("email needs an email address on the account")
    if webhook and not settings.SALAMA_WEBHOOK_URL:
        raise PreferenceError("no webhook is configured on this server")
    preference = channels_of(user)
    changed = [
        name
        for name, value in (("email", email), ("webhook", webhook))
        if getattr(preference, name) != value or preference.pk is None
    ]
    preference.email, preference.webhook = email, webhook
    preference.save()
    audit_record(
        user=user,
        action="change",
        purpose=core_access.purpose(user),
        model="notifications.ChannelPreference",
        record_id=preference.pk,
        changed_fields=changed,
    )
    return preference


def delivery_attempt(*, delivery_id: str, attempt: int = 1) -> Delivery:
    """Send one delivery once (its job's attempt `attempt`) and log it.

    No transaction is held over the network; the log is written in its own
    transaction afterwards. A sent delivery is never sent again; a failed one
    only when an administrator retries its job (attempt 1 again)."""
    delivery = Delivery.objects.select_related("notification__recipient").get(pk=delivery_id)
    settled = delivery.status == Delivery.Status.SENT or (
        delivery.status == Delivery.Status.FAILED and attempt > 1
    )
    if settled:
        return delivery
    outcome = SENDERS[delivery.channel](delivery)
    return _delivery_log(
        delivery_id=delivery.pk, outcome=outcome, last_attempt=attempt >= MAX_ATTEMPTS
    )


@transaction.atomic
def _delivery_log(*, delivery_id: Any, outcome: Outcome, last_attempt: bool) -> Delivery:
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_status = outcome.status
    delivery.last_error = outcome.error[:300]
    if outcome.sent:
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = now
    elif outcome.retry and not last_attempt:
        delivery.status = Delivery.Status.RETRYING
    else:
        delivery.status = Delivery.Status.FAILED
    delivery.save()
    return delivery

"""Notifications for staff users: the in-app list, each user's channels, and
the log of every delivery that left Salama (email, webhook)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one user. It names what happened (kind, subject) and
    where to look (reference, link), never who it is about."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=80)
    # The English source phrase (a message id), shown in the reader's language.
    subject = models.CharField(_("subject"), max_length=120)
    reference = models.CharField(_("reference"), max_length=64)
    link = models.CharField(_("link"), max_length=300)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"


class ChannelPreference(models.Model):
    """The channels a user receives notifications on; in-app is always on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_channels"
    )
    email = models.BooleanField(_("email"), default=True)
    webhook = models.BooleanField(_("SMS or other system (webhook)"), default=False)


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Webhook")


class Delivery(models.Model):
    """One notification sent on one channel, with every attempt counted."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RETRYING = "retrying", _("Retrying")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Transport errors only ("HTTP 500", "timed out"): never message content.
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    job_id = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["status", "created"], name="delivery_status")]

    def __str__(self) -> str:
        return f"{self.channel} {self.status}"

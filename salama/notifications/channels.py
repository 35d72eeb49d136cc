"""Sending one delivery on its channel. Each sender returns an Outcome and
never raises on a transport failure, so the caller logs every attempt.

What is sent is the notification's kind, subject phrase, reference and an
absolute link: nothing else leaves Salama (docs/notifications.md)."""

import json
import smtplib
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from salama.notifications.models import Delivery, Notification
from salama.notifications.signing import signature

WEBHOOK_TIMEOUT_SECONDS = 10
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class Outcome:
    sent: bool
    retry: bool = False  # a transient failure: try again later
    status: int | None = None  # the HTTP status of a webhook answer
    error: str = ""


def absolute_link(link: str) -> str:
    return settings.SALAMA_BASE_URL + link


def _configuration_error() -> str:
    if not settings.SALAMA_BASE_URL:
        return "SALAMA_BASE_URL is not set"
    return ""


def email_message(notification: Notification) -> tuple[str, str]:
    """Subject and body in the deployment's language: phrase, reference, link."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext(notification.subject)
        body = render_to_string(
            "notifications/email.txt",
            {
                "subject": subject,
                "reference": notification.reference,
                "link": absolute_link(notification.link),
                "preferences": absolute_link("/notifications/preferences/"),
            },
        )
    return subject, body


def send_email(delivery: Delivery) -> Outcome:
    notification = delivery.notification
    error = _configuration_error()
    if error:
        return Outcome(False, error=error)
    address = notification.recipient.email
    if not address:
        return Outcome(False, error="the recipient has no email address")
    subject, body = email_message(notification)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    except smtplib.SMTPResponseException as exc:
        # 5xx SMTP answers are permanent (bad mailbox); 4xx are worth a retry.
        return Outcome(False, retry=exc.smtp_code < 500, error=f"SMTP {exc.smtp_code}")
    except (smtplib.SMTPException, OSError) as exc:
        return Outcome(False, retry=True, error=type(exc).__name__)
    return Outcome(True)


def webhook_body(delivery: Delivery) -> bytes:
    notification = delivery.notification
    payload = {
        "id": str(delivery.pk),
        "event": notification.kind,
        "recipient": notification.recipient_id,
        "reference": notification.reference,
        "link": absolute_link(notification.link),
        "created": notification.created.isoformat(),
    }
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def webhook_request(delivery: Delivery, url: str, secret: str) -> urllib.request.Request:
    body = webhook_body(delivery)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Salama-Webhook/1",
        "X-Salama-Delivery": str(delivery.pk),
        "X-Salama-Timestamp": timestamp,
        "X-Salama-Signature": signature(secret, timestamp, body),
    }
    # The scheme was checked: https, or plain http to this machine only.
    return urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A signed body goes to the configured address only, never where a 3xx points."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _webhook_url_error(url: str) -> str:
    if not url:
        return "SALAMA_WEBHOOK_URL is not set"
    if not settings.SALAMA_WEBHOOK_SECRET:
        return "SALAMA_WEBHOOK_SECRET is not set"
    parts = urlsplit(url)
    if parts.scheme != "https" and not (
        parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    ):
        return "SALAMA_WEBHOOK_URL must use https (plain http only to this machine)"
    return ""


def _network_error(exc: BaseException) -> str:
    reason = getattr(exc, "reason", exc)
    return f"{type(exc).__name__}: {type(reason).__name__}"[:300]


def send_webhook(delivery: Delivery) -> Outcome:
    url = settings.SALAMA_WEBHOOK_URL
    error = _configuration_error() or _webhook_url_error(url)
    if error:
        return Outcome(False, error=error)
    request = webhook_request(delivery, url, settings.SALAMA_WEBHOOK_SECRET)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            return Outcome(True, status=response.status)
    except urllib.error.HTTPError as exc:
        # Server errors and "too many requests" pass; other 4xx will not.
        retry = exc.code >= 500 or exc.code == 429
        return Outcome(False, retry=retry, status=exc.code, error=f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError) as exc:  # refused, unreachable, timed out
        return Outcome(False, retry=True, error=_network_error(exc))


SENDERS = {"email": send_email, "webhook": send_webhook}

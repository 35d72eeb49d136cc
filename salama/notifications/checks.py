"""Configuration errors of the outgoing channels, named at start-up rather
than found later in the delivery log."""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register

from salama.notifications.channels import LOOPBACK_HOSTS


def _absolute(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


@register()
def outgoing_channels(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    base, webhook = settings.SALAMA_BASE_URL, settings.SALAMA_WEBHOOK_URL
    if base and not _absolute(base):
        errors.append(
            Error(
                "SALAMA_BASE_URL must be an absolute address such as https://salama.example.org",
                id="notifications.E001",
            )
        )
    if webhook:
        parts = urlsplit(webhook)
        local_http = parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
        if not _absolute(webhook) or not (parts.scheme == "https" or local_http):
            errors.append(
                Error(
                    "SALAMA_WEBHOOK_URL must be an https:// address "
                    "(plain http only to this machine)",
                    id="notifications.E002",
                )
            )
        if not settings.SALAMA_WEBHOOK_SECRET:
            errors.append(
                Error(
                    "SALAMA_WEBHOOK_URL is set without SALAMA_WEBHOOK_SECRET: set "
                    "SALAMA_WEBHOOK_SECRET_FILE to a file holding a long random string, or "
                    "SALAMA_WEBHOOK_SECRET to the string itself (docs/notifications.md)",
                    id="notifications.E003",
                )
            )
    return errors

"""What a notification may carry. Email and webhooks leave Salama, so a
notification holds only its kind, a fixed phrase, a reference and a link:
never a name, a birth date, a phone number or any other field of a record.
These checks refuse what is plainly not that (docs/notifications.md)."""

import re
from typing import Any

from django.utils import translation
from django.utils.functional import Promise

KIND = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
# A registration number ("AMC-H7KQ2MX") or an id: one ASCII token with a digit
# or in capitals, so that a name ("Al-Hassan") cannot pass as a reference.
REFERENCE = re.compile(r"(?=.*[0-9]|[^a-z]*$)[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
# A path inside Salama without a query string (no search terms in links).
LINK = re.compile(r"/(?!/)[A-Za-z0-9/_.~-]{0,299}")
MAX_SUBJECT = 120
# Subjects are fixed phrases; dates, phone numbers, ages and counts belong
# on the page behind the link.
SUBJECT_FORBIDDEN = re.compile(r"[0-9@\n\r\t{}<>]|%\(")


class NotificationError(ValueError):
    """A notification that could carry personal data, or is malformed."""


def clean_kind(kind: str) -> str:
    if not isinstance(kind, str) or len(kind) > 80 or not KIND.fullmatch(kind):
        raise NotificationError(
            f"Notification kind {kind!r} is not of the form 'app.event' "
            "(lower case letters, digits and underscores, at most 80 characters)."
        )
    return kind


def clean_subject(subject: Any) -> str:
    """The subject's source phrase (English), translated when shown.

    Only a lazy translatable phrase is accepted: a string formatted with a
    record's values, or already translated, is refused, so the subject is
    always one of the phrases written in the code."""
    if not isinstance(subject, Promise):
        raise NotificationError(
            "A notification subject is a fixed phrase marked with gettext_lazy, not a "
            "formatted or translated string: the email carries it as it is."
        )
    with translation.override("en"):
        text = str(subject)
    text = text.strip()
    if not text:
        raise NotificationError("A notification needs a subject.")
    if len(text) > MAX_SUBJECT:
        raise NotificationError(
            f"A notification subject is a fixed phrase of at most {MAX_SUBJECT} characters; "
            f"this one has {len(text)}. Details belong on the page behind the link."
        )
    if SUBJECT_FORBIDDEN.search(text):
        raise NotificationError(
            "A notification subject is a fixed phrase without digits, addresses, placeholders "
            "or line breaks; dates, numbers and names belong on the page behind the link."
        )
    return text


def clean_reference(reference: str) -> str:
    if not isinstance(reference, str) or not REFERENCE.fullmatch(reference):
        raise NotificationError(
            "A notification reference is one registration number or id, never a name: letters, "
            "digits, '.', '_', ':' or '-', with a digit or in capitals, at most 64 characters."
        )
    return reference


def clean_link(link: str) -> str:
    if not isinstance(link, str) or not LINK.fullmatch(link):
        raise NotificationError(
            "A notification link is a path inside Salama such as '/registry/households/<id>/' "
            "(no host, no query string, at most 300 characters)."
        )
    return link

from typing import Any

from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class TranslatedMinimumLengthValidator(MinimumLengthValidator):
    """Django's minimum length, with a message Salama translates: Django 5.2
    changed its own message ("at least %d characters") and its Arabic
    catalogue holds only the old wording, so Arabic pages showed English."""

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(self.get_error_message(), code="password_too_short")

    def get_error_message(self) -> str:
        # Made when the password is checked, in the reader's language.
        return ngettext(
            "This password is too short: it must have at least %(min)d character.",
            "This password is too short: it must have at least %(min)d characters.",
            self.min_length,
        ) % {"min": self.min_length}


class MaximumLengthValidator:
    """Passwords up to 64 characters (PROTECTION.md 21); longer ones are refused."""

    def __init__(self, max_length: int = 64) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                _("This password is longer than %(max)d characters.") % {"max": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("Your password can be up to %(max)d characters.") % {"max": self.max_length}

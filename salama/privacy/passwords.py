"""The minimum length of a sealed file's password, with a message Salama
translates: Django 5.2 changed its own message ("at least %d characters") and
its Arabic catalogue still holds only the old wording, so the Arabic pages
showed it in English."""

from typing import Any

from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext


class FileMinimumLengthValidator(MinimumLengthValidator):
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

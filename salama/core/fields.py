"""Field-level encryption for narratives, complaint texts and trafficking
details (PROTECTION.md 25). Values are Fernet tokens in the database; keys
live outside it (settings.SALAMA_FIELD_KEYS) and rotate by adding a new key
in front. A raw SQL read returns ciphertext."""

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


@cache
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(f"SALAMA_FIELD_KEYS: {exc}") from None


def cipher() -> MultiFernet:
    return _cipher(tuple(settings.SALAMA_FIELD_KEYS))


def encrypt(text: str) -> str:
    return cipher().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise ImproperlyConfigured(
            "an encrypted field cannot be read with the configured SALAMA_FIELD_KEYS"
        ) from None


def decrypt_fresh(token: str, max_age: int) -> str | None:
    """A token made by encrypt() at most `max_age` seconds ago, or None (forged,
    altered, expired or made with a key no longer configured): for opaque
    references handed to a browser, such as a withheld match."""
    try:
        return cipher().decrypt(token.encode("ascii"), ttl=max_age).decode("utf-8")
    except (InvalidToken, UnicodeError):
        return None


def encrypt_bytes(data: bytes) -> bytes:
    return cipher().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    return cipher().decrypt(bytes(token))


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text stored encrypted; cannot be searched or ordered in SQL."""

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return encrypt(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else decrypt(value)


if TYPE_CHECKING:
    _AnyField = models.Field[Any, Any]
else:
    _AnyField = models.Field


class EncryptedJSONField(_AnyField):
    """A JSON value stored encrypted."""

    def get_internal_type(self) -> str:
        return "TextField"

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return encrypt(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else json.loads(decrypt(value))

    def to_python(self, value: Any) -> Any:
        return value

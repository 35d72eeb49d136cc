"""Reading a new user's password on the console, for createadmin and adduser."""

import getpass
import sys
from collections.abc import Callable
from typing import Any

from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != password:
        raise CommandError("The passwords do not match.")
    return password


def create_or_explain(create: Callable[[], Any]) -> Any:
    """Run `create`; a refused password becomes an error that says the rules."""
    try:
        return create()
    except ValidationError as exc:
        help_text = " ".join(password_validators_help_texts())
        raise CommandError(f"{' '.join(exc.messages)} ({help_text})") from None

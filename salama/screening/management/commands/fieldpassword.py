"""`salama fieldpassword USERNAME`: set the password a user's field devices
(ODK Collect, KoboCollect, Enketo) use against /openrosa, kept apart from the
login password (HTTP Digest needs a different kind of secret)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management.base import BaseCommand, CommandError, CommandParser

from salama.core import access as core_access
from salama.core.management.passwords import create_or_explain, read_password
from salama.core.roles import Perm
from salama.screening.actions import field_credential_set


class Command(BaseCommand):
    help = "Set the field password (HTTP Digest, for ODK/Kobo/Enketo) of a user."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--password-stdin", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        if not core_access.has_perm(user, Perm.FIELD_SUBMIT):
            raise CommandError(
                f"{user.get_username()} has no role that collects data in the field "
                "(caseworker, or administrator)."
            )
        password = read_password(options["password_stdin"])

        def setting() -> None:
            validate_password(password, user)
            field_credential_set(user=user, password=password)

        create_or_explain(setting)
        self.stdout.write(
            f"Field password set for {user.get_username()}. Server URL: https://HOST/openrosa"
        )

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from salama.core.actions import api_token_create


class Command(BaseCommand):
    help = "Create a bearer token for a machine client acting as USER; it is shown once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {options['username']!r}.")
        _token, raw = api_token_create(user=user, name=options["name"])
        self.stdout.write("Token (shown once; store it safely):")
        self.stdout.write(raw)

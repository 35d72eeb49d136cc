from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from salama.core.actions import user_deactivate


class Command(BaseCommand):
    help = "Disable a user: their sessions and API tokens stop working at once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        user_deactivate(user=user, actor=None)
        self.stdout.write(self.style.SUCCESS(f"User {options['username']} disabled."))

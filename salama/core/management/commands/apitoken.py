from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from salama.core.actions import api_token_create
from salama.core.models import ApiToken


class Command(BaseCommand):
    help = (
        "Create a bearer token for a machine client acting as USER, who must hold "
        "two-factor sign-in; it is shown once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="what the token is for")
        parser.add_argument(
            "--scope",
            action="append",
            choices=ApiToken.Scope.values,
            help="what the token may do (repeat for several; default: read)",
        )
        parser.add_argument(
            "--days",
            type=int,
            help="days until it expires (default SALAMA_API_TOKEN_DAYS, at most "
            "SALAMA_API_TOKEN_MAX_DAYS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {options['username']!r}.")
        days = options["days"]
        expires_at = timezone.now() + timedelta(days=days) if days is not None else None
        try:
            token, raw = api_token_create(
                user=user,
                name=options["name"],
                expires_at=expires_at,
                scopes=options["scope"] or [ApiToken.Scope.READ],
            )
        except ValidationError as refused:
            raise CommandError(" ".join(refused.messages)) from None
        self.stdout.write(
            f"Scopes: {' '.join(token.scopes)}; expires {token.expires_at:%Y-%m-%d %H:%M} UTC."
        )
        self.stdout.write("Token (shown once; store it safely):")
        self.stdout.write(raw)

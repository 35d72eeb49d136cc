import getpass
from typing import Any

from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from salama.core.actions import site_create, user_create
from salama.core.models import Organisation, Site
from salama.core.roles import Role


class Command(BaseCommand):
    help = (
        "Create an administrator for an organisation "
        "(creating the organisation and country site if needed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--organisation", required=True, help="short name, e.g. CMA")
        parser.add_argument("--country", required=True, help="code of the country site, e.g. JO")
        parser.add_argument("--password-stdin", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["password_stdin"]:
            import sys

            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Again: ") != password:
                raise CommandError("The passwords do not match.")
        org, _ = Organisation.objects.get_or_create(
            short_name=options["organisation"],
            defaults={"name": options["organisation"], "kind": "ngo"},
        )
        country = Site.objects.filter(code=options["country"], level="country").first()
        if country is None:
            country = site_create(name=options["country"], code=options["country"], level="country")
        try:
            user_create(
                username=options["username"],
                password=password,
                organisation=org,
                role=Role.ADMINISTRATOR,
                sites=[country],
            )
        except ValidationError as exc:
            help_text = " ".join(password_validators_help_texts())
            raise CommandError(f"{' '.join(exc.messages)} ({help_text})") from None
        self.stdout.write(self.style.SUCCESS(f"Administrator {options['username']} created."))

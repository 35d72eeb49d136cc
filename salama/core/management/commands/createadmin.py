from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from salama.core.actions import site_create, user_create
from salama.core.management.passwords import create_or_explain, read_password
from salama.core.models import Organisation, Site
from salama.core.roles import Role


class Command(BaseCommand):
    help = (
        "Create a system administrator (who manages every organisation, site and user "
        "from the browser) for an organisation, creating the organisation and country "
        "site if needed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--organisation", required=True, help="short name, e.g. CMA")
        parser.add_argument("--country", required=True, help="code of the country site, e.g. JO")
        parser.add_argument("--password-stdin", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        password = read_password(options["password_stdin"])
        with transaction.atomic():  # a refused password leaves no organisation behind
            org, _ = Organisation.objects.get_or_create(
                short_name=options["organisation"],
                defaults={"name": options["organisation"], "kind": "ngo"},
            )
            country = Site.objects.filter(code=options["country"], level="country").first()
            if country is None:
                country = site_create(
                    name=options["country"], code=options["country"], level="country"
                )
            create_or_explain(
                lambda: user_create(
                    username=options["username"],
                    password=password,
                    organisation=org,
                    role=Role.ADMINISTRATOR,
                    sites=[country],
                    superuser=True,
                )
            )
        self.stdout.write(self.style.SUCCESS(f"Administrator {options['username']} created."))

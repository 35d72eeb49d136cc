from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from salama.core.actions import user_create
from salama.core.management.passwords import create_or_explain, read_password
from salama.core.models import Organisation, Site
from salama.core.roles import Role


class Command(BaseCommand):
    help = "Create a user with one role in one organisation, for the sites given."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--organisation", required=True, help="short name, e.g. CMA")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--site", action="append", default=[], help="site code; repeat")
        parser.add_argument("--email", default="")
        parser.add_argument("--password-stdin", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organisation.objects.filter(short_name=options["organisation"]).first()
        if org is None:
            raise CommandError(f"No organisation with short name {options['organisation']!r}.")
        sites = list(Site.objects.filter(code__in=options["site"]))
        unknown = sorted(set(options["site"]) - {s.code for s in sites})
        if unknown:
            raise CommandError(f"Unknown site codes: {', '.join(unknown)}.")
        password = read_password(options["password_stdin"])
        create_or_explain(
            lambda: user_create(
                username=options["username"],
                password=password,
                organisation=org,
                role=Role(options["role"]),
                sites=sites,
                email=options["email"],
            )
        )
        self.stdout.write(self.style.SUCCESS(f"User {options['username']} created."))

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Serve Salama with a production WSGI server (waitress). Runs `check --deploy` "
        "first (errors stop it; warnings are shown) and collects static files. "
        "Put HTTPS in front of it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="the static files are collected already (`salama collectstatic`): for "
            "several servers sharing one data folder, which collect once before they start",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("check", deploy=True, fail_level="ERROR")
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        from waitress import serve

        from salama.wsgi import application

        self.stdout.write(f"Serving on http://{options['host']}:{options['port']}/")
        serve(application, host=options["host"], port=options["port"], threads=options["threads"])

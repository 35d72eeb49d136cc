import os
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from salama.core.models import Organisation
from salama.envutil import write_demo_marker


class Command(BaseCommand):
    help = "Create (once) and serve a demonstration deployment with synthetic data on SQLite."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--residents", type=int, default=2000)
        parser.add_argument(
            "--no-serve", action="store_true", help="set up, print logins, and exit"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from salama.core.demo import DEMO_NOTES, load_demo

        started = time.monotonic()
        if not os.getenv("SALAMA_BASE_URL"):
            # Links in messages and on printed documents point at this demo.
            settings.SALAMA_BASE_URL = f"http://{options['host']}:{options['port']}"
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        write_demo_marker(settings.DATA_DIR)  # later commands here run in demo mode
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        call_command("collectstatic", interactive=False, verbosity=0)  # fingerprinted, gzip
        call_command("migrate", interactive=False, verbosity=0)
        logins_file = settings.DATA_DIR / "demo-logins.txt"
        notes_file = settings.DATA_DIR / "demo-notes.txt"
        if not Organisation.objects.exists():
            self.stdout.write(f"Loading the demo deployment ({options['residents']} residents)…")
            logins = load_demo(residents=options["residents"])
            logins_file.write_text(
                "".join(f"{u}\t{p}\t{r}\n" for u, p, r in logins), encoding="utf-8"
            )
            logins_file.chmod(0o600)
            notes_file.write_text("".join(f"{n}\n" for n in DEMO_NOTES), encoding="utf-8")
            notes_file.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Demo ready in {time.monotonic() - started:.1f} s."))
        self.stdout.write(f"Data folder: {settings.DATA_DIR}")
        self.stdout.write("Logins (user name, password, role):")
        if logins_file.exists():
            for line in logins_file.read_text(encoding="utf-8").splitlines():
                user, password, role = line.split("\t")
                self.stdout.write(f"  {user:<16} {password:<26} {role}")
        if notes_file.exists():
            self.stdout.write(notes_file.read_text(encoding="utf-8").rstrip())
        self.stdout.write(
            f"Field devices (ODK Collect, KoboCollect): http://{options['host']}:{options['port']}"
            "/openrosa as caseworker, with the caseworker's password."
        )
        if options["no_serve"]:
            return
        from salama.jobs.worker import start_in_thread

        start_in_thread()  # background jobs and the schedule, in this process
        self.stdout.write("Background jobs and the schedule run in this process.")
        self.stdout.write(f"Serving on http://{options['host']}:{options['port']}/ (Ctrl+C stops)")
        from waitress import serve

        from salama.wsgi import application

        serve(application, host=options["host"], port=options["port"], threads=8, _quiet=True)

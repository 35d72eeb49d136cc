"""`salama ews detect SERIES.csv --out SCORES.csv [--from WEEK] [--trials]`: the early-warning
detector on a CSV of weekly counts (docs/warning.md); needs no database."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from salama.lib.ews.cli import SeriesError, detect_file


class Command(BaseCommand):
    help = "Score weekly counts for early warning, each week from its past only."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        detect = sub.add_parser("detect", help="score every series of SERIES.csv into --out")
        detect.add_argument("series", type=Path, help="CSV: series,week,count[,denominator]")
        detect.add_argument("--out", type=Path, required=True, help="where SCORES.csv is written")
        detect.add_argument(
            "--from", dest="from_week", default=None, help="first week to score (e.g. 2026-W05)"
        )
        detect.add_argument("--alpha", type=float, default=0.01, help="false-alarm level")
        detect.add_argument(
            "--trials",
            action="store_true",
            help="the denominator is how many were screened and the count is among them "
            "(binomial form), not a population offset",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 < options["alpha"] < 1:
            raise CommandError(f"--alpha must be between 0 and 1, not {options['alpha']}.")
        try:
            rows = detect_file(
                options["series"],
                options["out"],
                options["from_week"],
                options["alpha"],
                options["trials"],
            )
        except SeriesError as exc:
            raise CommandError(f"{options['series']}: {exc}") from None
        except OSError as exc:
            raise CommandError(f"{exc.filename}: {exc.strerror}") from None
        self.stdout.write(f"{rows} weeks scored into {options['out']}")

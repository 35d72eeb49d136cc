"""`salama screening list|evaluate`: the shipped instruments on the command line."""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from salama.lib.screening.engine import AnswerError, evaluate
from salama.screening import catalogue


class Command(BaseCommand):
    help = "List the screening instruments, or score a file of responses against one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        sub.add_parser("list", help="the shipped instruments")
        run = sub.add_parser(
            "evaluate",
            help='score RESPONSES.json, a list of {"id", "profile", "answers"}; '
            "writes one JSON result per line",
        )
        run.add_argument("--instrument", required=True)
        run.add_argument("responses", type=Path)
        run.add_argument("--language", default="en", choices=["en", "ar", "fr"])
        run.add_argument("--out", type=Path, help="write here instead of standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "list":
            for instrument in catalogue.instruments().values():
                items = len(instrument.items())
                self.stdout.write(
                    f"{instrument.id}\t{instrument.version}\t{'/'.join(instrument.profiles)}\t"
                    f"{items} items\t{instrument.title.en}\t[{instrument.validation_status.en}]"
                )
            return
        try:
            instrument = catalogue.get(options["instrument"])
        except KeyError as exc:
            raise CommandError(exc.args[0]) from None
        responses = _read(options["responses"])
        lines = [
            json.dumps(_score(instrument, r, n, options["language"]), ensure_ascii=False)
            for n, r in enumerate(responses, start=1)
        ]
        text = "\n".join(lines) + "\n"
        if options["out"]:
            options["out"].write_text(text, encoding="utf-8")
            self.stderr.write(f"{len(lines)} responses scored, written to {options['out']}")
        else:
            sys.stdout.write(text)


def _read(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, list):
        raise CommandError(f"{path}: expected a JSON list of responses")
    return data


def _score(instrument: Any, response: Any, number: int, language: str) -> dict[str, Any]:
    where = f"response {number}"
    if not isinstance(response, dict) or not isinstance(response.get("answers"), dict):
        raise CommandError(f"{where}: expected an object with an 'answers' object")
    where = f"response {number} (id {response.get('id')!r})"
    try:
        result = evaluate(
            instrument,
            response.get("profile", "adult"),
            response["answers"],
            language,
            administered_with=response.get("administered_with"),
        )
    except AnswerError as exc:
        raise CommandError(f"{where}: {exc}") from None
    return {
        "id": response.get("id"),
        "instrument": result.instrument,
        "version": result.version,
        "profile": result.profile,
        "outcome": result.outcome,
        "level": result.level,
        "label": result.outcome_label,
        "explanation": result.explanation,
        # Required questions unanswered: the outcome cannot rule anything out.
        "complete": result.complete,
        "missing": result.missing,
        # Answers to questions that did not apply (e.g. family when none travelled).
        "not_counted": result.dropped,
        "fired": [f.id for f in result.fired],
        "dimensions": {
            d.id: {"positive": d.positive, "strong": d.strong, "medium": d.medium, "weak": d.weak}
            for d in result.dimensions
        },
        "rules": result.rules,
        "path": [{"step": s.id, "value": s.value, "inputs": s.inputs} for s in result.path],
        "specific_needs": result.specific_needs,
        "referrals": result.referrals,
        "disclaimer": result.disclaimer,
    }

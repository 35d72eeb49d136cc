"""`salama fieldkeys rotate`: re-encrypt stored screening answers, field
submissions, attachments and field credentials under the newest key.

To rotate: generate a key, put it first in SALAMA_FIELD_KEYS (keep the old
ones after it), restart, run this, then remove the old keys."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from salama.screening.actions import encrypted_row_count, field_keys_rotate


class Command(BaseCommand):
    help = "Re-encrypt field-encrypted data under the newest key of SALAMA_FIELD_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        sub.add_parser("rotate", help="re-encrypt everything under the first key")

    def handle(self, *args: Any, **options: Any) -> None:
        with tqdm(total=encrypted_row_count(), unit="row", disable=None) as bar:
            done = field_keys_rotate(progress=bar.update)
        self.stdout.write(f"{done} rows re-encrypted under the newest key.")

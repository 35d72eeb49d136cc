from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from salama.audit.selectors import audit_count, audit_verify_chain


class Command(BaseCommand):
    help = "Audit trail tools. `salama audit verify` checks the hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        broken = audit_verify_chain()
        if broken is not None:
            raise CommandError(f"Audit chain broken at entry {broken.entry_id}: {broken.reason}.")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {audit_count()} entries."))

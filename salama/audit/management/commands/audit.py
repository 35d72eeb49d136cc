"""`salama audit verify | checkpoint | rotate-key` (docs/operations.md)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from salama.audit.actions import AuditKeyError, audit_rotate_key, audit_write_checkpoint
from salama.audit.selectors import audit_checkpoints, audit_count, audit_verify_chain


class Command(BaseCommand):
    help = (
        "Audit trail tools. `verify` checks the keyed chain, its head and the signed "
        "checkpoints; `checkpoint` writes a signed checkpoint now; `rotate-key` switches "
        "the chain to the newest key of SALAMA_AUDIT_KEYS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["verify", "checkpoint", "rotate-key"])

    def handle(self, *args: Any, **options: Any) -> None:
        operation = options["operation"]
        if operation == "checkpoint":
            path = audit_write_checkpoint()
            self.stdout.write(
                f"Checkpoint written: {path}."
                if path
                else "No new entries since the last checkpoint."
            )
            return
        if operation == "rotate-key":
            try:
                entries = audit_rotate_key()
            except AuditKeyError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(
                f"Audit chains now keyed with {entries[0].key_id}, from entry "
                + ", ".join(f"{e.seq} of chain {e.chain}" for e in entries)
                + "."
            )
            return
        broken = audit_verify_chain()
        if broken is not None:
            where = f"at entry {broken.entry_id}" if broken.entry_id else "against its checkpoints"
            raise CommandError(f"Audit chain broken {where}: {broken.reason}.")
        checkpoints = len(audit_checkpoints())
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {audit_count()} entries, head matches, "
                f"{checkpoints} signed checkpoints agree."
            )
        )

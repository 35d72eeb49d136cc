"""`salama restore PATH`: a backup into an empty deployment."""

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from salama.core.backup import BackupError, backup_restore
from salama.core.management.commands.backup import backup_secret


class Command(BaseCommand):
    help = (
        "Restore a backup made by `salama backup` into an empty deployment (a new database "
        "and data folder; a non-empty one is refused), then migrate it to this version. "
        "The keys are not in the backup: put them in place first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        secret = backup_secret(decrypting=True)
        try:
            manifest = backup_restore(path, secret)
        except BackupError as error:
            raise CommandError(str(error)) from None
        call_command("migrate", interactive=False, verbosity=0)  # a backup of an older version
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created_at']} (Salama "
                f"{manifest['salama_version']}). Check it with `salama audit verify`."
            )
        )

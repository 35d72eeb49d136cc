"""`salama backup PATH`: an encrypted, consistent snapshot while the service runs."""

import getpass
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from salama.core.backup import BackupError, Secret, backup_write
from salama.envutil import envsecret


def backup_secret(*, decrypting: bool) -> Secret:
    """The passphrase or age key from the environment (or its _FILE), else a prompt."""
    key_name = "SALAMA_BACKUP_IDENTITY" if decrypting else "SALAMA_BACKUP_RECIPIENT"
    key = envsecret(key_name)
    if key:
        return Secret(identity=key) if decrypting else Secret(recipient=key)
    passphrase = envsecret("SALAMA_BACKUP_PASSPHRASE")
    if passphrase:
        return Secret(passphrase=passphrase)
    if not sys.stdin.isatty():
        raise CommandError(
            "no backup passphrase: set SALAMA_BACKUP_PASSPHRASE (or "
            f"SALAMA_BACKUP_PASSPHRASE_FILE), or {key_name} for an age key, or run the "
            "command in a terminal to be asked"
        )
    passphrase = getpass.getpass("Backup passphrase: ")
    if not decrypting and getpass.getpass("The same passphrase again: ") != passphrase:
        raise CommandError("the two passphrases differ; nothing was written")
    if not decrypting and len(passphrase) < 12:
        raise CommandError("the passphrase is shorter than 12 characters; nothing was written")
    return Secret(passphrase=passphrase)


class Command(BaseCommand):
    help = (
        "Write an encrypted backup of the database and the audit checkpoints to PATH while "
        "Salama runs (never the keys: keep them apart). Passphrase from "
        "SALAMA_BACKUP_PASSPHRASE(_FILE) or asked; or an age public key in "
        "SALAMA_BACKUP_RECIPIENT. See docs/operations.md#backup-and-restore."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        if path.is_dir():
            raise CommandError(f"{path} is a folder: give the backup file's name")
        secret = backup_secret(decrypting=False)
        try:
            manifest = backup_write(path, secret)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {path} ({manifest['engine']} database, "
                f"{manifest['created_at']})."
            )
        )

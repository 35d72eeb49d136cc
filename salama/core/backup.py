"""Encrypted, consistent backups of a running deployment, and their restore.

A backup is an age-encrypted (age-encryption.org, through pyrage) tar archive of:
- the database, as the database's own consistent copy: SQLite's online backup API
  (a snapshot while others write) or `pg_dump --format=custom` (one transaction's
  snapshot). Rows are copied as stored, so encrypted fields stay encrypted under the
  field keys, the audit trail keeps its hashes, triggers and sequences come along;
- the audit checkpoints folder (<data folder>/audit-checkpoints/), copied *before*
  the database so that no checkpoint in the archive names more entries than it holds;
- a manifest (format, database engine, time, Salama version).
Never the keys (secret key, field keys, audit key): they are kept apart, so that a
stolen backup alone reveals no encrypted field (docs/operations.md#backup-and-restore).
Attachments of field submissions are rows of the database and come with it.
"""

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pyrage
from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT = 1
MANIFEST = "salama-backup.json"
CHECKPOINTS = "audit-checkpoints"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"


class BackupError(Exception):
    """A backup or restore that cannot go on, with the sentence saying why."""


@dataclass(frozen=True)
class Secret:
    """What encrypts or decrypts: a passphrase, or an age key (a recipient's public
    key to encrypt, the matching identity to decrypt)."""

    passphrase: str = ""
    recipient: str = ""
    identity: str = ""


def _engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else "postgresql"


def _pg_command(program: str) -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    command = [program, "--no-owner", "--no-privileges", "--dbname", db["NAME"]]
    if db.get("HOST"):
        command += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        command += ["--port", str(db["PORT"])]
    if db.get("USER"):
        command += ["--username", str(db["USER"])]
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    return command, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client programs "
            "(the server's major version or later)"
        ) from None
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{what} failed: {reason}")


def _dump_database(folder: Path) -> str:
    if _engine() == "sqlite":
        source = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=20)
        target = sqlite3.connect(str(folder / SQLITE_FILE))
        try:
            source.backup(target)  # page by page; a snapshot even while others write
        finally:
            target.close()
            source.close()
        return SQLITE_FILE
    command, env = _pg_command("pg_dump")
    _run([*command, "--format=custom", "--file", str(folder / PG_FILE)], env, "pg_dump")
    return PG_FILE


def _tar(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for path in sorted(folder.rglob("*")):
            archive.add(path, arcname=str(path.relative_to(folder)), recursive=False)
    return buffer.getvalue()


def _encrypt(plain: bytes, secret: Secret) -> bytes:
    if secret.recipient:
        try:
            recipient = pyrage.x25519.Recipient.from_str(secret.recipient.strip())
        except pyrage.RecipientError:
            raise BackupError("the backup recipient is not an age public key (age1...)") from None
        return pyrage.encrypt(plain, [recipient])
    if not secret.passphrase:
        raise BackupError("no backup passphrase or recipient given")
    return pyrage.passphrase.encrypt(plain, secret.passphrase)


def _decrypt(sealed: bytes, secret: Secret) -> bytes:
    try:
        if secret.identity:
            identity = pyrage.x25519.Identity.from_str(secret.identity.strip())
            return pyrage.decrypt(sealed, [identity])
        return pyrage.passphrase.decrypt(sealed, secret.passphrase)
    except (pyrage.DecryptError, pyrage.IdentityError, ValueError):
        raise BackupError(
            "the backup cannot be decrypted: wrong passphrase or key, or not a Salama backup"
        ) from None


def checkpoints_folder() -> Path:
    return Path(settings.DATA_DIR) / CHECKPOINTS


def backup_write(path: Path, secret: Secret) -> dict[str, Any]:
    """Write an encrypted backup of this deployment to PATH; returns its manifest."""
    data_dir = Path(settings.DATA_DIR)
    data_dir.mkdir(parents=True, exist_ok=True)
    # The unencrypted copy lives only beside the database, as protected as the database.
    with tempfile.TemporaryDirectory(dir=data_dir, prefix=".backup-") as scratch:
        folder = Path(scratch)
        if checkpoints_folder().is_dir():  # first: see the module's docstring
            shutil.copytree(checkpoints_folder(), folder / CHECKPOINTS)
        database = _dump_database(folder)
        manifest = {
            "format": FORMAT,
            "engine": _engine(),
            "database": database,
            "created_at": timezone.now().isoformat(),
            "salama_version": version("salama"),
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        sealed = _encrypt(_tar(folder), secret)
    partial = path.with_name(path.name + ".partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(sealed)
        partial.replace(path)  # whole or not at all
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"{path} cannot be written ({exc.strerror})") from None
    return manifest


def deployment_is_empty() -> str | None:
    """Why this deployment is not empty, or None if a backup may be restored into it."""
    tables = connection.introspection.table_names()
    if tables:
        return (
            f"the database already has {len(tables)} tables: restore needs an empty database "
            "(create a new one, or point DATABASE_URL / SALAMA_DATA_DIR elsewhere)"
        )
    if checkpoints_folder().exists() and any(checkpoints_folder().iterdir()):
        return f"{checkpoints_folder()} is not empty: restore needs an empty data folder"
    return None


def backup_restore(path: Path, secret: Secret) -> dict[str, Any]:
    """Restore the backup at PATH into this empty deployment; returns its manifest."""
    try:
        sealed = path.read_bytes()
    except OSError as exc:
        raise BackupError(f"{path} cannot be read ({exc.strerror})") from None
    plain = _decrypt(sealed, secret)
    refusal = deployment_is_empty()
    if refusal:
        raise BackupError(refusal)
    data_dir = Path(settings.DATA_DIR)
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir, prefix=".restore-") as scratch:
        folder = Path(scratch)
        with tarfile.open(fileobj=io.BytesIO(plain)) as archive:
            _extract(archive, folder)
        manifest = _manifest(folder)
        if manifest["engine"] != _engine():
            raise BackupError(
                f"the backup holds a {manifest['engine']} database and this deployment uses "
                f"{_engine()}: restore it into a deployment on {manifest['engine']}"
            )
        _load_database(folder / manifest["database"])
        if (folder / CHECKPOINTS).is_dir():
            shutil.copytree(folder / CHECKPOINTS, checkpoints_folder(), dirs_exist_ok=True)
    return manifest


def _extract(archive: tarfile.TarFile, folder: Path) -> None:
    """Regular files and folders inside FOLDER only, whatever the archive says."""
    for member in archive.getmembers():
        inside = (folder / member.name).resolve().is_relative_to(folder.resolve())
        if not inside or not (member.isfile() or member.isdir()):
            raise BackupError("the archive holds an unexpected entry: not a Salama backup")
    archive.extractall(folder)  # noqa: S202 - every member checked above


def _manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError("the archive has no readable manifest: not a Salama backup") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')} is not known to this Salama")
    return dict(manifest)


def _load_database(dump: Path) -> None:
    if _engine() == "sqlite":
        connection.close()
        target = Path(str(connection.settings_dict["NAME"]))
        for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)  # the empty file the check above opened
        shutil.copyfile(dump, target)
        target.chmod(0o600)
        return
    command, env = _pg_command("pg_restore")
    _run([*command, "--exit-on-error", "--single-transaction", str(dump)], env, "pg_restore")

"""`salama backup` and `salama restore` (issue 9, section 7): an encrypted snapshot of
a deployment, restored into a fresh data folder and database, holds every record,
reads its encrypted fields with the keys kept apart, and its audit chain verifies."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from salama.audit.models import AuditEntry
from salama.registry.models import Person
from tests.conftest import person_fields, register

SALAMA = str(Path(sys.executable).with_name("salama"))
PASSPHRASE = "a long backup pass phrase"
COUNTS = (
    "import json; from django.apps import apps; from salama.registry.models import Person\n"
    "counts = {m._meta.label: m._default_manager.count() for m in apps.get_models()}\n"
    "names = sorted(p.given_name_latin for p in Person.objects.all())\n"
    "print(json.dumps({'counts': counts, 'names': names}))\n"
)


def _counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A new, empty deployment's environment: its own data folder and database, with
    the keys the operator kept apart put back."""
    folder = tmp_path / "fresh"
    folder.mkdir()
    for kept in Path(settings.DATA_DIR).iterdir():  # key files (field keys, audit key)
        if kept.is_file() and "sqlite3" not in kept.name:
            shutil.copy2(kept, folder / kept.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DATABASE_URL"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        SALAMA_DATA_DIR=str(folder),
        SECRET_KEY=settings.SECRET_KEY,
        SALAMA_FIELD_KEYS=",".join(settings.SALAMA_FIELD_KEYS),
        SALAMA_BACKUP_PASSPHRASE=PASSPHRASE,
    )
    database = ""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        database = f"salama_restore_{uuid.uuid4().hex[:8]}"
        base = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}"
        _outside_the_test_transaction(f"{base}/postgres", f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = f"{base}/{database}"
    yield env
    if database:
        drop = f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'
        _outside_the_test_transaction(env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres", drop)


def _outside_the_test_transaction(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(statement)  # type: ignore[arg-type]


def salama(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command
        [SALAMA, *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_a_backup_restores_into_a_fresh_deployment_with_every_record(
    world: Any, flushable_audit: None, tmp_path: Path, fresh: dict[str, str], monkeypatch: Any
) -> None:
    for name in ("Amina", "Hawa", "Yusuf"):
        register(world, world.amc_block, person_fields(given_name_latin=name))
    checkpoints = Path(settings.DATA_DIR) / "audit-checkpoints"
    checkpoints.mkdir(exist_ok=True)
    # Not a checkpoint of the audit trail's own format: only carried along, never read.
    (checkpoints / "operator-note.txt").write_text("kept with the backup", encoding="utf-8")
    expected = _counts()
    assert expected["registry.Person"] == 3 and expected["audit.AuditEntry"] > 0

    monkeypatch.setenv("SALAMA_BACKUP_PASSPHRASE", PASSPHRASE)
    archive = tmp_path / "salama.backup"
    try:
        call_command("backup", str(archive))
    finally:
        shutil.rmtree(checkpoints)
    sealed = archive.read_bytes()
    assert sealed.startswith(b"age-encryption.org/v1")  # encrypted as a whole
    assert b"Amina" not in sealed and b"SQLite format" not in sealed
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    restored = salama(fresh, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    shown = salama(fresh, "shell", "-c", COUNTS)
    assert shown.returncode == 0, shown.stderr
    found = json.loads(shown.stdout.strip().splitlines()[-1])
    assert found["names"] == ["Amina", "Hawa", "Yusuf"]  # decrypted with the kept keys
    for label, count in expected.items():
        if label != "sessions.Session":
            assert found["counts"].get(label) == count, label
    verified = salama(fresh, "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert f"{AuditEntry.objects.count()} entries" in verified.stdout
    folder = Path(fresh["SALAMA_DATA_DIR"])
    assert (folder / "audit-checkpoints" / "operator-note.txt").exists()

    # A deployment that holds data is never overwritten.
    again = salama(fresh, "restore", str(archive))
    assert again.returncode != 0 and "empty" in again.stderr


def test_a_wrong_passphrase_restores_nothing(
    db: Any, tmp_path: Path, fresh: dict[str, str], monkeypatch: Any
) -> None:
    monkeypatch.setenv("SALAMA_BACKUP_PASSPHRASE", PASSPHRASE)
    archive = tmp_path / "salama.backup"
    call_command("backup", str(archive))
    refused = salama(
        {**fresh, "SALAMA_BACKUP_PASSPHRASE": "not the pass phrase"}, "restore", str(archive)
    )
    assert refused.returncode != 0 and "cannot be decrypted" in refused.stderr
    assert not list(Path(fresh["SALAMA_DATA_DIR"]).glob("*.sqlite3"))  # nothing written


def test_a_backup_needs_a_passphrase_or_a_key(db: Any, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.delenv("SALAMA_BACKUP_PASSPHRASE", raising=False)  # and no terminal to ask
    with pytest.raises(CommandError, match="SALAMA_BACKUP_PASSPHRASE"):
        call_command("backup", str(tmp_path / "x.backup"))
    assert not (tmp_path / "x.backup").exists()
    assert Person.objects.count() == 0

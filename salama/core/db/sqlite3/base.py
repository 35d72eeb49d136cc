"""Django's SQLite backend, with the database file readable by its owner only.

SQLite creates a new database file with the process's umask (usually 0644:
readable by every local account), and its -wal and -shm files with the mode of
the database file. The file is created here first with mode 0600, like the key
files, and an existing file (or its -wal/-shm) left more open by an older
version is closed down at the next connection."""

import os
import stat
from pathlib import Path
from typing import Any

from django.db.backends.sqlite3 import base

OWNER_ONLY = 0o600
COMPANION_SUFFIXES = ("", "-wal", "-shm", "-journal")


def restrict_database_files(name: str) -> None:
    """Create the database file NAME owner-only if missing; make it and its
    companion files owner-only if they exist with a wider mode."""
    if not name or name == ":memory:" or name.startswith("file:"):
        return  # in-memory databases have no file
    path = Path(name)
    if not path.exists():
        descriptor = os.open(path, os.O_CREAT | os.O_WRONLY, OWNER_ONLY)
        os.close(descriptor)
    for suffix in COMPANION_SUFFIXES:
        companion = path.with_name(path.name + suffix)
        try:
            mode = stat.S_IMODE(companion.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & ~OWNER_ONLY:
            companion.chmod(OWNER_ONLY)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        restrict_database_files(str(conn_params.get("database", "")))
        connection = super().get_new_connection(conn_params)
        # The -wal and -shm files now exist (journal_mode=WAL in init_command).
        restrict_database_files(str(conn_params.get("database", "")))
        return connection

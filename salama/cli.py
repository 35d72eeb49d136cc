"""The `salama` console command: Django's management commands under one name.

Before Django reads the settings, it settles how the command runs:
- a command that needs no database and no secret (DATABASE_FREE) runs without any
  configuration and writes nothing into the data folder;
- in a data folder made by `salama demo`, every command runs in demo mode, except the
  production server, which refuses to serve a demo;
- a configuration error is one line on standard error and exit status 2, not a traceback
  (--traceback or SALAMA_DEBUG=true shows the traceback).
"""

import errno
import os
import sys
from pathlib import Path

from salama.envutil import (
    ConfigError,
    data_dir,
    declare_database_free,
    envbool,
    is_demo_folder,
)

# (command, operation) pairs that read and write files only; None: every operation.
DATABASE_FREE: frozenset[tuple[str, str | None]] = frozenset(
    {
        ("linkage", "dedup"),
        ("linkage", "link"),
        ("linkage", "search"),
        ("screening", "list"),
        ("screening", "evaluate"),
        ("ews", "detect"),
        ("makemessages", None),  # translation catalogues (tools/README.md)
        ("compilemessages", None),
        ("export_openapi_schema", None),  # the API's OpenAPI document
        ("help", None),
        ("version", None),
    }
)
_HELP_FLAGS = {"-h", "--help", "--version"}
CONFIG_ERROR_STATUS = 2


def is_database_free(args: list[str]) -> bool:
    """Whether `salama ARGS` needs no database: listed above, or only asks for help."""
    if not args or _HELP_FLAGS.intersection(args):
        return True
    command = args[0]
    operation = next((a for a in args[1:] if not a.startswith("-")), "")
    return (command, None) in DATABASE_FREE or (command, operation) in DATABASE_FREE


def demo_refusal(command: str, folder: Path) -> str | None:
    """Why COMMAND must not run here, if it must not: the production server does not
    serve a demo, and the demo runs only in its own folder on its own SQLite."""
    demo_folder = is_demo_folder(folder)
    if command == "serve" and (demo_folder or envbool("SALAMA_DEMO")):
        where = f"{folder} holds the demo" if demo_folder else "SALAMA_DEMO is true"
        return (
            f"{where}: `salama serve` is the production server and does not serve the demo "
            "(synthetic data, two-factor login off); run `salama demo` to try Salama, or set "
            "SALAMA_DATA_DIR to a production data folder (docs/operations.md)"
        )
    if command != "demo" or demo_folder:
        return None
    if os.getenv("DATABASE_URL"):
        return (
            "DATABASE_URL is set: `salama demo` runs only on SQLite in its own data folder, "
            "never on another database; unset DATABASE_URL to run the demo"
        )
    if (folder / "salama.sqlite3").exists() and not (folder / "demo-logins.txt").exists():
        return (
            f"{folder} holds a database not made by `salama demo`: set SALAMA_DATA_DIR to "
            "another folder for the demo"
        )
    return None


def _settle_mode(args: list[str]) -> None:
    if is_database_free(args):
        declare_database_free()
        return
    command = args[0]
    folder = data_dir()
    refusal = demo_refusal(command, folder)
    if refusal:
        raise ConfigError(refusal)
    if command == "demo" or is_demo_folder(folder):
        os.environ.setdefault("SALAMA_DEMO", "true")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salama.settings")
    args = sys.argv[1:]
    try:
        _settle_mode(args)
        from django.core.management import execute_from_command_line

        execute_from_command_line(["salama", *args])
    except Exception as exc:
        message = _one_line(exc)
        if message is None or _wants_traceback(args):
            raise
        sys.stderr.write(f"salama: {' '.join(message.split())}\n")  # one line
        sys.exit(CONFIG_ERROR_STATUS)


def _wants_traceback(args: list[str]) -> bool:
    debug = os.getenv("SALAMA_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}
    return debug or "--traceback" in args


def _one_line(exc: Exception) -> str | None:
    """The sentence for an error of configuration, or None for any other error."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import OperationalError, ProgrammingError

    if isinstance(exc, ConfigError | ImproperlyConfigured):
        return str(exc)
    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        return (
            "the port is already in use by another program (perhaps another Salama): "
            "choose another with --port, or stop the other one"
        )
    if isinstance(exc, OperationalError | ProgrammingError):
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return (
            f"the database cannot be used ({reason}): check DATABASE_URL (or SALAMA_DATA_DIR "
            "for SQLite) and that the database is running, then run `salama migrate`"
        )
    return None

"""Small typed readers for environment settings that fail loudly on bad values,
and the two facts the `salama` command settles before Django reads the settings:
whether a command needs no database, and whether the data folder is the demo's."""

import os
from pathlib import Path


class ConfigError(RuntimeError):
    """A setting is missing or wrong. The message is one sentence naming what to
    set and how; the `salama` command prints it alone, without a traceback."""


def envbool(name: str, default: str = "False") -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    raw = os.getenv(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


def envsecret(name: str) -> str | None:
    """Read a secret from NAME, or from the file named by NAME_FILE."""
    value = os.getenv(name)
    if value:
        return value
    path = os.getenv(f"{name}_FILE")
    if not path:
        return None
    try:
        secret = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise ConfigError(
            f"{name}_FILE={path} cannot be read ({reason}): make the file readable by the "
            f"user running Salama, or set {name} instead"
        ) from None
    if not secret:
        raise ConfigError(f"{name}_FILE={path} is empty: write the secret into it")
    return secret


def data_dir() -> Path:
    """The data folder (SQLite database, demo keys, collected static files)."""
    return Path(os.getenv("SALAMA_DATA_DIR", "salama-data")).resolve()


# `salama demo` writes this file into its data folder; the `salama` command treats a
# folder holding it as the demo deployment (see is_demo_folder).
DEMO_MARKER = "salama-demo.txt"
_DEMO_MARKER_TEXT = (
    "This data folder holds a Salama demonstration deployment made by `salama demo`:\n"
    "synthetic people, generated keys, demo logins, two-factor login off.\n"
    "Commands run in it (salama audit verify, salama adduser, ...) use demo mode.\n"
    "Never use it in production; delete the folder to start the demo again.\n"
)


def is_demo_folder(folder: Path) -> bool:
    """A folder made by `salama demo`: it holds the demo's marker and the database is
    the demo's SQLite inside it. A folder without the marker (empty, or a production
    one) is not, nor is any folder when DATABASE_URL names another database."""
    return not os.getenv("DATABASE_URL") and (folder / DEMO_MARKER).is_file()


def write_demo_marker(folder: Path) -> None:
    (folder / DEMO_MARKER).write_text(_DEMO_MARKER_TEXT, encoding="utf-8")


# Set by the `salama` command, in its own process, for the commands that touch no
# database and no secret (salama.cli.DATABASE_FREE). Never read from the environment,
# so no server can be started this way: WSGI servers import the settings directly.
_database_free = False


def declare_database_free() -> None:
    global _database_free
    _database_free = True


def database_free() -> bool:
    return _database_free

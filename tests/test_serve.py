"""`salama serve` behind a TLS proxy, with the real server in a subprocess
(issue 9, section 6), and the SQLite file's mode."""

import http.client
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

SALAMA = Path(sys.executable).with_name("salama")
START_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    """Until the server accepts connections (it checks and collects first)."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(server.communicate()[0].decode())
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)  # a real process starting: nothing to move but time
    raise AssertionError("salama serve did not start")


def _get(port: int, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": "salama.example.org", **headers})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.fixture
def production_env(tmp_path: Path) -> dict[str, str]:
    """Production settings (HTTPS on, secure redirects, no demo) behind a proxy."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "salama.settings",
        "SECRET_KEY": "serve-test-" + "k" * 50,
        "SALAMA_FIELD_KEYS": Fernet.generate_key().decode(),
        "SALAMA_DATA_DIR": str(tmp_path / "data"),
        "ALLOWED_HOSTS": "salama.example.org",
        "SALAMA_BEHIND_PROXY": "true",
    }


def test_salama_serve_behind_a_tls_proxy_does_not_redirect_forever(production_env):
    port = _free_port()
    server = subprocess.Popen(
        [str(SALAMA), "serve", "--port", str(port), "--threads", "2"],
        env=production_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(port, server)
        # The proxy on 127.0.0.1 terminated TLS and says so.
        proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
        login = _get(port, "/accounts/login/", proxied)
        assert login.status == 200
        assert "max-age" in (login.getheader("Strict-Transport-Security") or "")
        home = _get(port, "/", proxied)
        assert home.status == 302
        assert home.getheader("Location", "").startswith("/accounts/login/")
        # Plain HTTP (no proxy header) is still sent to HTTPS.
        plain = _get(port, "/accounts/login/", {})
        assert plain.status == 301
        assert plain.getheader("Location") == "https://salama.example.org/accounts/login/"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_sqlite_file_and_its_wal_are_readable_by_their_owner_only(
    tmp_path, settings, django_db_blocker
):
    from django.db.utils import ConnectionHandler

    if not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("the deployment's database is not SQLite")
    engine, options = (settings.DATABASES["default"][k] for k in ("ENGINE", "OPTIONS"))
    fresh, older = tmp_path / "fresh.sqlite3", tmp_path / "older.sqlite3"
    older.touch(mode=0o644)
    older.chmod(0o644)  # made by a version before this one
    handler = ConnectionHandler(
        {
            name: {"ENGINE": engine, "NAME": str(path), "OPTIONS": options}
            for name, path in (("default", fresh), ("older", older))
        }
    )
    for name, path in (("default", fresh), ("older", older)):
        connection = handler[name]
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("CREATE TABLE t (x)")
            cursor.execute("INSERT INTO t VALUES (1)")
            files = [p for p in tmp_path.iterdir() if p.name.startswith(path.name)]
            assert {p.name for p in files} >= {path.name, f"{path.name}-wal", f"{path.name}-shm"}
            assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in files} == {
                p.name: 0o600 for p in files
            }
        connection.close()

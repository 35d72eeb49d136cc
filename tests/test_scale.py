"""Several app servers and workers at once (issue 9, section 7): two `salama serve`
and two `salama worker` processes on one PostgreSQL database behave as one server
and one worker do: a session made on one server works on the other, login and
field-password failures on both add up to one lockout, and each job runs once."""

import http.cookiejar
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from salama.jobs.api import Job
from salama.screening.actions import field_credential_set
from tests.openrosa_util import digest_header
from tests.test_jobs_workers import _free_port, _worker_env, append_line_job

pytestmark = pytest.mark.skipif(
    not os.getenv("DATABASE_URL", "").startswith("postgres"),
    reason="several server processes share one PostgreSQL database (DATABASE_URL=postgres://...)",
)

SALAMA = str(Path(sys.executable).with_name("salama"))
PRODUCTION_STATIC = "whitenoise.storage.CompressedManifestStaticFilesStorage"
PASSWORD = "a pass phrase for two servers"
FIELD_PASSWORD = "field pass phrase 7"


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"  # the test database
    )


def _production_password(user: Any) -> None:
    """The servers run the production settings, which do not read the suite's MD5 hashes."""
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "scalesalt", iterations=1000)
    user.save(update_fields=["password"])


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[str]]:
    env = _worker_env(
        DATABASE_URL=_database_url(),
        SECRET_KEY=settings.SECRET_KEY,
        SALAMA_FIELD_KEYS=",".join(settings.SALAMA_FIELD_KEYS),
        SALAMA_HTTPS="false",
        SALAMA_ENFORCE_2FA="false",
        ALLOWED_HOSTS="127.0.0.1",
        SALAMA_DATA_DIR=str(tmp_path / "data"),
    )
    _collect_salama_static(tmp_path / "data" / "static")
    ports = [_free_port(), _free_port()]
    processes = [
        subprocess.Popen(  # noqa: S603 - our own command
            [SALAMA, "serve", "--port", str(port), "--threads", "4", "--no-collectstatic"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for port in ports
    ]
    processes += [
        subprocess.Popen(  # noqa: S603 - our own command
            [SALAMA, "worker", "--interval", "0.2", f"--worker-id=w{i}"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in (1, 2)
    ]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base, process in zip(bases, processes, strict=False):
            _wait_until_up(base, process)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def _collect_salama_static(root: Path) -> None:
    """Collect once for both servers, as an operator does before starting several;
    Salama's own files only (the pages need no other), with the production storage."""
    production = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STATIC}}
    finders = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    with override_settings(STATIC_ROOT=root, STORAGES=production, STATICFILES_FINDERS=finders):
        call_command("collectstatic", interactive=False, verbosity=0)


def _wait_until_up(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read() if process.stderr else "server exited")
        try:
            urllib.request.urlopen(f"{base}/accounts/login/", timeout=5).read()  # noqa: S310
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{base} did not start")


class Browser:
    """A cookie jar that can be carried from one server to another."""

    def __init__(self, jar: http.cookiejar.CookieJar | None = None) -> None:
        self.jar = jar or http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def get(self, url: str) -> int:
        return self._open(urllib.request.Request(url))  # noqa: S310 - http to our servers

    def post(self, url: str, fields: dict[str, str]) -> int:
        self.get(url)  # the form, for its CSRF cookie
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
        request = urllib.request.Request(url, data=body, headers={"Referer": url})  # noqa: S310
        return self._open(request)

    def _open(self, request: urllib.request.Request) -> int:
        try:
            with self.opener.open(request, timeout=30) as response:
                response.read()
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer to look at, not to follow


def login(browser: Browser, base: str, username: str, password: str) -> int:
    return browser.post(f"{base}/accounts/login/", {"username": username, "password": password})


def field_get(base: str, path: str, username: str, password: str) -> int:
    """A field client's GET: ask, take a fresh challenge, answer it."""
    try:
        urllib.request.urlopen(f"{base}{path}", timeout=30)  # noqa: S310
        raise AssertionError("no challenge")
    except urllib.error.HTTPError as challenge:
        header = digest_header(
            challenge.headers["WWW-Authenticate"], username, password, "GET", path
        )
    request = urllib.request.Request(f"{base}{path}", headers={"Authorization": header})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_two_servers_and_two_workers_behave_as_one(
    world: Any, flushable_audit: None, servers: list[str], tmp_path: Path
) -> None:
    a, b = servers
    for name in ("registrar", "tracer", "caseworker"):
        _production_password(world.user(name))
    field_credential_set(user=world.user("caseworker"), password=FIELD_PASSWORD)

    # Jobs first, so that the workers run them while the servers are being used.
    lines = tmp_path / "runs.txt"
    queued = [append_line_job(str(lines), n) for n in range(20)]

    # A session made on A is the same session on B, and signing out on B ends it on A.
    browser = Browser()
    assert login(browser, a, "registrar", PASSWORD) == 302
    assert browser.get(f"{a}/") == 200
    on_b = Browser(browser.jar)
    assert on_b.get(f"{b}/") == 200
    assert on_b.post(f"{b}/accounts/logout/", {}) == 302
    assert browser.get(f"{a}/") == 302

    # Login failures on A and B add up to one lockout (the 5th failure locks).
    for server in (a, b, a, b):
        assert login(Browser(), server, "tracer", "wrong password") == 200
    assert login(Browser(), a, "tracer", "wrong password") == 429
    assert login(Browser(), b, "tracer", PASSWORD) == 429

    # Field-password failures on A and B add up too.
    limit = settings.AXES_FAILURE_LIMIT
    assert field_get(b, "/openrosa/formList", "caseworker", FIELD_PASSWORD) == 200
    for server in [a, b] * (limit // 2) + [a] * (limit % 2):
        assert field_get(server, "/openrosa/formList", "caseworker", "guess") == 401
    assert field_get(a, "/openrosa/formList", "caseworker", FIELD_PASSWORD) == 401
    assert field_get(b, "/openrosa/formList", "caseworker", FIELD_PASSWORD) == 401

    # Each job ran exactly once, by one of the two workers.
    deadline = time.monotonic() + 60
    ids = [q.pk for q in queued]
    while Job.objects.filter(pk__in=ids, status=Job.Status.SUCCEEDED).count() < len(ids):
        assert time.monotonic() < deadline, "the workers did not run every job"
        time.sleep(0.3)
    runs = Counter(int(line.split()[0]) for line in lines.read_text().splitlines())
    assert runs == Counter(range(20))
    assert all(j.attempts == 1 for j in Job.objects.filter(pk__in=ids))

"""Real worker processes: two `salama worker` on PostgreSQL run each job once,
and `salama demo` runs its own worker and schedule."""

import http.cookiejar
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from salama.audit.models import AuditEntry
from salama.jobs.api import Job, JobContext, job, job_enqueue
from salama.jobs.models import ScheduledSlot
from salama.jobs.schedule import SCHEDULE

ROOT = Path(__file__).resolve().parent.parent
SALAMA = str(Path(sys.executable).with_name("salama"))


@job(label="Appends a line")
def append_line(ctx: JobContext, *, path: str, n: int) -> int:
    time.sleep(0.05)  # long enough for the other worker to try the same job
    with open(path, "a", encoding="utf-8") as handle:  # one write per line: atomic append
        handle.write(f"{n} {os.getpid()}\n")
    return n


def _worker_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["PYTHONPATH"] = str(ROOT)  # the workers import this module's handler
    env.pop("DJANGO_SETTINGS_MODULE", None)  # `salama` uses the production settings
    # Set for the browser tests only; the production checks refuse it (async.E001).
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(extra)
    return env


@pytest.mark.skipif(
    not os.getenv("DATABASE_URL", "").startswith("postgres"),
    reason="several workers on several machines means PostgreSQL (DATABASE_URL=postgres://...)",
)
def test_two_workers_on_postgresql_run_each_job_and_each_scheduled_slot_once(
    world: Any, flushable_audit: None, tmp_path: Path
) -> None:
    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST']}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"  # the test database
    )
    lines = tmp_path / "runs.txt"
    queued = [append_line_job(str(lines), n) for n in range(40)]
    env = _worker_env(DATABASE_URL=url)
    workers = [
        subprocess.Popen(  # noqa: S603 - our own command
            [SALAMA, "worker", "--once", f"--worker-id=w{i}"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in (1, 2)
    ]
    outputs = [w.communicate(timeout=240) for w in workers]
    for w, (_out, err) in zip(workers, outputs, strict=True):
        assert w.returncode == 0, err[-3000:]

    runs = Counter(int(line.split()[0]) for line in lines.read_text().splitlines())
    assert runs == Counter(range(40))  # every job ran, none twice
    assert all(
        j.status == Job.Status.SUCCEEDED and j.attempts == 1
        for j in Job.objects.filter(pk__in=[q.pk for q in queued])
    )
    # The schedule: each entry's due slot claimed by one worker and its job run once.
    assert sorted(ScheduledSlot.objects.values_list("entry", flat=True)) == sorted(
        e.name for e in SCHEDULE
    )
    for entry in SCHEDULE:
        scheduled = Job.objects.filter(handler=entry.handler)
        assert scheduled.count() == 1, entry.name
        assert scheduled.get().status == Job.Status.SUCCEEDED, scheduled.get().error_message
    assert AuditEntry.objects.filter(action="scan").count() == 1  # the nightly scan ran once
    deliveries = DBTaskResult.objects.all()
    assert deliveries.count() == 40 + len(SCHEDULE)
    assert all(len(d.worker_ids) == 1 and d.status == "SUCCESSFUL" for d in deliveries)
    # Both workers took part (40 jobs of 50 ms each overlap their start-up).
    assert {d.worker_ids[0] for d in deliveries} == {"w1", "w2"}


def append_line_job(path: str, n: int) -> Job:
    return job_enqueue(append_line, kwargs={"path": path, "n": n})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(predicate: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_the_demo_runs_its_own_worker_and_schedule(tmp_path: Path) -> None:
    port = _free_port()
    data = tmp_path / "demo"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "SALAMA_DATA_DIR": str(data),
        "PYTHONUNBUFFERED": "1",
    }
    demo = subprocess.Popen(  # noqa: S603 - our own command
        [SALAMA, "demo", "--residents", "60", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert demo.stdout is not None
        seen = []
        for line in demo.stdout:
            seen.append(line)
            if line.startswith("Serving on"):
                break
        assert "Background jobs and the schedule run in this process.\n" in seen, "".join(seen)

        def job_status(handler: str) -> str | None:
            with sqlite3.connect(data / "salama.sqlite3", timeout=20) as db:
                row = db.execute(
                    "SELECT status FROM jobs_job WHERE handler = ? ORDER BY created_at DESC",
                    (handler,),
                ).fetchone()
            return row[0] if row and row[0] in ("succeeded", "failed") else None

        # The schedule's nightly scan was enqueued and run by the demo's own worker.
        nightly = _wait_for(
            lambda: job_status("salama.registry.jobs.duplicate_scan_all"), 120, "the nightly scan"
        )
        assert nightly == "succeeded"

        # A job enqueued by a request to the demo runs in the demo's process.
        base = f"http://127.0.0.1:{port}"
        browser = _signed_in(base, "admin", _demo_password(data, "admin"))
        response = _post(browser, base, "/registry/duplicates/scan/")
        job_url = response.geturl()
        assert re.search(r"/jobs/[0-9a-f-]{36}/", job_url), job_url
        page = _wait_for(
            lambda: (
                (text := browser.open(job_url).read().decode()) and "Finished at" in text and text
            ),
            120,
            "the scan started from the browser",
        )
        assert "Duplicate scan" in page
    finally:
        demo.terminate()
        demo.wait(timeout=30)


def _demo_password(data: Path, user: str) -> str:
    for line in (data / "demo-logins.txt").read_text(encoding="utf-8").splitlines():
        name, password, _role = line.split("\t")
        if name == user:
            return password
    raise AssertionError(f"no demo login {user}")


def _csrf(jar: http.cookiejar.CookieJar) -> str:
    return next(c.value for c in jar if c.name == "csrftoken")


def _signed_in(base: str, user: str, password: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    browser.open(f"{base}/accounts/login/").read()
    browser.jar = jar  # type: ignore[attr-defined]
    _post(browser, base, "/accounts/login/", {"username": user, "password": password})
    return browser


def _post(
    browser: urllib.request.OpenerDirector,
    base: str,
    path: str,
    fields: dict[str, str] | None = None,
) -> Any:
    token = _csrf(browser.jar)  # type: ignore[attr-defined]
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **(fields or {})}).encode()
    return browser.open(urllib.request.Request(f"{base}{path}", data=body))  # noqa: S310

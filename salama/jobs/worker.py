"""The worker loop: django-tasks-db deliveries and the schedule, in one loop.

django-tasks-db claims each delivery with SELECT ... FOR UPDATE SKIP LOCKED
(PostgreSQL) or an exclusive transaction (SQLite); the Job's own conditional
claim (runner.claim) makes a second delivery harmless anyway.
"""

import logging
import threading
import time

from django.db import OperationalError, close_old_connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from salama.jobs import scheduler

logger = logging.getLogger("salama.jobs")

BACKEND = "default"
SCHEDULE_EVERY_SECONDS = 30


def _worker(worker_id: str) -> Worker:
    return Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name=BACKEND,
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def claim_next(worker_id: str) -> DBTaskResult | None:
    """The next ready delivery, claimed for this worker, or None."""
    ready = DBTaskResult.objects.ready().filter(backend_name=BACKEND)
    if not ready.exists():  # no lock while idle (SQLite's exclusive lock blocks readers)
        return None
    try:
        with exclusive_transaction(ready.db):
            found = ready.get_locked()
            if found is not None:
                found.claim(worker_id)
            return found
    except OperationalError as exc:
        if is_locked_database_exception(exc):
            return None
        raise


def run_ready(
    worker_id: str | None = None, stop: threading.Event | None = None, limit: int | None = None
) -> int:
    """Run ready deliveries in this thread until none is left (or `limit` ran)."""
    worker_id = worker_id or get_random_string(32)
    worker = _worker(worker_id)
    count = 0
    while (stop is None or not stop.is_set()) and (limit is None or count < limit):
        delivery = claim_next(worker_id)
        if delivery is None:
            break
        worker.run_task(delivery)
        count += 1
    return count


def run_forever(
    *, interval: float = 1.0, stop: threading.Event, worker_id: str | None = None
) -> None:
    """Run deliveries as they become ready and the schedule every 30 s until `stop`."""
    worker_id = worker_id or get_random_string(32)
    logger.info("worker %s started", worker_id)
    next_tick = 0.0
    while not stop.is_set():
        close_old_connections()
        try:
            if time.monotonic() >= next_tick:
                scheduler.tick()
                next_tick = time.monotonic() + SCHEDULE_EVERY_SECONDS
            if run_ready(worker_id, stop, limit=100) == 100:
                continue  # more may be ready: no pause, but look at the schedule first
        except Exception:  # the database away, a bug in a schedule entry: log, wait, go on
            logger.exception("worker %s: error outside a job, trying again", worker_id)
            stop.wait(max(interval, 5.0))
        close_old_connections()
        stop.wait(interval)
    logger.info("worker %s stopped", worker_id)


def run_delivery_now(delivery_id: str, worker_id: str = "foreground") -> bool:
    """Claim and run one delivery in this thread (a command in the foreground)."""
    claimed = DBTaskResult.objects.filter(pk=delivery_id, status="READY").update(
        status="RUNNING", started_at=timezone.now(), worker_ids=[worker_id]
    )
    if claimed:
        _worker(worker_id).run_task(DBTaskResult.objects.get(pk=delivery_id))
    return bool(claimed)


def run_once(worker_id: str | None = None) -> int:
    """The schedule's due slots, then every ready delivery; for `salama worker --once`."""
    scheduler.tick()
    return run_ready(worker_id)


def start_in_thread(*, interval: float = 1.0) -> tuple[threading.Thread, threading.Event]:
    """A worker in a background thread of this process (the demo)."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever,
        kwargs={"interval": interval, "stop": stop},
        name="salama-worker",
        daemon=True,
    )
    thread.start()
    return thread, stop

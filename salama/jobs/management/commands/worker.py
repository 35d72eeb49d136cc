"""`salama worker`: run background jobs and the schedule (docs/jobs.md)."""

import signal
import threading
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string

from salama.jobs import worker


class Command(BaseCommand):
    help = (
        "Run background jobs and the schedule until stopped (SIGTERM or Ctrl+C finish "
        "the current job first). Start one per machine or several; no job runs twice."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Enqueue the schedule's due jobs, run every ready job, then exit.",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait when no job is ready (default 1).",
        )
        parser.add_argument(
            "--worker-id",
            default="",
            help="A name for this worker in the job records (default: random).",
        )

    def handle(
        self, *args: Any, once: bool, interval: float, worker_id: str, **options: Any
    ) -> None:
        worker_id = (worker_id or get_random_string(12))[:64]
        if once:
            ran = worker.run_once(worker_id)
            self.stdout.write(f"worker {worker_id}: ran {ran} job deliveries")
            return
        stop = threading.Event()

        def finish(signum: int, frame: FrameType | None) -> None:
            self.stdout.write(f"worker {worker_id}: stopping after the current job")
            stop.set()

        signal.signal(signal.SIGTERM, finish)
        signal.signal(signal.SIGINT, finish)
        self.stdout.write(f"worker {worker_id}: running jobs and the schedule (Ctrl+C stops)")
        worker.run_forever(interval=max(0.1, interval), stop=stop, worker_id=worker_id)
        self.stdout.write(f"worker {worker_id}: stopped")

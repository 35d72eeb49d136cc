"""`salama fieldkeys rotate`: re-encrypt stored screening answers, field
submissions, attachments and field credentials under the newest key.

To rotate: generate a key, put it first in SALAMA_FIELD_KEYS (keep the old
ones after it), restart Salama and its workers, run this, then remove the old
keys. It runs as the job salama.screening.jobs.field_keys_rotate, here in the
foreground, or in a worker with --background."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from salama.jobs.api import Job, job_enqueue, run_job_now
from salama.screening.jobs import field_keys_rotate


class Command(BaseCommand):
    help = "Re-encrypt field-encrypted data under the newest key of SALAMA_FIELD_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        rotate = sub.add_parser("rotate", help="re-encrypt everything under the first key")
        rotate.add_argument(
            "--background",
            action="store_true",
            help="queue it for `salama worker` and return (progress on /jobs/)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["background"]:
            queued = job_enqueue(field_keys_rotate)
            self.stdout.write(f"Queued as job {queued.pk}: follow it on /jobs/{queued.pk}/.")
            return
        with tqdm(unit="row", disable=None) as bar:

            def follow(done: int, total: int, message: str) -> None:
                bar.total, bar.n = total, done
                bar.refresh()

            done = run_job_now(field_keys_rotate, on_progress=follow)
        if done.status != Job.Status.SUCCEEDED:
            raise CommandError(
                f"Key rotation failed ({done.error_type}: {done.error_message}); "
                f"it will be retried by `salama worker`, see /jobs/{done.pk}/."
            )
        rows = (done.result or {}).get("rows", 0)
        self.stdout.write(f"{rows} rows re-encrypted under the newest key.")

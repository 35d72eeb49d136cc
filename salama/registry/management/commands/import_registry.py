from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from salama.core import access as core_access
from salama.core.roles import Perm
from salama.registry import import_jobs, importer
from salama.registry.forms import DEFAULT_BASES


class Command(BaseCommand):
    help = "Import a registry file (CSV or XLSX) as a user; all rows or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--user", required=True, help="user name the import is made as (and audited for)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None or not core_access.has_perm(user, Perm.REGISTRY_IMPORT):
            raise CommandError(f"{options['user']} is not an active user who may import.")
        path: Path = options["file"]
        try:
            job = import_jobs.import_job_start(
                user=user,
                organisation=core_access.organisation_for(user, Perm.REGISTRY_IMPORT),
                filename=path.name,
                content=path.read_bytes(),
                bases={k: v for k, v in DEFAULT_BASES.items() if v},
            )
        except (OSError, importer.ImportFileError) as exc:
            raise CommandError(str(exc)) from None
        with tqdm(total=job.total, unit="row", desc="Checking", disable=None) as bar:
            while job.status == job.Status.CHECKING:
                before = job.checked
                job = import_jobs.import_job_check_next(user=user, job=job)
                bar.update(job.checked - before)
        if job.errors:
            for error in job.errors[:200]:
                self.stderr.write(
                    f"row {error['row']}, {error['column'] or '-'}: {error['message']}"
                )
            raise CommandError(f"{len(job.errors)} errors: nothing was imported.")
        job = import_jobs.import_job_commit(user=user, job=job)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {job.imported_people} people in {job.imported_households} households."
            )
        )

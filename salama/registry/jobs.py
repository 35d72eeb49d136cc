"""The registry's background jobs: checking and importing a file, the
duplicate scan (after each import and nightly), and the search-key rebuild.
Each step is its own transaction; see docs/jobs.md."""

from typing import Any

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from salama.core import access as core_access
from salama.core.models import Membership
from salama.core.roles import Perm, Role
from salama.jobs.api import JobContext, JobFailed, job
from salama.registry import access, actions, import_jobs
from salama.registry.models import ImportJob


def _active_user(user_id: int | None) -> Any:
    user = None
    if user_id is not None:
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise JobFailed(_("The user who started this job is no longer active."))
    return user


def _import_job(user: Any, import_job: str) -> ImportJob:
    try:
        return access.get_import_job(user, import_job)
    except Http404 as exc:  # the user lost the right to import
        raise JobFailed(
            _("This import is no longer available to the user who started it.")
        ) from exc


@job(label=_("Check an import file"), retries=2, backoff_seconds=30)
def import_check(ctx: JobContext, *, import_job: str) -> dict[str, Any]:
    """Check the rows in chunks (one transaction each), then the households."""
    user = _active_user(ctx.user_id)
    upload = _import_job(user, import_job)
    while upload.status == ImportJob.Status.CHECKING:
        ctx.progress(upload.checked, upload.total, _("Checking rows"))
        upload = import_jobs.import_job_check_next(user=user, job=upload)
    ctx.progress(upload.checked, upload.total, _("Checked"))
    return {"status": upload.status, "errors": len(upload.errors)}


@job(label=_("Import a registry file"), retries=2, backoff_seconds=30)
def import_commit(ctx: JobContext, *, import_job: str) -> dict[str, Any]:
    """Import every row in one transaction: all of the file or none of it."""
    user = _active_user(ctx.user_id)
    upload = _import_job(user, import_job)
    if upload.status == ImportJob.Status.IMPORTED:
        return {"people": upload.imported_people, "households": upload.imported_households}
    ctx.progress(0, upload.total, _("Importing"))
    try:
        upload = import_jobs.import_job_commit(user=user, job=upload)
    except ValueError as exc:
        raise JobFailed(_("This import is not ready: check the file first.")) from exc
    ctx.progress(upload.total, upload.total, _("Imported"))
    return {"people": upload.imported_people, "households": upload.imported_households}


@job(label=_("Duplicate scan"), retries=2, backoff_seconds=60)
def duplicate_scan(ctx: JobContext, *, user_id: int, threshold: float = 0.9) -> dict[str, int]:
    """Queue likely duplicates among the people `user_id` may merge, for review."""
    user = _active_user(user_id)
    if not core_access.has_perm(user, Perm.PERSON_MERGE):
        raise JobFailed(_("The user who started this scan may not review duplicates."))
    ctx.progress(0, 1, _("Comparing records"))
    persons = access.persons_to_scan(user)
    created = actions.duplicates_scan(user=user, persons=persons, threshold=threshold)
    ctx.progress(1, 1, _("Done"))
    return {"new_pairs": created}


def _scan_scopes() -> list[Any]:
    """One administrator per registry scope: every active administrator's
    (purpose, sites), leaving out a scope inside one already chosen."""
    chosen: list[tuple[Any, str, list[str]]] = []
    admins = (
        Membership.objects.filter(role=Role.ADMINISTRATOR, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    candidates = []
    for user in {m.user for m in admins}:
        if not core_access.has_perm(user, Perm.PERSON_MERGE):
            continue
        paths = core_access.site_paths(user, Perm.PERSON_MERGE)
        if paths:
            candidates.append((user, core_access.purpose(user), paths))
    candidates.sort(key=lambda c: (min(len(p) for p in c[2]), c[0].pk))  # widest first
    for user, purpose, paths in candidates:
        covered = any(
            purpose == p and all(any(path.startswith(q) for q in qs) for path in paths)
            for _u, p, qs in chosen
        )
        if not covered:
            chosen.append((user, purpose, paths))
    return [user for user, _p, _paths in chosen]


@job(label=_("Nightly duplicate scan"), retries=2, backoff_seconds=300)
def duplicate_scan_all(ctx: JobContext, *, threshold: float = 0.9) -> dict[str, int]:
    """The whole registry, scope by scope (each in the scope, and the audit
    trail, of an administrator of it): the review queue fills itself."""
    users = _scan_scopes()
    created = 0
    for done, user in enumerate(users):
        ctx.progress(done, len(users), _("Comparing records"))
        created += actions.duplicates_scan(
            user=user, persons=access.persons_to_scan(user), threshold=threshold
        )
    ctx.progress(len(users), len(users), _("Done"))
    return {"scopes": len(users), "new_pairs": created}


@job(label=_("Rebuild the search keys"), retries=1, backoff_seconds=60)
def search_keys_rebuild(ctx: JobContext) -> dict[str, int]:
    """Every person's search keys, 500 people per transaction."""

    def progress(stage: str, done: int, total: int) -> None:
        ctx.progress(done, total, _("Rebuilding search keys"))

    return {"people": actions.search_keys_rebuild(progress=progress)}

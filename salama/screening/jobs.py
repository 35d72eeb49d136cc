"""The screening app's background jobs."""

from django.utils.translation import gettext_lazy as _

from salama.jobs.api import JobContext, job
from salama.screening import actions


@job(label=_("Rotate the field-encryption keys"), retries=2, backoff_seconds=60)
def field_keys_rotate(ctx: JobContext) -> dict[str, int]:
    """Re-encrypt field data under the newest key, 500 rows per transaction;
    running it again is harmless (it re-encrypts under the same key)."""

    def progress(done: int, total: int) -> None:
        ctx.progress(done, total, _("Re-encrypting"))

    return {"rows": actions.field_keys_rotate(progress=progress, user=ctx.user)}


@job(label=_("Remove expired field-login nonces"))
def digest_nonces_prune(ctx: JobContext) -> dict[str, int]:
    return {"deleted": actions.digest_nonces_prune()}

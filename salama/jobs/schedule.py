"""Periodic jobs: every entry, in one place (docs/jobs.md).

Handlers are named by dotted path so that this module imports no app above
jobs. Times are UTC. After a worker was down, only the latest missed slot of
an entry runs (no burst of catch-up jobs).
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any


@dataclass(frozen=True)
class Entry:
    name: str
    handler: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    every_minutes: int | None = None
    daily_at: str | None = None  # "HH:MM", UTC

    def __post_init__(self) -> None:
        if (self.every_minutes is None) == (self.daily_at is None):
            raise ValueError(f"{self.name}: give every_minutes or daily_at, not both")
        if self.every_minutes is not None and self.every_minutes < 1:
            raise ValueError(f"{self.name}: every_minutes must be at least 1")
        if self.daily_at is not None:
            time.fromisoformat(self.daily_at)  # raises on a malformed time

    def slot(self, now: datetime) -> datetime:
        """The start of the latest slot due at `now` (UTC)."""
        now = now.astimezone(UTC)
        if self.every_minutes is not None:
            epoch = datetime(2000, 1, 1, tzinfo=UTC)
            period = timedelta(minutes=self.every_minutes)
            return epoch + ((now - epoch) // period) * period
        at = time.fromisoformat(self.daily_at or "00:00")
        today = datetime.combine(now.date(), at, tzinfo=UTC)
        return today if today <= now else today - timedelta(days=1)


SCHEDULE: list[Entry] = [
    # The duplicate queue fills itself: every active registry is scanned nightly.
    Entry(
        name="registry.duplicate_scan",
        handler="salama.registry.jobs.duplicate_scan_all",
        daily_at="02:00",
    ),
    # Old deliveries and claimed slots are removed after 30 days.
    Entry(name="jobs.prune", handler="salama.jobs.housekeeping.prune", daily_at="03:30"),
    # First answers kept for API retries (Idempotency-Key) go when their key expires.
    Entry(
        name="jobs.prune_idempotency_keys",
        handler="salama.jobs.housekeeping.prune_idempotency_keys",
        every_minutes=60,
    ),
    # Digest nonces of field logins (OpenRosa) expire after 5 minutes.
    Entry(
        name="screening.digest_nonces_prune",
        handler="salama.screening.jobs.digest_nonces_prune",
        every_minutes=30,
    ),
    # Export files are downloadable for 30 days at most; expired ones are deleted
    # within the hour (downloads are refused from the moment they expire).
    Entry(
        name="privacy.exports_expire",
        handler="salama.privacy.jobs.exports_expire",
        every_minutes=60,
    ),
    # What passed its retention period is deleted everywhere (PROTECTION.md 19).
    Entry(name="privacy.retention", handler="salama.privacy.jobs.retention", daily_at="01:30"),
    # Jobs lost with a worker that died are retried (or failed) within minutes.
    Entry(
        name="jobs.recover_stale",
        handler="salama.jobs.housekeeping.recover_stale",
        every_minutes=5,
    ),
    # A signed audit checkpoint outside the database (head count and hash).
    Entry(
        name="audit.checkpoint",
        handler="salama.jobs.housekeeping.audit_checkpoint",
        every_minutes=15,
    ),
    # A tracing case whose first action is overdue is escalated to the desk's
    # protection officer, then to the site manager (docs/tracing.md).
    Entry(
        name="tracing.escalate",
        handler="salama.tracing.jobs.escalate",
        every_minutes=1,
    ),
    # Due and overdue items of open protection cases' plans (follow-ups first
    # of all): their caseworker is reminded once a day (docs/cases.md).
    Entry(
        name="cases.follow_ups_remind",
        handler="salama.cases.jobs_recovery.follow_ups_remind",
        daily_at="05:00",
    ),
    # Presence checks and resolved absence alerts past their retention period.
    Entry(name="presence.retention", handler="salama.presence.jobs.retention", daily_at="01:50"),
    # Tracing cases closed longer ago than their retention period are deleted.
    Entry(name="tracing.retention", handler="salama.tracing.jobs.retention", daily_at="01:45"),
    # Referrals past their answer time: reminders, then escalation (docs/cases.md).
    Entry(
        name="cases.referral_timers",
        handler="salama.cases.jobs.referral_timers",
        every_minutes=15,
    ),
    # Civil records waiting a week, state certificates not back after a month:
    # the office's registrars are told, once a week per record (docs/civil-registration.md).
    Entry(name="civil.reminders", handler="salama.civil.jobs.reminders", daily_at="06:00"),
    # Who looked up a document on the public page is forgotten after a day.
    Entry(name="civil.verifications", handler="salama.civil.jobs.verifications", every_minutes=60),
    # Complaints of sexual exploitation and abuse: each missed deadline (acknowledgement,
    # referral for assistance and for investigation, feedback) told once (docs/complaints.md).
    Entry(
        name="complaints.escalations",
        handler="salama.complaints.jobs.escalations",
        every_minutes=15,
    ),
    # Complaints closed longer ago than their retention period are deleted.
    Entry(
        name="complaints.retention", handler="salama.complaints.jobs.retention", daily_at="02:05"
    ),
    # Early warning: every site's weekly counts scored and alerts raised (docs/warning.md).
    Entry(name="warning.detect", handler="salama.warning.jobs.detect", daily_at="05:30"),
    # Protection cases closed longer ago than their retention period are deleted.
    Entry(name="cases.retention", handler="salama.cases.jobs.retention", daily_at="01:55"),
    # The public report page's rate-limit counts are kept a few hours only.
    Entry(
        name="tracing.public_limits_prune",
        handler="salama.tracing.jobs.public_limits_prune",
        every_minutes=60,
    ),
    # Bulk access (many people read within an hour, or an export) alerts the
    # data-protection officers of the reader's organisation (PROTECTION.md 17).
    Entry(
        name="notifications.bulk_access",
        handler="salama.notifications.bulk_access.bulk_access_scan",
        every_minutes=5,
    ),
    # Absence alerts for people not seen for their profile's number of days
    # (docs/presence.md); the consecutive-checks rule runs when a check is finished.
    Entry(
        name="presence.absence_days_scan",
        handler="salama.presence.jobs.absence_days_scan",
        every_minutes=60,
    ),
]

"""Enqueue the schedule's due slots, each exactly once across every worker."""

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from salama.jobs.actions import job_enqueue
from salama.jobs.models import ScheduledSlot
from salama.jobs.schedule import SCHEDULE, Entry

logger = logging.getLogger("salama.jobs")


def claim_slot(entry: Entry, slot: datetime) -> ScheduledSlot | None:
    """Insert the (entry, slot) row and enqueue its job in one transaction; None
    when another worker already has it (the unique constraint refused us)."""
    if ScheduledSlot.objects.filter(entry=entry.name, slot=slot).exists():
        return None
    try:
        with transaction.atomic():
            claimed = ScheduledSlot.objects.create(entry=entry.name, slot=slot)
            claimed.job = job_enqueue(entry.handler, kwargs=dict(entry.kwargs))
            claimed.save(update_fields=["job"])
    except IntegrityError:
        return None
    logger.info("schedule %s: enqueued slot %s", entry.name, slot.isoformat())
    return claimed


def tick(now: datetime | None = None, entries: list[Entry] | None = None) -> list[ScheduledSlot]:
    """Enqueue every entry whose latest slot has no job yet; the slots claimed."""
    now = now or timezone.now()
    claimed = []
    for entry in SCHEDULE if entries is None else entries:
        try:
            slot = claim_slot(entry, entry.slot(now))
        except LookupError:  # a handler renamed without updating schedule.py
            logger.exception("schedule %s: no such handler %s", entry.name, entry.handler)
            continue
        if slot is not None:
            claimed.append(slot)
    return claimed

"""Writes of presence checks, household cards and absence alerts: one named,
atomic, audited function each. The consecutive-checks rule runs in the
transaction that finishes a check; the days rule in a periodic job
(salama.presence.jobs.absence_days_scan)."""

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, PositiveIntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.audit.actions import audit_record
from salama.core import access as core_access
from salama.core.models import Site
from salama.core.roles import Perm
from salama.lib import absence
from salama.lib.ages import best_age
from salama.notifications.actions import notify
from salama.presence import access
from salama.presence.models import (
    AbsenceAlert,
    HouseholdCard,
    PresenceCheck,
    PresenceStatus,
    Sighting,
)
from salama.registry.models import Household, Person
from salama.registry.selectors import protection_officers

# A list typed in long after the check (more than this) keeps the check's time
# as the time people were seen, not the time it was typed.
LATE_ENTRY = timedelta(hours=12)
ALERT_SUBJECT = gettext_lazy("A person was not seen at presence checks")


class PresenceError(ValueError):
    """A presence write that cannot be made (the message says why)."""


def rules() -> dict[str, absence.Rule]:
    return absence.rules_from(getattr(settings, "SALAMA_ABSENCE_RULES", None))


def _audit(user: Any, action: str, model: str, record_id: Any, changed: Iterable[str] = ()) -> None:
    audit_record(
        user=user,
        action=action,
        purpose=core_access.purpose(user),
        model=f"presence.{model}",
        record_id=record_id,
        changed_fields=changed,
    )


# --- Checks -------------------------------------------------------------------------


@transaction.atomic
def check_open(
    *, user: Any, site: Site, kind: str, held_at: datetime | None = None
) -> PresenceCheck:
    """Start recording a roll call or distribution at a site fetched through
    access.sites_for (PRESENCE_RECORD)."""
    if kind not in PresenceCheck.Kind.values:
        raise PresenceError(_("Choose a roll call or a distribution."))
    now = timezone.now()
    held_at = held_at or now
    if held_at > now + timedelta(minutes=5):
        raise PresenceError(_("A check cannot be held in the future."))
    check = PresenceCheck.objects.create(
        site=site,
        site_path=site.path,
        kind=kind,
        held_at=held_at,
        organisation=core_access.organisation_for(user, Perm.PRESENCE_RECORD),
        recorded_by=user,
    )
    _audit(user, "create", "PresenceCheck", check.pk, ["site", "kind", "held_at"])
    return check


def _seen_at(check: PresenceCheck, now: datetime) -> datetime:
    return check.held_at if now - check.held_at > LATE_ENTRY else now


def _locked_open(check: PresenceCheck) -> PresenceCheck:
    locked = PresenceCheck.objects.select_for_update().get(pk=check.pk)
    if locked.status != PresenceCheck.Status.OPEN:
        raise PresenceError(_("This check is finished: nothing more can be recorded."))
    return locked


@transaction.atomic
def sightings_add(
    *, user: Any, check: PresenceCheck, persons: Iterable[Person], method: str
) -> int:
    """Mark people (fetched through access, at the check's site) as seen at an
    open check; someone already marked stays as they were. How many were added."""
    check = _locked_open(check)
    if method not in Sighting.Method.values:
        raise PresenceError("unknown method")
    now = timezone.now()
    people = {p.pk: p for p in persons}
    outside = [p for p in people.values() if not p.site_path.startswith(check.site_path)]
    if outside:
        raise PresenceError(_("Some of these people are not registered at this check's site."))
    already = set(
        Sighting.objects.filter(presence_check=check, person_id__in=people).values_list(
            "person_id", flat=True
        )
    )
    new = [
        Sighting(
            presence_check=check,
            person_id=pk,
            method=method,
            at=_seen_at(check, now),
            recorded_by=user,
        )
        for pk in people
        if pk not in already
    ]
    Sighting.objects.bulk_create(new, batch_size=1000)
    if new:
        _audit(user, "change", "PresenceCheck", check.pk, ["sightings"])
    return len(new)


@transaction.atomic
def sighting_remove(*, user: Any, check: PresenceCheck, person: Person) -> bool:
    """Untick someone marked by mistake (a card scanned for a member not there)."""
    check = _locked_open(check)
    deleted, _kinds = Sighting.objects.filter(presence_check=check, person=person).delete()
    if deleted:
        _audit(user, "change", "PresenceCheck", check.pk, ["sightings"])
    return bool(deleted)


@transaction.atomic
def check_close(*, user: Any, check: PresenceCheck) -> list[AbsenceAlert]:
    """Finish a check: count it, bring each covered person's presence status up
    to date, and raise an absence alert for everyone not seen at as many
    consecutive checks as their profile allows. A few queries whatever the
    size of the site: the statuses change in bulk UPDATEs and only the people
    already near their limit are read."""
    check = _locked_open(check)
    covered = access.covered_persons(check)
    seen = Sighting.objects.filter(presence_check=check).values("person_id")
    access.ensure_statuses(covered)
    held = check.held_at
    statuses = access.statuses(covered)
    statuses.filter(person__in=seen).update(
        last_seen_at=Case(
            When(Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=held), then=Value(held)),
            default=F("last_seen_at"),
        ),
        missed_checks=Case(
            When(Q(last_missed_at__isnull=True) | Q(last_missed_at__lt=held), then=Value(0)),
            default=F("missed_checks"),
            output_field=PositiveIntegerField(),
        ),
    )
    # Someone seen, or cleared by an officer, after this check was held is not
    # counted as missing from it (a check recorded late).
    statuses.exclude(person__in=seen).filter(
        Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=held),
        Q(cleared_at__isnull=True) | Q(cleared_at__lt=held),
    ).update(
        missed_checks=F("missed_checks") + 1,
        last_missed_at=Case(
            When(Q(last_missed_at__isnull=True) | Q(last_missed_at__lt=held), then=Value(held)),
            default=F("last_missed_at"),
        ),
    )
    check.status = PresenceCheck.Status.CLOSED
    check.closed_at = timezone.now()
    check.covered = covered.count()
    check.seen = Sighting.objects.filter(presence_check=check).count()
    check.save(update_fields=["status", "closed_at", "covered", "seen"])
    _audit(user, "change", "PresenceCheck", check.pk, ["status"])
    current = rules()
    fewest = min(rule.checks for rule in current.values())
    today = timezone.localdate()
    raised = []
    for row in access.rule_candidates_after_check(check, fewest):
        profile = _profile(row, today, current)
        if absence.missed_too_many(profile, row["missed"], current):
            raised.append(
                AbsenceAlert(
                    person_id=row["pk"],
                    site_path=row["site_path"],
                    rule=AbsenceAlert.Rule.CHECKS,
                    missed_checks=row["missed"],
                    days_unseen=absence.days_between(
                        row["last_seen"] or row["created_at"], check.closed_at
                    ),
                    last_seen_at=row["last_seen"],
                    profile=profile,
                    raised_by_check=check,
                    created_at=check.closed_at,
                )
            )
    return _raise(user, raised)


@transaction.atomic
def check_record(
    *,
    user: Any,
    site: Site,
    kind: str,
    held_at: datetime | None,
    persons: Iterable[Person],
    method: str = Sighting.Method.API,
) -> tuple[PresenceCheck, list[AbsenceAlert]]:
    """A whole check at once (the API, a list of who was seen): open, mark, finish."""
    check = check_open(user=user, site=site, kind=kind, held_at=held_at)
    sightings_add(user=user, check=check, persons=persons, method=method)
    alerts = check_close(user=user, check=check)
    check.refresh_from_db()
    return check, alerts


def _profile(row: dict[str, Any], today: Any, current: dict[str, absence.Rule]) -> str:
    age = best_age(row["birth_date"], row["birth_year_min"], row["birth_year_max"], today)
    return absence.profile_of(age, row["sex"], row["specific_needs"] or [], current)


def _raise(user: Any, alerts: list[AbsenceAlert]) -> list[AbsenceAlert]:
    """Store new alerts (someone given an open alert meanwhile is skipped by
    the unique constraint) and tell the sites' protection officers."""
    if not alerts:
        return []
    AbsenceAlert.objects.bulk_create(alerts, batch_size=500, ignore_conflicts=True)
    created_at = alerts[0].created_at
    stored = list(
        AbsenceAlert.objects.filter(
            person_id__in=[a.person_id for a in alerts],
            status=AbsenceAlert.Status.OPEN,
            created_at=created_at,
        )
    )
    officers: dict[str, list[Any]] = {}
    for alert in stored:
        audit_record(
            user=user,
            action="create",
            purpose=core_access.purpose(user),
            model="presence.AbsenceAlert",
            record_id=alert.pk,
        )
        if alert.site_path not in officers:
            officers[alert.site_path] = list(protection_officers(alert.site_path))
        notify(
            recipients=officers[alert.site_path],
            kind="presence.absence",
            subject=ALERT_SUBJECT,
            reference=alert_reference(alert),
            link=reverse("absence_alert", args=[alert.pk]),
            actor=user,
        )
    return stored


def alert_reference(alert: AbsenceAlert) -> str:
    return f"AB-{alert.pk:06d}"


@transaction.atomic
def absence_days_scan(*, now: datetime | None = None) -> list[AbsenceAlert]:
    """The days rule, for the periodic job: everyone at a site that held a
    finished check recently, not seen (nor registered, nor cleared by an
    officer) for their profile's number of days, while checks covering them
    went on, gets an alert."""
    now = now or timezone.now()
    current = rules()
    longest = max(rule.days for rule in current.values())
    shortest = min(rule.days for rule in current.values())
    checks = access.recent_checks(now - timedelta(days=longest))
    if not checks:
        return []
    paths = {path for path, _held in checks}
    widest = {p for p in paths if not any(p != q and p.startswith(q) for q in paths)}
    today = timezone.localdate(now)
    raised = []
    for row in access.rule_candidates_by_days(widest, now - timedelta(days=shortest)):
        baseline = max(t for t in (row["created_at"], row["last_seen"], row["cleared"]) if t)
        profile = _profile(row, today, current)
        days = current[profile].days
        if absence.away_too_long(profile, baseline, now, current) and absence.checks_running(
            row["site_path"], baseline, now, days, checks
        ):
            raised.append(
                AbsenceAlert(
                    person_id=row["pk"],
                    site_path=row["site_path"],
                    rule=AbsenceAlert.Rule.DAYS,
                    days_unseen=absence.days_between(baseline, now),
                    last_seen_at=row["last_seen"],
                    profile=profile,
                    created_at=now,
                )
            )
    return _raise(None, raised)


# --- Resolving alerts ---------------------------------------------------------------


def _locked_alert(alert: AbsenceAlert) -> AbsenceAlert:
    locked = AbsenceAlert.objects.select_for_update().get(pk=alert.pk)
    if locked.status != AbsenceAlert.Status.OPEN:
        raise PresenceError(_("This alert was already resolved."))
    return locked


def _resolve(
    user: Any, alert: AbsenceAlert, status: str, reason: str = "", **extra: str
) -> AbsenceAlert:
    alert = _locked_alert(alert)
    now = timezone.now()
    alert.status = status
    alert.resolved_by = user
    alert.resolved_at = now
    alert.reason = reason
    for name, value in extra.items():
        setattr(alert, name, value)
    alert.save(update_fields=["status", "resolved_by", "resolved_at", "reason", *extra])
    # Absences before the resolution no longer count towards a new alert.
    PresenceStatus.objects.update_or_create(
        person_id=alert.person_id, defaults={"cleared_at": now, "missed_checks": 0}
    )
    changed = ["status", "resolved_by", "resolved_at"] + (["reason"] if reason else [])
    _audit(user, "change", "AbsenceAlert", alert.pk, [*changed, *extra])
    return alert


@transaction.atomic
def absence_alert_confirm_safe(*, user: Any, alert: AbsenceAlert, note: str = "") -> AbsenceAlert:
    """The protection officer found the person, or knows where they are and that they are safe."""
    return _resolve(user, alert, AbsenceAlert.Status.SAFE, note.strip()[:1000])


@transaction.atomic
def absence_alert_dismiss(*, user: Any, alert: AbsenceAlert, reason: str) -> AbsenceAlert:
    """Dismissed (a roll-call error, a known move): the reason is required."""
    reason = reason.strip()
    if not reason:
        raise PresenceError(_("Say why the alert is dismissed."))
    return _resolve(user, alert, AbsenceAlert.Status.DISMISSED, reason[:1000])


@transaction.atomic
def absence_alert_mark_reported(
    *, user: Any, alert: AbsenceAlert, case_reference: str
) -> AbsenceAlert:
    """A missing report was opened from the alert (called by the tracing app
    with its case reference, after get_absence_alert(user, pk, Perm.ABSENCE_RESOLVE))."""
    reference = case_reference.strip()
    if not reference or len(reference) > 40:
        raise PresenceError(_("A tracing case reference of 1 to 40 characters is needed."))
    return _resolve(user, alert, AbsenceAlert.Status.REPORTED, case_reference=reference)


# --- Household cards -------------------------------------------------------------


def new_card_code() -> str:
    """128 random bits, URL-safe: the only thing a card's QR code holds."""
    return "HC1-" + secrets.token_urlsafe(16)


@transaction.atomic
def cards_issue(*, user: Any, households: Iterable[Household]) -> list[HouseholdCard]:
    """The valid card of each household (fetched through access), a new one
    for those without: printing a block again prints the same codes."""
    wanted = list(households)
    have = access.valid_cards(wanted)
    new = [
        HouseholdCard(household=h, code=new_card_code(), issued_by=user)
        for h in wanted
        if h.pk not in have
    ]
    HouseholdCard.objects.bulk_create(new, batch_size=500)
    if new:
        fresh = HouseholdCard.objects.filter(code__in=[c.code for c in new])
        for card in fresh:
            _audit(user, "create", "HouseholdCard", card.pk, ["household", "code"])
        have = access.valid_cards(wanted)
    return [have[h.pk] for h in wanted]


@transaction.atomic
def card_revoke(*, user: Any, card: HouseholdCard) -> None:
    """A lost or stolen card no longer marks anyone; the next print issues a new code."""
    updated = HouseholdCard.objects.filter(pk=card.pk, revoked=False).update(revoked=True)
    if updated:
        _audit(user, "change", "HouseholdCard", card.pk, ["revoked"])


# --- Retention (PROTECTION.md 19) -------------------------------------------------


@transaction.atomic
def presence_retention(*, now: datetime | None = None) -> dict[str, int]:
    """Who was seen where is kept SALAMA_RETENTION_PRESENCE_DAYS: older checks
    go with their sightings, and so do alerts resolved that long ago (open
    alerts stay, whatever their age); one audit entry per record deleted."""
    from datetime import timedelta

    from django.conf import settings

    now = now or timezone.now()
    cutoff = now - timedelta(days=max(1, settings.SALAMA_RETENTION_PRESENCE_DAYS))
    alerts, checks = access.expired_presence(cutoff)
    alert_ids = list(alerts.values_list("pk", flat=True))
    check_ids = list(checks.values_list("pk", flat=True))
    for alert_id in alert_ids:
        _audit(None, "delete", "AbsenceAlert", alert_id, ["retention"])
    for check_id in check_ids:
        _audit(None, "delete", "PresenceCheck", check_id, ["retention"])
    sightings = access.sightings_of_checks(check_ids).count()
    alerts.delete()
    checks.delete()
    return {"alerts": len(alert_ids), "checks": len(check_ids), "sightings": sightings}

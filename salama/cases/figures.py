"""Referral figures (issue 11 section 7): referrals by type of service, site
and month; acceptance and completion rates; time from referral to the first
service delivered. Only referrals made with the person's consent are counted
(PROTECTION.md 11): referrals made without it (overrides) and referrals whose
consent was withdrawn are not. Small cells are hidden, with enough others
beside them that none can be recomputed, the way the screening and tracing
figures publish theirs (PROTECTION.md 12); rates and medians are shown only
when every count they come from is."""

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from salama.cases import access_recovery
from salama.cases.models import Referral, ServiceType
from salama.screening.selectors import Breakdown, Figures, publish_breakdowns, site_names

BREAKDOWNS = ("site", "month", "status", "first_service")
# A withdrawn referral is not counted at all.
STATUSES = (
    Referral.Status.PENDING,
    Referral.Status.ACCEPTED,
    Referral.Status.DECLINED,
    Referral.Status.COMPLETED,
    Referral.Status.CANCELLED,
)
DELIVERED, NOT_YET = "delivered", "not_yet"


@dataclass
class TypeFigures:
    service_type: str
    total: int | None
    breakdowns: list[Breakdown]
    acceptance: int | None  # per cent, rounded
    completion: int | None
    median_days: float | None
    served: int | None

    def rows(self, by: str) -> dict[str, int | None]:
        return next((dict(b.rows) for b in self.breakdowns if b.by == by), {})


def statistics_rows(user: Any) -> list[tuple[Any, ...]]:
    """The counted referrals' facts (salama/cases/access_recovery.py)."""
    return access_recovery.referral_statistics_rows(user)


def days_to_first_service(made_at: datetime, first: date | None) -> int | None:
    """Whole days from the day of the referral to the first service (a
    service recorded before the referral counts as the same day)."""
    if first is None:
        return None
    return max((first - timezone.localdate(made_at)).days, 0)


def _month(moment: datetime) -> str:
    return timezone.localdate(moment).isoformat()[:7]


def _rate(part: int | None, whole: list[int | None]) -> int | None:
    """A percentage, or None when a count it comes from is hidden (or none)."""
    if part is None or any(n is None for n in whole):
        return None
    denominator = sum(n for n in whole if n is not None)
    return round(100 * part / denominator) if denominator else None


def referral_figures(user: Any, language: str = "en") -> tuple[list[TypeFigures], Figures]:
    """Each type of service with referrals: its total, by site, month, status
    and whether a service was delivered yet, suppressed together; then its
    acceptance rate ((accepted + completed) / answered), completion rate
    (completed / accepted, completed ones included) and the median days
    to the first service."""
    k = settings.SALAMA_SUPPRESSION_K
    rows = statistics_rows(user)
    names = site_names({row[1] for row in rows}, language)
    tallies: dict[str, dict[str, Counter[str]]] = {}
    waits: dict[str, list[int]] = {}
    for service_type, site_path, status, made_at, first in rows:
        groups = tallies.get(service_type)
        if groups is None:
            groups = {by: Counter() for by in BREAKDOWNS}
            groups["status"].update(dict.fromkeys(STATUSES, 0))
            groups["first_service"].update({DELIVERED: 0, NOT_YET: 0})
            tallies[service_type] = groups
        days = days_to_first_service(made_at, first)
        groups["site"][names.get(site_path, "?")] += 1
        groups["month"][_month(made_at)] += 1
        groups["status"][status] += 1
        groups["first_service"][NOT_YET if days is None else DELIVERED] += 1
        if days is not None:
            waits.setdefault(service_type, []).append(days)
    counted = Figures([], k)
    out = []
    for service_type in ServiceType.values:
        if service_type not in tallies:
            continue
        total, breakdowns = publish_breakdowns(tallies[service_type], BREAKDOWNS, k, counted)
        status = next(dict(b.rows) for b in breakdowns if b.by == "status")
        served = next(dict(b.rows) for b in breakdowns if b.by == "first_service")[DELIVERED]
        accepted, declined, completed = (
            status[Referral.Status.ACCEPTED],
            status[Referral.Status.DECLINED],
            status[Referral.Status.COMPLETED],
        )
        taken = None if accepted is None or completed is None else accepted + completed
        wait = waits.get(service_type, [])
        out.append(
            TypeFigures(
                service_type=service_type,
                total=total,
                breakdowns=breakdowns,
                acceptance=_rate(taken, [accepted, declined, completed]),
                completion=_rate(completed, [accepted, completed]),
                median_days=statistics.median(wait) if served and wait else None,
                served=served,
            )
        )
    return out, counted

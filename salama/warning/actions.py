"""Writes of early warning: raising alerts from the weekly counts, their
verification, and a site's risk factors. Each is one transaction, audited."""

import math
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.audit.actions import audit_record
from salama.core.models import Site
from salama.lib.ews.detect import detect
from salama.notifications.actions import notify
from salama.warning import access, signals
from salama.warning.models import Alert, Outcome, RiskFactor, Signal

PURPOSE = "protection"
HISTORY_WEEKS = 104  # enough for the Noufaily model's 78 weeks and more


class WarningError(ValueError):
    pass


def _weeks(first: date, last: date) -> list[date]:
    return [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]


def alerts_raise(now: datetime | None = None) -> dict[str, int]:
    """Score last week and this week of every site's signals, from the weeks
    before only, and raise an alert for each week that alarms (once)."""
    now = now or timezone.now()
    this_week = signals.monday(now)
    first = this_week - timedelta(weeks=HISTORY_WEEKS)
    raised = 0
    series = signals.weekly_series(first)
    sites = {s.path: s for s in Site.objects.filter(path__in={p for _, p in series})}
    for (signal, path), counts in series.items():
        start = min(counts)
        weeks = _weeks(start, this_week)
        scores = detect([counts.get(w, 0) for w in weeks], start=max(len(weeks) - 2, 0))
        for score in scores:
            if score.alarm and path in sites:
                week = weeks[score.week]
                raised += _raise(sites[path], signal, week, counts[week], score, now)
    for (path, week), n in signals.abductions_since(now - timedelta(days=14)).items():
        if path in sites or Site.objects.filter(path=path).exists():
            site = sites.get(path) or Site.objects.get(path=path)
            raised += _raise_event(site, week, n, now)
    return {"raised": raised, "series": len(series)}


def _raise(site: Site, signal: str, week: date, observed: int, score: Any, now: datetime) -> int:
    values = {
        "observed": observed,
        "expected": round(float(score.expected), 2),
        "upper": round(float(score.upper), 2) if math.isfinite(score.upper) else 0.0,
        "score": round(float(score.score), 2),
        "method": score.method,
    }
    return _create(site, signal, week, values, now)


def _raise_event(site: Site, week: date, observed: int, now: datetime) -> int:
    values = {"observed": observed, "expected": 0.0, "upper": 0.0, "score": 0.0}
    return _create(site, Signal.ABDUCTION, week, {**values, "method": "single-event"}, now)


@transaction.atomic
def _create(site: Site, signal: str, week: date, values: dict[str, Any], now: datetime) -> int:
    hours = settings.SALAMA_WARNING_VERIFY_HOURS
    alert, created = Alert.objects.get_or_create(
        site=site,
        signal=signal,
        week=week,
        defaults={
            **values,
            "site_path": site.path,
            "raised_at": now,
            "verify_by": now + timedelta(hours=hours),
        },
    )
    if not created:
        return 0
    audit_record(
        user=None, action="create", purpose=PURPOSE, model="warning.alert", record_id=alert.pk
    )
    reference = alert_reference(alert)
    transaction.on_commit(
        lambda: notify(
            recipients=access.protection_officers(site.path),
            kind="warning.alert_raised",
            subject=_("An early-warning alert to verify"),
            reference=reference,
            link=reverse("warning_alert", args=[alert.pk]),
        )
    )
    return 1


def alert_reference(alert: Alert) -> str:
    return f"EW-{alert.pk:06d}"


@transaction.atomic
def alert_verify(*, user: Any, alert: Alert, outcome: str, finding: str) -> Alert:
    if not access.may_verify(user, alert):
        raise WarningError(_("Only a protection officer of the site verifies its alerts."))
    if outcome not in Outcome.values:
        raise WarningError(_("Choose what the verification found."))
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    if locked.outcome:
        raise WarningError(_("This alert was verified already."))
    locked.outcome = outcome
    locked.finding = finding.strip()[:2000]
    locked.verified_by = user
    locked.verified_at = timezone.now()
    locked.save(update_fields=["outcome", "finding", "verified_by", "verified_at"])
    audit_record(
        user=user,
        action="change",
        purpose=PURPOSE,
        model="warning.alert",
        record_id=locked.pk,
        changed_fields=["outcome", "finding"],
    )
    return locked


def distance_km(site: Site, latitude: Decimal, longitude: Decimal) -> Decimal | None:
    """Great-circle distance from the site's coordinates, when it has them."""
    if site.latitude is None or site.longitude is None:
        return None
    lat1, lon1, lat2, lon2 = map(
        math.radians,
        (float(site.latitude), float(site.longitude), float(latitude), float(longitude)),
    )
    a = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return Decimal(round(2 * 6371.0 * math.asin(math.sqrt(a)), 1)).quantize(Decimal("0.1"))


@transaction.atomic
def risk_factor_add(*, user: Any, site: Site, data: dict[str, Any]) -> RiskFactor:
    """A risk factor near a site: the distance entered, or worked out from coordinates."""
    if data.get("kind") not in RiskFactor.Kind.values:
        raise WarningError(_("Choose the kind of risk factor."))
    lat, lon, km = data.get("latitude"), data.get("longitude"), data.get("distance_km")
    if km is None and lat is not None and lon is not None:
        km = distance_km(site, lat, lon)
    if km is None:
        raise WarningError(
            _("Give the distance, or the coordinates of both the factor and the site.")
        )
    factor = RiskFactor.objects.create(
        site=site,
        kind=data["kind"],
        name=(data.get("name") or "").strip(),
        latitude=lat,
        longitude=lon,
        distance_km=km,
        recorded_by=user,
        recorded_at=timezone.now(),
    )
    audit_record(
        user=user, action="create", purpose=PURPOSE, model="warning.riskfactor", record_id=factor.pk
    )
    return factor

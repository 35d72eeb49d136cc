"""Writes of early warning: raising alerts from the weekly counts, their
verification, and a site's risk factors. Each is one transaction, audited."""

import math
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.audit.actions import audit_record
from salama.core.models import Site
from salama.notifications.actions import notify
from salama.warning import access, scoring, signals
from salama.warning.models import Alert, Outcome, RiskFactor, Signal

PURPOSE = "protection"


class WarningError(ValueError):
    pass


def alerts_raise(now: datetime | None = None) -> dict[str, int]:
    """Score last week and this week of every camp's, zone's and block's
    signals from the weeks before only, scan each camp's blocks for clusters,
    and raise an alert for each finding (once), and for each abduction report."""
    now = now or timezone.now()
    counts = scoring.Counts.read(signals.monday(now))
    rises = scoring.rises(counts)
    raised = sum(_create(f, Alert.Kind.RISE, now) for f in rises)
    for cluster in _new_clusters(scoring.clusters(counts), counts.this_week):
        raised += _create(cluster, Alert.Kind.CLUSTER, now)
    for (path, week), n in signals.abductions_since(now - timedelta(days=14), counts.sites).items():
        site = counts.sites.places_of(path)[0]
        event = scoring.Finding(Signal.ABDUCTION, site, week, n, 0.0, 0.0, 0.0, "single-event")
        raised += _create(event, Alert.Kind.EVENT, now)
    return {"raised": raised, "series": len(counts.series)}


def _new_clusters(found: list[scoring.Finding], this_week: date) -> list[scoring.Finding]:
    """Clusters that say something new: not blocks that each have a rise alert of
    their own this week or last, and not a cluster of the camp raised in the last two
    weeks sharing a block (a cluster spans up to 3 weeks, so it would come back)."""
    recent = Alert.objects.filter(week__gte=this_week - timedelta(weeks=2))
    risen = set(
        recent.filter(kind=Alert.Kind.RISE, week__gte=this_week - timedelta(weeks=1)).values_list(
            "signal", "site_id"
        )
    )
    raised = {
        (a.site_id, a.signal): set(a.places)
        for a in recent.filter(kind=Alert.Kind.CLUSTER, week__lt=this_week)
    }
    return [
        c
        for c in found
        if not all((c.signal, b) in risen for b in c.places)
        and not raised.get((c.site.pk, c.signal), set()) & set(c.places)
    ]


def _same_rise(found: scoring.Finding) -> Alert | None:
    """A rise alert of the signal and week already raised at a place holding this one
    or held by it (an earlier run of the day saw the rise elsewhere first)."""
    path = found.site.path
    holders = Site.paths_holding(path)[:-1]
    return (
        Alert.objects.select_for_update()
        .filter(Q(site_path__in=holders) | Q(site_path__startswith=path))
        .filter(signal=found.signal, week=found.week, kind=Alert.Kind.RISE)
        .exclude(site=found.site)
        .first()
    )


@transaction.atomic
def _create(found: scoring.Finding, kind: str, now: datetime) -> int:
    hours = settings.SALAMA_WARNING_VERIFY_HOURS
    site = found.site
    if kind == Alert.Kind.RISE and (same := _same_rise(found)) is not None:
        if site.pk not in same.places:  # one alert per rise: it names this place too
            same.places = [*same.places, site.pk]
            same.save(update_fields=["places"])
            audit_record(
                user=None,
                action="change",
                purpose=PURPOSE,
                model="warning.alert",
                record_id=same.pk,
                changed_fields=["places"],
            )
        return 0
    alert, created = Alert.objects.get_or_create(
        site=site,
        signal=found.signal,
        week=found.week,
        kind=kind,
        defaults={
            "observed": found.observed,
            "denominator": found.denominator,
            "places": found.places,
            "expected": round(found.expected, 2),
            "upper": round(found.upper, 2),
            "score": round(found.score, 2),
            "method": found.method,
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

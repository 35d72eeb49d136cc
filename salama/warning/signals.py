"""Weekly counts per site (the camp or settlement) for each signal, read as
counts only: no record leaves this module. Only records whose legal basis
allows statistics are counted (PROTECTION.md 11): missing reports marked
counted, absence alerts and referrals of people who allow it or consented,
screening indicators as counted at the time of screening. Stopped marriages
and complaints hold no names and are all counted (their own figures count
them so)."""

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.utils import timezone

from salama.cases.models import Referral
from salama.civil.models import StoppedMarriage
from salama.complaints.models import Complaint
from salama.core.models import Site
from salama.lib.tracing import urgency
from salama.presence.models import AbsenceAlert
from salama.screening.models import IndicatorCount
from salama.tracing.models import TracingCase
from salama.warning.models import Signal

# Screening indicators (salama/screening/instruments) behind each signal.
INDICATORS: dict[str, tuple[str, ...]] = {
    Signal.SURVIVAL_SEX: ("survival_sex", "child_sexual_exploitation"),
    Signal.MARRIAGE_OFFER: ("offer_marriage", "forced_marriage", "child_married"),
    Signal.JOB_OFFER: ("offer_work", "offer_travel", "act_recruited"),
    Signal.HELD: ("d2_isolation", "d5_isolation", "d2_abduction"),
    Signal.CHILD_LABOUR: ("child_works", "child_hazardous_work", "child_breadwinner"),
}
Series = dict[tuple[str, str], Counter[date]]  # (signal, site path) → week → count


def monday(moment: datetime | date) -> date:
    day = timezone.localtime(moment).date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


class Sites:
    """Each path → the camp or settlement holding it (the nearest site with a kind)."""

    def __init__(self) -> None:
        self.by_id = {str(s.pk): s for s in Site.objects.all()}

    def site_of(self, path: str) -> Site | None:
        ids = [i for i in path.strip("/").split("/") if i]
        return next(
            (self.by_id[i] for i in reversed(ids) if i in self.by_id and self.by_id[i].kind), None
        )


def weekly_series(since: date) -> Series:
    """Every signal's weekly counts per site from `since` (a Monday) on."""
    sites = Sites()
    series: Series = defaultdict(Counter)

    def add(signal: str, rows: Iterable[tuple[str, datetime | date]], n: int = 1) -> None:
        for path, moment in rows:
            site = sites.site_of(path)
            if site is not None:
                series[(signal, site.path)][monday(moment)] += n

    start = timezone.make_aware(datetime.combine(since, datetime.min.time()))
    add(
        Signal.MISSING,
        TracingCase.objects.filter(counted=True, opened_at__gte=start).values_list(
            "site_path", "opened_at"
        ),
    )
    add(
        Signal.ABSENCE,
        AbsenceAlert.objects.filter(
            created_at__gte=start, person__legal_bases__purpose="statistics"
        )
        .distinct()
        .values_list("site_path", "created_at"),
    )
    add(
        Signal.MARRIAGE_STOPPED,
        StoppedMarriage.objects.filter(at__gte=start).values_list("site_path", "at"),
    )
    add(
        Signal.REFERRAL,
        Referral.objects.filter(
            made_at__gte=start,
            consent_given=True,
            withdrawn_at__isnull=True,
            case_type__in=["trafficking", "gbv"],
        )
        .exclude(status=Referral.Status.WITHDRAWN)
        .values_list("site_path", "made_at"),
    )
    add(
        Signal.COMPLAINT,
        Complaint.objects.filter(received_at__gte=start).values_list("site_path", "received_at"),
    )
    for signal, indicators in INDICATORS.items():
        for path, week, n in IndicatorCount.objects.filter(
            week__gte=since, indicator__in=indicators
        ).values_list("site_path", "week", "count"):
            site = sites.site_of(path)
            if site is not None:
                series[(signal, site.path)][week] += n
    return series


def abductions_since(moment: datetime) -> Counter[tuple[str, date]]:
    """Counted missing reports that name an abduction, per site and week: a
    single one warrants an alert. The reason is encrypted, so read here."""
    sites = Sites()
    found: Counter[tuple[str, date]] = Counter()
    for path, opened, reasons in TracingCase.objects.filter(
        counted=True, opened_at__gte=moment
    ).values_list("site_path", "opened_at", "urgency_reasons"):
        site = sites.site_of(path)
        if site is not None and urgency.ABDUCTION in (reasons or []):
            found[(site.path, monday(opened))] += 1
    return found

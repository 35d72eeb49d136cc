"""Weekly counts for each signal, per camp or settlement and per zone and
block inside it, read as counts only: no record leaves this module. Only
records whose legal basis allows statistics are counted (PROTECTION.md 11):
missing reports marked counted, absence alerts and referrals of people who
allow it or consented, screening indicators as counted at the time of
screening. Stopped marriages and complaints hold no names and are all counted
(their own figures count them so). The denominators are read the same way:
screenings done per week, and the registered population each week."""

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from salama.cases.models import Referral
from salama.civil.models import StoppedMarriage
from salama.complaints.models import Complaint
from salama.core.models import Site
from salama.lib.tracing import urgency
from salama.presence.models import AbsenceAlert
from salama.registry.models import LegalBasis, Person
from salama.screening.models import IndicatorCount, ScreeningCount
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
Weekly = Counter[date]  # week (its Monday) → count
Series = dict[tuple[str, str], Weekly]  # (signal, place path) → weekly counts


def monday(moment: datetime | date) -> date:
    day = timezone.localtime(moment).date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


class Sites:
    """Each path → the camp or settlement holding it (the nearest site with a
    kind), and the zone and block inside it that the path lies in."""

    def __init__(self) -> None:
        self.by_id = {str(s.pk): s for s in Site.objects.all()}
        self._places: dict[str, list[Site]] = {}

    def site_of(self, path: str) -> Site | None:
        places = self.places_of(path)
        return places[0] if places else None

    def places_of(self, path: str) -> list[Site]:
        """The camp first, then the zone and the block below it, as far as the path goes."""
        if path not in self._places:
            chain = [self.by_id[i] for i in path.strip("/").split("/") if i in self.by_id]
            camp = next((n for n in range(len(chain) - 1, -1, -1) if chain[n].kind), None)
            self._places[path] = [] if camp is None else chain[camp:]
        return self._places[path]

    def blocks_of(self, camp: Site) -> list[Site]:
        return sorted(
            (s for s in self.by_id.values() if s.level == "block" and s.path.startswith(camp.path)),
            key=lambda s: s.path,
        )


def _allowing_statistics() -> QuerySet[LegalBasis, Any]:
    """Ids of the people whose legal basis allows statistics, as a subquery: a join
    and distinct() over a few columns would merge different people's rows."""
    return LegalBasis.objects.filter(purpose="statistics").values("person_id")


def weekly_series(since: date, sites: Sites) -> Series:
    """Every signal's weekly counts per camp, zone and block from `since` (a Monday) on."""
    series: Series = defaultdict(Counter)

    def add(signal: str, rows: Iterable[tuple[str, datetime | date]], n: int = 1) -> None:
        for path, moment in rows:
            for place in sites.places_of(path):
                series[(signal, place.path)][monday(moment)] += n

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
            created_at__gte=start, person_id__in=_allowing_statistics()
        ).values_list("site_path", "created_at"),
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
            for place in sites.places_of(path):
                series[(signal, place.path)][week] += n
    return series


def screenings_weekly(since: date, sites: Sites) -> dict[str, Weekly]:
    """People screened per week at each camp, zone and block: the trials of
    the screening-indicator signals, whose counts are of people screened."""
    done: dict[str, Weekly] = defaultdict(Counter)
    for path, week, n in ScreeningCount.objects.filter(week__gte=since).values_list(
        "site_path", "week", "count"
    ):
        for place in sites.places_of(path):
            done[place.path][week] += n
    return done


def population_weekly(weeks: list[date], sites: Sites) -> dict[str, list[int]]:
    """Registered residents at each camp, zone and block in each of `weeks`
    (consecutive Mondays): registered by the week's end and alive at its start."""
    first, n = weeks[0], len(weeks)
    change: dict[str, list[int]] = defaultdict(lambda: [0] * (n + 1))
    rows = Person.objects.filter(
        merged_into__isnull=True, pk__in=_allowing_statistics()
    ).values_list("site_path", "created_at", "died_on")
    for path, created, died in rows:
        came = max(0, (monday(created) - first).days // 7)
        gone = n if died is None else max(0, (monday(died) - first).days // 7 + 1)
        if came >= min(gone, n):
            continue
        for place in sites.places_of(path):
            change[place.path][came] += 1
            change[place.path][min(gone, n)] -= 1
    return {path: _running_sum(steps)[:n] for path, steps in change.items()}


def _running_sum(steps: list[int]) -> list[int]:
    total, out = 0, []
    for step in steps:
        total += step
        out.append(total)
    return out


def abductions_since(moment: datetime, sites: Sites) -> Counter[tuple[str, date]]:
    """Counted missing reports that name an abduction, per camp and week: a
    single one warrants an alert. The reason is encrypted, so read here."""
    found: Counter[tuple[str, date]] = Counter()
    for path, opened, reasons in TracingCase.objects.filter(
        counted=True, opened_at__gte=moment
    ).values_list("site_path", "opened_at", "urgency_reasons"):
        site = sites.site_of(path)
        if site is not None and urgency.ABDUCTION in (reasons or []):
            found[(site.path, monday(opened))] += 1
    return found

"""The four-pillar report of one site (and everything below it) for one period:
every figure computed from the other capabilities' records as counts only,
with its definition, small cells hidden with secondary suppression and a
tally of what was hidden (PROTECTION.md 11, 12). No record leaves here."""

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from salama.cases.models import CaseType, Eligibility, ProtectionCase, Referral, ServiceDelivery
from salama.cases.models import ServiceType as CaseServiceType
from salama.civil.actions import PRINCIPAL
from salama.civil.models import CivilEvent, EventType, Party, StoppedMarriage
from salama.civil.models import Status as CivilStatus
from salama.complaints.models import Complaint
from salama.complaints.models import Status as ComplaintStatus
from salama.core.models import Site
from salama.lib.ages import best_age
from salama.presence.models import PresenceCheck
from salama.registry.models import Person
from salama.reports.definitions import DEFINITIONS, PILLARS
from salama.reports.models import CommitteeRecord, Consultation, WpsScore
from salama.screening.models import Screening
from salama.screening.selectors import Figures, publish_breakdowns
from salama.tracing.models import TracingCase
from salama.warning.models import Alert, Outcome

STATISTICS = "statistics"
WAITING = "waiting"
LABELS: dict[str, Promise] = {
    "F": _("Female"),
    "M": _("Male"),
    "X": _("Other"),
    "U": _("Unknown"),
    "children": _("Children (under 18)"),
    "adults": _("Adults (18 and over)"),
    "unknown": _("Age unknown"),
    "answered_yes": _("Accepted or service delivered"),
    "pending": _("Waiting for an answer"),
    "answered_no": _("Declined or cancelled"),
    "open": _("Open"),
    "closed": _("Closed"),
    "women": _("Women"),
    "girls": _("Girls"),
    "men": _("Men"),
    "boys": _("Boys"),
    "members": _("Other members"),
    WAITING: _("Waiting for verification"),
    **{v: label for v, label in EventType.choices},
    **{v: label for v, label in CaseType.choices},
    **{v: label for v, label in CaseServiceType.choices},
    **{v: label for v, label in Eligibility.Programme.choices},
    **{v: label for v, label in Outcome.choices},
    **{v: label for v, label in Consultation.Kind.choices},
}


@dataclass
class Breakdown:
    by: str
    rows: list[tuple[str, int | None]]
    grouped: bool = False  # coarser groups than asked, so that counts pass k

    def labelled(self) -> list[tuple[str, int | None]]:
        return [(str(LABELS.get(code, code)), n) for code, n in self.rows]


@dataclass
class Figure:
    key: str
    value: float | None  # None: hidden
    unit: str = "count"  # count, percent, days
    breakdowns: list[Breakdown] = field(default_factory=list)

    @property
    def definition(self) -> Any:
        return DEFINITIONS[self.key]


@dataclass
class Pillar:
    key: str
    figures: list[Figure]

    @property
    def label(self) -> Promise:
        return PILLARS[self.key]


@dataclass
class Report:
    site: Site
    start: date
    end: date  # the last day, included
    k: int
    pillars: list[Pillar]
    tally: Figures
    wps: list[WpsScore]
    raw: dict[str, dict[str, Counter[str]]] = field(default_factory=dict, repr=False)

    @property
    def hidden(self) -> int:
        return self.tally.hidden_small + self.tally.hidden_secondary

    def figures(self) -> Iterable[Figure]:
        for pillar in self.pillars:
            yield from pillar.figures


class Period:
    """[start, end] as days, and as aware datetimes for the records' moments."""

    def __init__(self, start: date, end: date) -> None:
        if end < start:
            raise ValueError("the period ends before it starts")
        self.start, self.end = start, end
        tz = timezone.get_current_timezone()
        self.since = datetime.combine(start, time.min, tz)
        self.until = datetime.combine(end + timedelta(days=1), time.min, tz)

    def moments(self, name: str) -> Q:
        return Q(**{f"{name}__gte": self.since, f"{name}__lt": self.until})

    def days(self, name: str) -> Q:
        return Q(**{f"{name}__gte": self.start, f"{name}__lte": self.end})


class Builder:
    """Publishes each count with its breakdowns through the one suppression
    routine every figure of Salama uses, and keeps the tally."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.tally = Figures([], k)
        # The true counts, for noise to be added to (salama/reports/sharing.py):
        # never shown, never sent anywhere as they are.
        self.raw: dict[str, dict[str, Counter[str]]] = {}

    def hide(self, n: int) -> int | None:
        """A count that only feeds another figure: None when it is small."""
        self.tally.cells += 1
        if 0 < n < self.k:
            self.tally.hidden_small += 1
            return None
        return n

    def single(self, key: str, n: int) -> Figure:
        """A count without a breakdown."""
        if not DEFINITIONS[key].suppressed:
            return Figure(key, n)
        self.raw[key] = {"all": Counter({"all": n})}
        return Figure(key, self.hide(n))

    def count(self, key: str, by: str, groups: Counter[str]) -> Figure:
        return self.counts(key, {by: groups}, (by,))

    def counts(self, key: str, groups: dict[str, Counter[str]], order: tuple[str, ...]) -> Figure:
        """A count with its breakdowns of the same total (by sex, by age),
        suppressed together so that none undoes another."""
        if not DEFINITIONS[key].suppressed:
            exact: list[Breakdown] = [Breakdown(by, sorted(groups[by].items())) for by in order]
            return Figure(key, sum(groups[order[0]].values()), breakdowns=exact)
        self.raw[key] = {by: groups[by] for by in order}
        total, published = publish_breakdowns(groups, order, self.k, self.tally)
        shown = [Breakdown(b.by, b.rows, b.grouped) for b in published]
        return Figure(key, total, breakdowns=shown)


def percent(part: float | None, whole: float | None) -> float | None:
    """A share shown only when both counts are (PROTECTION.md 12)."""
    if part is None or whole is None or whole == 0:
        return None
    return round(100 * part / whole)


def under(site: Site, name: str = "site_path") -> Q:
    return Q(**{f"{name}__startswith": site.path})


def _allows_statistics(prefix: str = "") -> Q:
    return Q(**{f"{prefix}legal_bases__purpose": STATISTICS})


def _age_group(person: Person, on: date) -> str:
    age = best_age(person.birth_date, person.birth_year_min, person.birth_year_max, on)
    if age is None:
        return "unknown"
    return "children" if age < 18 else "adults"


def prevention(b: Builder, site: Site, p: Period) -> tuple[list[Figure], float | None]:
    residents = (
        Person.objects.filter(
            _allows_statistics(),
            Q(died_on__isnull=True) | Q(died_on__gt=p.end),
            under(site),
            merged_into__isnull=True,
            created_at__lt=p.until,
        )
        .distinct()
        .only("sex", "birth_date", "birth_year_min", "birth_year_max")
    )
    sex: Counter[str] = Counter()
    age: Counter[str] = Counter()
    for person in residents:
        sex[person.sex or "U"] += 1
        age[_age_group(person, p.end)] += 1
    registered = b.counts("registered", {"sex": sex, "age_group": age}, ("sex", "age_group"))
    screenings = Screening.objects.filter(
        p.moments("screened_at"), under(site), person__legal_bases__purpose=STATISTICS
    ).distinct()
    screened = b.count("screenings", "sex", Counter(screenings.values_list("sex", flat=True)))
    people_screened = screenings.values("person_id").distinct().count()
    coverage_count = None if screened.value is None else b.hide(people_screened)
    coverage = Figure(
        "screening_coverage", percent(coverage_count, registered.value), unit="percent"
    )
    principal = Exists(
        Party.objects.filter(
            event=OuterRef("pk"),
            role__in=set(PRINCIPAL.values()),
            person__legal_bases__purpose=STATISTICS,
        )
    )
    events = CivilEvent.objects.filter(
        p.moments("registered_at"), under(site), status=CivilStatus.REGISTERED
    ).filter(principal)
    civil = b.count(
        "civil_registrations", "event", Counter(events.values_list("event_type", flat=True))
    )
    stopped = StoppedMarriage.objects.filter(p.moments("at"), under(site)).count()
    marriages = b.single("marriages_stopped", stopped)
    alerts = Alert.objects.filter(p.moments("raised_at"), under(site))
    outcomes = Counter(o or WAITING for o in alerts.values_list("outcome", flat=True))
    alerted = b.count("alerts", "outcome", outcomes)
    verified = sum(n for o, n in outcomes.items() if o != WAITING)
    false_rate = Figure(
        "false_alarm_rate",
        percent(outcomes.get(Outcome.FALSE_ALARM, 0), verified or None),
        unit="percent",
    )
    checks = PresenceCheck.objects.filter(p.moments("held_at"), under(site)).count()
    held = b.single("presence_checks", checks)
    figures = [registered, held, screened, coverage, civil, marriages, alerted, false_rate]
    return figures, registered.value


def _referral_answer(status: str) -> str:
    if status in (Referral.Status.ACCEPTED, Referral.Status.COMPLETED):
        return "answered_yes"
    return "pending" if status == Referral.Status.PENDING else "answered_no"


def protection(b: Builder, site: Site, p: Period) -> list[Figure]:
    cases = ProtectionCase.objects.filter(
        p.moments("opened_at"), under(site), person__legal_bases__purpose=STATISTICS
    ).distinct()
    opened = b.count(
        "identifications", "case_type", Counter(cases.values_list("case_type", flat=True))
    )
    referrals = Referral.objects.filter(
        p.moments("made_at"), under(site), consent_given=True, withdrawn_at__isnull=True
    ).exclude(status=Referral.Status.WITHDRAWN)
    answers = Counter(_referral_answer(s) for s in referrals.values_list("status", flat=True))
    referred = b.count("referrals", "answer", answers)
    missing = TracingCase.objects.filter(p.moments("opened_at"), under(site), counted=True)
    states = Counter(
        "open" if c is None else "closed" for c in missing.values_list("closed_at", flat=True)
    )
    traced = b.count("missing_reports", "status", states)
    complaints = list(
        Complaint.objects.filter(p.moments("received_at"), under(site)).values_list(
            "status", "received_at", "acknowledged_at"
        )
    )
    handled = Counter(
        "closed" if s == ComplaintStatus.CLOSED else "open" for s, _r, _a in complaints
    )
    complained = b.count("complaints", "status", handled)
    waits = [(a - r).days for _s, r, a in complaints if a is not None]
    median = None
    if complained.value is not None and waits and len(waits) >= b.k:
        median = float(statistics.median(waits))
    ack = Figure("complaint_ack_days", median, unit="days")
    return [opened, referred, traced, complained, ack]


def participation(b: Builder, site: Site, p: Period) -> list[Figure]:
    sessions = list(Consultation.objects.filter(p.days("held_on"), under(site)))
    kinds = Counter(s.kind for s in sessions)
    held = b.count("consultations", "kind", kinds)
    people = Counter(
        {g: sum(getattr(s, g) for s in sessions) for g in ("women", "girls", "men", "boys")}
    )
    took_part = b.count("participants", "group", people)
    survivors = b.single("survivor_sessions", sum(s.with_survivors for s in sessions))
    latest: dict[tuple[int, str], CommitteeRecord] = {}
    for record in CommitteeRecord.objects.filter(under(site), as_of__lte=p.end).order_by(
        "as_of", "pk"
    ):
        latest[(record.site_id, record.name.strip().lower())] = record
    members = sum(r.members for r in latest.values())
    women = sum(r.women for r in latest.values())
    committees = Figure(
        "committee_women",
        percent(women, members or None),
        unit="percent",
        breakdowns=[Breakdown("group", [("women", women), ("members", members - women)])]
        if latest
        else [],
    )
    return [held, took_part, survivors, committees]


def recovery(b: Builder, site: Site, p: Period) -> list[Figure]:
    with_statistics = Q(case__person__legal_bases__purpose=STATISTICS)
    delivered = (
        ServiceDelivery.objects.filter(p.days("delivered_on"), with_statistics)
        .filter(under(site, "case__site_path"))
        .exclude(outcome=ServiceDelivery.Outcome.NOT_TAKEN)
        .distinct()
    )
    services = b.count(
        "services", "service_type", Counter(delivered.values_list("service_type", flat=True))
    )
    flags = (
        Eligibility.objects.filter(
            with_statistics,
            status__in=(Eligibility.Status.ELIGIBLE, Eligibility.Status.APPLIED),
            recorded_at__lt=p.until,
        )
        .filter(under(site, "case__site_path"))
        .distinct()
    )
    eligible = b.count(
        "eligibility", "programme", Counter(flags.values_list("programme", flat=True))
    )
    closed = ProtectionCase.objects.filter(
        p.moments("closed_at"),
        under(site),
        closure_reason=ProtectionCase.Closure.GOALS_MET,
        person__legal_bases__purpose=STATISTICS,
    ).distinct()
    done = b.single("reintegration", closed.count())
    return [services, eligible, done]


def wps_context(site: Site) -> list[WpsScore]:
    """The WPS Index scores of the site's country (its top-level site's code,
    ISO alpha-2 or alpha-3), newest edition first."""
    from django_countries import countries

    root = site
    while root.parent_id is not None:
        root = root.parent  # type: ignore[assignment]
    code = root.code.strip().upper()
    iso3 = countries.alpha3(code) if len(code) == 2 else code
    return list(WpsScore.objects.filter(country_iso3=iso3 or code))


def pillar_report(site: Site, start: date, end: date, k: int) -> Report:
    """Every figure of the four pillars at `site` for [start, end]."""
    period = Period(start, end)
    b = Builder(k)
    prevented, _registered = prevention(b, site, period)
    pillars = [
        Pillar("prevention", prevented),
        Pillar("protection", protection(b, site, period)),
        Pillar("participation", participation(b, site, period)),
        Pillar("recovery", recovery(b, site, period)),
    ]
    return Report(site, start, end, k, pillars, b.tally, wps_context(site), b.raw)

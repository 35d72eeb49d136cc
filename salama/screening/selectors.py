"""Reads for screening pages that are not single records."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from salama.core import access as core_access
from salama.core.models import Site
from salama.core.roles import Role
from salama.lib.masking import masked
from salama.lib.suppression import PRIMARY, SECONDARY, Partition, suppress, suppress_partition
from salama.registry.households import site_path_ancestors
from salama.screening import access, catalogue, results
from salama.screening.codes import PROFILE_LABELS, WITH_LABELS, referral_labels
from salama.screening.models import ALERT_LEVELS, FieldLoginFailure

FIELD_LOCKOUT = timedelta(minutes=15)  # as for the login page


def field_login_failures(username: str, now: datetime | None = None) -> int:
    """Failed Digest sign-ins of USERNAME in the lockout window, counted by every
    server process alike (they share the database)."""
    since = (now or timezone.now()) - FIELD_LOCKOUT
    return FieldLoginFailure.objects.filter(username=username, failed_at__gte=since).count()


def alert_rows(user: Any, alerts: Any, language: str = "en") -> list[dict[str, Any]]:
    """Alerts with names masked for roles that may not see survivors' names, each
    with the outcome its instrument gave, in the reader's language."""
    may_see = core_access.sees_survivor_names(user)
    return [
        {
            "alert": a,
            "name": masked(a.person.name(), survivor=a.person.mask_name, viewer_may_see=may_see),
            "outcome": outcome_label(a.screening.instrument, a.screening.outcome, language),
            "instrument": instrument_title(a.screening.instrument, language),
            "referrals": referral_labels(a.referrals),
        }
        for a in alerts
    ]


# Apps built on screening may route a new alert: a route gets (screener,
# alert) and returns who is told, or None to leave it to the next one. The
# cases app routes the alerts of a person with an open case to that case's
# caseworker and supervisor (salama/cases/apps.py).
ALERT_ROUTES: list[Callable[[Any, Any], list[Any] | None]] = []


def routed_alert_recipients(screener: Any, alert: Any) -> Any:
    """Who is told of a new alert: the first route that answers, else every
    caseworker and protection officer of the screener's organisations at the site."""
    for route in ALERT_ROUTES:
        routed = route(screener, alert)
        if routed is not None:
            return routed
    return alert_recipients(screener, alert.site_path)


def alert_recipients(screener: Any, site_path: str) -> Any:
    """Active caseworkers and protection officers whose memberships in one of the
    screener's organisations cover the site at `site_path` (the screener aside)."""
    organisations = screener.memberships.values("organisation")
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__role__in=[Role.CASEWORKER.value, Role.PROTECTION_OFFICER.value],
            memberships__sites__path__in=site_path_ancestors(site_path),
            memberships__organisation__in=organisations,
        )
        .exclude(pk=screener.pk)
        .distinct()
        .order_by("pk")
    )


def outcome_label(instrument_id: str, outcome_id: str, language: str) -> str:
    instrument = catalogue.instruments().get(instrument_id)
    outcome = (
        next((o for o in instrument.outcomes if o.id == outcome_id), None) if instrument else None
    )
    return outcome.label.get(language) if outcome else outcome_id


def instrument_title(instrument_id: str, language: str) -> str:
    instrument = catalogue.instruments().get(instrument_id)
    return instrument.title.get(language) if instrument else instrument_id


@dataclass
class CountRow:
    site: str
    week: str
    sex: str
    age_group: str
    instrument: str
    indicator: str
    count: int | None  # None: suppressed


def site_names(paths: set[str], language: str = "en") -> dict[str, str]:
    """Each site path → the name of its camp or settlement (the nearest site
    with a kind), so that counts are by site, not by block."""
    sites = {str(s.pk): s for s in Site.objects.all()}

    def name(path: str) -> str:
        ids = [i for i in path.strip("/").split("/") if i]
        chosen = next((sites[i] for i in reversed(ids) if i in sites and sites[i].kind), None)
        chosen = chosen or (sites.get(ids[-1]) if ids else None)
        return chosen.name_in(language) if chosen else "?"

    return {p: name(p) for p in paths}


def indicator_counts(user: Any) -> list[CountRow]:
    """People screened with each indicator present, by site, week, sex, age
    group and instrument, counting only people whose legal basis allows
    statistics (PROTECTION.md 11), small cells hidden (PROTECTION.md 12)."""
    k = settings.SALAMA_SUPPRESSION_K
    rows = access.statistics_rows(user)
    names = site_names({row["site_path"] for row in rows})
    counts: Counter[tuple[str, ...]] = Counter()
    for row in rows:
        key = (
            names.get(row["site_path"], "?"),
            row["week"],
            row["sex"],
            row["age_group"],
            row["instrument"],
            row["item"],
        )
        counts[key] += row["n"]
    return [
        CountRow(site, week, sex, age, instrument, item, suppress(n, k))
        for (site, week, sex, age, instrument, item), n in sorted(counts.items())
    ]


def indicator_label(instrument_id: str, item_id: str, language: str) -> str:
    instrument = catalogue.instruments().get(instrument_id)
    try:
        return instrument.item(item_id).title(language) if instrument else item_id
    except KeyError:
        return item_id


# The breakdowns published beside each indicator's total: one variable at a
# time, so that each is a partition of the same total and the secondary
# suppression of one cannot be undone with another. The full cross-table
# (site x week x sex x age) is not published: at camp scale nearly every cell
# would be hidden, and beside these totals its hidden cells could be worked out.
BREAKDOWNS = ("site", "sex", "age_group", "week")


@dataclass
class Breakdown:
    by: str
    rows: list[tuple[str, int | None]]
    grouped: bool = False  # coarser groups than the finest, so that counts pass the threshold


def _age_coarse(band: str) -> str:
    low = band.split("-")[0].rstrip("+")
    return "unknown" if not low.isdigit() else ("0-17" if int(low) < 18 else "18+")


def _month_of_week(week: str) -> str:
    """The month of a week (its Monday's date), as ISO 8601 counts it: the
    month of its Thursday, so that the week of Monday 30 November 2026 is
    December's."""
    try:
        return (date.fromisoformat(week) + timedelta(days=3)).isoformat()[:7]
    except ValueError:
        return week[:7]


# For each breakdown, coarser groupings to fall back on, finest first: the
# first one that hides nothing is published (only one per variable, so that
# no hidden cell of one can be worked out from another).
COARSER: dict[str, tuple[Any, ...]] = {
    "age_group": (_age_coarse,),
    "level": (lambda level: "alert" if level in ALERT_LEVELS else "no_alert",),
    "week": (_month_of_week,),
}


@dataclass
class IndicatorFigures:
    instrument: str
    indicator: str
    total: int | None
    breakdowns: list[Breakdown]


@dataclass
class Figures:
    indicators: list[IndicatorFigures]
    k: int
    cells: int = 0
    hidden_small: int = 0
    hidden_secondary: int = 0


def indicator_figures(user: Any, language: str = "en") -> Figures:
    """Each indicator's total and its breakdowns by site, sex, age group and
    week, over people whose legal basis allows statistics (PROTECTION.md 11),
    with small cells hidden and enough others hidden beside them that none can
    be recomputed from the totals (PROTECTION.md 12)."""
    k = settings.SALAMA_SUPPRESSION_K
    rows = access.statistics_rows(user)
    names = site_names({row["site_path"] for row in rows}, language)
    tallies: dict[tuple[str, str], dict[str, Counter[str]]] = {}
    for row in rows:
        key = (row["instrument"], row["item"])
        groups = tallies.setdefault(key, {by: Counter() for by in BREAKDOWNS})
        values = {**row, "site": names.get(row["site_path"], "?")}
        for by in BREAKDOWNS:
            groups[by][str(values[by])] += row["n"]
    figures = Figures([], k)
    for (instrument, item), groups in sorted(tallies.items()):
        total, breakdowns = publish_breakdowns(groups, BREAKDOWNS, k, figures)
        figures.indicators.append(IndicatorFigures(instrument, item, total, breakdowns))
    return figures


SCREENING_BREAKDOWNS = ("level", "site", "sex", "age_group")


@dataclass
class ScreeningFigures:
    instrument: str
    total: int | None
    breakdowns: list[Breakdown]


def screening_figures(user: Any, language: str = "en") -> tuple[list[ScreeningFigures], Figures]:
    """People screened with each instrument, and by result, site, sex and age
    group: coarser than the indicators, so that they pass the threshold
    sooner; suppressed as the indicators are. The Figures carry the counts of
    cells published and hidden."""
    k = settings.SALAMA_SUPPRESSION_K
    rows = access.screening_statistics_rows(user)
    names = site_names({row["site_path"] for row in rows}, language)
    tallies: dict[str, dict[str, Counter[str]]] = {}
    for row in rows:
        groups = tallies.setdefault(row["instrument"], {b: Counter() for b in SCREENING_BREAKDOWNS})
        values = {**row, "site": names.get(row["site_path"], "?")}
        for by in SCREENING_BREAKDOWNS:
            groups[by][str(values[by])] += row["n"]
    counted = Figures([], k)
    out = []
    for instrument, groups in sorted(tallies.items()):
        total, breakdowns = publish_breakdowns(groups, SCREENING_BREAKDOWNS, k, counted)
        out.append(ScreeningFigures(instrument, total, breakdowns))
    return out, counted


def publish_breakdowns(
    groups: dict[str, Counter[str]], order: tuple[str, ...], k: int, counted: Figures
) -> tuple[int | None, list[Breakdown]]:
    """One total and its breakdowns, suppressed together; tallies what was hidden.
    The tracing desk's figures publish theirs the same way."""
    chosen = {by: _grouping(groups[by], by, k) for by in order}
    counts = {by: chosen[by][0] for by in order}
    labels = {by: sorted(counts[by]) for by in order}
    published = {by: suppress_partition([counts[by][g] for g in labels[by]], k) for by in order}
    if any(p.total_reason == SECONDARY for p in published.values()):
        # One breakdown can only be protected by hiding the total: hide it all,
        # or another breakdown would give the total away.
        published = {by: _all_hidden(counts[by], labels[by]) for by in order}
    first = published[order[0]]
    counted.cells += 1 + sum(len(p.cells) for p in published.values())
    counted.hidden_small += (first.total_reason == PRIMARY) + sum(
        r == PRIMARY for p in published.values() for r in p.reasons
    )
    counted.hidden_secondary += (first.total_reason == SECONDARY) + sum(
        r == SECONDARY for p in published.values() for r in p.reasons
    )
    breakdowns = [
        Breakdown(by, list(zip(labels[by], published[by].cells, strict=True)), chosen[by][1])
        for by in order
    ]
    return first.total, breakdowns


def _grouping(fine: Counter[str], by: str, k: int) -> tuple[Counter[str], bool]:
    """The finest grouping of a breakdown whose counts all pass the threshold
    (or the coarsest there is), and whether it is coarser than the finest."""
    options = [fine]
    for coarsen in COARSER.get(by, ()):
        coarse: Counter[str] = Counter()
        for group, n in fine.items():
            coarse[coarsen(group)] += n
        options.append(coarse)
    for option in options:
        published = suppress_partition(list(option.values()), k)
        if not any(published.reasons) and published.total_reason is None:
            return option, option is not fine
    return options[-1], len(options) > 1


def _all_hidden(counts: Counter[str], labels: list[str]) -> Partition:
    reasons: list[str | None] = [
        PRIMARY if 0 < counts[g] < settings.SALAMA_SUPPRESSION_K else SECONDARY for g in labels
    ]
    return Partition([None] * len(labels), None, reasons, SECONDARY)


def form_title(form_id: str, language: str) -> str:
    """A field form's title: its instrument's in the reader's language, or the
    case-intake form's own."""
    instrument = catalogue.instruments().get(form_id)
    if instrument is not None:
        return instrument.title.get(language)
    from salama.screening.field_forms import field_forms

    form = field_forms().get(form_id)
    return form.title if form and form.title else form_id


def submission_fields(submission: Any, language: str = "en") -> list[tuple[str, str]]:
    """The answers of a stored submission, for the reviewer: each question as
    the form asked it and the answer in words where the instrument has them."""
    from salama.lib.screening.submission import parse

    fields = {k: v for k, v in parse(submission.xml).fields.items() if v}
    instrument = catalogue.instruments().get(submission.form_id)
    if instrument is None:
        return list(fields.items())
    teller = results.Teller(instrument, language)
    meta = {
        "registry_id": _("Registration number given"),
        "profile": _("Profile"),
        "administered_with": _("Who was present"),
        "profile_reason": _("Why this profile"),
    }
    out = []
    for name, value in fields.items():
        if name in teller.items:
            out.append((teller.item(name), teller.answer(name, value)))
        elif name == "profile":
            out.append((str(meta[name]), str(PROFILE_LABELS.get(value, value))))
        elif name == "administered_with":
            out.append((str(meta[name]), str(WITH_LABELS.get(value, value))))
        else:
            out.append((str(meta.get(name, name)), value))
    return out

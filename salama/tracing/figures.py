"""The desk's figures (issue 10 section 7): reports by site, week, sex, age
group, time to first action and outcome, over cases whose legal basis allows
statistics, with small cells hidden and enough others beside them that none
can be recomputed (PROTECTION.md 11-12). The early-warning issue reads them."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from salama.screening.selectors import Breakdown, Figures, publish_breakdowns, site_names
from salama.tracing import access

BREAKDOWNS = ("site", "week", "sex", "age_group", "first_action", "outcome")
FIRST_ACTION_GROUPS = ("within_1h", "1_3h", "3_24h", "over_24h", "none_yet")


@dataclass
class KindFigures:
    kind: str
    total: int | None
    breakdowns: list[Breakdown]


def first_action_group(opened: datetime, first: datetime | None) -> str:
    if first is None:
        return "none_yet"
    waited = first - opened
    if waited <= timedelta(hours=1):
        return "within_1h"
    if waited <= timedelta(hours=3):
        return "1_3h"
    if waited <= timedelta(hours=24):
        return "3_24h"
    return "over_24h"


def _week(moment: datetime) -> str:
    monday = moment.date() - timedelta(days=moment.weekday())
    return monday.isoformat()


def tracing_figures(user: Any, language: str = "en") -> tuple[list[KindFigures], Figures]:
    """Missing and found reports, each with its total and breakdowns."""
    k = settings.SALAMA_SUPPRESSION_K
    rows = access.statistics_rows(user)
    names = site_names({row[0] for row in rows}, language)
    tallies: dict[str, dict[str, Counter[str]]] = {}
    for site_path, kind, sex, age_group, status, opened, first in rows:
        groups = tallies.setdefault(kind, {by: Counter() for by in BREAKDOWNS})
        values = {
            "site": names.get(site_path, "?"),
            "week": _week(opened),
            "sex": sex,
            "age_group": age_group,
            "first_action": first_action_group(opened, first),
            "outcome": status,
        }
        for by in BREAKDOWNS:
            groups[by][values[by]] += 1
    counted = Figures([], k)
    out = []
    for kind in ("missing", "found"):
        if kind in tallies:
            total, breakdowns = publish_breakdowns(tallies[kind], BREAKDOWNS, k, counted)
            out.append(KindFigures(kind, total, breakdowns))
    return out, counted

"""The network's figures, in the categories the UN publishes: allegations by
entity type, category, year and status; victims by sex and child or adult;
and the time to acknowledgement. Read only by the network's coordinators, at
their sites; small cells hidden with secondary suppression. No list of
individuals is ever produced here."""

import csv
import io
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.complaints import access
from salama.complaints.models import (
    AgeGroup,
    Category,
    Investigation,
    Sex,
    SubjectType,
)
from salama.screening.selectors import Breakdown, Figures, publish_breakdowns

ENTITY = {
    SubjectType.PEACEKEEPER_MILITARY: "peacekeeping",
    SubjectType.PEACEKEEPER_POLICE: "peacekeeping",
    SubjectType.UN_CIVILIAN: "un_entity",
    SubjectType.NGO_STAFF: "implementing_partner",
    SubjectType.VOLUNTEER: "implementing_partner",
    SubjectType.GOVERNMENT: "non_un_forces",
    SubjectType.ARMED_GROUP: "non_un_forces",
    SubjectType.OTHER: "other",
}
ENTITY_LABELS = {
    "peacekeeping": _("Peacekeeping operation"),
    "un_entity": _("UN agency, fund or programme"),
    "implementing_partner": _("Implementing partner"),
    "non_un_forces": _("Non-UN forces"),
    "other": _("Other or not known"),
}
BY = {
    "entity": _("By entity type"),
    "category": _("By category"),
    "year": _("By year received"),
    "status": _("By status"),
    "sex": _("By sex"),
    "age": _("Child or adult"),
}
STATUS_LABELS = {
    "under_assessment": Investigation.ASSESSMENT.label,
    "under_investigation": Investigation.INVESTIGATION.label,
    "substantiated": Investigation.SUBSTANTIATED.label,
    "unsubstantiated": Investigation.UNSUBSTANTIATED.label,
    "closed": Investigation.CLOSED.label,
}
GROUP_LABELS = {
    **ENTITY_LABELS,
    **STATUS_LABELS,
    **dict(Category.choices),
    **dict(Sex.choices),
    **dict(AgeGroup.choices),
}


def labelled(found: "NetworkFigures") -> list[dict[str, Any]]:
    """The tables as a page shows them: titles and groups in the reader's language."""
    return [
        {
            "title": _("Allegations") if table.key == "allegations" else _("Victims"),
            "total": table.total,
            "breakdowns": [
                (BY.get(b.by, b.by), [(str(GROUP_LABELS.get(g, g)), n) for g, n in b.rows])
                for b in table.breakdowns
            ],
        }
        for table in found.tables
    ]


# The UN's published statuses; a complaint not referred is "under assessment".
STATUS: dict[str, str] = {
    Investigation.NONE: "under_assessment",
    Investigation.ASSESSMENT: "under_assessment",
    Investigation.INVESTIGATION: "under_investigation",
    Investigation.SUBSTANTIATED: "substantiated",
    Investigation.UNSUBSTANTIATED: "unsubstantiated",
    Investigation.CLOSED: "closed",
}


@dataclass
class Table:
    key: str
    total: int | None
    breakdowns: list[Breakdown]


@dataclass
class NetworkFigures:
    tables: list[Table]
    counted: Figures
    acknowledged: int
    median_hours_to_acknowledge: float | None


YEARS_SHOWN = 5


def _tallies(rows: list[Any]) -> tuple[dict[str, Counter[str]], dict[str, Counter[str]]]:
    """Every category listed, zeros included, over the last five years whether or
    not a complaint was made, so that neither a category's presence nor the
    page itself says that a complaint exists."""
    this_year = timezone.now().year
    years = [str(y) for y in range(this_year - YEARS_SHOWN + 1, this_year + 1)]
    allegations: dict[str, Counter[str]] = {
        "entity": Counter(dict.fromkeys(ENTITY_LABELS, 0)),
        "category": Counter(dict.fromkeys(Category.values, 0)),
        "year": Counter(dict.fromkeys(years, 0)),
        "status": Counter(dict.fromkeys(STATUS_LABELS, 0)),
    }
    victims: dict[str, Counter[str]] = {
        "sex": Counter(dict.fromkeys(Sex.values, 0)),
        "age": Counter(dict.fromkeys(AgeGroup.values, 0)),
    }
    for subject, category, received, investigation, status, sex, age, _ack in rows:
        allegations["entity"][ENTITY.get(subject, "other")] += 1
        allegations["category"][category] += 1
        if str(received.year) in allegations["year"]:
            allegations["year"][str(received.year)] += 1
        else:
            allegations["year"][f"< {years[0]}"] += 1
        # Closed without a referral for investigation: closed, not "under assessment".
        published = "closed" if status == "closed" and not investigation else investigation
        allegations["status"][STATUS.get(published, "under_assessment")] += 1
        victims["sex"][sex] += 1
        victims["age"][age] += 1
    return allegations, victims


def _blanked(breakdowns: list[Breakdown]) -> list[Breakdown]:
    """A breakdown with a hidden cell shows no cell at all: zeros are shown
    elsewhere, so a hidden cell would mean "at least one" and, at the scale of
    a camp, give a complaint's profile away."""
    return [
        Breakdown(b.by, [(g, None) for g, _n in b.rows], b.grouped)
        if any(n is None for _g, n in b.rows)
        else b
        for b in breakdowns
    ]


def network_figures(user: Any) -> NetworkFigures:
    k = settings.SALAMA_SUPPRESSION_K
    figures = Figures([], k)
    rows = list(
        access.for_figures(user).values_list(
            "subject_type",
            "category",
            "received_at",
            "investigation_status",
            "status",
            "survivor_sex",
            "survivor_age",
            "acknowledged_at",
        )
    )
    allegations, victims = _tallies(rows)
    order = ("entity", "category", "year", "status")
    total, breakdowns = publish_breakdowns(allegations, order, k, figures)
    tables = [Table("allegations", total, _blanked(breakdowns))]
    total, breakdowns = publish_breakdowns(victims, ("sex", "age"), k, figures)
    tables.append(Table("victims", total, _blanked(breakdowns)))
    hours = [(row[7] - row[2]).total_seconds() / 3600 for row in rows if row[7] is not None]
    median = round(statistics.median(hours), 1) if len(hours) >= k else None
    return NetworkFigures(tables, figures, len(hours), median)


def figures_csv(figures: NetworkFigures) -> str:
    """The quarterly report's table: one row per published cell, hidden ones empty."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "breakdown", "group", "count"])
    writer.writerow(["#meta", "suppression", f"k={figures.counted.k}", "secondary"])
    for table in figures.tables:
        writer.writerow([table.key, "total", "", "" if table.total is None else table.total])
        for breakdown in table.breakdowns:
            for group, count in breakdown.rows:
                writer.writerow([table.key, breakdown.by, group, "" if count is None else count])
    writer.writerow(
        ["acknowledgement", "median_hours", "", figures.median_hours_to_acknowledge or ""]
    )
    return out.getvalue()

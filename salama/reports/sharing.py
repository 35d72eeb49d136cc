"""Figures and cases as they leave Salama (docs/reports.md, PROTECTION.md
12-15): the four-pillar report as an HXL-tagged CSV of aggregates, the same
counts with differentially private noise instead of suppression, and the
organisation's trafficking cases as CTDC rows for the k-anonymised export.
The protection itself is in salama/lib/sharing; this module only gathers."""

import io
from collections.abc import Iterator
from typing import Any

from django_countries import countries

from salama.cases.models import CaseType, ProtectionCase
from salama.lib.ages import best_age
from salama.lib.sharing import dp
from salama.lib.sharing.hxl import HxlColumn, suppression_meta, write_hxl
from salama.reports.definitions import DEFINITIONS
from salama.reports.figures import Figure, Report
from salama.screening.models import FiredIndicator

COLUMNS = (
    HxlColumn("Site", "#loc+name"),
    HxlColumn("Site code", "#loc+code"),
    HxlColumn("Country", "#country+code"),
    HxlColumn("From", "#date+start"),
    HxlColumn("To", "#date+end"),
    HxlColumn("Pillar", "#indicator+pillar"),
    HxlColumn("Figure code", "#indicator+code"),
    HxlColumn("Figure", "#indicator+name"),
    HxlColumn("Group", "#indicator+group"),
    HxlColumn("People affected", "#affected"),
    HxlColumn("Female", "#affected+f"),
    HxlColumn("Male", "#affected+m"),
    HxlColumn("Children", "#affected+children"),
    HxlColumn("Adults", "#affected+adults"),
    HxlColumn("People reached", "#reached"),
    HxlColumn("Value", "#indicator+value"),
    HxlColumn("Unit", "#indicator+unit"),
    HxlColumn("Definition", "#description"),
)
REACHED = frozenset({"referrals", "services", "participants"})
COLUMNS_OF = {"F": 10, "M": 11, "children": 12, "adults": 13}


def _country(report: Report) -> str:
    root = report.site
    while root.parent_id is not None:
        root = root.parent  # type: ignore[assignment]
    code = root.code.strip().upper()
    return countries.alpha3(code) or code if len(code) == 2 else code


def _column(figure: Figure) -> int:
    """People go under #affected or #reached; events, shares and days under #indicator+value."""
    if figure.unit != "count" or not DEFINITIONS[figure.key].suppressed:
        return 15
    return 14 if figure.key in REACHED else 9


def _rows(report: Report, figure: Figure, pillar: str) -> Iterator[list[Any]]:
    definition = DEFINITIONS[figure.key]
    head = [
        report.site.name,
        report.site.code,
        _country(report),
        report.start.isoformat(),
        report.end.isoformat(),
        pillar,
        figure.key,
        str(definition.label),
    ]
    row: list[Any] = [*head, "", *[None] * 7, figure.unit, str(definition.text)]
    row[_column(figure)] = figure.value
    others = []
    for breakdown in figure.breakdowns:
        for code, n in breakdown.rows:
            if breakdown.by in ("sex", "age_group") and code in COLUMNS_OF:
                row[COLUMNS_OF[code]] = n
            else:
                others.append((breakdown.by, code, n))
    yield row
    for by, code, n in others:
        group: list[Any] = [*head, f"{by}={code}", *[None] * 7, "count", str(definition.text)]
        group[6] = f"{figure.key}.{code}"
        group[_column(figure)] = n
        yield group


def hxl_rows(report: Report) -> list[list[Any]]:
    return [
        row
        for pillar in report.pillars
        for figure in pillar.figures
        for row in _rows(report, figure, pillar.key)
    ]


def hxl_csv(report: Report) -> str:
    text = io.StringIO()
    write_hxl(COLUMNS, hxl_rows(report), suppression_meta(report.k, report.hidden), text)
    return text.getvalue()


def noisy_report(report: Report, epsilon: float) -> tuple[Report, dp.Budget]:
    """The report's counts of people with OpenDP noise in place of suppression:
    each breakdown is one query of sensitivity 1 (a person is in one cell),
    charged `epsilon`; the budget is their sum (sequential composition)."""
    budget = dp.Budget()
    for figure in report.figures():
        groups = report.raw.get(figure.key)
        if groups is None:
            continue
        for breakdown in figure.breakdowns or []:
            fine = groups.get(breakdown.by)
            if fine is None:
                continue
            codes = sorted(fine)
            noisy = dp.dp_counts([fine[c] for c in codes], epsilon, budget=budget)
            breakdown.rows = list(zip(codes, noisy, strict=True))
            breakdown.grouped = False
        if figure.breakdowns and figure.breakdowns[0].by in groups:
            figure.value = sum(n or 0 for _c, n in figure.breakdowns[0].rows)
        elif "all" in groups:
            figure.value = dp.dp_counts([groups["all"]["all"]], epsilon, budget=budget)[0]
        if figure.unit == "percent" and DEFINITIONS[figure.key].suppressed:
            figure.value = None  # a share of noisy counts is left out
    report.tally.hidden_small = report.tally.hidden_secondary = 0
    return report, budget


def budget_note(budget: dp.Budget, epsilon: float) -> str:
    """The release log's short account of the noise: mechanism, per query, queries."""
    return f"{dp.MECHANISM}; epsilon={epsilon:g} per query; {len(budget.spends)} queries"


def noisy_csv(report: Report, budget: dp.Budget) -> str:
    text = io.StringIO()
    meta = f"no suppression; {budget.describe()}; total epsilon={budget.spent:g}"
    write_hxl(COLUMNS, hxl_rows(report), meta, text)
    return text.getvalue()


# Screening items (salama/screening/instruments) behind the CTDC columns.
EXPLOITATION = {
    "forced_labour": ("self_forced_work", "d5_forced_tasks", "family_forced_work"),
    "sexual_exploitation": ("survival_sex", "child_sexual_exploitation"),
    "forced_marriage": ("forced_marriage", "child_married"),
    "organ_removal": ("self_organs",),
}
MEANS = {
    "debt_bondage": ("debt_bondage", "d2_debt_bondage", "d5_debt_bondage"),
    "takes_earnings": ("withholding_of_wages", "d2_money_withheld", "d5_wages_withheld"),
    "threats": ("intimidation_and_threats", "d2_threats", "d5_threats"),
    "physical_abuse": ("physical_and_sexual_violence", "d2_violence", "d5_violence"),
    "false_promises": ("deception", "d5_lie"),
    "restricts_movement": ("restriction_of_movement", "isolation", "d2_isolation", "d5_isolation"),
    "withholds_documents": ("retention_of_identity_documents", "d2_documents", "d5_documents"),
    "excessive_working_hours": ("excessive_overtime", "abusive_conditions"),
}
ABDUCTION = ("d2_abduction",)


CHUNK = 500


def _codes(found: set[str], table: dict[str, tuple[str, ...]]) -> list[str]:
    return [code for code, items in table.items() if found & set(items)]


def _items(cases: list[ProtectionCase]) -> dict[Any, set[str]]:
    """Per case, the screening items answered yes in the screening it was
    opened from (one query for a chunk of cases; the screening must be of the
    case's own person)."""
    screening_of = {
        c.pk: c.source_id
        for c in cases
        if c.source_kind == ProtectionCase.Source.SCREENING and c.source_id
    }
    person_of = {c.pk: c.person_id for c in cases}
    fired: dict[tuple[Any, Any], set[str]] = {}
    rows = FiredIndicator.objects.filter(screening_id__in=set(screening_of.values()))
    for screening, person, item in rows.values_list("screening_id", "screening__person_id", "item"):
        fired.setdefault((str(screening), str(person)), set()).add(str(item))
    return {
        pk: fired.get((str(sid), str(person_of[pk])), set()) for pk, sid in screening_of.items()
    }


def ctdc_cases(organisation_id: int) -> Iterator[dict[str, Any]]:
    """The organisation's trafficking cases whose person allows statistics, as
    the facts lib/sharing/ctdc.py turns into CTDC rows (its allow-list decides
    what leaves; no name, date or place is read here beyond the year)."""
    cases = (
        ProtectionCase.objects.filter(
            organisation_id=organisation_id,
            case_type=CaseType.TRAFFICKING,
            person__legal_bases__purpose="statistics",
        )
        .distinct()
        .select_related("person")
        .order_by("opened_at", "pk")
    )
    chunk: list[ProtectionCase] = []
    for case in cases.iterator(chunk_size=CHUNK):
        chunk.append(case)
        if len(chunk) == CHUNK:
            yield from _facts(chunk)
            chunk = []
    yield from _facts(chunk)


def _facts(cases: list[ProtectionCase]) -> Iterator[dict[str, Any]]:
    items = _items(cases)
    for case in cases:
        person = case.person
        on = case.opened_at.date()
        found = items.get(case.pk, set())
        nationality = countries.alpha3(str(person.nationality)) if person.nationality else ""
        yield {
            "year_identified": case.opened_at.year,
            "sex": {"F": "female", "M": "male"}.get(person.sex, ""),
            "age": best_age(person.birth_date, person.birth_year_min, person.birth_year_max, on),
            "citizenship": nationality or "",
            "country_of_exploitation": "",
            "exploitation_types": _codes(found, EXPLOITATION),
            "means_of_control": _codes(found, MEANS),
            "is_abduction": bool(found & set(ABDUCTION)),
        }


def dp_available() -> bool:
    """Noise needs the optional opendp (pip install salama[dp])."""
    try:
        dp._opendp()
    except RuntimeError:
        return False
    return True

"""Child marriage stopped at the registration desk, and the flags a marriage
raises for protection review (plain Python, no Django).

The test is "could be under the minimum age", not "is": in camps ages are
often estimated, and an estimate whose range reaches below the minimum, or an
unknown age, could be a child's. The minimum is 18 with no exception (CEDAW
GR 31 / CRC GC 18, A/73/171); a deployment may raise it, never lower it. The
host country's law (salama/data/marriage_ages.json) is context only.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[2] / "data" / "marriage_ages.json"
POLICY_MINIMUM = 18
EXCEPTION_KINDS = {"none", "parental", "judicial", "both"}
CONFIDENCE = {"verified", "secondary", "unverified"}

# Flag thresholds, chosen to catch the patterns A/73/171 para 23 describes
# while staying rare enough that a registrar reads each one.
LARGE_AGE_GAP_YEARS = 10  # a gap of a decade or more with a young bride is the common warning sign
SOON_AFTER_ARRIVAL_DAYS = 90  # families newly displaced are most exposed to "protection" marriages
SHORT_MARRIAGE_DAYS = 180  # "temporary" marriages typically last weeks to months
SHORT_MARRIAGES_FLAGGED = 2  # two short marriages in the window make a pattern
SHORT_MARRIAGE_WINDOW_DAYS = 3 * 365


@dataclass(frozen=True)
class Policy:
    minimum_age: int
    exception: str
    basis: str


@dataclass(frozen=True)
class MarriageLaw:
    jurisdiction: str
    name: str
    min_age_female: int | None
    min_age_male: int | None
    exception_kind: str
    exception_floor: int | None
    conditions: str
    legal_source: str
    source: str
    confidence: str
    verified_on: str | None = None
    regime: str = ""
    effective_from: str | None = None


def _age_value(row: dict[str, Any], key: str, where: str) -> int | None:
    value = row.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 30:
        raise ValueError(f"{where}: {key} must be a whole number of years or null, not {value!r}")
    return value


def _text(row: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = row.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValueError(f"{where}: {key} is needed (text)")
    return value


def _law(row: Any, index: int) -> MarriageLaw:
    where = f"marriage law row {index}"
    if not isinstance(row, dict):
        raise ValueError(f"{where}: must be an object")
    jurisdiction = _text(row, "jurisdiction", where)
    if len(jurisdiction) != 2 or not jurisdiction.isupper():
        raise ValueError(f"{where}: jurisdiction must be a two-letter country code")
    kind = row.get("exception_kind")
    if kind not in EXCEPTION_KINDS:
        raise ValueError(f"{where}: exception_kind must be one of {sorted(EXCEPTION_KINDS)}")
    confidence = row.get("confidence")
    if confidence not in CONFIDENCE:
        raise ValueError(f"{where}: confidence must be one of {sorted(CONFIDENCE)}")
    return MarriageLaw(
        jurisdiction=jurisdiction,
        name=_text(row, "name", where),
        min_age_female=_age_value(row, "min_age_female", where),
        min_age_male=_age_value(row, "min_age_male", where),
        exception_kind=kind,
        exception_floor=_age_value(row, "exception_floor", where),
        conditions=_text(row, "conditions", where),
        legal_source=_text(row, "legal_source", where),
        source=_text(row, "source", where),
        confidence=confidence,
        verified_on=row.get("verified_on"),
        regime=_text(row, "regime", where, required=False),
        effective_from=row.get("effective_from"),
    )


def load_laws(path: Path | None = None) -> tuple[Policy, list[MarriageLaw]]:
    """The policy and the table of national laws; ValueError names the row and field."""
    data = json.loads((path or DATA).read_text(encoding="utf-8"))
    policy = data.get("policy") or {}
    minimum = policy.get("minimum_age")
    if minimum != POLICY_MINIMUM or policy.get("exception") != "none":
        raise ValueError("policy: the minimum age is 18 with no exception")
    laws = data.get("laws")
    if not isinstance(laws, list):
        raise ValueError("laws must be a list")
    return Policy(minimum, "none", str(policy.get("basis", ""))), [
        _law(row, i) for i, row in enumerate(laws)
    ]


def effective_minimum(
    policy_minimum: int = POLICY_MINIMUM, deployment_minimum: int | None = None
) -> int:
    """The minimum Salama applies: the policy's, or a deployment's higher one."""
    if deployment_minimum is None:
        return policy_minimum
    if deployment_minimum < policy_minimum:
        raise ValueError(
            f"a deployment can only raise the minimum age of {policy_minimum}, "
            f"not lower it to {deployment_minimum}"
        )
    return deployment_minimum


@dataclass(frozen=True)
class Party:
    role: str
    sex: str
    birth_date: date | None
    birth_year_min: int | None
    birth_year_max: int | None


def _age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_span(party: Party, on: date) -> tuple[int, int] | None:
    """The youngest and oldest age the party can be on the day; None: unknown."""
    if party.birth_date is not None:
        age = _age_on(party.birth_date, on)
        return age, age
    if party.birth_year_min is None or party.birth_year_max is None:
        return None
    # Born on the last day of the latest year: youngest; on 1 January of the earliest: oldest.
    youngest = _age_on(date(party.birth_year_max, 12, 31), on)
    oldest = _age_on(date(party.birth_year_min, 1, 1), on)
    return max(youngest, 0), max(oldest, 0)


@dataclass(frozen=True)
class Refusal:
    role: str
    code: str  # under_minimum, could_be_under_minimum, age_unknown
    minimum: int
    youngest: int | None
    oldest: int | None


def refusals(parties: Sequence[Party], on: date, minimum: int) -> list[Refusal]:
    """One refusal per party who could be under the minimum on the day."""
    found = []
    for party in parties:
        span = age_span(party, on)
        if span is None:
            found.append(Refusal(party.role, "age_unknown", minimum, None, None))
        elif span[1] < minimum:
            found.append(Refusal(party.role, "under_minimum", minimum, *span))
        elif span[0] < minimum:
            found.append(Refusal(party.role, "could_be_under_minimum", minimum, *span))
    return found


def explain(refusal: Refusal) -> dict[str, Any]:
    """The parameters of the refusal's plain-language sentence."""
    return {
        "role": refusal.role,
        "minimum": refusal.minimum,
        "youngest": refusal.youngest,
        "oldest": refusal.oldest,
    }


# ---- flags for protection review (never blocking) ----


@dataclass(frozen=True)
class Flag:
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MarriageFacts:
    """The bride first, then the other spouse, in every per-party tuple."""

    parties: tuple[Party, Party]
    arrived_on: tuple[date | None, date | None] = (None, None)
    current_marriages: tuple[int, int] = (0, 0)
    polygamy_allowed: bool = False
    previous_marriages_of_bride: tuple[tuple[date, date], ...] = ()
    open_missing_report: tuple[bool, bool] = (False, False)
    screening_flag: tuple[bool, bool] = (False, False)
    spouse_leaving_country: bool = False
    spouse_foreign: bool = False


def _best_age(party: Party, on: date) -> float | None:
    span = age_span(party, on)
    return None if span is None else (span[0] + span[1]) / 2


def _age_gap(facts: MarriageFacts, on: date) -> Flag | None:
    ages = [_best_age(p, on) for p in facts.parties]
    if ages[0] is None or ages[1] is None:
        return None
    gap = abs(ages[0] - ages[1])
    if gap < LARGE_AGE_GAP_YEARS:
        return None
    return Flag("large_age_gap", {"gap": int(gap)})


def _already_married(facts: MarriageFacts) -> list[Flag]:
    return [
        Flag(
            "already_married",
            {"role": party.role, "count": count, "polygamy_allowed": facts.polygamy_allowed},
        )
        for party, count in zip(facts.parties, facts.current_marriages, strict=True)
        if count > 0
    ]


def _soon_after_arrival(facts: MarriageFacts, on: date) -> Flag | None:
    # A couple married before they arrived is not "soon after arrival".
    recent = [
        (on - arrived).days
        for arrived in facts.arrived_on
        if arrived is not None and 0 <= (on - arrived).days < SOON_AFTER_ARRIVAL_DAYS
    ]
    return Flag("soon_after_arrival", {"days": min(recent)}) if recent else None


def _repeated_short(facts: MarriageFacts, on: date) -> Flag | None:
    since = on - timedelta(days=SHORT_MARRIAGE_WINDOW_DAYS)
    short = [
        (start, end)
        for start, end in facts.previous_marriages_of_bride
        if end >= since and (end - start).days < SHORT_MARRIAGE_DAYS
    ]
    if len(short) < SHORT_MARRIAGES_FLAGGED:
        return None
    return Flag("repeated_short_marriages", {"count": len(short)})


def review_flags(facts: MarriageFacts, on: date) -> list[Flag]:
    """Every flag the facts raise, each with what explains it."""
    flags: list[Flag | None] = [_age_gap(facts, on)]
    flags += _already_married(facts)
    flags += [_soon_after_arrival(facts, on), _repeated_short(facts, on)]
    if any(facts.open_missing_report):
        flags.append(Flag("open_missing_report"))
    if any(facts.screening_flag):
        flags.append(Flag("screening_flag"))
    if facts.spouse_leaving_country:
        flags.append(Flag("taken_abroad", {"foreign": facts.spouse_foreign}))
    return [f for f in flags if f is not None]

"""Child-marriage prevention at the civil registration desk (no Django imports).

Salama never registers a marriage where either party is, or could be, under
its minimum age (18, no exception, after CEDAW GR 31 / CRC GC 18 para 55(f)).
A deployment may raise that minimum, never lower it; the host country's law
(salama/data/marriage_ages.json) is shown as context only. Refusals and
review flags are plain data; the Django side words the sentences.
"""

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from salama.lib.ages import age_on, best_age

DATA_FILE = Path(__file__).resolve().parent.parent.parent / "data" / "marriage_ages.json"

# Salama's own floor: a deployment setting or a host law can never go below it.
POLICY_MINIMUM = 18

EXCEPTION_KINDS = ("none", "parental", "judicial", "both")
CONFIDENCES = ("verified", "secondary", "unverified")
SEXES = ("F", "M", "U")

UNDER_MINIMUM = "under_minimum"
COULD_BE_UNDER_MINIMUM = "could_be_under_minimum"
AGE_UNKNOWN = "age_unknown"

# Review thresholds. Each raises a flag for a protection officer, never a block.
# A wide gap suggests unequal power between the spouses, which goes with
# coercion; 10 years is a review threshold, not a finding.
AGE_GAP_YEARS = 10
# The first three months after arrival are when families under economic
# pressure, without documents or support, most often marry daughters off.
ARRIVAL_DAYS = 90
# Several marriages of a few months each are the pattern of temporary marriage
# used to exploit displaced girls and women.
SHORT_MARRIAGE_DAYS = 180
SHORT_MARRIAGE_COUNT = 2
SHORT_MARRIAGE_WINDOW_YEARS = 3

LAW_FIELDS = (
    "jurisdiction",
    "regime",
    "name",
    "min_age_female",
    "min_age_male",
    "exception_kind",
    "exception_floor",
    "conditions",
    "legal_source",
    "source",
    "verified_on",
    "confidence",
    "effective_from",
)
_COUNTRY = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class Policy:
    minimum_age: int
    exception: str
    basis: str


@dataclass(frozen=True)
class MarriageLaw:
    """One host-law row. A None minimum means the law sets none; exception_kind
    describes exceptions to a statutory minimum (a row without one has "none");
    a None exception_floor means no lower limit is set."""

    jurisdiction: str
    regime: str | None
    name: str
    min_age_female: int | None
    min_age_male: int | None
    exception_kind: str
    exception_floor: int | None
    conditions: str
    legal_source: str
    source: str
    verified_on: date | None
    confidence: str
    effective_from: date | None


def _fail(where: str, problem: str) -> ValueError:
    return ValueError(f"marriage_ages {where}: {problem}")


def _text(row: Mapping[str, Any], key: str, where: str, optional: bool = False) -> str | None:
    value = row.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(f"{where}.{key}", "must be non-empty text")
    return value


def _age(row: Mapping[str, Any], key: str, where: str) -> int | None:
    value = row.get(key)
    if value is None:
        return None
    # bool is an int in Python; true is not an age.
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 30:
        raise _fail(
            f"{where}.{key}", f"must be a whole number of years 0-30 or null, not {value!r}"
        )
    return value


def _date(row: Mapping[str, Any], key: str, where: str) -> date | None:
    value = row.get(key)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise _fail(f"{where}.{key}", f"must be a date YYYY-MM-DD or null, not {value!r}") from None


def _choice(row: Mapping[str, Any], key: str, where: str, choices: Sequence[str]) -> str:
    value = row.get(key)
    if value not in choices:
        raise _fail(f"{where}.{key}", f"must be one of {', '.join(choices)}, not {value!r}")
    return str(value)


def _law(row: Any, index: int) -> MarriageLaw:
    where = f"laws[{index}]"
    if not isinstance(row, dict):
        raise _fail(where, "must be an object")
    unknown = sorted(set(row) - set(LAW_FIELDS))
    if unknown:
        raise _fail(f"{where}.{unknown[0]}", "unknown field")
    jurisdiction = _text(row, "jurisdiction", where) or ""
    if not _COUNTRY.fullmatch(jurisdiction):
        raise _fail(
            f"{where}.jurisdiction", f"must be an ISO 3166 alpha-2 code, not {jurisdiction!r}"
        )
    law = MarriageLaw(
        jurisdiction=jurisdiction,
        regime=_text(row, "regime", where, optional=True),
        name=_text(row, "name", where) or "",
        min_age_female=_age(row, "min_age_female", where),
        min_age_male=_age(row, "min_age_male", where),
        exception_kind=_choice(row, "exception_kind", where, EXCEPTION_KINDS),
        exception_floor=_age(row, "exception_floor", where),
        conditions=_text(row, "conditions", where) or "",
        legal_source=_text(row, "legal_source", where) or "",
        source=_text(row, "source", where) or "",
        verified_on=_date(row, "verified_on", where),
        confidence=_choice(row, "confidence", where, CONFIDENCES),
        effective_from=_date(row, "effective_from", where),
    )
    _check_consistent(law, where)
    return law


def _check_consistent(law: MarriageLaw, where: str) -> None:
    # A floor only means something when there is an exception to go below the minimum.
    if law.exception_kind == "none" and law.exception_floor is not None:
        raise _fail(f"{where}.exception_floor", "must be null when exception_kind is none")
    minimums = [m for m in (law.min_age_female, law.min_age_male) if m is not None]
    if law.exception_floor is not None and any(law.exception_floor > m for m in minimums):
        raise _fail(f"{where}.exception_floor", "must not be above the minimum ages")
    # verified_on records when someone read the law; only verified rows have one.
    if (law.confidence == "verified") != (law.verified_on is not None):
        raise _fail(f"{where}.verified_on", "must be set exactly when confidence is verified")


def _policy(raw: Any) -> Policy:
    if not isinstance(raw, dict):
        raise _fail("policy", "must be an object")
    minimum = raw.get("minimum_age")
    if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < POLICY_MINIMUM:
        raise _fail("policy.minimum_age", f"must be a whole number >= {POLICY_MINIMUM}")
    if raw.get("exception") != "none":
        raise _fail("policy.exception", "must be none: Salama allows no exception")
    return Policy(minimum_age=minimum, exception="none", basis=_text(raw, "basis", "policy") or "")


def load_laws(path: Path | str | None = None) -> tuple[Policy, list[MarriageLaw]]:
    """The policy and the host-law rows, each row checked; raises ValueError
    naming the row index and field of the first problem."""
    raw = json.loads(Path(path or DATA_FILE).read_text("utf-8"))
    if not isinstance(raw, dict) or not isinstance(raw.get("laws"), list):
        raise _fail("laws", "the file must be an object with a list 'laws'")
    laws = [_law(row, i) for i, row in enumerate(raw["laws"])]
    seen: set[tuple[str, str | None]] = set()
    for i, law in enumerate(laws):
        key = (law.jurisdiction, law.regime)
        if key in seen:
            raise _fail(f"laws[{i}].jurisdiction", f"duplicate jurisdiction and regime {key}")
        seen.add(key)
    return _policy(raw.get("policy")), laws


def effective_minimum(
    policy_minimum: int = POLICY_MINIMUM, deployment_minimum: int | None = None
) -> int:
    """The minimum age Salama applies: the policy's, or a deployment's higher one.
    A host law never lowers it."""
    if policy_minimum < POLICY_MINIMUM:
        raise ValueError(f"policy minimum marriage age must be at least {POLICY_MINIMUM}")
    if deployment_minimum is None:
        return policy_minimum
    if deployment_minimum < policy_minimum:
        raise ValueError(
            f"deployment minimum marriage age can only raise the minimum age of "
            f"{policy_minimum}, not lower it to {deployment_minimum}"
        )
    return deployment_minimum


@dataclass(frozen=True)
class Party:
    """A party as the registry holds them: an exact birth date, or a range of
    birth years (two years from a stated age), or neither (unknown)."""

    role: str
    sex: str
    birth_date: date | None = None
    birth_year_min: int | None = None
    birth_year_max: int | None = None

    def __post_init__(self) -> None:
        if self.sex not in SEXES:
            raise ValueError(f"Party.sex must be one of F, M, U, not {self.sex!r}")
        if (self.birth_year_min is None) != (self.birth_year_max is None):
            raise ValueError("Party.birth_year_min and birth_year_max must be given together")
        low, high = self.birth_year_min, self.birth_year_max
        if low is not None and high is not None and low > high:
            raise ValueError("Party.birth_year_min must not be after birth_year_max")


def age_span(party: Party, on: date) -> tuple[int, int] | None:
    """The youngest and oldest the party can be on `on`; None when unknown."""
    if party.birth_date is not None:
        age = age_on(party.birth_date, on)
        return age, age
    if party.birth_year_min is None or party.birth_year_max is None:
        return None
    # The youngest was born on the last day of the latest year, the oldest on
    # the first day of the earliest: exact even on 31 December.
    youngest = age_on(date(party.birth_year_max, 12, 31), on)
    oldest = age_on(date(party.birth_year_min, 1, 1), on)
    return max(youngest, 0), max(oldest, 0)


@dataclass(frozen=True)
class Refusal:
    role: str
    code: str
    minimum: int
    youngest: int | None
    oldest: int | None


def _refusal(party: Party, on: date, minimum: int) -> Refusal | None:
    span = age_span(party, on)
    # The test is "could be under the minimum"; an unknown age could be.
    if span is None:
        return Refusal(party.role, AGE_UNKNOWN, minimum, None, None)
    youngest, oldest = span
    if youngest >= minimum:
        return None
    code = UNDER_MINIMUM if oldest < minimum else COULD_BE_UNDER_MINIMUM
    return Refusal(party.role, code, minimum, youngest, oldest)


def refusals(parties: Iterable[Party], on: date, minimum: int) -> list[Refusal]:
    """One refusal per party who is or could be under `minimum` on `on`."""
    found = (_refusal(party, on, minimum) for party in parties)
    return [r for r in found if r is not None]


def explain(refusal: Refusal) -> dict[str, Any]:
    """The parameters of the refusal's plain-language sentence."""
    return asdict(refusal)


@dataclass(frozen=True)
class Flag:
    code: str
    params: dict[str, Any]


@dataclass(frozen=True)
class MarriageFacts:
    """What the desk knows. The per-party mappings are keyed by Party.role; a
    role left out means not known (None), none (0) or not set (False)."""

    parties: tuple[Party, Party]
    arrived_on: Mapping[str, date | None] = field(default_factory=dict)
    current_marriages: Mapping[str, int] = field(default_factory=dict)
    polygamy_allowed: bool = False
    previous_marriages_of_bride: Sequence[tuple[date, date]] = ()
    open_missing_report: Mapping[str, bool] = field(default_factory=dict)
    screening_flag: Mapping[str, bool] = field(default_factory=dict)
    spouse_leaving_country: bool = False
    spouse_foreign: bool = False

    def __post_init__(self) -> None:
        roles = {p.role for p in self.parties}
        if len(roles) != 2:
            raise ValueError("MarriageFacts.parties must have two different roles")
        for name in ("arrived_on", "current_marriages", "open_missing_report", "screening_flag"):
            unknown = set(getattr(self, name)) - roles
            if unknown:
                raise ValueError(f"MarriageFacts.{name}: unknown role {sorted(unknown)[0]!r}")


def _age_gap_flag(facts: MarriageFacts, on: date, years: int) -> list[Flag]:
    ages = [best_age(p.birth_date, p.birth_year_min, p.birth_year_max, on) for p in facts.parties]
    if None in ages:
        return []  # an unknown age is already refused; no gap to measure
    gap = abs((ages[0] or 0) - (ages[1] or 0))
    return [Flag("large_age_gap", {"gap": gap})] if gap >= years else []


def _married_flags(facts: MarriageFacts) -> list[Flag]:
    # Always a flag: where polygamy is lawful the wording differs, the review stays.
    return [
        Flag(
            "already_married",
            {"role": p.role, "count": count, "polygamy_allowed": facts.polygamy_allowed},
        )
        for p in facts.parties
        if (count := facts.current_marriages.get(p.role, 0)) > 0
    ]


def _arrival_flags(facts: MarriageFacts, on: date, days: int) -> list[Flag]:
    flags = []
    for p in facts.parties:
        arrived = facts.arrived_on.get(p.role)
        # A couple married before they arrived is not "soon after arrival".
        if arrived is not None and 0 <= (on - arrived).days < days:
            flags.append(Flag("soon_after_arrival", {"role": p.role, "days": (on - arrived).days}))
    return flags


def _years_before(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February in a year without one
        return on.replace(year=on.year - years, day=28)


def _short_marriages_flag(
    facts: MarriageFacts, on: date, max_days: int, count: int, window_years: int
) -> list[Flag]:
    # A marriage counts when it ended within the window, even if it began before.
    since = _years_before(on, window_years)
    short = [
        (start, end)
        for start, end in facts.previous_marriages_of_bride
        if end >= since and (end - start) < timedelta(days=max_days)
    ]
    if len(short) < count:
        return []
    return [
        Flag(
            "repeated_short_marriages",
            {"count": len(short), "max_days": max_days, "years": window_years},
        )
    ]


def _per_party_flags(code: str, marks: Mapping[str, bool], parties: Iterable[Party]) -> list[Flag]:
    return [Flag(code, {"role": p.role}) for p in parties if marks.get(p.role, False)]


def review_flags(
    facts: MarriageFacts,
    on: date,
    *,
    age_gap_years: int = AGE_GAP_YEARS,
    arrival_days: int = ARRIVAL_DAYS,
    short_marriage_days: int = SHORT_MARRIAGE_DAYS,
    short_marriage_count: int = SHORT_MARRIAGE_COUNT,
    short_marriage_window_years: int = SHORT_MARRIAGE_WINDOW_YEARS,
) -> list[Flag]:
    """Signs for a protection review. None of them blocks the registration."""
    flags = _age_gap_flag(facts, on, age_gap_years)
    flags += _married_flags(facts)
    flags += _arrival_flags(facts, on, arrival_days)
    flags += _short_marriages_flag(
        facts, on, short_marriage_days, short_marriage_count, short_marriage_window_years
    )
    flags += _per_party_flags("open_missing_report", facts.open_missing_report, facts.parties)
    flags += _per_party_flags("screening_flag", facts.screening_flag, facts.parties)
    # The desk's answer "will take the bride abroad" is the sign; a foreign
    # nationality in the registry only adds to it (it is often not recorded).
    if facts.spouse_leaving_country:
        flags.append(Flag("taken_abroad", {"foreign": facts.spouse_foreign}))
    return flags

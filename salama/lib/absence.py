"""Absence rules of roll calls and distributions (no Django imports).

A person not seen for N consecutive presence checks that covered them, or for
D days, raises an absence alert. N and D depend on the person's profile,
stricter for children, unaccompanied or separated children and women at risk.
The rules are a plain dict (settings.SALAMA_ABSENCE_RULES overrides any part
of DEFAULT_RULES); the profile comes from the registry's age and
specific-needs codes.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

CHILD = "child"
UNACCOMPANIED_CHILD = "unaccompanied_child"
WOMAN_AT_RISK = "woman_at_risk"
ADULT = "adult"
PROFILES = (UNACCOMPANIED_CHILD, CHILD, WOMAN_AT_RISK, ADULT)

# UNHCR specific-needs codes (salama/data/specific_needs.json): an
# unaccompanied or separated child, and the "woman at risk" category.
UNACCOMPANIED_CODES = frozenset({"SC-UC", "SC-SC"})
WOMAN_AT_RISK_CODES = frozenset({"WR-WR", "WR-SF", "WR-LC"})
ADULT_AGE = 18

# checks: consecutive checks missed; days: days not seen.
DEFAULT_RULES: dict[str, dict[str, int]] = {
    UNACCOMPANIED_CHILD: {"checks": 1, "days": 2},
    CHILD: {"checks": 2, "days": 3},
    WOMAN_AT_RISK: {"checks": 2, "days": 3},
    ADULT: {"checks": 3, "days": 14},
}

CHECKS_RULE = "checks"
DAYS_RULE = "days"


class RulesError(ValueError):
    """A rules setting that cannot be used (unknown profile, not a whole number >= 1)."""


@dataclass(frozen=True)
class Rule:
    checks: int
    days: int


def rules_from(overrides: Mapping[str, Mapping[str, int]] | None) -> dict[str, Rule]:
    """DEFAULT_RULES with `overrides` applied: {"adult": {"days": 7}} changes
    only the adults' days. Raises RulesError naming the bad entry."""
    merged = {profile: dict(rule) for profile, rule in DEFAULT_RULES.items()}
    for profile, rule in (overrides or {}).items():
        if profile not in merged:
            raise RulesError(f"SALAMA_ABSENCE_RULES: unknown profile {profile!r}")
        for key, value in dict(rule).items():
            if key not in (CHECKS_RULE, DAYS_RULE):
                raise RulesError(f"SALAMA_ABSENCE_RULES[{profile!r}]: unknown key {key!r}")
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise RulesError(
                    f"SALAMA_ABSENCE_RULES[{profile!r}][{key!r}] must be a whole number >= 1"
                )
            merged[profile][key] = value
    return {p: Rule(checks=r[CHECKS_RULE], days=r[DAYS_RULE]) for p, r in merged.items()}


def applicable_profiles(age: int | None, sex: str, needs: Iterable[str]) -> list[str]:
    """Every profile that fits the person: an unaccompanied or separated child
    by code; a child by age under 18; a woman at risk by code (or a girl with
    the code); everyone is also an adult for the rules' purpose, the fallback."""
    codes = set(needs)
    found = []
    if codes & UNACCOMPANIED_CODES:
        found.append(UNACCOMPANIED_CHILD)
    if age is not None and age < ADULT_AGE:
        found.append(CHILD)
    if codes & WOMAN_AT_RISK_CODES:
        found.append(WOMAN_AT_RISK)
    found.append(ADULT)
    return found


def profile_of(age: int | None, sex: str, needs: Iterable[str], rules: Mapping[str, Rule]) -> str:
    """The strictest profile that fits: fewest checks, then fewest days
    (ties in the order of PROFILES), so that a changed setting cannot make
    a child less protected than an adult."""
    fitting = applicable_profiles(age, sex, needs)
    return min(fitting, key=lambda p: (rules[p].checks, rules[p].days, PROFILES.index(p)))


def missed_too_many(profile: str, missed_checks: int, rules: Mapping[str, Rule]) -> bool:
    return missed_checks >= rules[profile].checks


def away_too_long(
    profile: str, baseline: datetime, now: datetime, rules: Mapping[str, Rule]
) -> bool:
    """Not seen (nor cleared by an officer, nor registered) since `baseline`
    for the profile's number of days or more."""
    return now - baseline >= timedelta(days=rules[profile].days)


def days_between(earlier: datetime, later: datetime) -> int:
    return max((later - earlier).days, 0)


def covers(check_path: str, person_path: str) -> bool:
    """A check at a site covers everyone at it and below it (materialised paths)."""
    return person_path.startswith(check_path)


def checks_running(
    person_path: str,
    baseline: datetime,
    now: datetime,
    days: int,
    checks: Iterable[tuple[str, datetime]],
) -> bool:
    """Whether the days rule applies to a person: a check covering them was
    held in the last `days` days, after their baseline. A site that keeps no
    roll calls raises no alert for everyone at once."""
    since = max(baseline, now - timedelta(days=days))
    return any(covers(path, person_path) and held > since for path, held in checks)

"""salama.lib.absence: profiles and the two rules, without Django."""

from datetime import UTC, datetime, timedelta

import pytest

from salama.lib import absence

RULES = absence.rules_from(None)
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def test_defaults_are_stricter_for_children_unaccompanied_children_and_women_at_risk():
    adult = RULES[absence.ADULT]
    for profile in (absence.CHILD, absence.UNACCOMPANIED_CHILD, absence.WOMAN_AT_RISK):
        assert RULES[profile].checks < adult.checks and RULES[profile].days < adult.days
    assert RULES[absence.UNACCOMPANIED_CHILD] == absence.Rule(checks=1, days=2)
    assert RULES[absence.CHILD] == absence.Rule(checks=2, days=3)
    assert RULES[absence.WOMAN_AT_RISK] == absence.Rule(checks=2, days=3)
    assert adult == absence.Rule(checks=3, days=14)


@pytest.mark.parametrize(
    ("age", "sex", "needs", "expected"),
    [
        (30, "M", [], absence.ADULT),
        (None, "U", [], absence.ADULT),
        (9, "F", [], absence.CHILD),
        (17, "M", [], absence.CHILD),
        (18, "M", [], absence.ADULT),
        (12, "M", ["SC-UC"], absence.UNACCOMPANIED_CHILD),
        (15, "F", ["SC-SC"], absence.UNACCOMPANIED_CHILD),
        (None, "F", ["SC-UC"], absence.UNACCOMPANIED_CHILD),
        (28, "F", ["WR-WR"], absence.WOMAN_AT_RISK),
        (34, "F", ["WR-SF", "LP-ND"], absence.WOMAN_AT_RISK),
        (16, "F", ["WR-WR"], absence.CHILD),  # same limits; the child comes first
    ],
)
def test_the_strictest_fitting_profile(age, sex, needs, expected):
    assert absence.profile_of(age, sex, needs, RULES) == expected


def test_a_setting_cannot_make_a_child_less_protected_than_an_adult():
    rules = absence.rules_from({"child": {"checks": 9, "days": 30}})
    assert absence.profile_of(10, "F", [], rules) == absence.ADULT


def test_overrides_change_only_what_they_name():
    rules = absence.rules_from({"adult": {"days": 7}})
    assert rules[absence.ADULT] == absence.Rule(checks=3, days=7)
    assert rules[absence.CHILD] == RULES[absence.CHILD]


@pytest.mark.parametrize(
    "bad",
    [
        {"elder": {"days": 3}},
        {"adult": {"weeks": 2}},
        {"adult": {"days": 0}},
        {"adult": {"checks": "2"}},
        {"adult": {"checks": True}},
    ],
)
def test_bad_settings_are_refused_naming_the_entry(bad):
    with pytest.raises(absence.RulesError, match="SALAMA_ABSENCE_RULES"):
        absence.rules_from(bad)


def test_missed_checks_rule():
    assert not absence.missed_too_many(absence.CHILD, 1, RULES)
    assert absence.missed_too_many(absence.CHILD, 2, RULES)
    assert absence.missed_too_many(absence.UNACCOMPANIED_CHILD, 1, RULES)
    assert not absence.missed_too_many(absence.ADULT, 2, RULES)


def test_days_rule():
    assert not absence.away_too_long(absence.CHILD, T0, T0 + timedelta(days=2, hours=23), RULES)
    assert absence.away_too_long(absence.CHILD, T0, T0 + timedelta(days=3), RULES)
    assert not absence.away_too_long(absence.ADULT, T0, T0 + timedelta(days=13), RULES)


def test_the_days_rule_applies_only_where_checks_go_on():
    block, other = "/1/2/3/", "/1/2/4/"
    now = T0 + timedelta(days=5)
    camp_check = [("/1/2/", now - timedelta(days=1))]
    assert absence.checks_running(block, T0, now, 3, camp_check)
    assert not absence.checks_running(block, T0, now, 3, [(other, now - timedelta(days=1))])
    assert not absence.checks_running(block, T0, now, 3, [(block, now - timedelta(days=4))])
    # A check before the person was last seen does not count.
    assert not absence.checks_running(block, now - timedelta(hours=1), now, 3, camp_check)

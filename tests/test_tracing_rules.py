"""Urgency and the response timers (salama/lib/tracing, no database)."""

from datetime import UTC, datetime, timedelta

import pytest

from salama.lib.tracing import urgency as rules

T0 = datetime(2026, 12, 1, 8, tzinfo=UTC)


def assess(**kw):
    base = {"kind": "missing", "age": 30, "sex": "M", "circumstances": []}
    return rules.assess(**{**base, **kw})


def test_an_adult_without_risk_is_not_urgent_and_is_due_within_the_hour():
    found = assess()
    assert found == rules.Urgency(rules.HIGH, ())
    assert rules.first_action_due(T0, found.level) == T0 + timedelta(hours=1)
    assert assess(kind="found").level == rules.NORMAL


@pytest.mark.parametrize(
    ("kw", "reason"),
    [
        ({"age": 11}, rules.CHILD),
        ({"age": None}, rules.CHILD),  # an unknown age is not taken as adult
        ({"unaccompanied": True}, rules.UNACCOMPANIED),
        ({"specific_needs": ["SC-UC"]}, rules.UNACCOMPANIED),
        ({"sex": "F", "specific_needs": ["WR-SF"]}, rules.WOMAN_AT_RISK),
        ({"sex": "F", "woman_at_risk": True}, rules.WOMAN_AT_RISK),
        ({"circumstances": ["offered_work"]}, rules.ABDUCTION),
        ({"circumstances": ["armed_actors"]}, rules.ABDUCTION),
    ],
)
def test_each_reason_makes_the_case_urgent_and_due_at_once(kw, reason):
    found = assess(**kw)
    assert found.urgent and reason in found.reasons
    assert rules.first_action_due(T0, found.level) == T0


def test_other_circumstances_alone_do_not():
    assert not assess(circumstances=["other"]).urgent


def test_escalation_steps_follow_the_clock_and_never_go_back():
    due = T0
    step = lambda minutes, already=0: rules.escalation_step(  # noqa: E731
        due=due, now=due + timedelta(minutes=minutes), level=rules.URGENT, already=already
    )
    assert step(14) == 0
    assert step(15) == 1
    assert step(44) == 1
    assert step(45) == 2
    assert step(1, already=2) == 2
    high = rules.escalation_step(due=due, now=due, level=rules.HIGH, already=0)
    assert high == 1


def test_the_tables_can_be_changed():
    assert rules.first_action_due(T0, rules.HIGH, {"high": 30}) == T0 + timedelta(minutes=30)
    at = rules.escalation_step(
        due=T0,
        now=T0 + timedelta(minutes=5),
        level=rules.URGENT,
        already=0,
        steps={"urgent": (5, 30)},
    )
    assert at == 1

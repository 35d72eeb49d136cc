"""The scoring engine and the shipped instruments: each reproduces its
published rule (INSTRUMENTS.md), checked by properties over random answers
and by worked vignettes."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salama.lib.screening import expr
from salama.lib.screening.engine import AnswerError, evaluate
from salama.lib.screening.instrument import InstrumentError, load
from salama.screening import catalogue

DELPHI = catalogue.get("ilo-ec-delphi-labour")
FMS = catalogue.get("iom-fms-trafficking")
ILO11 = catalogue.get("ilo-forced-labour-11")
VULNERABILITY = catalogue.get("salama-vulnerability")


def published_dimension_rule(strong: int, medium: int, weak: int) -> bool:
    """INSTRUMENTS.md 1.3 step 1, written independently of the YAML."""
    return (
        strong >= 2
        or (strong >= 1 and medium + weak >= 1)
        or medium >= 3
        or (medium >= 2 and weak >= 1)
    )


def test_every_shipped_instrument_loads_and_scores_an_empty_response():
    assert set(catalogue.instruments()) == {
        "ilo-ec-delphi-labour",
        "iom-fms-trafficking",
        "ilo-forced-labour-11",
        "salama-vulnerability",
    }
    for instrument in catalogue.instruments().values():
        assert instrument.disclaimer.en and instrument.disclaimer.ar and instrument.disclaimer.fr
        assert "not" in instrument.validated_in.lower() or "validated" in instrument.validated_in
        for profile in instrument.profiles:
            answers = {"age": 30, "sex": "male"} if instrument is VULNERABILITY else {}
            result = evaluate(instrument, profile, answers, administered_with="caseworker")
            assert result.level == "negative"
            assert result.fired == []


def test_codes_are_known_and_every_instrument_says_it_is_indicative():
    from salama.registry.codes import specific_needs

    known = set(specific_needs())
    for instrument in catalogue.instruments().values():
        codes = {c for i in instrument.items() for c in i.specific_needs}
        codes |= {c for o in instrument.outcomes for c in o.specific_needs}
        assert codes <= known, (instrument.id, codes - known)
        assert instrument.disclaimer.en.startswith("Indicative only")
        assert instrument.validated_in and instrument.validation_status and instrument.source


def test_unanswered_fields_compare_as_in_xpath():
    # The field form (XPath) shows "separated" while "unaccompanied" is blank;
    # the engine must count an answer given there.
    assert expr.evaluate("x != 'yes'", {"x": None}) is True
    assert expr.evaluate("x == 'yes'", {"x": None}) is False
    assert expr.evaluate("x in ('a', 'b')", {"x": None}) is False
    result = evaluate(
        VULNERABILITY,
        "child",
        {"age": 10, "sex": "male", "separated": "yes"},
        administered_with="caregiver",
    )
    assert result.specific_needs == ["SC-SC"]


def test_delphi_item_counts_match_the_published_sets():
    adult = [i for i in DELPHI.items() if i.for_profile("adult") and i.id != "act_recruited"]
    child = [i for i in DELPHI.items() if i.for_profile("child") and i.id != "act_recruited"]
    counts = {d.id: len([i for i in adult if i.id in d.items]) for d in DELPHI.dimensions}
    assert counts == {"D1": 10, "D2": 10, "D3": 16, "D4": 9, "D5": 15, "D6": 7}
    assert len(adult) == 67 and len(child) == 65
    assert all(i.strength["child"] != "weak" for i in child)  # no weak tier for children
    assert not any(i.strength.get("adult") == "strong" for i in adult if i.id.startswith("d3_"))


def _fire(instrument, profile, item_ids, **extra):
    answers = {i: "yes" for i in item_ids}
    return evaluate(instrument, profile, answers, administered_with="caregiver", **extra)


@settings(max_examples=200, deadline=None)
@given(dimension=st.sampled_from(DELPHI.dimensions), data=st.data())
def test_each_dimension_follows_the_published_tier_rule(dimension, data):
    for profile in ("adult", "child"):
        asked = [i for i in dimension.items if DELPHI.item(i).for_profile(profile)]
        chosen = data.draw(st.lists(st.sampled_from(asked), unique=True), label=profile)
        result = _fire(DELPHI, profile, chosen)
        got = next(d for d in result.dimensions if d.id == dimension.id)
        tiers = [DELPHI.item(i).strength[profile] for i in chosen]
        counts = [tiers.count(t) for t in ("strong", "medium", "weak")]
        assert (got.strong, got.medium, got.weak) == tuple(counts)
        assert got.positive == published_dimension_rule(*counts)
        assert sorted(got.fired) == sorted(chosen)


def _adult_combination(positive: dict[str, bool]) -> bool:
    p = positive
    return (p["D1"] or p["D2"] or p["D3"]) and p["D4"] and (p["D5"] or p["D6"])


@settings(max_examples=300, deadline=None)
@given(
    chosen=st.lists(
        st.sampled_from([i.id for i in DELPHI.items() if DELPHI.asked_in(i.id, "adult")])
    ),
)
def test_adult_outcome_is_the_published_combination(chosen):
    result = _fire(DELPHI, "adult", set(chosen))
    positive = {d.id: d.positive for d in result.dimensions}
    assert result.rules["trafficking_adult"] == _adult_combination(positive)
    assert (result.outcome == "indicative_adult") == _adult_combination(positive)
    if result.outcome != "indicative_adult" and any(positive.values()):
        assert result.level == "high"
    # The path records every outcome tried, ending at the one chosen.
    assert result.path[-1].id == result.outcome and result.path[-1].value


@settings(max_examples=300, deadline=None)
@given(
    act=st.booleans(),
    chosen=st.lists(
        st.sampled_from(
            [i.id for i in DELPHI.items() if i.for_profile("child") and i.id != "act_recruited"]
        )
    ),
)
def test_child_outcome_needs_act_and_exploitation_but_no_means(act, chosen):
    result = _fire(DELPHI, "child", set(chosen) | ({"act_recruited"} if act else set()))
    p = {d.id: d.positive for d in result.dimensions}
    expected = (act or p["D1"] or p["D2"] or p["D3"]) and p["D4"]
    assert (result.outcome == "indicative_child") == expected


def test_vignette_adult_trafficked_for_labour():
    # Deceived about the job (strong) and wages (medium); 16-hour days (strong)
    # and no pay (medium); passport taken (strong) and locked in (strong).
    result = _fire(
        DELPHI,
        "adult",
        ["d1_nature_job", "d1_wages", "d4_hours", "d4_low_pay", "d5_documents", "d5_isolation"],
    )
    assert [d.id for d in result.dimensions if d.positive] == ["D1", "D4", "D5"]
    assert result.outcome == "indicative_adult" and result.level == "positive"
    assert "counter_trafficking" in result.referrals
    assert "not a legal determination" in result.disclaimer


def test_vignette_adult_exploited_but_not_coerced_is_not_trafficking():
    # The same deception and exploitation, but free to leave: means at
    # destination are missing, so the adult rule does not hold.
    result = _fire(DELPHI, "adult", ["d1_nature_job", "d1_wages", "d4_hours", "d4_low_pay"])
    assert result.rules == {
        "recruitment": True,
        "means_at_destination": False,
        "trafficking_adult": False,
    }
    assert result.outcome == "elements_present" and result.level == "high"


def test_vignette_child_moved_and_exploited_without_means():
    result = _fire(DELPHI, "child", ["act_recruited", "d4_hours", "d4_hazardous"])
    assert [d.id for d in result.dimensions if d.positive] == ["D4"]
    assert result.outcome == "indicative_child"
    assert "child_protection" in result.referrals
    # For an adult the same facts are not enough.
    adult = _fire(DELPHI, "adult", ["d4_hours", "d4_hazardous"])
    assert adult.outcome == "elements_present"


def test_child_tiers_differ_from_adult_tiers():
    # Threats of violence at destination: medium for adults, strong for children.
    one = ["d5_threats", "d5_lie"]
    assert not next(d for d in _fire(DELPHI, "adult", one).dimensions if d.id == "D5").positive
    assert next(d for d in _fire(DELPHI, "child", one).dimensions if d.id == "D5").positive


def test_a_child_is_never_screened_alone():
    with pytest.raises(AnswerError, match="administered_with"):
        evaluate(DELPHI, "child", {"d4_hours": "yes"})
    with pytest.raises(AnswerError, match="caregiver"):
        evaluate(DELPHI, "child", {}, administered_with="alone")


@settings(max_examples=200, deadline=None)
@given(
    own=st.dictionaries(
        st.sampled_from([i.id for i in FMS.items() if i.id.startswith("self_")]),
        st.sampled_from(["yes", "no", "dont_know", "refused"]),
    ),
    family=st.dictionaries(
        st.sampled_from([i.id for i in FMS.items() if i.id.startswith("family_")]),
        st.sampled_from(["yes", "no"]),
    ),
    travelled=st.booleans(),
)
def test_fms_positive_only_from_own_experience(own, family, travelled):
    answers = {**own, **family, "travelled_with_family": "yes" if travelled else "no"}
    result = evaluate(FMS, "adult", answers)
    own_yes = sum(v == "yes" for v in own.values())
    family_yes = sum(v == "yes" for v in family.values()) if travelled else 0
    assert (result.yes, result.family_yes) == (own_yes, family_yes)
    if own_yes:
        assert result.outcome == "positive"
    elif family_yes:
        assert result.outcome == "family_only" and result.level == "medium"
    else:
        assert result.outcome == "negative"


def test_fms_family_answers_do_not_count_when_nobody_travelled_with_them():
    result = evaluate(FMS, "adult", {"travelled_with_family": "no", "family_held": "yes"})
    assert result.family_yes == 0 and result.outcome == "negative"


@settings(max_examples=100, deadline=None)
@given(st.sets(st.sampled_from([i.id for i in ILO11.items() if i.type == "yes_no"])))
def test_ilo11_is_a_checklist_suspected_when_any_is_present(present):
    result = evaluate(ILO11, "adult", {i: "yes" for i in present} | {"observations": "seen"})
    assert {f.id for f in result.fired} == present
    assert result.outcome == ("suspected" if present else "none")


def test_vulnerability_vignettes():
    girl = evaluate(
        VULNERABILITY,
        "child",
        {"age": 15, "sex": "female", "child_married": "yes", "not_in_school": "yes"},
        administered_with="caseworker",
    )
    assert girl.level == "high"
    assert girl.specific_needs == ["CR-NE", "SV-FM", "CR-CS"]
    widow = evaluate(
        VULNERABILITY,
        "adult",
        {"age": 34, "sex": "female", "woman_alone": "yes", "no_income": "yes"},
    )
    assert widow.level == "medium" and set(widow.specific_needs) == {"WR-SF", "LP-BN"}
    # The women's section is skipped for men: its answers do not count.
    man = evaluate(VULNERABILITY, "adult", {"age": 34, "sex": "male", "woman_alone": "yes"})
    assert man.level == "negative"
    # The youth section is asked from 15 to 24 only.
    young = evaluate(VULNERABILITY, "adult", {"age": 19, "sex": "male", "drug_use": "yes"})
    old = evaluate(VULNERABILITY, "adult", {"age": 40, "sex": "male", "drug_use": "yes"})
    assert young.specific_needs == ["SM-AD"] and old.specific_needs == []


@pytest.mark.parametrize(
    "answers, item, message",
    [
        ({"nope": "yes"}, "nope", "no such item"),
        ({"d1_wages": "perhaps"}, "d1_wages", "expected one of yes"),
        ({"d1_wages": 3}, "d1_wages", "expected one of yes"),
    ],
)
def test_bad_answers_name_the_item(answers, item, message):
    with pytest.raises(AnswerError) as raised:
        evaluate(DELPHI, "adult", answers)
    assert raised.value.item == item and message in str(raised.value)


def test_item_for_another_profile_is_refused():
    with pytest.raises(AnswerError, match="not asked in the adult profile"):
        evaluate(DELPHI, "adult", {"act_recruited": "yes"})
    with pytest.raises(AnswerError, match="whole number"):
        evaluate(VULNERABILITY, "adult", {"age": "old"})


def test_expressions_cannot_run_code():
    for bad in ["__import__('os')", "x.y", "[1, 2]", "lambda: 1", "a if b else c"]:
        with pytest.raises(expr.ExpressionError):
            expr.parse(bad)
    assert expr.evaluate("a in ('x', 'y') and not b", {"a": "y", "b": False})
    assert expr.evaluate("age >= 15", {"age": None}) is False  # unanswered: false


def test_relevance_translates_to_xpath():
    assert expr.to_xpath("age >= 15 and age <= 24") == "(${age} >= 15 and ${age} <= 24)"
    assert expr.to_xpath("sex == 'female'") == "${sex} = 'female'"
    assert expr.to_xpath("x != 'yes'") == "${x} != 'yes'"


def test_a_broken_instrument_file_is_refused_with_its_problem(tmp_path: Path):
    text = (catalogue.DIRECTORY / "ilo-forced-labour-11.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("when: yes >= 1", "when: yes >= 1 and unknown_thing"))
    with pytest.raises(InstrumentError, match="unknown names \\['unknown_thing'\\]"):
        load(broken)
    broken.write_text(text.replace("when: 'True'", "when: yes >= 0"))
    with pytest.raises(InstrumentError, match="last outcome"):
        load(broken)
    broken.write_text(text.replace("  ar: مؤشرات منظمة", "  xx: مؤشرات منظمة"))
    with pytest.raises(InstrumentError, match="title"):
        load(broken)

"""salama.lib.civil.marriage: the rule table, the minimum age, refusals and review flags."""

import json
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salama.lib.ages import birth_years_from_age
from salama.lib.civil import marriage as m

ON = date(2026, 12, 1)
TWELVE = {"JO", "LB", "IQ", "SY", "BD", "NG", "SS", "AF", "YE", "CD", "UA", "CO"}


def adult(role: str, sex: str = "M", born: date = date(1996, 5, 4)) -> m.Party:
    return m.Party(role=role, sex=sex, birth_date=born)


def stated(role: str, age: int, stated_on: date) -> m.Party:
    low, high = birth_years_from_age(age, stated_on)
    return m.Party(role=role, sex="F", birth_year_min=low, birth_year_max=high)


# The rule table


def test_the_packaged_table_loads_with_the_policy_and_twelve_countries():
    policy, laws = m.load_laws()
    assert policy == m.Policy(
        minimum_age=18,
        exception="none",
        basis="CEDAW GR 31 / CRC GC 18 (2014, revised 2019), para 55(f); A/73/171 para 38 and 73(d)",
    )
    assert {law.jurisdiction for law in laws} == TWELVE
    for law in laws:
        assert law.legal_source and law.source and law.conditions
        assert law.confidence in ("verified", "secondary", "unverified")
        assert (law.verified_on == date(2026, 12, 1)) == (law.confidence == "verified")


def test_yemen_and_lebanon_set_no_minimum_and_iraq_names_its_law():
    _, laws = m.load_laws()
    by_country = {law.jurisdiction: law for law in laws}
    for code in ("YE", "LB"):
        assert by_country[code].min_age_female is None
        assert by_country[code].min_age_male is None
    assert by_country["LB"].regime is not None
    assert "188" in by_country["IQ"].legal_source and "2025" in by_country["IQ"].conditions
    assert (by_country["BD"].min_age_female, by_country["BD"].min_age_male) == (18, 21)
    assert by_country["BD"].exception_floor is None and by_country["BD"].exception_kind == "both"
    assert by_country["UA"].effective_from == date(2012, 4, 8)


def _table_with(tmp_path, index: int, **changes):
    raw = json.loads(m.DATA_FILE.read_text("utf-8"))
    raw["laws"][index].update(changes)
    path = tmp_path / "marriage_ages.json"
    path.write_text(json.dumps(raw), "utf-8")
    return path


@pytest.mark.parametrize(
    ("index", "changes", "field"),
    [
        (3, {"exception_kind": "sometimes"}, "exception_kind"),
        (0, {"min_age_female": "18"}, "min_age_female"),
        (5, {"jurisdiction": "Nigeria"}, "jurisdiction"),
        (2, {"verified_on": "2026-12-01"}, "verified_on"),  # a secondary row
        (9, {"exception_floor": 16}, "exception_floor"),  # no exception, yet a floor
        (7, {"effective_from": "1977"}, "effective_from"),
        (4, {"legal_source": ""}, "legal_source"),
        (1, {"colour": "red"}, "colour"),
    ],
)
def test_a_bad_row_names_its_index_and_field(tmp_path, index, changes, field):
    with pytest.raises(ValueError, match=rf"laws\[{index}\]\.{field}"):
        m.load_laws(_table_with(tmp_path, index, **changes))


def test_a_policy_below_18_or_with_an_exception_is_refused(tmp_path):
    raw = json.loads(m.DATA_FILE.read_text("utf-8"))
    for bad, field in (
        ({"minimum_age": 16}, "minimum_age"),
        ({"exception": "judicial"}, "exception"),
    ):
        raw_bad = {**raw, "policy": {**raw["policy"], **bad}}
        path = tmp_path / "p.json"
        path.write_text(json.dumps(raw_bad), "utf-8")
        with pytest.raises(ValueError, match=rf"policy\.{field}"):
            m.load_laws(path)


# The minimum Salama applies


def test_a_deployment_can_raise_the_minimum_but_not_lower_it():
    assert m.effective_minimum() == 18
    assert m.effective_minimum(18, 20) == 20
    with pytest.raises(
        ValueError, match="can only raise the minimum age of 18, not lower it to 16"
    ):
        m.effective_minimum(18, 16)


# Refusals


def test_one_day_before_the_18th_birthday_is_refused_and_the_birthday_is_allowed():
    child = m.Party("spouse_b", "F", birth_date=date(2008, 12, 2))  # 17 years 364 days
    assert m.refusals([adult("spouse_a"), child], ON, 18) == [
        m.Refusal("spouse_b", m.UNDER_MINIMUM, 18, 17, 17)
    ]
    eighteen_today = m.Party("spouse_b", "F", birth_date=date(2008, 12, 1))
    assert m.refusals([adult("spouse_a"), eighteen_today], ON, 18) == []


def test_a_stated_age_whose_possible_birth_years_straddle_the_minimum_is_refused():
    a_year_ago = date(2025, 12, 1)
    said_17 = stated("spouse_b", 17, a_year_ago)  # now 17, 18 or 19
    assert m.refusals([adult("spouse_a"), said_17], ON, 18) == [
        m.Refusal("spouse_b", m.COULD_BE_UNDER_MINIMUM, 18, 17, 19)
    ]
    # Aged 18 a year ago: at least 18 now, so allowed at 18; a deployment at 20 refuses.
    said_18 = stated("spouse_b", 18, a_year_ago)
    assert m.refusals([said_18], ON, 18) == []
    assert m.refusals([said_18], ON, 20) == [
        m.Refusal("spouse_b", m.COULD_BE_UNDER_MINIMUM, 20, 18, 20)
    ]


def test_a_birth_year_alone_is_exact_on_31_december():
    born_2008 = m.Party("spouse_b", "F", birth_year_min=2008, birth_year_max=2008)
    assert m.age_span(born_2008, date(2026, 12, 31)) == (18, 18)
    assert m.age_span(born_2008, date(2026, 12, 30)) == (17, 18)


def test_an_unknown_age_is_refused():
    unknown = m.Party("spouse_b", "U")
    refusal = m.refusals([adult("spouse_a"), unknown], ON, 18)
    assert refusal == [m.Refusal("spouse_b", m.AGE_UNKNOWN, 18, None, None)]
    assert m.explain(refusal[0]) == {
        "role": "spouse_b",
        "code": "age_unknown",
        "minimum": 18,
        "youngest": None,
        "oldest": None,
    }


def test_both_parties_are_checked():
    girl = m.Party("spouse_b", "F", birth_date=date(2012, 1, 1))
    boy = m.Party("spouse_a", "M", birth_date=date(2010, 1, 1))
    assert [(r.role, r.code, r.youngest) for r in m.refusals([boy, girl], ON, 18)] == [
        ("spouse_a", m.UNDER_MINIMUM, 16),
        ("spouse_b", m.UNDER_MINIMUM, 14),
    ]


def test_a_party_with_half_a_birth_year_range_or_an_unknown_sex_code_is_rejected():
    with pytest.raises(ValueError, match="birth_year_min and birth_year_max"):
        m.Party("spouse_b", "F", birth_year_min=2000)
    with pytest.raises(ValueError, match="sex"):
        m.Party("spouse_b", "female")


@st.composite
def parties_and_days(draw):
    on = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)))
    kind = draw(st.sampled_from(["date", "years", "unknown"]))
    if kind == "date":
        party = m.Party("p", "F", birth_date=draw(st.dates(date(1960, 1, 1), on)))
    elif kind == "years":
        low = draw(st.integers(1960, on.year))
        high = draw(st.integers(low, min(low + 2, on.year)))
        party = m.Party("p", "F", birth_year_min=low, birth_year_max=high)
    else:
        party = m.Party("p", "U")
    return party, on, draw(st.integers(18, 25))


@given(parties_and_days())
def test_refused_exactly_when_the_youngest_possible_age_is_below_the_minimum(case):
    party, on, minimum = case
    span = m.age_span(party, on)
    refused = m.refusals([party], on, minimum)
    if span is not None and span[0] >= minimum:
        assert refused == []
    else:
        assert [r.role for r in refused] == ["p"]


@given(
    st.integers(1980, 2020),
    st.integers(0, 2),
    st.dates(date(2020, 1, 1), date(2040, 12, 31)),
    st.data(),
)
def test_no_possible_birth_date_under_the_minimum_gets_through(low, width, on, data):
    party = m.Party("p", "F", birth_year_min=low, birth_year_max=low + width)
    born = data.draw(st.dates(date(low, 1, 1), date(low + width, 12, 31)))
    actual = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if not m.refusals([party], on, 18):
        assert actual >= 18


# Review flags


def facts(**changes) -> m.MarriageFacts:
    bride = m.Party("spouse_b", "F", birth_date=date(2000, 6, 1))
    groom = m.Party("spouse_a", "M", birth_date=date(1992, 6, 1))
    return m.MarriageFacts(parties=changes.pop("parties", (groom, bride)), **changes)


def codes(flags: list[m.Flag]) -> list[str]:
    return [f.code for f in flags]


def test_plain_facts_raise_no_flag():
    assert m.review_flags(facts(), ON) == []


def test_large_age_gap_from_ten_years():
    bride = m.Party("spouse_b", "F", birth_date=date(2000, 6, 1))  # 26
    ten = m.Party("spouse_a", "M", birth_date=date(1990, 6, 1))  # 36
    nine = m.Party("spouse_a", "M", birth_date=date(1991, 6, 1))  # 35
    assert m.review_flags(facts(parties=(ten, bride)), ON) == [m.Flag("large_age_gap", {"gap": 10})]
    assert m.review_flags(facts(parties=(nine, bride)), ON) == []
    assert m.review_flags(facts(parties=(ten, bride)), ON, age_gap_years=11) == []


def test_already_married_is_a_flag_whatever_the_law_on_polygamy():
    for allowed in (True, False):
        flags = m.review_flags(
            facts(current_marriages={"spouse_a": 1, "spouse_b": 0}, polygamy_allowed=allowed), ON
        )
        assert flags == [
            m.Flag("already_married", {"role": "spouse_a", "count": 1, "polygamy_allowed": allowed})
        ]


def test_soon_after_arrival_under_ninety_days():
    assert m.review_flags(facts(arrived_on={"spouse_b": ON - timedelta(days=89)}), ON) == [
        m.Flag("soon_after_arrival", {"role": "spouse_b", "days": 89})
    ]
    assert m.review_flags(facts(arrived_on={"spouse_b": ON - timedelta(days=90)}), ON) == []
    assert m.review_flags(facts(arrived_on={"spouse_a": None}), ON) == []
    # Married before they arrived: not "soon after arrival".
    assert m.review_flags(facts(arrived_on={"spouse_b": ON + timedelta(days=30)}), ON) == []
    assert codes(
        m.review_flags(
            facts(arrived_on={"spouse_a": ON - timedelta(days=100)}), ON, arrival_days=120
        )
    ) == ["soon_after_arrival"]


def _short(end: date, days: int) -> tuple[date, date]:
    return end - timedelta(days=days), end


def test_repeated_short_marriages_two_under_180_days_in_three_years():
    since = date(2023, 12, 1)
    two = [_short(date(2025, 3, 1), 179), _short(since, 179)]
    assert m.review_flags(facts(previous_marriages_of_bride=two), ON) == [
        m.Flag("repeated_short_marriages", {"count": 2, "max_days": 180, "years": 3})
    ]
    one_long = [_short(date(2025, 3, 1), 179), _short(since, 180)]
    assert m.review_flags(facts(previous_marriages_of_bride=one_long), ON) == []
    one_old = [_short(date(2025, 3, 1), 179), _short(since - timedelta(days=1), 179)]
    assert m.review_flags(facts(previous_marriages_of_bride=one_old), ON) == []
    assert m.review_flags(facts(previous_marriages_of_bride=two), ON, short_marriage_count=3) == []


def test_open_missing_report_and_screening_flag_per_party():
    flags = m.review_flags(
        facts(
            open_missing_report={"spouse_b": True, "spouse_a": False},
            screening_flag={"spouse_a": True},
        ),
        ON,
    )
    assert flags == [
        m.Flag("open_missing_report", {"role": "spouse_b"}),
        m.Flag("screening_flag", {"role": "spouse_a"}),
    ]


def test_taken_abroad_when_a_spouse_will_take_the_bride_abroad():
    assert m.review_flags(facts(spouse_foreign=True, spouse_leaving_country=True), ON) == [
        m.Flag("taken_abroad", {"foreign": True})
    ]
    assert m.review_flags(facts(spouse_leaving_country=True), ON) == [
        m.Flag("taken_abroad", {"foreign": False})
    ]
    assert m.review_flags(facts(spouse_foreign=True), ON) == []


def test_facts_about_a_role_not_among_the_parties_are_rejected():
    with pytest.raises(ValueError, match="screening_flag: unknown role 'bride'"):
        facts(screening_flag={"bride": True})

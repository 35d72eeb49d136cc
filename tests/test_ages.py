"""Birth-year ranges from stated ages (property-based)."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from salama.lib.ages import age_on, age_range, birth_years, birth_years_from_age


@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
    later=st.integers(min_value=0, max_value=100 * 366),
)
def test_the_true_birth_year_is_always_in_the_range(born, later):
    stated_on = born + timedelta(days=later)
    low, high = birth_years_from_age(age_on(born, stated_on), stated_on)
    assert low <= born.year <= high
    assert high - low <= 1


def test_exact_dates_give_one_year():
    assert birth_years(date(2001, 5, 4), None, None) == (2001, 2001)
    assert birth_years(None, 30, date(2026, 6, 1)) == (1995, 1996)
    assert birth_years(None, None, None) == (None, None)


def test_age_range_is_the_inverse():
    assert age_range(1995, 1996, date(2026, 6, 1)) == (29, 31)
    assert age_range(None, 1996, date(2026, 6, 1)) is None

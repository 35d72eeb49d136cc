"""Birth-year ranges from exact dates or stated ages (no Django imports)."""

from datetime import date


def birth_years_from_age(age: int, stated_on: date) -> tuple[int, int]:
    """A person aged `age` on `stated_on` was born after stated_on minus age+1
    years and on or before stated_on minus age years: two possible years,
    or one when the age was stated on 31 December."""
    latest = stated_on.year - age
    earliest = latest if (stated_on.month, stated_on.day) == (12, 31) else latest - 1
    return earliest, latest


def birth_years(
    birth_date: date | None, age: int | None, stated_on: date | None
) -> tuple[int | None, int | None]:
    if birth_date is not None:
        return birth_date.year, birth_date.year
    if age is not None and stated_on is not None:
        return birth_years_from_age(age, stated_on)
    return None, None


def age_on(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def age_range(year_min: int | None, year_max: int | None, on: date) -> tuple[int, int] | None:
    """The youngest and oldest age someone born in [year_min, year_max] can be on `on`."""
    if year_min is None or year_max is None:
        return None
    return max(on.year - year_max - 1, 0), on.year - year_min


# Bands for counts: children, adolescents, the 15-24 youth of A/73/171 para 48
# (15-17 and 18-24, so that children stay apart), adults and older people.
AGE_BANDS = ((0, 4), (5, 11), (12, 14), (15, 17), (18, 24), (25, 59), (60, 200))


def best_age(
    birth_date: date | None, year_min: int | None, year_max: int | None, on: date
) -> int | None:
    """The age to act on: exact from a date of birth, else the middle of the
    possible range (an estimate, rounded down)."""
    if birth_date is not None:
        return age_on(birth_date, on)
    span = age_range(year_min, year_max, on)
    return None if span is None else (span[0] + span[1]) // 2


def age_band(age: int | None) -> str:
    if age is None:
        return "unknown"
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}+" if high >= 200 else f"{low}-{high}"
    return "unknown"

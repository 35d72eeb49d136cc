"""Input rows → prepared arrays. Each name part becomes a vocabulary id of its
canonical form; dates become ranges of birth years; identifiers are cleaned."""

import re
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np

from salama.lib.ages import birth_years_from_age
from salama.lib.linkage.normalise import canonical, clean, loose_latin, name_skeleton, tokens

NAME_PARTS = ("given", "father", "grandfather", "family")
COLUMNS = (
    "id",
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "full_name",
    "sex",
    "birth_date",
    "birth_year",
    "age",
    "age_on",
    "place_of_origin",
    "country_of_origin",
    "household_id",
    "phone",
    "document_number",
)
_SEX = {"f": 1, "female": 1, "w": 1, "m": 2, "male": 2, "h": 2, "x": 3, "other": 3}
_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})")


class RowError(ValueError):
    def __init__(self, row: int, column: str, message: str) -> None:
        super().__init__(f"row {row}, column {column}: {message}")
        self.row, self.column = row, column


class Vocabulary:
    """Strings ↔ small integers; 0 means missing."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {"": 0}
        self.values: list[str] = [""]

    def id(self, value: str) -> int:
        found = self.ids.get(value)
        if found is None:
            found = self.ids[value] = len(self.values)
            self.values.append(value)
        return found


@dataclass
class Vocabularies:
    """Shared by both sides of a link, so that equal values get equal ids."""

    names: Vocabulary = field(default_factory=Vocabulary)
    skeletons: Vocabulary = field(default_factory=Vocabulary)
    places: Vocabulary = field(default_factory=Vocabulary)
    countries: Vocabulary = field(default_factory=Vocabulary)
    households: Vocabulary = field(default_factory=Vocabulary)
    documents: Vocabulary = field(default_factory=Vocabulary)
    # Arrays derived from the vocabularies by other modules, with the sizes
    # they were built at (a vocabulary only grows).
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def known_names(self) -> np.ndarray:
        """Per name id: is it a canonical name from the variant table?"""
        return np.array([bool(v) and not v.startswith(("~", "^")) for v in self.names.values])

    def loose(self, name_id: int) -> str:
        value = self.names.values[name_id]
        return value if not value.startswith(("~", "^")) else value[1:]


@dataclass
class Prepared:
    ids: list[str]
    names: np.ndarray  # (n, 4) canonical-name ids, 0 = missing
    skeletons: np.ndarray  # (n, 4)
    year_min: np.ndarray  # -1 = unknown
    year_max: np.ndarray
    exact_date: np.ndarray  # proleptic ordinal, -1 = unknown
    sex: np.ndarray
    place: np.ndarray
    country: np.ndarray
    household: np.ndarray
    phone: np.ndarray  # last 8 digits, -1 = unknown
    document: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def _parse_date(value: str, row: int, column: str) -> date | None:
    if not value:
        return None
    match = _DATE.match(value.strip())
    if not match:
        raise RowError(row, column, f"not a date (YYYY-MM-DD): {value!r}")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise RowError(row, column, f"not a real date: {value!r}") from None


def _parse_int(value: str, row: int, column: str, low: int, high: int) -> int | None:
    if not value or not value.strip():
        return None
    try:
        number = int(float(value))
    except (ValueError, OverflowError):  # "x", "nan", "inf"
        raise RowError(row, column, f"not a number: {value!r}") from None
    if not low <= number <= high:
        raise RowError(row, column, f"out of range {low}-{high}: {number}")
    return number


def _name_parts(row: Mapping[str, str]) -> list[str]:
    parts = [row.get(f"{p}_name", "") or "" for p in NAME_PARTS]
    full = row.get("full_name", "") or ""
    if full and not any(parts):
        words = tokens(full)
        # Given, father's, grandfather's names, family name last. A full name
        # with no letters ("-", "123", "؟") is no name at all.
        if not words:
            parts = ["", "", "", ""]
        elif len(words) == 1:
            parts = [words[0], "", "", ""]
        elif len(words) == 2:
            parts = [words[0], "", "", words[1]]
        else:
            parts = [words[0], words[1], words[2] if len(words) > 3 else "", words[-1]]
    return parts


def has_name(row: Mapping[str, str]) -> bool:
    """Whether the row names someone: at least one name part with a letter
    (punctuation, digits and spaces alone are no name)."""
    return any(canonical(part) for part in _name_parts(row))


def invalid_columns(row: Mapping[str, str]) -> list[str]:
    """The columns of a row that prepare() would refuse, so that a caller can
    answer "this field is not valid" instead of failing (the RowError's
    message carries the value, which must not reach a log)."""
    bad = []
    sex = (row.get("sex") or "").strip().lower()
    if sex and sex not in _SEX and sex not in {"u", "unknown"}:
        bad.append("sex")
    checks = (
        ("birth_date", lambda v: _parse_date(v, 0, "birth_date")),
        ("birth_year", lambda v: _parse_int(v, 0, "birth_year", 1880, 2100)),
        ("age", lambda v: _parse_int(v, 0, "age", 0, 130)),
        ("age_on", lambda v: _parse_date(v, 0, "age_on")),
    )
    for column, parse in checks:
        try:
            parse(row.get(column) or "")
        except RowError:
            bad.append(column)
    return bad


def _birth(row: Mapping[str, str], line: int) -> tuple[int, int, int]:
    born = _parse_date(row.get("birth_date", "") or "", line, "birth_date")
    if born:
        return born.year, born.year, born.toordinal()
    year = _parse_int(row.get("birth_year", "") or "", line, "birth_year", 1880, 2100)
    if year:
        return year, year, -1
    age = _parse_int(row.get("age", "") or "", line, "age", 0, 130)
    if age is not None:
        on = _parse_date(row.get("age_on", "") or "", line, "age_on") or date.today()
        low, high = birth_years_from_age(age, on)
        return low, high, -1
    return -1, -1, -1


@lru_cache(maxsize=100_000)
def _place(value: str) -> str:
    return loose_latin(clean(value).replace(" ", ""))


def _digits(value: str) -> int:
    digits = re.sub(r"\D", "", value or "")
    return int(digits[-8:]) if len(digits) >= 6 else -1


def prepare(
    rows: Iterable[Mapping[str, str]], vocab: Vocabularies | None = None
) -> tuple[Prepared, Vocabularies]:
    """Rows with the columns of COLUMNS (any may be missing but id) → arrays."""
    vocab = vocab or Vocabularies()
    ids: list[str] = []
    # Compact columns (array.array), not lists of Python ints: at a million
    # records the lists took some 600 MB, left fragmented once freed.
    names, skels, births = array("i"), array("i"), array("q")
    sexes = array("b")
    places, countries, households, documents = array("i"), array("i"), array("i"), array("i")
    phones = array("q")
    seen: set[str] = set()
    for index, row in enumerate(rows):
        line = index + 2  # the header is line 1
        record_id = (row.get("id") or "").strip()
        if not record_id:
            raise RowError(line, "id", "missing")
        if record_id in seen:
            raise RowError(line, "id", f"repeated id {record_id!r}")
        seen.add(record_id)
        ids.append(record_id)
        parts = _name_parts(row)
        names.extend(vocab.names.id(canonical(p)) for p in parts)
        skels.extend(vocab.skeletons.id(name_skeleton(p)) for p in parts)
        births.extend(_birth(row, line))
        sex = (row.get("sex") or "").strip().lower()
        if sex and sex not in _SEX and sex not in {"u", "unknown"}:
            raise RowError(line, "sex", f"unknown value {sex!r} (F, M, X or U)")
        sexes.append(_SEX.get(sex, 0))
        places.append(
            vocab.places.id(loose_latin(clean(row.get("place_of_origin") or "").replace(" ", "")))
        )
        countries.append(vocab.countries.id(clean(row.get("country_of_origin") or "")))
        households.append(vocab.households.id((row.get("household_id") or "").strip()))
        phones.append(_digits(row.get("phone") or ""))
        documents.append(
            vocab.documents.id(re.sub(r"[^0-9A-Z]", "", (row.get("document_number") or "").upper()))
        )
    births_array = np.array(births, dtype=np.int64).reshape(-1, 3)
    prepared = Prepared(
        ids=ids,
        names=np.array(names, dtype=np.int32).reshape(-1, 4),
        skeletons=np.array(skels, dtype=np.int32).reshape(-1, 4),
        year_min=births_array[:, 0],
        year_max=births_array[:, 1],
        exact_date=births_array[:, 2],
        sex=np.array(sexes, dtype=np.int8),
        place=np.array(places, dtype=np.int32),
        country=np.array(countries, dtype=np.int32),
        household=np.array(households, dtype=np.int32),
        phone=np.array(phones, dtype=np.int64),
        document=np.array(documents, dtype=np.int32),
    )
    return prepared, vocab

"""What a missing or found person report holds, checked once for every
channel (desk form, public page, API): a clear error naming the field, and
nothing written, for anything wrong."""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from salama.lib.ages import age_on
from salama.lib.tracing.urgency import CIRCUMSTANCES

NAME_PARTS = ("given_name", "father_name", "grandfather_name", "family_name")
PERSON_NAME_FIELDS = tuple(f"{p}{s}" for p in NAME_PARTS for s in ("", "_latin"))
SEXES = ("F", "M", "X", "U")
KINDS = ("missing", "found")
MAX_TEXT = 2000
MAX_SHORT = 200
MAX_NAME = 80
MAX_AGE = 120


class ReportError(ValueError):
    """A report that cannot be stored; `errors` maps each field to its problem."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class ReportInput:
    kind: str
    person: dict[str, Any]
    last_seen: dict[str, str] = field(default_factory=dict)
    circumstances: list[str] = field(default_factory=list)
    circumstances_detail: str = ""
    reporter: dict[str, str] = field(default_factory=dict)
    counted: bool = False
    unaccompanied: bool = False
    woman_at_risk: bool = False

    @property
    def sex(self) -> str:
        return str(self.person.get("sex") or "U")

    def age(self, today: date | None = None) -> int | None:
        today = today or timezone.localdate()
        born = self.person.get("birth_date")
        if born:
            return age_on(date.fromisoformat(born), today)
        stated = self.person.get("stated_age")
        return int(stated) if stated is not None else None

    def query(self) -> dict[str, str]:
        """The report as a query for the matching engine (either script)."""
        original = {p: self.person.get(p, "") for p in NAME_PARTS}
        latin = {p: self.person.get(f"{p}_latin", "") for p in NAME_PARTS}
        names = original if any(original.values()) else latin
        query: dict[str, str] = {**names, "sex": self.sex if self.sex in "FMX" else ""}
        if self.person.get("birth_date"):
            query["birth_date"] = self.person["birth_date"]
        elif self.person.get("stated_age") is not None:
            query["age"] = str(self.person["stated_age"])
        return query

    def has_name(self) -> bool:
        return any(self.person.get(f) for f in PERSON_NAME_FIELDS)


def _text(value: Any, limit: int, name: str, errors: dict[str, str]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[name] = _("Must be text.")
        return ""
    value = value.strip()
    if len(value) > limit:
        errors[name] = _("At most %(n)s characters.") % {"n": limit}
    if any(ord(c) < 32 and c not in "\n\t" for c in value):
        errors[name] = _("Contains control characters.")
    return value


def _date(value: Any, name: str, errors: dict[str, str], *, past: bool = True) -> str:
    if value in (None, ""):
        return ""
    try:
        parsed = date.fromisoformat(str(value))
    except ValueError:
        errors[name] = _("Not a date (YYYY-MM-DD).")
        return ""
    if parsed.year < 1880:
        errors[name] = _("Too far in the past.")
    elif past and parsed > timezone.localdate():
        errors[name] = _("Cannot be in the future.")
    return parsed.isoformat()


def clean_report(data: dict[str, Any]) -> ReportInput:
    """A ReportInput from plain data (the API's JSON, or a form's cleaned
    values), or ReportError naming every field that is wrong."""
    errors: dict[str, str] = {}
    if not isinstance(data, dict):
        raise ReportError({"": _("A report is one object.")})
    kind = data.get("kind")
    if kind not in KINDS:
        errors["kind"] = _("Must be 'missing' or 'found'.")
    person = _clean_person(data.get("person"), errors)
    last_seen = _clean_last_seen(data.get("last_seen"), errors)
    circumstances = data.get("circumstances") or []
    if not isinstance(circumstances, list) or any(c not in CIRCUMSTANCES for c in circumstances):
        errors["circumstances"] = _("Unknown circumstance; known: %(codes)s.") % {
            "codes": ", ".join(CIRCUMSTANCES)
        }
        circumstances = []
    detail = _text(data.get("circumstances_detail"), MAX_TEXT, "circumstances_detail", errors)
    reporter = _clean_reporter(data.get("reporter"), errors)
    if errors:
        raise ReportError(errors)
    return ReportInput(
        kind=str(kind),
        person=person,
        last_seen=last_seen,
        circumstances=sorted(set(circumstances), key=CIRCUMSTANCES.index),
        circumstances_detail=detail,
        reporter=reporter,
        counted=bool(data.get("counted")),
        unaccompanied=bool(data.get("unaccompanied")),
        woman_at_risk=bool(data.get("woman_at_risk")),
    )


def _clean_person(value: Any, errors: dict[str, str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        errors["person"] = _("Say who the report is about.")
        return {}
    person: dict[str, Any] = {}
    for name in PERSON_NAME_FIELDS:
        person[name] = _text(value.get(name), MAX_NAME, f"person.{name}", errors)
    sex = value.get("sex") or "U"
    if sex not in SEXES:
        errors["person.sex"] = _("Must be F, M, X or U.")
    person["sex"] = sex
    person["birth_date"] = _date(value.get("birth_date"), "person.birth_date", errors)
    age = value.get("stated_age")
    if age in ("", None):
        person["stated_age"] = None
    elif isinstance(age, bool) or not isinstance(age, int | str) or not str(age).isdigit():
        errors["person.stated_age"] = _("Must be a whole number of years.")
    elif int(age) > MAX_AGE:
        errors["person.stated_age"] = _("At most %(n)s.") % {"n": MAX_AGE}
    else:
        person["stated_age"] = int(age)
    for name in ("description", "marks"):
        person[name] = _text(value.get(name), MAX_TEXT, f"person.{name}", errors)
    if not any(person.get(f) for f in PERSON_NAME_FIELDS) and not person["description"]:
        errors["person"] = _("Give a name (in either script) or a description.")
    return person


def _clean_last_seen(value: Any, errors: dict[str, str]) -> dict[str, str]:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        errors["last_seen"] = _("Must be an object with date, place and with_whom.")
        return {}
    seen = {
        "date": _date(value.get("date"), "last_seen.date", errors),
        "time": _text(value.get("time"), 5, "last_seen.time", errors),
        "place": _text(value.get("place"), MAX_SHORT, "last_seen.place", errors),
        "with_whom": _text(value.get("with_whom"), MAX_SHORT, "last_seen.with_whom", errors),
    }
    _check_time(seen, errors)
    return seen


def _check_time(seen: dict[str, str], errors: dict[str, str]) -> None:
    """A time of day (HH:MM) that, with the date, is not later than now."""
    if not seen["time"] or "last_seen.time" in errors:
        return
    try:
        moment = time.fromisoformat(seen["time"])
    except ValueError:
        errors["last_seen.time"] = _("Not a time of day (HH:MM).")
        return
    if seen["date"] and "last_seen.date" not in errors:
        when = timezone.make_aware(datetime.combine(date.fromisoformat(seen["date"]), moment))
        if when > timezone.now():
            errors["last_seen.time"] = _("Cannot be in the future.")


def _clean_reporter(value: Any, errors: dict[str, str]) -> dict[str, str]:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        errors["reporter"] = _("Must be an object with name, relationship and contact.")
        return {}
    return {
        "name": _text(value.get("name"), MAX_SHORT, "reporter.name", errors),
        "relationship": _text(
            value.get("relationship"), MAX_SHORT, "reporter.relationship", errors
        ),
        "contact": _text(value.get("contact"), MAX_SHORT, "reporter.contact", errors),
    }

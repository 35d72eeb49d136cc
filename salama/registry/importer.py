"""Import an existing registry from CSV or XLSX.

Rows are checked in chunks (so the page can show progress) by the same
PersonForm as the desk; the import itself runs only when every row is valid,
in one transaction: a file with errors imports nothing.
"""

import contextlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import tablib
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salama.core.models import Organisation, Site
from salama.registry import households
from salama.registry.actions import PersonData, household_register
from salama.registry.forms import PERSON_FIELDS, PersonForm

HOUSEHOLD_COLUMNS = ("household_ref", "site_code", "shelter")
EXTRA_COLUMNS = (
    "languages",
    "specific_needs",
    "document_type",
    "document_number",
    "document_issuer",
)
COLUMNS = (*HOUSEHOLD_COLUMNS, *PERSON_FIELDS, *EXTRA_COLUMNS)
MAX_ROWS = 50_000


class ImportFileError(ValueError):
    """The file as a whole cannot be read."""


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based, counting the header as row 1, as a spreadsheet does
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


def read_table(content: bytes, filename: str, *, say_why: bool = True) -> tablib.Dataset:
    """An uploaded CSV (UTF-8) or XLSX file as a table, or ImportFileError saying
    what is wrong; with say_why=False the reader's own error is not quoted (a
    caller whose files may hold values that must not reach the page)."""
    lower = filename.lower()
    try:
        if lower.endswith(".xlsx"):
            return tablib.Dataset().load(content, format="xlsx")
        if lower.endswith(".csv"):
            return tablib.Dataset().load(content.decode("utf-8-sig"), format="csv")
        raise ImportFileError(_("Upload a .csv or .xlsx file."))
    except UnicodeDecodeError:
        raise ImportFileError(_("The CSV file is not UTF-8 text.")) from None
    except ImportFileError:
        raise
    except Exception as exc:  # tablib/openpyxl raise many kinds for corrupt files
        if not say_why:
            raise ImportFileError(_("The file could not be read.")) from None
        raise ImportFileError(_("The file could not be read: %(error)s") % {"error": exc}) from None


def parse_file(content: bytes, filename: str) -> list[dict[str, str]]:
    data = read_table(content, filename)
    headers = [str(h or "").strip().lower() for h in (data.headers or [])]
    if "household_ref" not in headers:
        raise ImportFileError(_("The first row must name the columns, including household_ref."))
    unknown = [h for h in headers if h and h not in COLUMNS]
    if unknown:
        raise ImportFileError(_("Unknown columns: %(cols)s") % {"cols": ", ".join(unknown)})
    if len(data) > MAX_ROWS:
        raise ImportFileError(_("At most %(n)d rows per file.") % {"n": MAX_ROWS})
    return [
        {h: ("" if v is None else str(v).strip()) for h, v in zip(headers, row, strict=False) if h}
        for row in data
    ]


def _date_text(value: str) -> str:
    # Spreadsheet dates come back as "2001-05-04 00:00:00".
    return value[:10] if len(value) == 19 and value[10] == " " else value


def _form_data(row: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {k: v for k, v in row.items() if k not in HOUSEHOLD_COLUMNS}
    for key in ("birth_date", "stated_age_on"):
        if key in data:
            data[key] = _date_text(data[key])
    data["specific_needs"] = data.get("specific_needs", "").replace(",", " ").split()
    data["birth_date_estimated"] = data.get("birth_date_estimated", "").lower() in {
        "1",
        "true",
        "yes",
    }
    return data


def check_rows(
    rows: list[dict[str, str]], start: int, end: int, site_codes: set[str]
) -> list[RowError]:
    """Check rows[start:end]; errors name the spreadsheet row and the column."""
    errors: list[RowError] = []
    for index in range(start, min(end, len(rows))):
        row = rows[index]
        line = index + 2
        if not row.get("household_ref"):
            errors.append(RowError(line, "household_ref", _("This column is required.")))
        if row.get("site_code") not in site_codes:
            errors.append(
                RowError(line, "site_code", _("Unknown site, or not one you may register in."))
            )
        form = PersonForm(data=_form_data(row))
        if not form.is_valid():
            for column, messages in form.errors.items():
                for message in messages:
                    errors.append(
                        RowError(line, column if column != "__all__" else "", str(message))
                    )
    return errors


def _member(row: dict[str, str], today: date) -> households.Member:
    """Relationship and possible birth years of a row already checked."""
    data = _form_data(row)
    fields: dict[str, Any] = {"relationship": data.get("relationship", "")}
    with contextlib.suppress(ValueError):
        fields["birth_date"] = date.fromisoformat(data.get("birth_date") or "")
    if (data.get("stated_age") or "").isdigit():
        fields["stated_age"] = int(data["stated_age"])
        try:
            fields["stated_age_on"] = date.fromisoformat(data.get("stated_age_on") or "")
        except ValueError:
            fields["stated_age_on"] = today
    return households.member_of(fields)


def _composition_errors(rows: list[dict[str, str]], lines: list[int]) -> list[RowError]:
    """A household needs a head, unless its members carry the code of a
    child-headed household (SC-CH) or of an unaccompanied child (SC-UC)."""
    today = timezone.localdate()
    members = [_member(row, today) for row in rows]
    if sum(m.relationship == households.HEAD for m in members) > 1:
        return []  # each second head is reported on its own row
    needs = [_form_data(row)["specific_needs"] for row in rows]
    composition = households.composition_from_needs(members, needs, today)
    return [
        RowError(lines[0], "relationship", message)
        for message in households.problems(composition, members, today)
    ]


def check_households(rows: list[dict[str, str]]) -> list[RowError]:
    """Rows of one household must agree on where it lives and have one head
    (or be a child-headed household or an unaccompanied child)."""
    errors: list[RowError] = []
    groups: dict[str, list[int]] = defaultdict(list)
    first_row: dict[str, tuple[int, str]] = {}
    heads: dict[str, int] = defaultdict(int)
    for index, row in enumerate(rows):
        ref, line = row.get("household_ref", ""), index + 2
        if ref in first_row and first_row[ref][1] != row.get("site_code"):
            errors.append(
                RowError(
                    line,
                    "site_code",
                    _("Differs from row %(row)d of the same household.")
                    % {"row": first_row[ref][0]},
                )
            )
        first_row.setdefault(ref, (line, row.get("site_code", "")))
        groups[ref].append(index)
        if row.get("relationship") == "head":
            heads[ref] += 1
            if heads[ref] == 2:
                errors.append(RowError(line, "relationship", _("A second head of household.")))
    for indices in groups.values():
        group = [rows[i] for i in indices]
        errors += _composition_errors(group, [i + 2 for i in indices])
    return sorted(errors, key=lambda e: e.row)


def _households(rows: list[dict[str, str]]) -> Iterator[list[dict[str, str]]]:
    groups: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        groups[row["household_ref"]].append(row)
    yield from groups.values()


@transaction.atomic
def import_rows(
    *,
    user: Any,
    organisation: Organisation,
    rows: list[dict[str, str]],
    bases: dict[str, str],
    sites: dict[str, Site],
) -> tuple[int, int]:
    """Import checked rows, all or nothing. Returns (households, people)."""
    count_households = people = 0
    for group in _households(rows):
        members = []
        for row in group:
            form = PersonForm(data=_form_data(row))
            if not form.is_valid():  # checked before; a change since is a hard stop
                raise ValueError(f"row for household {row['household_ref']} is no longer valid")
            members.append(PersonData.from_cleaned(form.cleaned_data))
        today = timezone.localdate()
        composition = households.composition_from_needs(
            [households.member_of(m.fields) for m in members],
            [list(m.fields.get("specific_needs") or []) for m in members],
            today,
        )
        household_register(
            user=user,
            organisation=organisation,
            site=sites[group[0]["site_code"]],
            shelter=group[0].get("shelter", ""),
            members=members,
            bases=bases,
            composition=composition,
        )
        count_households += 1
        people += len(members)
    return count_households, people

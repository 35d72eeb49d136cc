"""A distribution list (CSV or XLSX) of registration numbers, marked as seen
at a check all together or not at all: one unknown number refuses the file,
each error naming its row."""

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from salama.presence import access
from salama.presence.models import PresenceCheck
from salama.registry.importer import ImportFileError, read_table
from salama.registry.models import Person

COLUMN = "registration_number"
MAX_ROWS = 20_000
# A value shown back in an error only when it has the shape of a registration
# number ("AMC-P4K7QX2"); anything else might be a name typed in the wrong column.
NUMBER_SHAPE = re.compile(r"[A-Z0-9]{1,12}-[A-Z0-9]{1,20}")


class ListFileError(ValueError):
    """The file as a whole cannot be read."""


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it, the header being row 1
    message: str


def shown_number(value: str) -> str:
    value = value.strip().upper()
    return value if NUMBER_SHAPE.fullmatch(value) else ""


def parse_list(content: bytes, filename: str) -> list[str]:
    """The registration numbers of the file's rows, in order ("" for an empty cell)."""
    try:
        data = read_table(content, filename, say_why=False)
    except ImportFileError as error:
        raise ListFileError(str(error)) from None
    headers = [str(h or "").strip().lower() for h in (data.headers or [])]
    if COLUMN not in headers:
        raise ListFileError(_("The first row must name the column registration_number."))
    if len(data) > MAX_ROWS:
        raise ListFileError(_("At most %(n)d rows per file.") % {"n": MAX_ROWS})
    index = headers.index(COLUMN)
    return ["" if row[index] is None else str(row[index]).strip() for row in data]


def check_list(
    user: Any, check: PresenceCheck, numbers: list[str]
) -> tuple[list[Person], list[RowError]]:
    """The people the rows name, or the errors (then no one is marked)."""
    found = access.check_persons_by_number(user, check, numbers)
    errors = []
    for line, number in enumerate(numbers, start=2):
        if not number:
            errors.append(RowError(line, _("The registration number is missing.")))
        elif number.upper() not in found:
            shown = shown_number(number)
            message = (
                _("%(number)s is not registered at this check's site, or not in your records.")
                % {"number": shown}
                if shown
                else _("Not a registration number of this check's site.")
            )
            errors.append(RowError(line, message))
    if errors:
        return [], errors
    return list(found.values()), []

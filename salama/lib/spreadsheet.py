"""Cells that leave Salama in a CSV file must not run as formulas when a
spreadsheet opens the file (CSV injection, OWASP): a text starting with one
of the characters a spreadsheet reads as the start of a formula is prefixed
with an apostrophe, which spreadsheets show as text and do not evaluate."""

from typing import Any

# "=", "+", "-", "@" start a formula in Excel, LibreOffice and Google Sheets;
# a leading tab or carriage return hides one behind whitespace.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """The value itself, or, for a text a spreadsheet would evaluate, the
    text prefixed with an apostrophe. Numbers and empty cells are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_row(values: list[Any]) -> list[Any]:
    return [neutralise_cell(v) for v in values]

"""Reading WPS Index scores (Georgetown Institute for Women, Peace and
Security) from a CSV the user provides: `edition,country_iso3,score,rank`.
The Index is published as a spreadsheet per edition; users save the columns
they need. Every problem names its data row (the first row after the header
is row 1), and a file with any problem is refused as a whole."""

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

COLUMNS = ("edition", "country_iso3", "score", "rank")
MAX_ROWS = 1000  # the Index ranks under 200 countries per edition
_ISO3 = re.compile(r"[A-Z]{3}")
_EDITION = re.compile(r"\d{4}(/\d{2,4})?")


class WpsFileError(ValueError):
    pass


@dataclass(frozen=True)
class WpsRow:
    edition: str
    country_iso3: str
    score: Decimal
    rank: int | None


def _row(n: int, raw: dict[str, str | None]) -> WpsRow:
    def cell(name: str) -> str:
        return (raw.get(name) or "").strip()

    edition, iso3 = cell("edition"), cell("country_iso3").upper()
    if not _EDITION.fullmatch(edition):
        raise WpsFileError(
            f"row {n}: edition must be a year such as 2023 or 2023/24, not {edition!r}"
        )
    if not _ISO3.fullmatch(iso3):
        raise WpsFileError(
            f"row {n}: country_iso3 must be three letters (ISO 3166-1), not {iso3!r}"
        )
    try:
        score = Decimal(cell("score"))
    except InvalidOperation:
        raise WpsFileError(f"row {n}: score must be a number, not {cell('score')!r}") from None
    if not score.is_finite() or not 0 <= score <= 1:
        raise WpsFileError(f"row {n}: score must be between 0 and 1 (the Index's scale)")
    rank_text = cell("rank")
    if rank_text and not (rank_text.isdigit() and int(rank_text) >= 1):
        raise WpsFileError(f"row {n}: rank must be a whole number from 1, not {rank_text!r}")
    return WpsRow(
        edition, iso3, score.quantize(Decimal("0.0001")), int(rank_text) if rank_text else None
    )


def read_wps(text: str) -> list[WpsRow]:
    """The rows of the file, or WpsFileError naming the first problem."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in ("edition", "country_iso3", "score") if c not in header]
    if missing:
        raise WpsFileError(
            f"the header lacks the column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}"
        )
    reader.fieldnames = header
    rows: list[WpsRow] = []
    seen: set[tuple[str, str]] = set()
    for n, raw in enumerate(reader, start=1):
        if n > MAX_ROWS:
            raise WpsFileError(f"the file has more than {MAX_ROWS} rows")
        row = _row(n, raw)
        if (row.edition, row.country_iso3) in seen:
            raise WpsFileError(
                f"row {n}: {row.country_iso3} appears twice in edition {row.edition}"
            )
        seen.add((row.edition, row.country_iso3))
        rows.append(row)
    if not rows:
        raise WpsFileError("the file has no rows")
    return rows

"""CSV front end: `salama ews detect SERIES.csv --out SCORES.csv [--from WEEK]`.

Missing weeks between the first and last week of a series count as 0 cases (a week
with no report is a week with no cases); their rows are scored but not written."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from .detect import detect

ISO = re.compile(r"^(\d{4})-W(\d{2})$")


class SeriesError(ValueError):
    """Bad input; the message names the row (data rows count from 1, header excluded)."""


@dataclass
class _Series:
    iso: bool | None = None
    rows: dict[int, tuple[int, float | None]] = field(default_factory=dict)


def _iso_index(year: int, week: int) -> int:
    from datetime import date

    return date.fromisocalendar(year, week, 1).toordinal() // 7


def _iso_label(index: int) -> str:
    from datetime import date

    y, w, _ = date.fromordinal(index * 7 + 1).isocalendar()
    return f"{y}-W{w:02d}"


def _week(raw: str, row: int) -> tuple[int, bool]:
    raw = raw.strip()
    m = ISO.match(raw)
    if m:
        try:
            return _iso_index(int(m[1]), int(m[2])), True
        except ValueError:
            raise SeriesError(f"row {row}: no such ISO week {raw!r}") from None
    if re.fullmatch(r"-?\d+", raw):
        return int(raw), False
    raise SeriesError(
        f"row {row}: week must be an integer or an ISO week like 2026-W05, not {raw!r}"
    )


def _count(raw: str, row: int) -> int:
    if not re.fullmatch(r"\d+", raw.strip()):
        raise SeriesError(f"row {row}: count must be a whole number ≥ 0, not {raw!r}")
    return int(raw)


def _denominator(raw: str | None, count: int, row: int) -> float | None:
    if raw is None or raw.strip() == "":
        return None
    try:
        d = float(raw)
    except ValueError:
        raise SeriesError(f"row {row}: denominator must be a number, not {raw!r}") from None
    if d <= 0 and count > 0:
        raise SeriesError(f"row {row}: denominator must be > 0 when count > 0, not {raw!r}")
    return d


def _trials(den: float | None, count: int, row: int) -> None:
    """With --trials the denominator is how many were asked (screened): a whole number
    at least the count, on every row."""
    if den is None or den != int(den) or den < count:
        raise SeriesError(
            f"row {row}: with --trials, denominator must be a whole number ≥ count ({count})"
        )


def read_series(path: Path, trials: bool = False) -> dict[str, _Series]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = {"series", "week", "count"} - set(reader.fieldnames or [])
        if missing:
            raise SeriesError(f"header: missing column(s) {', '.join(sorted(missing))}")
        out: dict[str, _Series] = {}
        for row, rec in enumerate(reader, start=1):
            name = (rec["series"] or "").strip()
            week, iso = _week(rec["week"] or "", row)
            count = _count(rec["count"] or "", row)
            den = _denominator(rec.get("denominator"), count, row)
            if trials:
                _trials(den, count, row)
            s = out.setdefault(name, _Series())
            if s.iso is not None and s.iso != iso:
                raise SeriesError(f"row {row}: series {name!r} mixes integer and ISO weeks")
            s.iso = iso
            if week in s.rows:
                raise SeriesError(f"row {row}: week {rec['week']!r} repeated in series {name!r}")
            s.rows[week] = (count, den)
    return out


def _fmt(x: float) -> str:
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text  # a score of -0.000 reads as a sign of something


def detect_file(
    series_path: Path,
    out_path: Path,
    from_week: str | None = None,
    alpha: float = 0.01,
    trials: bool = False,
) -> int:
    """Score every series in SERIES.csv; returns the number of rows written. With
    `trials` the count is of the denominator (e.g. screened people with an indicator
    among those screened) and is scored in binomial form (beta-binomial); otherwise
    the denominator is the model's offset. A week missing between two present weeks
    counts 0 of 0 with trials."""
    data = read_series(Path(series_path), trials)
    rows: list[list[str]] = []
    found = from_week is None
    for name, s in data.items():
        lo, hi = min(s.rows), max(s.rows)
        weeks = list(range(lo, hi + 1))
        counts = [s.rows.get(w, (0, None))[0] for w in weeks]
        dens = [s.rows.get(w, (0, None))[1] for w in weeks]
        known = [d for d in dens if d is not None]
        if trials:
            denominators: list[float] | None = [d or 0.0 for d in dens]
        else:
            denominators = None if not known else [d if d else min(known) for d in dens]
        start = 0
        if from_week is not None:
            try:
                fw, iso = _week(from_week, 0)
            except SeriesError:
                raise SeriesError(f"--from: bad week {from_week!r}") from None
            if iso != s.iso:
                raise SeriesError(f"--from {from_week!r}: series {name!r} uses other week format")
            found = found or lo <= fw <= hi
            start = max(0, fw - lo)
        for ws in detect(counts, denominators, alpha, start=start, trials=trials):
            w = weeks[ws.week]
            if w not in s.rows:
                continue
            label = _iso_label(w) if s.iso else str(w)
            rows.append(
                [name, label, _fmt(ws.expected), _fmt(ws.upper), _fmt(ws.score), str(int(ws.alarm))]
            )
    if not found:
        raise SeriesError(f"--from {from_week!r}: no series has that week")
    with Path(out_path).open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["series", "week", "expected", "upper", "score", "alarm"])
        out.writerows(rows)
    return len(rows)

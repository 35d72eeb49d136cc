"""k-anonymity release gate for case-level rows.

Quasi-identifiers are generalised full-domain (one level per column for every
row), choosing the least generalisation that keeps suppression low; then every
row whose equivalence class over the quasi-identifiers has fewer than k
members is dropped. Nothing here knows about CTDC except the age bands."""

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any

from salama.lib.suppression import check_k

Row = Mapping[str, Any]
Generaliser = Callable[[Any], Any]

UNKNOWN = "unknown"

# CTDC 2021 data dictionary, ageBroad: upper bound of each band, then "48+".
_BANDS = ((0, 8), (9, 17), (18, 20), (21, 23), (24, 26), (27, 29), (30, 38), (39, 47))


def ctdc_age_band(age: int | None) -> str:
    """CTDC ageBroad label ("0--8" ... "48+"), "unknown" when not known."""
    if age is None or age < 0:
        return UNKNOWN
    for low, high in _BANDS:
        if low <= age <= high:
            return f"{low}--{high}"
    return "48+"


@dataclass(frozen=True)
class Release:
    """Rows fit to leave, with what it took to make them so (recorded with
    the export, so a reviewer can see k and how much was hidden)."""

    rows: list[dict[str, Any]]
    suppressed: int
    levels: dict[str, int]
    k: int
    quasi_identifiers: tuple[str, ...]


def class_sizes(rows: Sequence[Row], qis: Sequence[str]) -> Counter[tuple[Any, ...]]:
    return Counter(_key(row, qis) for row in rows)


def smallest_class(rows: Sequence[Row], qis: Sequence[str]) -> int:
    """Size of the smallest equivalence class (0 for no rows)."""
    sizes = class_sizes(rows, qis)
    return min(sizes.values()) if sizes else 0


def k_anonymise(
    rows: Sequence[Row],
    quasi_identifiers: Sequence[str],
    k: int = 11,
    generalisations: Mapping[str, Sequence[Generaliser]] | None = None,
    max_suppressed_fraction: float = 0.05,
) -> Release:
    """Generalise, then drop every row in a class smaller than k.

    `generalisations[qi]` is a ladder: level n applies its first n functions
    in turn (e.g. age band -> majority status). The chosen levels are the
    lowest total that suppresses at most `max_suppressed_fraction` of the
    rows; if none does, the levels suppressing fewest rows win."""
    check_k(k)
    qis = tuple(quasi_identifiers)
    ladders = {qi: tuple((generalisations or {}).get(qi, ())) for qi in qis}
    levels = _choose_levels(rows, qis, ladders, k, max_suppressed_fraction)
    general = [_generalise(row, ladders, levels) for row in rows]
    sizes = class_sizes(general, qis)
    kept = [row for row in general if sizes[_key(row, qis)] >= k]
    return Release(kept, len(rows) - len(kept), levels, k, qis)


def _key(row: Row, qis: Sequence[str]) -> tuple[Any, ...]:
    # A missing QI is a value of its own: "unknown" people still form a class.
    return tuple(row.get(qi) for qi in qis)


def _generalise(
    row: Row, ladders: Mapping[str, Sequence[Generaliser]], levels: Mapping[str, int]
) -> dict[str, Any]:
    out = dict(row)
    for qi, level in levels.items():
        for step in ladders[qi][:level]:
            out[qi] = step(out.get(qi))
    return out


def _suppressed_at(
    rows: Sequence[Row],
    qis: Sequence[str],
    ladders: Mapping[str, Sequence[Generaliser]],
    levels: Mapping[str, int],
    k: int,
) -> int:
    sizes = class_sizes([_generalise(r, ladders, levels) for r in rows], qis)
    return sum(n for n in sizes.values() if n < k)


def _choose_levels(
    rows: Sequence[Row],
    qis: Sequence[str],
    ladders: Mapping[str, Sequence[Generaliser]],
    k: int,
    max_fraction: float,
) -> dict[str, int]:
    # Full-domain search: ladders are short (one or two steps per column),
    # so trying every combination is cheap and finds the true minimum.
    options = [dict(zip(qis, combo, strict=True)) for combo in _lattice(qis, ladders)]
    options.sort(key=lambda levels: sum(levels.values()))
    allowed = max_fraction * len(rows)
    best, best_lost = options[0], len(rows) + 1
    for levels in options:
        lost = _suppressed_at(rows, qis, ladders, levels, k)
        if lost <= allowed:
            return levels
        if lost < best_lost:
            best, best_lost = levels, lost
    return best


def _lattice(
    qis: Sequence[str], ladders: Mapping[str, Sequence[Generaliser]]
) -> list[tuple[int, ...]]:
    return list(product(*(range(len(ladders[qi]) + 1) for qi in qis)))

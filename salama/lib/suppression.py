"""Small-cell suppression (PROTECTION.md 12): a count between 1 and k-1 is
hidden; zeros are shown. A caller that publishes totals beside its cells uses
`suppress_partition` (or `suppress_with_total` for one row), which adds
secondary suppression so that no hidden count can be recomputed by
subtraction."""

from collections.abc import Sequence
from dataclasses import dataclass, field

MIN_K = 5


def check_k(k: int) -> int:
    if k < MIN_K:
        raise ValueError(f"k must be at least {MIN_K}, not {k}")
    return k


def suppress(count: int, k: int) -> int | None:
    """The count, or None when publishing it could single people out."""
    return None if 0 < count < check_k(k) else count


def suppress_with_total(counts: Sequence[int], k: int) -> list[int | None]:
    """Cells of one row whose total is published: primary suppression, then
    the smallest other non-zero cell too when only one cell is hidden, so
    that the hidden one cannot be recomputed from the total."""
    out: list[int | None] = [suppress(c, k) for c in counts]
    hidden = [i for i, c in enumerate(out) if c is None]
    if len(hidden) == 1:
        others = [(c, i) for i, c in enumerate(counts) if i not in hidden and c > 0]
        if others:
            out[min(others)[1]] = None
    return out


PRIMARY = "small"  # hidden: between 1 and k-1
SECONDARY = "secondary"  # hidden so that a small cell cannot be worked out


@dataclass
class Partition:
    """Cells that add up to a total, as published: None where hidden, with
    the reason for each hidden cell."""

    cells: list[int | None]
    total: int | None
    reasons: list[str | None] = field(default_factory=list)
    total_reason: str | None = None

    def hidden(self, reason: str) -> int:
        own = sum(r == reason for r in self.reasons)
        return own + (self.total_reason == reason)


def suppress_partition(counts: Sequence[int], k: int) -> Partition:
    """Cells of a breakdown published with their total (the total is the sum
    of the cells). Primary suppression hides every count between 1 and k-1;
    secondary suppression then hides the smallest other cells until no hidden
    cell can be recomputed: with the total known, the hidden cells add up to
    what the visible ones leave, each is at least 1 (zeros are shown), so a
    hidden cell is determined when it is the only one hidden or when every
    hidden cell must be 1. If no cell is left to hide, the total is hidden."""
    check_k(k)
    total = sum(counts)
    reasons: list[str | None] = [PRIMARY if 0 < c < k else None for c in counts]
    if 0 < total < k:
        return Partition(
            [None if r else c for c, r in zip(counts, reasons, strict=True)], None, reasons, PRIMARY
        )
    total_reason = None
    while _recomputable(counts, reasons, total):
        candidates = [(c, i) for i, c in enumerate(counts) if reasons[i] is None and c > 0]
        if not candidates:
            total_reason = SECONDARY
            break
        reasons[min(candidates)[1]] = SECONDARY
    cells = [None if r else c for c, r in zip(counts, reasons, strict=True)]
    return Partition(cells, None if total_reason else total, reasons, total_reason)


def _recomputable(counts: Sequence[int], reasons: Sequence[str | None], total: int) -> bool:
    hidden = [c for c, r in zip(counts, reasons, strict=True) if r]
    left = total - sum(c for c, r in zip(counts, reasons, strict=True) if not r)
    return bool(hidden) and (len(hidden) == 1 or left == len(hidden))

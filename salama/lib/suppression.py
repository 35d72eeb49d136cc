"""Small-cell suppression (PROTECTION.md 12): a count between 1 and k-1 is
hidden; zeros are shown. No totals are published beside suppressed cells, so
no hidden count can be recomputed by subtraction; a caller that publishes
totals must use `suppress_with_total`."""

from collections.abc import Sequence

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

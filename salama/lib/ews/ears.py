"""EARS C1, C2, C3 (Hutwagner et al. 2003, J Urban Health 80:i89) — for display only."""

from __future__ import annotations

import numpy as np

from .glm import Arr

SD_FLOOR = 0.5  # a flat baseline has sd 0; the floor keeps the statistic finite


def _c(counts: Arr, t: int, lag: int) -> float:
    base = counts[max(0, t - lag - 7) : t - lag].astype(float)
    if len(base) < 2:
        return 0.0
    sd = max(float(np.std(base, ddof=1)), SD_FLOOR)
    return (float(counts[t]) - float(base.mean())) / sd


def c1(counts: Arr, t: int) -> float:
    """(y_t - mean) / sd over the 7 previous weeks."""
    return _c(counts, t, 0)


def c2(counts: Arr, t: int) -> float:
    """As C1, with a 2-week guard band: baseline weeks t-9..t-3."""
    return _c(counts, t, 2)


def c3(counts: Arr, t: int) -> float:
    """Sum over the current and 2 previous weeks of max(0, C2 - 1)."""
    return sum(max(0.0, c2(counts, s) - 1.0) for s in range(max(0, t - 2), t + 1))

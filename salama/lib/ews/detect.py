"""Combining rule: pick the per-week model by history length and add the NB CUSUM."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .bayes import beta_binomial, cold_start
from .cusum import WINDOW, nb_cusum_pvalue
from .farrington import noufaily, rolling_nb
from .glm import Arr, neglog10
from .types import Prediction, WeekScore

COLD, NOUFAILY = 12, 78  # history thresholds (weeks) from issue 14


def predict(
    counts: Arr, t: int, denoms: Arr | None, alpha: float, trials: bool = False
) -> tuple[str, Prediction]:
    """The per-week model for week t, fitted on weeks before t only."""
    if trials and denoms is not None:
        return "beta-binomial", beta_binomial(counts, denoms, t, alpha)
    if t < COLD:
        return "cold-start", cold_start(counts, t, denoms, alpha)
    if t < NOUFAILY:
        return "rolling-nb", rolling_nb(counts, t, denoms, alpha)
    return "noufaily", noufaily(counts, t, denoms, alpha)


def detect(
    counts: Sequence[int],
    denominators: Sequence[float] | None = None,
    alpha: float = 0.01,
    start: int = 0,
    trials: bool = False,
    cusum_sims: int = 999,
) -> list[WeekScore]:
    """Score weeks start..end of one series, each from that week and earlier ones only.

    The decision combines the model's tail p-value with the NB CUSUM's p-value by
    Bonferroni, p = min(1, 2 * min(p_model, p_cusum)), so alarm <=> p <= alpha."""
    y = np.asarray(counts, dtype=float)
    d = None if denominators is None else np.asarray(denominators, dtype=float)
    first = max(COLD, start - WINDOW + 1)
    preds: dict[int, tuple[str, Prediction]] = {}
    for t in range(min(start, first), len(y)):
        preds[t] = predict(y, t, d, alpha / 2, trials)
    out = []
    for t in range(start, len(y)):
        method, p = preds[t]
        pc = 1.0
        if method in ("rolling-nb", "noufaily"):
            ws = [s for s in range(max(first, t - WINDOW + 1), t + 1) if s in preds]
            mu = np.array([preds[s][1].expected for s in ws])
            phi = np.array([preds[s][1].phi for s in ws])
            pc = nb_cusum_pvalue(y[ws], mu, phi, sims=cusum_sims, seed=t)
        pv = min(1.0, 2 * min(p.pvalue, pc))
        out.append(WeekScore(t, p.expected, p.upper, neglog10(pv), pv <= alpha, method, pv))
    return out

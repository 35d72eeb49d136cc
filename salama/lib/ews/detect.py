"""Combining rule: pick the per-week model by history length and add multi-week tests."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .bayes import beta_binomial, cold_start
from .cusum import WINDOW, nb_cusum_pvalue, nb_window_pvalue
from .farrington import noufaily, rolling_nb
from .glm import Arr, neglog10
from .types import Prediction, WeekScore

COLD, NOUFAILY = 12, 78  # history thresholds (weeks) from issue 14
NB_MODELS = ("rolling-nb", "noufaily")
TESTS = 3  # week, two-week sum, CUSUM: the Bonferroni factor for the NB models


def n_tests(t: int, denoms: Arr | None, trials: bool) -> int:
    """How many tests detect() combines at week t (1 for the cold-start/proportion rules)."""
    return 1 if (trials and denoms is not None) or t < COLD else TESTS


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

    For the NB models (rolling-nb, noufaily) three tests on the model's residuals, i.e.
    with its expected values and dispersion as the in-control law, are combined:
    the week's own tail p-value, the two-week NB sum (nb_window_pvalue: weeks t-1 and t)
    and the 13-week NB CUSUM (nb_cusum_pvalue), by Bonferroni,
    p = min(1, 3 * min(p_week, p_pair, p_cusum)), so alarm <=> p <= alpha. The sum
    catches an outbreak whose cases straddle two weeks, the CUSUM a sustained rise; both
    only alarm in a week above its own expected value. The cold-start and
    beta-binomial rules use their own p-value alone."""
    y = np.asarray(counts, dtype=float)
    d = None if denominators is None else np.asarray(denominators, dtype=float)
    first = max(COLD, start - WINDOW + 1)
    preds: dict[int, tuple[str, Prediction]] = {}
    for t in range(min(start, first), len(y)):
        preds[t] = predict(y, t, d, alpha / n_tests(t, d, trials), trials)
    out = []
    for t in range(start, len(y)):
        method, p = preds[t]
        pw, pc, k = 1.0, 1.0, 1
        if method in NB_MODELS:
            k = TESTS
            if t - 1 in preds and preds[t - 1][0] in NB_MODELS:
                mu2 = np.array([preds[t - 1][1].expected, p.expected])
                pw = nb_window_pvalue(y[t - 1 : t + 1], mu2, p.phi)
            ws = [s for s in range(max(first, t - WINDOW + 1), t + 1) if s in preds]
            mu = np.array([preds[s][1].expected for s in ws])
            phi = np.array([preds[s][1].phi for s in ws])
            pc = nb_cusum_pvalue(y[ws], mu, phi, sims=cusum_sims, seed=t)
        pv = min(1.0, k * min(p.pvalue, pw, pc))
        out.append(WeekScore(t, p.expected, p.upper, neglog10(pv), pv <= alpha, method, pv))
    return out

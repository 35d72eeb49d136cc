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
YEARS = 10  # Noufaily baseline: up to 10 past years when the series has them (paper: 5)
NB_MODELS = ("rolling-nb", "noufaily")
# Weighted Bonferroni shares of alpha for the NB models: week, two-week sum, CUSUM.
# Equal: unequal shares (e.g. 0.4/0.4/0.2, 0.25/0.6/0.15) were no better on development
# seeds (offsets 7e6, 8e6), and a smaller CUSUM share costs power on sustained rises.
SHARES = (1 / 3, 1 / 3, 1 / 3)


def week_share(t: int, denoms: Arr | None, trials: bool) -> float:
    """The share of alpha the week's own test gets at week t (all of it for the
    cold-start and proportion rules, which are not combined with other tests)."""
    return 1.0 if (trials and denoms is not None) or t < COLD else SHARES[0]


def combine(pvalues: Sequence[float], shares: Sequence[float]) -> float:
    """Weighted Bonferroni: p = min(1, min_i p_i / w_i), so p <= alpha <=> some test has
    p_i <= w_i * alpha; with sum(w) = 1 the family-wise level is at most alpha."""
    return min(1.0, min(p / w for p, w in zip(pvalues, shares, strict=True)))


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
    return "noufaily", noufaily(counts, t, denoms, alpha, b=YEARS)


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
    and the 13-week NB CUSUM (nb_cusum_pvalue), by weighted Bonferroni (combine),
    p = min(1, min_i p_i / w_i) with w = SHARES (equal: 3 * min p_i), so alarm <=> p <= alpha.
    The Noufaily baseline uses up to YEARS = 10 past years when the series has them. The sum
    catches an outbreak whose cases straddle two weeks, the CUSUM a sustained rise; both
    only alarm in a week above its own expected value. The cold-start and
    beta-binomial rules use their own p-value alone."""
    y = np.asarray(counts, dtype=float)
    d = None if denominators is None else np.asarray(denominators, dtype=float)
    first = max(COLD, start - WINDOW + 1)
    preds: dict[int, tuple[str, Prediction]] = {}
    for t in range(min(start, first), len(y)):
        preds[t] = predict(y, t, d, alpha * week_share(t, d, trials), trials)
    out = []
    for t in range(start, len(y)):
        method, p = preds[t]
        pw, pc = 1.0, 1.0
        if method in NB_MODELS:
            if t - 1 in preds and preds[t - 1][0] in NB_MODELS:
                mu2 = np.array([preds[t - 1][1].expected, p.expected])
                pw = nb_window_pvalue(y[t - 1 : t + 1], mu2, p.phi)
            ws = [s for s in range(max(first, t - WINDOW + 1), t + 1) if s in preds]
            mu = np.array([preds[s][1].expected for s in ws])
            phi = np.array([preds[s][1].phi for s in ws])
            pc = nb_cusum_pvalue(y[ws], mu, phi, sims=cusum_sims, seed=t)
        pv = combine((p.pvalue, pw, pc), SHARES) if method in NB_MODELS else p.pvalue
        out.append(WeekScore(t, p.expected, p.upper, neglog10(pv), pv <= alpha, method, pv))
    return out

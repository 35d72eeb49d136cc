"""Cold-start and proportion rules with conjugate predictive distributions."""

from __future__ import annotations

import numpy as np
from scipy import stats

from .glm import Arr
from .types import Prediction

PRIOR_SHAPE, PRIOR_RATE = 0.5, 0.5  # weak Gamma prior: mean 1 case per average week


def cold_start(counts: Arr, t: int, denoms: Arr | None = None, alpha: float = 0.01) -> Prediction:
    """Gamma-Poisson posterior predictive (NB) upper tail, as in Bayesian outbreak rules
    (e.g. Manitz & Höhle 2013's conjugate 'Bayes' method), for < 12 weeks of history."""
    n = (
        np.ones(t + 1)
        if denoms is None
        else denoms[: t + 1] / max(float(np.mean(denoms[: t + 1])), 1e-9)
    )
    a = PRIOR_SHAPE + float(np.sum(counts[:t]))
    rate = PRIOR_RATE + float(np.sum(n[:t]))
    p = rate / (rate + n[t])
    mu = a * n[t] / rate
    y = float(counts[t])
    pv = 1.0 if y <= 0 else float(stats.nbinom.sf(y - 1, a, p))
    return Prediction(mu, float(stats.nbinom.ppf(1 - alpha, a, p)), pv, 1 + n[t] / rate)


def beta_binomial(
    counts: Arr, trials: Arr, t: int, alpha: float = 0.01, window: int = 104, guard: int = 3
) -> Prediction:
    """Proportions in binomial form: beta-binomial predictive for count[t] of trials[t].
    Past weeks give p and the intra-week correlation rho by moments (Williams 1982 style);
    with < 12 weeks a Jeffreys Beta(1/2, 1/2) prior is updated conjugately instead."""
    lo = max(0, t - window)
    idx = np.arange(lo, max(lo, t - guard)) if t >= 12 else np.arange(0, t)
    y, n = counts[idx].astype(float), trials[idx].astype(float)
    nt = int(trials[t])
    if t < 12 or n.sum() <= 0:
        a, b = 0.5 + y.sum(), 0.5 + (n - y).sum()
    else:
        p = float(np.clip(y.sum() / n.sum(), 1e-4, 1 - 1e-4))
        ok = n > 0
        chi = float(np.sum((y[ok] - n[ok] * p) ** 2 / (n[ok] * p * (1 - p))))
        dof = max(int(ok.sum()) - 1, 1)
        nbar = float(np.mean(n[ok]))
        rho = float(np.clip((chi / dof - 1) / max(nbar - 1, 1e-9), 1e-6, 0.5))
        a, b = p * (1 / rho - 1), (1 - p) * (1 / rho - 1)
    dist = stats.betabinom(nt, a, b)
    yt = float(counts[t])
    pv = 1.0 if yt <= 0 else float(dist.sf(yt - 1))
    mu = float(dist.mean())
    return Prediction(mu, float(dist.ppf(1 - alpha)), pv, float(dist.var() / max(mu, 1e-9)))

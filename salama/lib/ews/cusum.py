"""Multi-week tests on a count model's residuals: the negative-binomial likelihood-ratio
CUSUM (Höhle & Paul 2008, Comput Stat Data Anal 52:4357) and a two-week NB sum test."""

from __future__ import annotations

import numpy as np

from .glm import Arr, nb_sf, nb_size

WINDOW = 13  # the CUSUM restarts 13 weeks back, so its null law is simulated exactly


def _llr(y: Arr, mu0: Arr, r: Arr, k: float) -> Arr:
    mu1 = k * mu0
    return y * np.log(mu1 * (r + mu0) / (mu0 * (r + mu1))) + r * np.log((r + mu0) / (r + mu1))


def _cusum(llr: Arr) -> Arr:
    """Final CUSUM value S_T = max(0, S_{t-1} + llr_t), along the last axis."""
    s = np.zeros(llr.shape[:-1])
    for j in range(llr.shape[-1]):
        s = np.maximum(0.0, s + llr[..., j])
    return s


def nb_cusum_pvalue(
    y: Arr, mu0: Arr, phi: Arr, k: float = 2.0, sims: int = 999, seed: int = 0
) -> float:
    """P(S >= observed S) for the CUSUM over the given weeks, by simulating in-control
    NB paths with the model's means: the threshold is thus calibrated per series."""
    r = np.array([min(nb_size(m, p), 1e4) for m, p in zip(mu0, phi, strict=True)])
    llr = _llr(y.astype(float), mu0, r, k)
    obs = float(_cusum(llr[None, :])[0])
    # Only a week that itself adds evidence can alarm; otherwise one past spike would
    # keep the statistic high (and alarming) for weeks after it.
    if obs <= 0 or llr[-1] <= 0:
        return 1.0
    rng = np.random.default_rng(seed)
    sim = rng.negative_binomial(r, r / (r + mu0), size=(sims, len(mu0))).astype(float)
    s = _cusum(_llr(sim, mu0[None, :], r[None, :], k))
    return float((1 + np.sum(s >= obs - 1e-9)) / (sims + 1))


def nb_window_pvalue(y: Arr, mu0: Arr, phi: float) -> float:
    """P(sum Y >= sum y) over the given weeks (the last one being the week scored) under
    the in-control model: independent NB weeks with means mu0 and variance phi * mu0.

    NB variables sharing the success probability 1/phi add up to an NB with the summed
    mean and the same phi, so the tail is exact when phi is common (the current week's
    phi is used). An outbreak that spreads its cases over two weeks is thus tested on
    all its cases at once. As for the CUSUM, only a week above its own expected value
    can alarm, so one past spike does not keep alarming the weeks after it."""
    y, mu0 = np.asarray(y, dtype=float), np.asarray(mu0, dtype=float)
    if len(y) == 0 or y[-1] <= mu0[-1]:
        return 1.0
    return nb_sf(float(y.sum()), float(mu0.sum()), phi)

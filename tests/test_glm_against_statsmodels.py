"""The hand-written IRLS of salama.lib.ews.glm against statsmodels' GLM, the
reference implementation: same coefficients, leverages and dispersion on
series with a trend, seasonality, an offset and prior weights."""

import numpy as np
import pytest
import statsmodels.api as sm

from salama.lib.ews.glm import fit_qpoisson


def _design(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = np.arange(n, dtype=float)
    X = np.column_stack([np.ones(n), t / n, np.sin(2 * np.pi * t / 52), np.cos(2 * np.pi * t / 52)])
    offset = np.log(rng.uniform(200, 400, n))
    mu = np.exp(X @ np.array([-4.0, 0.5, 0.4, -0.2]) + offset)
    y = rng.negative_binomial(mu / 2, 1 / 3).astype(float)  # overdispersed: variance 3 mu
    return X, y, offset


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_coefficients_leverages_and_dispersion_match_statsmodels(seed: int) -> None:
    rng = np.random.default_rng(seed)
    X, y, offset = _design(rng, 150)
    weights = np.where(rng.uniform(size=150) < 0.1, 0.2, 1.0)
    ours = fit_qpoisson(X, y, offset, weights)
    model = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset, var_weights=weights)
    ref = model.fit(scale="X2")
    assert np.allclose(ours.beta, ref.params, rtol=1e-6, atol=1e-8)
    assert np.allclose(ours.mu, ref.mu, rtol=1e-6)
    assert np.allclose(ours.hat, ref.get_influence().hat_matrix_diag, rtol=1e-5, atol=1e-9)
    assert ours.phi == pytest.approx(max(1.0, ref.scale), rel=1e-6)

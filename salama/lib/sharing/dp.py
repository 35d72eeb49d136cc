"""Optional differentially private counts (OpenDP discrete Laplace).

Noise replaces small-cell suppression only when the caller decides so and
records the Budget with the release; the default remains suppression. Each
person counts in one cell of a breakdown, so the L1 sensitivity is 1."""

from dataclasses import dataclass, field
from typing import Any

MECHANISM = "OpenDP discrete Laplace"


@dataclass(frozen=True)
class Spend:
    mechanism: str
    epsilon: float
    scale: float
    cells: int


@dataclass
class Budget:
    """Privacy loss of one release; `limit` refuses spending past it."""

    limit: float | None = None
    spends: list[Spend] = field(default_factory=list)

    @property
    def spent(self) -> float:
        return sum(s.epsilon for s in self.spends)

    def charge(self, spend: Spend) -> None:
        if self.limit is not None and self.spent + spend.epsilon > self.limit + 1e-12:
            raise ValueError(f"epsilon budget {self.limit} would be exceeded")
        self.spends.append(spend)

    def describe(self) -> str:
        parts = [f"{s.mechanism}, epsilon={s.epsilon:g}, scale={s.scale:g}" for s in self.spends]
        return "; ".join(parts) or "no noise"


def _opendp() -> Any:
    try:
        import opendp.prelude as dp
    except ImportError as exc:  # optional dependency: pip install salama[dp]
        raise RuntimeError("differential privacy needs opendp (pip install opendp~=0.16)") from exc
    dp.enable_features("contrib")
    return dp


def dp_counts(
    counts: list[int] | tuple[int, ...],
    epsilon: float,
    sensitivity: int = 1,
    budget: Budget | None = None,
) -> list[int]:
    """Noisy counts, clamped at 0 (post-processing keeps the guarantee).
    A published total should be the sum of these, not the true total."""
    if epsilon <= 0 or sensitivity < 1:
        raise ValueError("epsilon must be positive and sensitivity at least 1")
    dp = _opendp()
    scale = sensitivity / epsilon
    meas = dp.m.make_laplace(
        dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int), scale=scale
    )
    if meas.map(sensitivity) > epsilon + 1e-9:  # trust OpenDP's accounting, not ours
        raise RuntimeError("OpenDP reports more privacy loss than requested")
    if budget is not None:
        budget.charge(Spend(MECHANISM, epsilon, scale, len(counts)))
    return [max(0, int(v)) for v in meas([int(c) for c in counts])]

"""Space-time permutation scan statistic (Kulldorff et al. 2005, PLoS Med 2:e59)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .glm import Arr


@dataclass(frozen=True)
class Cluster:
    blocks: tuple[int, ...]  # row indices into the counts matrix
    weeks: tuple[int, ...]  # column indices, ending at the last week
    observed: int
    expected: float
    llr: float
    pvalue: float


def zones(
    n: int, k: int, coords: Arr | None = None, adjacency: Sequence[Sequence[int]] | None = None
) -> list[tuple[int, ...]]:
    """Candidate clusters of up to k blocks: with coordinates, each block plus its
    0..k-1 nearest neighbours (Kulldorff's circles); with adjacency lists only, every
    connected set of up to k blocks, since nothing says which neighbour is nearer."""
    if coords is None:
        return _connected_sets(n, k, adjacency or [[] for _ in range(n)])
    out: set[tuple[int, ...]] = set()
    for z in range(n):
        order = list(np.argsort(np.linalg.norm(coords - coords[z], axis=1), kind="stable"))
        for j in range(1, min(k, len(order)) + 1):
            out.add(tuple(sorted(int(b) for b in order[:j])))
    return sorted(out)


def _connected_sets(n: int, k: int, adjacency: Sequence[Sequence[int]]) -> list[tuple[int, ...]]:
    level: set[tuple[int, ...]] = {(z,) for z in range(n)}
    out = set(level)
    for _ in range(k - 1):
        level = {
            tuple(sorted((*zone, v)))
            for zone in level
            for u in zone
            for v in adjacency[u]
            if v not in zone
        }
        out |= level
    return sorted(out)


def _membership(zs: list[tuple[int, ...]], nb: int) -> Arr:
    """Zones x blocks 0/1 matrix, so that all zones are summed in one product."""
    z = np.zeros((len(zs), nb))
    for i, zone in enumerate(zs):
        z[i, list(zone)] = 1.0
    return z


def _best(c: Arr, member: Arr, max_weeks: int) -> tuple[float, int, int, float, int]:
    """(llr, zone, weeks, expected, observed) of the most likely cylinder; all zones and
    the last 1..max_weeks weeks at once (Kulldorff's Poisson approximation of the LLR)."""
    total = c.sum()
    mu = np.outer(c.sum(axis=1), c.sum(axis=0)) / max(total, 1)
    cz = np.cumsum((member @ c)[:, ::-1][:, :max_weeks], axis=1)
    mz = np.cumsum((member @ mu)[:, ::-1][:, :max_weeks], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        llr = cz * np.log(cz / mz) + (total - cz) * np.log((total - cz) / (total - mz))
    llr = np.where((cz > mz) & (mz > 0), np.nan_to_num(llr), 0.0)
    zi, j = np.unravel_index(int(np.argmax(llr)), llr.shape)
    if llr[zi, j] <= 0:
        return (0.0, 0, 1, 0.0, 0)
    return (float(llr[zi, j]), int(zi), int(j) + 1, float(mz[zi, j]), int(cz[zi, j]))


def space_time_scan(
    counts: Arr,
    k: int = 3,
    max_weeks: int = 3,
    coords: Arr | None = None,
    adjacency: Sequence[Sequence[int]] | None = None,
    replicates: int = 999,
    seed: int = 0,
) -> Cluster:
    """Most likely cluster among cylinders (zone x last 1..max_weeks weeks) of a
    blocks x weeks count matrix; p-value by permuting case weeks (Monte Carlo)."""
    c = np.asarray(counts, dtype=np.int64)
    nb, nw = c.shape
    zs = zones(nb, k, coords, adjacency)
    member = _membership(zs, nb)
    llr, zi, nweeks, expected, observed = _best(c.astype(float), member, max_weeks)
    blocks = np.repeat(np.arange(nb), c.sum(axis=1))
    weeks = np.repeat(np.tile(np.arange(nw), nb), c.ravel())
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(replicates):
        perm = rng.permutation(weeks)
        sim = np.bincount(blocks * nw + perm, minlength=nb * nw).reshape(nb, nw)
        hits += _best(sim.astype(float), member, max_weeks)[0] >= llr - 1e-9
    return Cluster(
        zs[zi],
        tuple(range(nw - nweeks, nw)),
        observed,
        expected,
        llr,
        (1 + hits) / (replicates + 1),
    )

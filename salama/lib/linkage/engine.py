"""Deduplication, linkage and search over prepared records."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from salama.lib.linkage import blocking
from salama.lib.linkage.compare import (
    FEATURE_INDEX,
    agreement_frequencies,
    compare,
    name_frequencies,
)
from salama.lib.linkage.model import (
    Model,
    combine,
    estimate_m,
    estimate_prior_deterministic,
    estimate_u,
)
from salama.lib.linkage.records import Prepared, Vocabularies, prepare

Progress = Callable[[str, int, int], None]
RANDOM_PAIRS = 200_000


def _quiet(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class Result:
    left: np.ndarray  # indices into the left records
    right: np.ndarray
    probability: np.ndarray
    levels: np.ndarray
    name_tf: np.ndarray
    pairs_compared: int


def _random_levels(
    left: Prepared, right: Prepared, vocab: Vocabularies, n: int, dedup: bool, seed: int
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    i = rng.integers(0, len(left), n)
    j = rng.integers(0, len(right), n)
    keep = (i != j) if dedup else np.ones(n, dtype=bool)
    return compare(left, right, i[keep], j[keep], vocab, same_households=dedup)


# The features each blocking column agrees on by construction.
RULE_FEATURES: dict[str, tuple[str, ...]] = {
    "given": ("given",),
    "father": ("father",),
    "family": ("family",),
    "year": ("birth",),
    "sgiven": ("given",),
    "sfather": ("father",),
    "sfamily": ("family",),
    "document": ("document",),
    "phone": ("phone",),
    "date": ("birth",),
    "place": ("origin",),
    "names-unordered": ("given", "family"),
}
EM_PAIRS = 1_000_000
# EM sessions run on rules that relatives rarely share (a given name with the
# family name, a date of birth, a document): on looser rules, EM would learn
# to tell relatives from strangers instead of one person from two.
TRAINING_RULES: tuple[str, ...] = ("given+family either order", "date", "document")


def train(
    left: Prepared,
    right: Prepared,
    vocab: Vocabularies,
    *,
    dedup: bool,
    em: bool = False,
    seed: int = 7,
    base: Model | None = None,
    progress: Progress = _quiet,
) -> Model:
    """u from random pairs; m from the shipped defaults or, with `em`, by one
    EM session per training rule (as Splink does). On our synthetic registries
    the defaults do better: EM sessions are misled by namesakes and relatives
    (see bench/linkage/RESULTS.md), so EM is an option, not the default."""
    model = base or Model()
    rng = np.random.default_rng(seed)
    if len(left) > 1 and len(right) > 1:
        model = estimate_u(_random_levels(left, right, vocab, RANDOM_PAIRS, dedup, seed), model)
    sessions = []
    for n, rule in enumerate(TRAINING_RULES if em else ()):
        progress("train", n, len(TRAINING_RULES))
        i, j = (
            blocking.dedup_pairs(left, (rule,))
            if dedup
            else blocking.link_pairs(left, right, (rule,))
        )
        if len(i) < 50:
            continue
        if len(i) > EM_PAIRS:
            pick = rng.choice(len(i), EM_PAIRS, replace=False)
            i, j = i[pick], j[pick]
        levels = compare(left, right, i, j, vocab, same_households=dedup)
        fixed = frozenset(f for c in blocking.RULES[rule] for f in RULE_FEATURES[c])
        sessions.append(estimate_m(levels, model, fixed))
    progress("train", len(TRAINING_RULES), len(TRAINING_RULES))
    return combine(model, sessions)


def _total_pairs(left: Prepared, right: Prepared, dedup: bool) -> float:
    return len(left) * (len(left) - 1) / 2 if dedup else float(len(left)) * len(right)


CHUNK = 1_000_000


def _levels(
    left: Prepared,
    right: Prepared,
    vocab: Vocabularies,
    i: np.ndarray,
    j: np.ndarray,
    dedup: bool,
    progress: Progress,
) -> np.ndarray:
    """Comparison levels for all pairs, in chunks (10 bytes a pair)."""
    parts = []
    for start in range(0, len(i), CHUNK):
        stop = start + CHUNK
        parts.append(
            compare(left, right, i[start:stop], j[start:stop], vocab, same_households=dedup)
        )
        progress("compare", min(stop, len(i)), len(i))
    return np.concatenate(parts) if parts else np.zeros((0, len(FEATURE_INDEX)), dtype=np.int8)


def _score(
    left: Prepared,
    right: Prepared,
    vocab: Vocabularies,
    i: np.ndarray,
    j: np.ndarray,
    *,
    dedup: bool,
    model: Model | None,
    progress: Progress,
    em: bool,
    threshold: float,
) -> tuple[Result, Model]:
    """Train if needed, then score the pairs chunk by chunk, keeping only
    those at or above the threshold (memory stays ~26 bytes a pair)."""
    levels = _levels(left, right, vocab, i, j, dedup, progress)
    if model is None:
        model = train(left, right, vocab, dedup=dedup, em=em, progress=progress)
        records = len(left) if dedup else min(len(left), len(right))
        prior = estimate_prior_deterministic(levels, _total_pairs(left, right, dedup), records)
        model = Model(m=model.m, u=model.u, prior=prior)
    frequencies = name_frequencies(left) if dedup else name_frequencies(left, right)
    kept, probabilities, tfs = [], [], []
    for start in range(0, len(i), CHUNK):
        stop = start + CHUNK
        tf = agreement_frequencies(
            left, right, i[start:stop], j[start:stop], levels[start:stop], frequencies
        )
        p = model.probabilities(levels[start:stop], tf)
        keep = np.flatnonzero(p >= threshold)
        kept.append(keep + start)
        probabilities.append(p[keep])
        tfs.append(tf[keep])
        progress("score", min(stop, len(i)), len(i))
    index = np.concatenate(kept) if kept else np.zeros(0, dtype=np.int64)
    result = Result(
        i[index],
        j[index],
        np.concatenate(probabilities) if probabilities else np.zeros(0),
        levels[index],
        np.concatenate(tfs) if tfs else np.zeros((0, 4)),
        len(i),
    )
    return result, model


def dedup(
    rows: Sequence[Mapping[str, str]],
    *,
    threshold: float = 0.5,
    model: Model | None = None,
    em: bool = False,
    progress: Progress = _quiet,
) -> tuple[Prepared, Result, Model]:
    prep, vocab = prepare(rows)
    progress("block", 0, 1)
    i, j = blocking.dedup_pairs(prep)
    progress("block", 1, 1)
    result, model = _score(
        prep,
        prep,
        vocab,
        i,
        j,
        dedup=True,
        model=model,
        progress=progress,
        em=em,
        threshold=threshold,
    )
    return prep, result, model


def link(
    rows_a: Sequence[Mapping[str, str]],
    rows_b: Sequence[Mapping[str, str]],
    *,
    threshold: float = 0.5,
    model: Model | None = None,
    em: bool = False,
    progress: Progress = _quiet,
) -> tuple[Prepared, Prepared, Result, Model]:
    left, vocab = prepare(rows_a)
    right, vocab = prepare(rows_b, vocab)
    progress("block", 0, 1)
    i, j = blocking.link_pairs(left, right)
    progress("block", 1, 1)
    result, model = _score(
        left,
        right,
        vocab,
        i,
        j,
        dedup=False,
        model=model,
        progress=progress,
        em=em,
        threshold=threshold,
    )
    return left, right, result, model


class Searcher:
    """An in-memory index of a registry for missing-person style queries."""

    def __init__(self, rows: Sequence[Mapping[str, str]], model: Model | None = None) -> None:
        self.registry, self.vocab = prepare(rows)
        self.index = {}
        for rule in blocking.RULES:
            key = blocking.keys(self.registry, rule)
            order = np.argsort(key, kind="stable")
            self.index[rule] = (key[order], order)
        self.model = model or self._trained()
        self.frequencies = name_frequencies(self.registry)

    def _trained(self) -> Model:
        model = train(self.registry, self.registry, self.vocab, dedup=True)
        # A query is one person who may or may not be in the registry: the
        # chance that a given registry record is that person is about 1/N.
        return Model(m=model.m, u=model.u, prior=0.5 / max(len(self.registry), 1))

    def candidates(self, query: Prepared, row: int) -> np.ndarray:
        found = []
        for rule, (sorted_keys, order) in self.index.items():
            key = blocking.keys(query, rule)[row]
            if key == 0:
                continue
            lo, hi = np.searchsorted(sorted_keys, [key, key + 1])
            if 0 < hi - lo <= blocking.MAX_BLOCK:
                found.append(order[lo:hi])
        return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)

    def search(
        self, rows: Sequence[Mapping[str, str]], top: int = 10
    ) -> list[list[tuple[int, float, np.ndarray, np.ndarray]]]:
        """For each query row, up to `top` (registry index, probability, levels,
        name frequencies), best first."""
        queries, _ = prepare(rows, self.vocab)
        results: list[list[tuple[int, float, np.ndarray, np.ndarray]]] = []
        for q in range(len(queries)):
            cand = self.candidates(queries, q)
            if len(cand) == 0:
                results.append([])
                continue
            qi = np.full(len(cand), q)
            levels = compare(queries, self.registry, qi, cand, self.vocab, same_households=False)
            tf = agreement_frequencies(queries, self.registry, qi, cand, levels, self.frequencies)
            p = self.model.probabilities(levels, tf)
            best = np.argsort(-p, kind="stable")[:top]
            results.append([(int(cand[k]), float(p[k]), levels[k], tf[k]) for k in best])
        return results

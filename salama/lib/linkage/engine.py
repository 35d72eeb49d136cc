"""Deduplication, linkage and search over prepared records."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from salama.lib.linkage import blocking, clusters, parallel
from salama.lib.linkage.compare import (
    FEATURE_INDEX,
    agreement_frequencies,
    chance_strict_pairs,
    compare,
    name_frequencies,
    strict_agreement,
    vocabulary_arrays,
)
from salama.lib.linkage.model import (
    Model,
    combine,
    estimate_m,
    estimate_u,
    prior_from_strict,
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
    # Pairs whose probability was capped because a likelier pair already
    # matched one of the two with another member of the other's household.
    household_capped: np.ndarray | None = None


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
    "sgrandfather": ("grandfather",),
    "document": ("document",),
    "phone": ("phone",),
    "date": ("birth",),
    "place": ("origin",),
    "names-unordered": ("given", "family"),
    "skeletons-unordered": ("given", "family"),
    "skeleton-pairs": (),  # two names agree, but which two varies by pair
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


def _batches(
    left: Prepared, right: Prepared, dedup: bool, workers: int
) -> blocking.PairBatches | list[tuple[np.ndarray, np.ndarray]]:
    """Candidate pairs in batches of about a million in all (levels take 10
    bytes a pair, so memory follows the batches in hand, not the registry):
    with several workers, each holds a smaller batch."""
    size = max(CHUNK // max(workers, 1), 1)
    if dedup:
        return blocking.PairBatches(left, batch=size)
    i, j = blocking.link_pairs(left, right)
    return [(i[s : s + size], j[s : s + size]) for s in range(0, len(i), size)]


def _score(
    left: Prepared,
    right: Prepared,
    vocab: Vocabularies,
    *,
    dedup: bool,
    model: Model | None,
    progress: Progress,
    em: bool,
    threshold: float,
    m: list[np.ndarray] | None = None,
    workers: int = 1,
) -> tuple[Result, Model]:
    """Train if needed (with `m`, from labelled pairs, in place of the trained
    m), then compare and score the candidate pairs batch by batch, keeping
    only those at or above the threshold."""
    progress("block", 0, 1)
    batches = _batches(left, right, dedup, workers)
    progress("block", 1, 1)
    if model is None:
        model = train(left, right, vocab, dedup=dedup, em=em, progress=progress)
        strict = sum(int(strict_agreement(left, right, i, j).sum()) for i, j in batches)
        # Namesakes agree strictly too, more of them the larger the registry:
        # counted as matches, they made λ (and every probability) grow with it.
        chance = chance_strict_pairs(left, right, dedup, model.birth_overlap_share())
        records = len(left) if dedup else min(len(left), len(right))
        prior = prior_from_strict(
            max(round(strict - chance), 0), _total_pairs(left, right, dedup), records
        )
        model = Model(m=model.m if m is None else m, u=model.u, prior=prior)
    frequencies = name_frequencies(left) if dedup else name_frequencies(left, right)
    vocabulary_arrays(vocab)  # built once, before workers fork, so that they share it
    scoring = model

    def score(i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, ...]:
        levels = compare(left, right, i, j, vocab, same_households=dedup)
        tf = agreement_frequencies(left, right, i, j, levels, frequencies)
        p = scoring.probabilities(levels, tf)
        keep = p >= threshold
        return i[keep], j[keep], p[keep], levels[keep], tf[keep], np.array(len(i))

    kept: list[tuple[np.ndarray, ...]] = []
    compared = 0
    for done, out in enumerate(parallel.scored(score, batches, workers), start=1):
        kept.append(out[:5])
        compared += int(out[5])
        progress("score", done, len(batches))
    if not kept:
        kept.append(
            (
                np.zeros(0, dtype=np.int64),
                np.zeros(0, dtype=np.int64),
                np.zeros(0),
                np.zeros((0, len(FEATURE_INDEX)), dtype=np.int8),
                np.zeros((0, 4)),
            )
        )
    left_i, right_j, probability, levels, tf = (np.concatenate(c) for c in zip(*kept, strict=True))
    return Result(left_i, right_j, probability, levels, tf, compared), model


def dedup(
    rows: Iterable[Mapping[str, str]],
    *,
    threshold: float = 0.5,
    model: Model | None = None,
    em: bool = False,
    m: list[np.ndarray] | None = None,
    workers: int = 1,
    progress: Progress = _quiet,
) -> tuple[Prepared, Result, Model]:
    prep, vocab = prepare(rows)
    result, model = _score(
        prep,
        prep,
        vocab,
        dedup=True,
        model=model,
        progress=progress,
        em=em,
        threshold=threshold,
        m=m,
        workers=workers,
    )
    return prep, one_per_household(result, prep, threshold), model


def one_per_household(result: Result, prep: Prepared, threshold: float) -> Result:
    """The result with clusters kept to one record per household (see
    `clusters.one_per_household`): pairs it caps below the threshold go."""
    probability, capped = clusters.one_per_household(
        result.left.tolist(),
        result.right.tolist(),
        result.probability.tolist(),
        prep.household.tolist(),
    )
    p = np.asarray(probability)
    keep = p >= threshold
    return Result(
        result.left[keep],
        result.right[keep],
        p[keep],
        result.levels[keep],
        result.name_tf[keep],
        result.pairs_compared,
        np.asarray(capped, dtype=bool)[keep],
    )


def link(
    rows_a: Iterable[Mapping[str, str]],
    rows_b: Iterable[Mapping[str, str]],
    *,
    threshold: float = 0.5,
    model: Model | None = None,
    em: bool = False,
    m: list[np.ndarray] | None = None,
    workers: int = 1,
    progress: Progress = _quiet,
) -> tuple[Prepared, Prepared, Result, Model]:
    left, vocab = prepare(rows_a)
    right, vocab = prepare(rows_b, vocab)
    result, model = _score(
        left,
        right,
        vocab,
        dedup=False,
        model=model,
        progress=progress,
        em=em,
        threshold=threshold,
        m=m,
        workers=workers,
    )
    return left, right, result, model


class Searcher:
    """A prepared registry for missing-person style queries."""

    def __init__(self, rows: Iterable[Mapping[str, str]], model: Model | None = None) -> None:
        self.registry, self.vocab = prepare(rows)
        self.model = model or self._trained()
        self.frequencies = name_frequencies(self.registry)

    def _trained(self) -> Model:
        model = train(self.registry, self.registry, self.vocab, dedup=True)
        # A query is one person who may or may not be in the registry: the
        # chance that a given registry record is that person is about 1/N.
        return Model(m=model.m, u=model.u, prior=0.5 / max(len(self.registry), 1))

    def search(
        self, rows: Iterable[Mapping[str, str]], top: int = 10
    ) -> list[list[tuple[int, float, np.ndarray, np.ndarray]]]:
        """For each query row, up to `top` (registry index, probability, levels,
        name frequencies), best first. Candidates are found as in linkage."""
        queries, _ = prepare(rows, self.vocab)
        qi, cand = blocking.link_pairs(queries, self.registry)
        levels = compare(queries, self.registry, qi, cand, self.vocab, same_households=False)
        tf = agreement_frequencies(queries, self.registry, qi, cand, levels, self.frequencies)
        p = self.model.probabilities(levels, tf)
        # Best first within each query: sort by query, then by -probability.
        order = np.lexsort((-p, qi))
        starts = np.searchsorted(qi[order], np.arange(len(queries) + 1))
        results: list[list[tuple[int, float, np.ndarray, np.ndarray]]] = []
        for q in range(len(queries)):
            best = order[starts[q] : starts[q + 1]][:top]
            results.append([(int(cand[k]), float(p[k]), levels[k], tf[k]) for k in best])
        return results

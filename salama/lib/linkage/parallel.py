"""Scoring batches of candidate pairs in worker processes.

Blocking cuts the pair codes into ranges (`blocking.PairBatches`); each range
is compared and scored on its own, so ranges can go to different workers. The
workers are forked from the process that prepared the records and made the
pair codes, so they read the same arrays (copy-on-write) rather than receiving
them; each sends back only the pairs it kept. The same cut would spread a
registry too large for one machine over several, each holding the prepared
records (bench/linkage/RESULTS.md).
"""

import gc
import multiprocessing
from collections.abc import Callable, Iterator
from typing import Any, Protocol

Batch = tuple[Any, Any]
ScoreBatch = Callable[[Any, Any], tuple[Any, ...]]


class Batches(Protocol):
    def __len__(self) -> int: ...

    def __getitem__(self, k: int) -> Batch: ...


# Set in the parent just before the fork; each worker reads its own copy.
_job: tuple[ScoreBatch, Batches] | None = None


def _score(k: int) -> tuple[Any, ...]:
    assert _job is not None
    score, batches = _job
    i, j = batches[k]
    return score(i, j)


def scored(score: ScoreBatch, batches: Batches, workers: int) -> Iterator[tuple[Any, ...]]:
    """score(i, j) for each batch, in order, in `workers` processes (in this
    process when there is one worker or one batch, or where fork is missing)."""
    if workers <= 1 or len(batches) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for k in range(len(batches)):
            yield score(*batches[k])
        return
    global _job
    _job = (score, batches)
    # Objects made so far move out of the collector's sight, so that a
    # collection in a worker does not write to (and so copy) every page of
    # the parent's heap that it would otherwise walk.
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(min(workers, len(batches))) as pool:
            yield from pool.imap(_score, range(len(batches)))
    finally:
        _job = None
        gc.unfreeze()

"""Scoring in worker processes gives what one process gives."""

import numpy as np

from salama.lib.linkage import engine, parallel


def _made_up(stem: str, f: int) -> str:
    return f"{stem}{'bdfgkmns'[f % 8]}a{'lrtvz'[f // 8]}i"


def _registry() -> list[dict[str, str]]:
    """Forty families of three, each registered twice with a typo."""
    rows = []
    for f in range(40):
        for k, given in enumerate(("Fatima", "Ahmad", "Khadija")):
            for copy, spelling in enumerate((given, given[:-1] + given[-1] * 2)):
                rows.append(
                    {
                        "id": f"{f}-{k}-{copy}",
                        "given_name": spelling,
                        "father_name": _made_up("Mu", f),
                        "family_name": _made_up("Zar", f),
                        "birth_date": f"{1960 + f}-0{k + 1}-15",
                        "household_id": f"h{f}-{copy}",
                    }
                )
    return rows


def test_workers_score_the_same_pairs_as_one_process(monkeypatch):
    monkeypatch.setattr(engine, "CHUNK", 100)  # several batches for a small file
    one = engine.dedup(_registry(), threshold=0.01, workers=1)
    two = engine.dedup(_registry(), threshold=0.01, workers=2)
    assert one[1].pairs_compared == two[1].pairs_compared > 100
    for field in ("left", "right", "probability", "levels", "household_capped"):
        assert np.array_equal(getattr(one[1], field), getattr(two[1], field)), field
    assert len(one[1].left) > 100


def test_scored_keeps_the_order_of_batches():
    batches = [(np.arange(k), np.arange(k)) for k in range(5)]
    sizes = [out[0] for out in parallel.scored(lambda i, j: (len(i),), batches, workers=2)]
    assert sizes == [0, 1, 2, 3, 4]

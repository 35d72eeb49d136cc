"""Agreement levels of record pairs, one column per feature (-1 = missing).

Name comparisons run on canonical-name ids; string similarity is computed
once per distinct pair of names, which repeat heavily in any registry."""

from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import JaroWinkler, Levenshtein

from salama.lib.linkage.records import NAME_PARTS, Prepared, Vocabularies

MISSING = -1


@dataclass(frozen=True)
class Feature:
    name: str
    levels: tuple[str, ...]  # label of each level, 0 = disagree


NAME_LEVELS = ("different", "in another position", "sounds alike", "spelled alike", "same name")
FEATURES = (
    *(Feature(part, NAME_LEVELS) for part in NAME_PARTS),
    Feature(
        "birth", ("far apart", "within 3 years", "within a year", "years overlap", "same date")
    ),
    Feature("sex", ("different", "same")),
    Feature("origin", ("different", "same country", "same place")),
    Feature("phone", ("different", "same")),
    Feature("document", ("different", "one character apart", "same")),
    Feature("household", ("different", "same")),
)
FEATURE_INDEX = {f.name: i for i, f in enumerate(FEATURES)}


def _pair_similarity(a: np.ndarray, b: np.ndarray, scorer: object, values: list[str]) -> np.ndarray:
    """scorer(values[a[k]], values[b[k]]) for each k, computed once per distinct pair."""
    if len(a) == 0:
        return np.zeros(0)
    codes = a.astype(np.int64) * (len(values) + 1) + b
    unique, inverse = np.unique(codes, return_inverse=True)
    base = len(values) + 1
    scores = np.array(
        [scorer(values[int(c // base)], values[int(c % base)]) for c in unique]  # type: ignore[operator]
    )
    return scores[inverse]


def _names(
    left: Prepared, right: Prepared, i: np.ndarray, j: np.ndarray, part: int, vocab: Vocabularies
) -> np.ndarray:
    a, b = left.names[i, part], right.names[j, part]
    level = np.zeros(len(i), dtype=np.int8)
    level[(a == 0) | (b == 0)] = MISSING
    both = (a != 0) & (b != 0)
    level[both & (a == b)] = 4
    # Two different names from the variant table are different names, however
    # alike they look (Muhammad and Mahmud): only unknown spellings are fuzzy.
    known = vocab.known_names()
    differ = both & (a != b)
    fuzzy = differ & ~(known[a] & known[b])
    if fuzzy.any():
        loose = [vocab.loose(k) for k in range(len(vocab.names.values))]
        sim = _pair_similarity(a[fuzzy], b[fuzzy], JaroWinkler.normalized_similarity, loose)
        sub = np.where(sim >= 0.94, 3, 0).astype(np.int8)
        sa, sb = left.skeletons[i[fuzzy], part], right.skeletons[j[fuzzy], part]
        sub[(sub == 0) & (sa == sb) & (sa != 0)] = 2
        level[fuzzy] = sub
    # Given and family names written the other way round. (Shifts between
    # father's and grandfather's names are not counted: that is exactly how a
    # son's name relates to his father's.)
    if part in (0, 3):
        other = 3 - part
        swapped = (
            differ & (level == 0) & ((right.names[j, other] == a) | (left.names[i, other] == b))
        )
        level[swapped] = 1
    return level


def _birth(left: Prepared, right: Prepared, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    amin, amax, bmin, bmax = (
        left.year_min[i],
        left.year_max[i],
        right.year_min[j],
        right.year_max[j],
    )
    gap = np.maximum(amin - bmax, bmin - amax)
    level = np.select([gap <= 0, gap <= 1, gap <= 3], [3, 2, 1], 0).astype(np.int8)
    exact_a, exact_b = left.exact_date[i], right.exact_date[j]
    level[(exact_a >= 0) & (exact_a == exact_b)] = 4
    level[(amin < 0) | (bmin < 0)] = MISSING
    return level


def _equal(a: np.ndarray, b: np.ndarray, missing: int = 0) -> np.ndarray:
    level = (a == b).astype(np.int8)
    level[(a == missing) | (b == missing)] = MISSING
    return level


def _origin(left: Prepared, right: Prepared, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    pa, pb, ca, cb = left.place[i], right.place[j], left.country[i], right.country[j]
    level = np.zeros(len(i), dtype=np.int8)
    level[(ca == cb) & (ca != 0)] = 1
    level[(pa == pb) & (pa != 0)] = 2
    level[((pa == 0) | (pb == 0)) & ((ca == 0) | (cb == 0))] = MISSING
    return level


def _document(
    left: Prepared, right: Prepared, i: np.ndarray, j: np.ndarray, vocab: Vocabularies
) -> np.ndarray:
    a, b = left.document[i], right.document[j]
    level = _equal(a, b) * 2
    level[(a == 0) | (b == 0)] = MISSING
    todo = (a != 0) & (b != 0) & (a != b)
    if todo.any():
        dist = _pair_similarity(a[todo], b[todo], Levenshtein.distance, vocab.documents.values)
        level[todo] = np.where(dist <= 1, 1, 0)
    return level.astype(np.int8)


def compare(
    left: Prepared,
    right: Prepared,
    i: np.ndarray,
    j: np.ndarray,
    vocab: Vocabularies,
    *,
    same_households: bool = True,
) -> np.ndarray:
    """Levels (pairs × features) for pairs (left[i], right[j])."""
    columns = [_names(left, right, i, j, p, vocab) for p in range(len(NAME_PARTS))]
    columns.append(_birth(left, right, i, j))
    columns.append(_equal(left.sex[i], right.sex[j]))
    columns.append(_origin(left, right, i, j))
    columns.append(_equal(left.phone[i], right.phone[j], missing=-1))
    columns.append(_document(left, right, i, j, vocab))
    household = _equal(left.household[i], right.household[j])
    if not same_households:  # ids from two different files say nothing
        household[:] = MISSING
    columns.append(household)
    return np.stack(columns, axis=1).astype(np.int8)

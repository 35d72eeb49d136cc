"""Agreement levels of record pairs, one column per feature (-1 = missing).

Name comparisons run on canonical-name ids; string similarity is computed
once per distinct pair of names, which repeat heavily in any registry."""

from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from salama.lib.linkage.records import NAME_PARTS, Prepared, Vocabularies

MISSING = -1


@dataclass(frozen=True)
class Feature:
    name: str
    levels: tuple[str, ...]  # label of each level, 0 = disagree
    disagreeing: int = 1  # levels below this one are disagreements


# Level 0 is kept for two different names of the variant table (Hasan, Husayn):
# certainly two names. Level 1 is two unlike spellings of names the table does
# not know, which may still be one name badly typed.
NAME_LEVELS = (
    "different names",
    "unlike spellings",
    "in another position",
    "sounds alike",
    "spelled alike",
    "same name",
)
EXACT = len(NAME_LEVELS) - 1
CROSSED = NAME_LEVELS.index("in another position")
FEATURES = (
    *(Feature(part, NAME_LEVELS) for part in NAME_PARTS),
    # Level 0 is an age difference no clerk's estimate explains (a child and
    # an adult): it weighs far more against a match than "far apart".
    Feature(
        "birth",
        (
            "more than 10 years apart",
            "far apart",
            "within 3 years",
            "within a year",
            "years overlap",
            "same date",
        ),
        disagreeing=2,
    ),
    Feature("sex", ("different", "same")),
    Feature("origin", ("different", "same country", "same place")),
    Feature("phone", ("different", "same")),
    Feature("document", ("different", "one character apart", "same")),
    Feature("household", ("different", "same")),
)
FEATURE_INDEX = {f.name: i for i, f in enumerate(FEATURES)}


def _pair_scores(
    a: np.ndarray, b: np.ndarray, strings: np.ndarray, *scorers: Any
) -> list[np.ndarray]:
    """For each scorer, scorer(strings[a[k]], strings[b[k]]) for each k (strings:
    an object array): computed once per distinct pair (names repeat heavily),
    element-wise in rapidfuzz's C code (real names still make millions)."""
    if len(a) == 0:
        return [np.zeros(0) for _ in scorers]
    base = len(strings) + 1
    unique, inverse = np.unique(a.astype(np.int64) * base + b, return_inverse=True)
    lefts, rights = strings[unique // base].tolist(), strings[unique % base].tolist()
    return [
        np.asarray(process.cpdist(lefts, rights, scorer=scorer, dtype=np.float64))[inverse]
        for scorer in scorers
    ]


def _objects(values: list[str]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


@dataclass
class _VocabularyArrays:
    """What comparisons read per vocabulary id, built once per vocabulary size
    (kept in Vocabularies.cache) rather than for every batch and name part."""

    loose: np.ndarray  # loose spelling of each name id
    lengths: np.ndarray
    known: np.ndarray  # in the variant table
    skeletons: np.ndarray
    documents: np.ndarray


def vocabulary_arrays(vocab: Vocabularies) -> _VocabularyArrays:
    """The arrays comparisons read, built now (before worker processes fork)."""
    return _arrays(vocab)


def _arrays(vocab: Vocabularies) -> _VocabularyArrays:
    size = (len(vocab.names.values), len(vocab.skeletons.values), len(vocab.documents.values))
    cached = vocab.cache.get("compare")
    if cached is None or cached[0] != size:
        loose = [vocab.loose(k) for k in range(size[0])]
        arrays = _VocabularyArrays(
            loose=_objects(loose),
            lengths=np.array([len(v) for v in loose]),
            known=vocab.known_names(),
            skeletons=_objects(vocab.skeletons.values),
            documents=_objects(vocab.documents.values),
        )
        cached = vocab.cache["compare"] = (size, arrays)
    return cached[1]


# The name parts a clerk writes in another order: given, father's and family
# (the grandfather's name stays in its place).
CROSSES = {0: (1, 3), 1: (0, 3), 3: (0, 1)}
UNLIKE_SIMILARITY = 0.8  # Jaro-Winkler on loose spellings


def _names(
    left: Prepared, right: Prepared, i: np.ndarray, j: np.ndarray, part: int, vocab: Vocabularies
) -> np.ndarray:
    a, b = left.names[i, part], right.names[j, part]
    level = np.zeros(len(i), dtype=np.int8)
    level[(a == 0) | (b == 0)] = MISSING
    both = (a != 0) & (b != 0)
    level[both & (a == b)] = EXACT
    # Two different names from the variant table are different names, however
    # alike they look (Muhammad and Mahmud): only unknown spellings are fuzzy.
    known = _arrays(vocab).known
    differ = both & (a != b)
    fuzzy = differ & ~(known[a] & known[b])
    if fuzzy.any():
        arrays = _arrays(vocab)
        fa, fb = a[fuzzy], b[fuzzy]
        sim, edits = _pair_scores(
            fa, fb, arrays.loose, JaroWinkler.normalized_similarity, OSA.distance
        )
        # One edit or swap between spellings of at least 3 letters: one typo.
        typo = (np.minimum(arrays.lengths[fa], arrays.lengths[fb]) >= 3) & (edits <= 1)
        sub = np.where((sim >= 0.94) | typo, 4, 1).astype(np.int8)
        sa, sb = left.skeletons[i[fuzzy], part], right.skeletons[j[fuzzy], part]
        sub[(sub == 1) & (sa == sb) & (sa != 0)] = 3
        # Unknown names alike in neither spelling nor consonants are two names
        # (Jakhika, Lahiza), not one badly typed: the long tail of real names.
        unlike = np.flatnonzero((sub == 1) & (sim < UNLIKE_SIMILARITY))
        (skeleton_edits,) = _pair_scores(sa[unlike], sb[unlike], arrays.skeletons, OSA.distance)
        sub[unlike[skeleton_edits >= 2]] = 0
        level[fuzzy] = sub
    # Names written in another order (given and family, given and father's,
    # or all three turned round: Fatima Darit ... Aldahin / Darit El-Dahin ...
    # Fatima): this part's name is another part on the other side, and that
    # side's name here is another part on this side. Both must cross, since
    # many names are given and family names at once (Hasan, Al-Hasan).
    others = CROSSES.get(part, ())
    if not others:
        return level
    same_a = np.zeros(len(i), dtype=bool)
    same_b = np.zeros(len(i), dtype=bool)
    for other in others:
        same_a |= (right.names[j, other] == a) | (
            (right.skeletons[j, other] == left.skeletons[i, part]) & (left.skeletons[i, part] != 0)
        )
        same_b |= (left.names[i, other] == b) | (
            (left.skeletons[i, other] == right.skeletons[j, part]) & (right.skeletons[j, part] != 0)
        )
    open_ = differ & (level <= 1)
    # One side of the swap may carry a typo (Masiila Mamlokh / Mamlukh
    # Mashila): where the other side agrees, a typo's likeness is enough.
    one = np.flatnonzero(open_ & (same_a ^ same_b))
    if one.size:
        alike_a, alike_b = same_a[one], same_b[one]
        for other in others:
            alike_a |= _typo_alike(a[one], right.names[j[one], other], vocab)
            alike_b |= _typo_alike(left.names[i[one], other], b[one], vocab)
        same_a[one], same_b[one] = alike_a, alike_b
    level[open_ & same_a & same_b] = CROSSED
    return level


def _typo_alike(a: np.ndarray, b: np.ndarray, vocab: Vocabularies) -> np.ndarray:
    """Name ids whose loose spellings are one typo apart (or nearly alike)."""
    arrays = _arrays(vocab)
    present = (a != 0) & (b != 0)
    sim, edits = _pair_scores(a, b, arrays.loose, JaroWinkler.normalized_similarity, OSA.distance)
    typo = (np.minimum(arrays.lengths[a], arrays.lengths[b]) >= 3) & (edits <= 1)
    return present & ((sim >= 0.94) | typo)


# Years between two birth-year ranges beyond which they are not one person
# misrecorded: estimated adult ages are often off by five, rarely by ten.
IMPOSSIBLE_GAP = 10


def _birth(left: Prepared, right: Prepared, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    amin, amax, bmin, bmax = (
        left.year_min[i],
        left.year_max[i],
        right.year_min[j],
        right.year_max[j],
    )
    gap = np.maximum(amin - bmax, bmin - amax)
    level = np.select(
        [gap <= 0, gap <= 1, gap <= 3, gap <= IMPOSSIBLE_GAP], [4, 3, 2, 1], 0
    ).astype(np.int8)
    exact_a, exact_b = left.exact_date[i], right.exact_date[j]
    level[(exact_a >= 0) & (exact_a == exact_b)] = 5
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
        (dist,) = _pair_scores(a[todo], b[todo], _arrays(vocab).documents, Levenshtein.distance)
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


def strict_agreement(left: Prepared, right: Prepared, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Pairs that agree on given, father's and family names exactly, on sex
    and on overlapping birth years: cheap enough to count before comparing.
    Missing values agree only for the family name (Somali names have none),
    father's name and sex (not every source records them)."""

    def same(a: np.ndarray, b: np.ndarray, allow_missing: bool) -> np.ndarray:
        return (a == b) & (a != 0) | (allow_missing & ((a == 0) | (b == 0)))

    names_l, names_r = left.names[i], right.names[j]
    strict = same(names_l[:, 0], names_r[:, 0], False)
    strict &= same(names_l[:, 1], names_r[:, 1], True) & same(names_l[:, 3], names_r[:, 3], True)
    strict &= same(left.sex[i], right.sex[j], True)
    known = (left.year_min[i] >= 0) & (right.year_min[j] >= 0)
    overlap = (left.year_min[i] <= right.year_max[j]) & (right.year_min[j] <= left.year_max[i])
    return strict & known & overlap


def chance_strict_pairs(
    left: Prepared, right: Prepared, dedup: bool, overlap_share: float
) -> float:
    """Strictly agreeing pairs to expect between strangers: namesakes (one
    given, father's and family name and sex) whose birth years overlap as
    often as two random records' do (`overlap_share`). In a large registry
    they are most strict pairs: at a million records, two thirds on the
    benchmark's registry."""

    def keys(prep: Prepared) -> np.ndarray:
        names = prep.names.astype(np.int64)
        key = np.column_stack([names[:, 0], names[:, 1], names[:, 3], prep.sex.astype(np.int64)])
        return key[names[:, 0] != 0]

    if dedup:
        found = keys(left)
        if not len(found):
            return 0.0
        _, counts = np.unique(found, axis=0, return_counts=True)
        pairs = float((counts * (counts - 1) // 2).sum())
    else:
        a, b = keys(left), keys(right)
        if not len(a) or not len(b):
            return 0.0
        _, inverse = np.unique(np.concatenate([a, b]), axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        size = int(inverse.max()) + 1
        on_left = np.bincount(inverse[: len(a)], minlength=size)
        on_right = np.bincount(inverse[len(a) :], minlength=size)
        pairs = float((on_left * on_right).sum())
    return pairs * overlap_share


TF_PSEUDO_RECORDS = 100
TF_TYPICAL_SHARE = 0.02


def name_frequencies(*preps: Prepared) -> list[np.ndarray]:
    """Per name part, the share of records carrying each name id."""
    out = []
    for part in range(len(NAME_PARTS)):
        ids = np.concatenate([p.names[:, part] for p in preps])
        ids = ids[ids != 0]
        size = max(int(max((p.names[:, part].max(initial=0) for p in preps), default=0)) + 1, 1)
        counts = np.bincount(ids, minlength=size).astype(float)
        # Shrunk towards a typical name's share, so that a small file does not
        # make every name look common (or rare).
        out.append((counts + TF_PSEUDO_RECORDS * TF_TYPICAL_SHARE) / (len(ids) + TF_PSEUDO_RECORDS))
    return out


def agreement_frequencies(
    left: Prepared,
    right: Prepared,
    i: np.ndarray,
    j: np.ndarray,
    levels: np.ndarray,
    frequencies: list[np.ndarray],
) -> np.ndarray:
    """(pairs × name parts): the share of records carrying the name both agree
    on exactly, NaN where they do not agree exactly. For a given name swapped
    with the father's or family name ("in another position"), the chance of
    that swap between strangers: the share of records whose other part is
    this given name times the share whose given name is the other part."""
    out = np.full((len(i), len(NAME_PARTS)), np.nan)
    for part in range(len(NAME_PARTS)):
        exact = levels[:, part] == EXACT
        out[exact, part] = _shares(frequencies[part], left.names[i[exact], part])
    for other in CROSSES[0]:
        swap = (levels[:, 0] == CROSSED) & (levels[:, other] == CROSSED) & np.isnan(out[:, 0])
        given, named = left.names[i[swap], 0], left.names[i[swap], other]
        out[swap, 0] = _shares(frequencies[other], given) * _shares(frequencies[0], named)
    return out


def _shares(table: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """table[ids], NaN for ids the table does not know."""
    values = np.full(len(ids), np.nan)
    inside = ids < len(table)
    values[inside] = table[ids[inside]]
    return values

"""Blocking: keys that bring likely pairs together. A pair is compared when
the two records share any key. Keys are plain integers, so that a database
can store them in one indexed table and find candidates the same way."""

import hashlib
import itertools
from collections.abc import Iterator

import numpy as np

from salama.lib.linkage.records import Prepared, Vocabularies

# name → columns combined. g/f/gf/fam are canonical names; s* are skeletons
# (cross-script); y is the later possible birth year; doc and tel identifiers.
RULES: dict[str, tuple[str, ...]] = {
    "given+family either order": ("names-unordered",),
    "date": ("date",),
    "any two skeletons": ("skeleton-pairs",),
    "skeleton given+place": ("sgiven", "place"),
    "skeleton family+place": ("sfamily", "place"),
    "document": ("document",),
    "phone": ("phone",),
}
# Chosen on the synthetic registry (bench/linkage/RESULTS.md has the numbers).
# "any two skeletons" gives each record one key per pair of its name parts'
# skeletons, whichever parts they are and in whichever order: it meets given
# and father's names swapped, a father's or grandfather's name missing, and one
# record in Arabic script, one in Latin. The place rules meet records that
# share one name only, with typos in the others (Aisha / Aicha El-Machhadani).
MULTI_KEY = frozenset({"skeleton-pairs"})
_PAIRS_OF_PARTS = tuple(itertools.combinations(range(4), 2))

# Within a block, records are sorted by sex and birth year and each meets its
# WINDOW nearest neighbours: a block of up to WINDOW + 1 records is compared in
# full, a larger one (a common name in a large registry) as a sorted
# neighbourhood, so that comparisons grow with the registry, not its square.
WINDOW = 15
MAX_BLOCK = WINDOW + 1  # search: a key shared by more records is narrowed


def _column(prep: Prepared, name: str) -> np.ndarray:
    """One int64 per record (0 = missing), or for a MULTI_KEY column one
    row of several per record."""
    parts = {"given": 0, "father": 1, "grandfather": 2, "family": 3}
    if name in parts:
        return prep.names[:, parts[name]].astype(np.int64)
    if name.startswith("s") and name[1:] in parts:
        return prep.skeletons[:, parts[name[1:]]].astype(np.int64)
    if name == "year":
        return np.where(prep.year_max >= 0, prep.year_max, 0).astype(np.int64)
    if name in ("names-unordered", "skeletons-unordered"):
        # the same key whichever of given and family name came first
        table = prep.names if name == "names-unordered" else prep.skeletons
        return _unordered(table[:, 0], table[:, 3])
    if name == "skeleton-pairs":
        return np.stack(
            [_unordered(prep.skeletons[:, a], prep.skeletons[:, b]) for a, b in _PAIRS_OF_PARTS],
            axis=1,
        )
    if name == "date":
        return np.where(prep.exact_date >= 0, prep.exact_date + 1, 0).astype(np.int64)
    if name == "place":
        return prep.place.astype(np.int64)
    if name == "document":
        return prep.document.astype(np.int64)
    if name == "phone":
        return np.where(prep.phone >= 0, prep.phone + 1, 0)
    raise KeyError(name)


def _unordered(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    low, high = np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)
    # Two equal skeletons (Muhammad Muhammad) make no key: too common to block on.
    return np.where((low != 0) & (high != 0) & (low != high), low * 1_000_003 + high, 0)


def keys(prep: Prepared, rule: str) -> np.ndarray:
    """int64 keys of shape (records, keys per record) for `rule`; 0 where a
    column is missing."""
    columns = [_column(prep, name) for name in RULES[rule]]
    width = max(c.shape[1] if c.ndim == 2 else 1 for c in columns)
    key = np.zeros((len(prep), width), dtype=np.int64)
    present = np.ones((len(prep), width), dtype=bool)
    for k, column in enumerate(columns):
        column = column.reshape(len(prep), -1)
        present &= column != 0
        # Mix columns with a 64-bit multiplicative hash (wrap-around intended).
        mixed = key * np.int64(1_000_003) + column * np.int64(2_654_435_761 + k)
        key = np.bitwise_and(mixed, np.int64(0x7FFFFFFFFFFFFFFF))
    key[~present] = 0
    key[present & (key == 0)] = 1
    return key


def _flat_keys(prep: Prepared, rule: str) -> tuple[np.ndarray, np.ndarray]:
    """(record index, key) for every non-missing key of `rule`."""
    matrix = keys(prep, rule)
    records = np.repeat(np.arange(len(prep), dtype=np.int64), matrix.shape[1])
    flat = matrix.ravel()
    present = flat != 0
    return records[present], flat[present]


def neighbourhood(prep: Prepared) -> np.ndarray:
    """The order inside a block: the middle of the birth-year range (unknown
    years last), then sex and place of origin, so that neighbours are the
    likeliest duplicates. The year comes first because it is nearly always
    known (a stated age gives it); a missing place or sex, put first, sent
    records to the far end of a large block, away from their duplicates."""
    middle = np.where(prep.year_min >= 0, (prep.year_min + prep.year_max) // 2, 9999)
    return (middle.astype(np.int64) * 4 + prep.sex) * (1 << 24) + prep.place


def rule_codes(prep: Prepared, rule: str, within: np.ndarray) -> np.ndarray:
    """Pairs of records sharing a key of `rule` and at most WINDOW apart in
    their block's order (`within`), as sorted distinct codes i * n + j (i < j).
    Records sharing several keys of a rule meet several times: duplicates are
    dropped every few distances, so that memory follows the distinct pairs."""
    n = len(prep)
    records, key = _flat_keys(prep, rule)
    order = np.lexsort((within[records], key))
    sorted_key, sorted_records = key[order], records[order]
    del records, key, order
    merged = np.zeros(0, dtype=np.int64)
    pending: list[np.ndarray] = []
    for distance in range(1, WINDOW + 1):
        at = np.flatnonzero(sorted_key[:-distance] == sorted_key[distance:])
        if len(at) == 0:
            break
        i, j = sorted_records[at], sorted_records[at + distance]
        keep = i != j
        pending.append(np.minimum(i, j)[keep] * n + np.maximum(i, j)[keep])
        if distance % 5 == 0:
            merged = _distinct(np.concatenate([merged, *pending]))
            pending = []
    return _distinct(np.concatenate([merged, *pending])) if pending else merged


def dedup_pairs(
    prep: Prepared, rules: tuple[str, ...] = tuple(RULES)
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct pairs (i < j) found by any of `rules`."""
    batches = list(PairBatches(prep, rules, batch=None))
    return batches[0] if batches else _no_pairs()


def _distinct(codes: np.ndarray) -> np.ndarray:
    """Sorted distinct values (numpy's own unique hashes, far slower here)."""
    codes = np.sort(codes)
    keep = np.ones(len(codes), dtype=bool)
    keep[1:] = codes[1:] != codes[:-1]
    return codes[keep]


def _no_pairs() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)


class PairBatches:
    """Distinct pairs (i < j) found by any of `rules`, in batches of about
    `batch` pairs (None: one batch). A pair is coded i * n + j and each rule's
    codes are kept sorted, so that a batch is one range of codes gathered
    from every rule: a pair found by several rules is met once, and the
    working memory follows the batch, not the sum of the rules."""

    def __init__(
        self, prep: Prepared, rules: tuple[str, ...] = tuple(RULES), batch: int | None = 5_000_000
    ) -> None:
        self.n = n = len(prep)
        within = neighbourhood(prep)
        self.per_rule = []
        for rule in rules:
            self.per_rule.append(rule_codes(prep, rule, within))
        found = sum(len(c) for c in self.per_rule)
        slices = 1 if batch is None else max(1, -(-found // batch))
        self.bounds = np.linspace(0, n, slices + 1).astype(np.int64) * n

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def __getitem__(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k-th batch (perhaps empty): ranges are independent, so that
        batches can be scored in any order, by any worker."""
        if not 0 <= k < len(self):
            raise IndexError(k)
        low, high = self.bounds[k], self.bounds[k + 1]
        parts = [c[np.searchsorted(c, low) : np.searchsorted(c, high)] for c in self.per_rule]
        codes = _distinct(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
        return codes // self.n, codes % self.n

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for k in range(len(self)):
            i, j = self[k]
            if len(i):
                yield i, j


def link_pairs(
    left: Prepared, right: Prepared, rules: tuple[str, ...] = tuple(RULES)
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct pairs (left i, right j) sharing a key, each left record meeting
    at most WINDOW right records per rule: those nearest in sex and birth year."""
    found = []
    wa, wb = neighbourhood(left), neighbourhood(right)
    for rule in rules:
        left_records, ka = _flat_keys(left, rule)
        right_records, kb = _flat_keys(right, rule)
        order_b = np.lexsort((wb[right_records], kb))
        sorted_b, sorted_wb = kb[order_b], wb[right_records[order_b]]
        start = np.searchsorted(sorted_b, ka, side="left")
        stop = np.searchsorted(sorted_b, ka, side="right")
        count = stop - start
        # In a large block, start the window where this record's sex and
        # birth year would sit, centred: one search on (key rank, order).
        large = count > WINDOW
        if large.any():
            distinct_b = _distinct(sorted_b)
            combined = np.searchsorted(distinct_b, sorted_b) * np.int64(1 << 40) + sorted_wb
            rank_a = np.searchsorted(distinct_b, ka[large])
            centre = np.searchsorted(combined, rank_a * np.int64(1 << 40) + wa[left_records[large]])
            low = start[large]
            start[large] = np.clip(centre - WINDOW // 2, low, stop[large] - WINDOW)
            count[large] = WINDOW
        if count.sum() == 0:
            continue
        i = np.repeat(left_records, count)
        offsets = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        j = right_records[order_b[np.repeat(start, count) + offsets]]
        found.append(i * len(right) + j)
    if not found:
        return _no_pairs()
    codes = _distinct(np.concatenate(found))
    return codes // len(right), codes % len(right)


def _column_texts(prep: Prepared, vocab: Vocabularies, name: str, row: int) -> list[str]:
    """The canonical strings of one column of one record (none when missing;
    several for a MULTI_KEY column), as _column's keys but stable across runs."""
    parts = {"given": 0, "father": 1, "grandfather": 2, "family": 3}
    if name in parts:
        texts = [vocab.names.values[prep.names[row, parts[name]]]]
    elif name.startswith("s") and name[1:] in parts:
        texts = [vocab.skeletons.values[prep.skeletons[row, parts[name[1:]]]]]
    elif name in ("names-unordered", "skeletons-unordered"):
        values, table = (
            (vocab.names.values, prep.names)
            if name == "names-unordered"
            else (vocab.skeletons.values, prep.skeletons)
        )
        texts = [_unordered_text(values[table[row, 0]], values[table[row, 3]])]
    elif name == "skeleton-pairs":
        values = vocab.skeletons.values
        skeletons = [values[s] for s in prep.skeletons[row]]
        texts = [_unordered_text(skeletons[a], skeletons[b]) for a, b in _PAIRS_OF_PARTS]
    elif name == "year":
        texts = [str(prep.year_max[row]) if prep.year_max[row] >= 0 else ""]
    elif name == "date":
        texts = [str(prep.exact_date[row]) if prep.exact_date[row] >= 0 else ""]
    elif name == "place":
        texts = [vocab.places.values[prep.place[row]]]
    elif name == "document":
        texts = [vocab.documents.values[prep.document[row]]]
    elif name == "phone":
        texts = [str(prep.phone[row]) if prep.phone[row] >= 0 else ""]
    else:
        raise KeyError(name)
    return sorted({t for t in texts if t})


def _unordered_text(a: str, b: str) -> str:
    return "+".join(sorted((a, b))) if a and b and a != b else ""


# Stored search keys only (never used to pair records in a scan): a person
# looked for by one name alone ("Jubori") is found by that name's skeleton.
# Rule numbers follow RULES'; a search with two names or more leaves them out.
SEARCH_ONLY_RULES: dict[str, tuple[str, ...]] = {
    "skeleton given alone": ("sgiven",),
    "skeleton family alone": ("sfamily",),
}
SEARCH_ONLY_NUMBERS = frozenset(range(len(RULES), len(RULES) + len(SEARCH_ONLY_RULES)))
# Keys that name one person whatever age is recorded (a birth date, a
# document, a phone). The others are names: a search reads those first among
# the people of about the query's age (see registry.matching.candidate_ids).
AGELESS_NUMBERS = frozenset(
    n for n, name in enumerate(RULES | SEARCH_ONLY_RULES) if name in {"date", "document", "phone"}
)


def stable_keys(prep: Prepared, vocab: Vocabularies, row: int) -> list[tuple[int, int]]:
    """(rule number, key) for one record, from the canonical strings rather
    than this run's vocabulary ids, so that they can be stored in a database
    and looked up later by another process."""
    out = []
    for number, (rule, columns) in enumerate((RULES | SEARCH_ONLY_RULES).items()):
        per_column = [_column_texts(prep, vocab, c, row) for c in columns]
        for texts in itertools.product(*per_column):
            digest = hashlib.blake2b("\x1f".join([rule, *texts]).encode(), digest_size=8).digest()
            out.append((number, int.from_bytes(digest, "big") >> 1))
    return out

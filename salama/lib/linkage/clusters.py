"""Pairs → clusters of records that may all be one person (no Django)."""

from collections.abc import Hashable, Iterable, Sequence


def clusters(pairs: Iterable[tuple[Hashable, Hashable]]) -> dict[Hashable, int]:
    """Union–find over the pairs; each record → a cluster number (from 1, in
    order of first appearance), so that a reviewer sees A–B and B–C together."""
    parent: dict[Hashable, Hashable] = {}

    def root(x: Hashable) -> Hashable:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    order: list[Hashable] = []
    for a, b in pairs:
        for x in (a, b):
            if x not in parent:
                order.append(x)
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[rb] = ra
    numbers: dict[Hashable, int] = {}
    out = {}
    for x in order:
        out[x] = numbers.setdefault(root(x), len(numbers) + 1)
    return out


def one_per_household(
    left: Sequence[int],
    right: Sequence[int],
    probability: Sequence[float],
    household: Sequence[int],
    link: float = 0.5,
) -> tuple[list[float], list[bool]]:
    """Probabilities that keep every cluster to one record per household.

    Pairs at or above `link` join clusters, likeliest first (a greedy
    correlation clustering). Two members of one household are two people, so
    a pair that would put them in one cluster contradicts a likelier pair
    already accepted: a' cannot be both a and a's sister b. Such a pair's
    probability is capped at 1 − q, where q is the weakest accepted pair of
    the two clusters (the evidence that it contradicts), and it joins
    nothing. Two records of one household may still be one person (a
    member entered twice): that pair itself is not refused, only a third
    record of the household beside them. `household` holds each record's
    household number, 0 where it is unknown. Returns the probabilities and
    which pairs were capped."""
    out = [float(p) for p in probability]
    capped = [False] * len(out)
    parent: dict[int, int] = {}
    members: dict[int, dict[int, set[int]]] = {}  # root → household → records
    weakest: dict[int, float] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def households(r: int, x: int) -> dict[int, set[int]]:
        if r not in members:
            h = household[x]
            members[r] = {h: {x}} if h else {}
        return members[r]

    order = sorted((k for k, p in enumerate(out) if p >= link), key=lambda k: -out[k])
    for k in order:
        a, b = int(left[k]), int(right[k])
        ra, rb = root(a), root(b)
        if ra == rb:
            continue
        ha, hb = households(ra, a), households(rb, b)
        if _two_of_one_household(ha, hb, a, b):
            q = min(weakest.get(ra, 1.0), weakest.get(rb, 1.0))
            out[k], capped[k] = min(out[k], 1.0 - q), True
            continue
        if len(ha) < len(hb):
            ra, rb, ha, hb = rb, ra, hb, ha
        parent[rb] = ra
        for h, records in hb.items():
            ha.setdefault(h, set()).update(records)
        members.pop(rb, None)
        weakest[ra] = min(weakest.get(ra, 1.0), weakest.pop(rb, 1.0), out[k])
    return out, capped


def _two_of_one_household(ha: dict[int, set[int]], hb: dict[int, set[int]], a: int, b: int) -> bool:
    """Would joining the clusters put two records of one household together,
    other than the pair (a, b) itself?"""
    if len(hb) < len(ha):
        ha, hb = hb, ha
    for h, records in ha.items():
        others = hb.get(h)
        if others and (records | others) != {a, b}:
            return True
    return False

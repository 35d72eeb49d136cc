"""Pairs → clusters of records that may all be one person (no Django)."""

from collections.abc import Hashable, Iterable


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

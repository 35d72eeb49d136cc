"""Hash chain for the append-only audit trail (no Django imports).

Each entry's hash covers its own content and the previous entry's hash, so
altering, removing or reordering any entry breaks every hash after it.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def entry_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + "\n" + canonical).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Break:
    entry_id: int
    reason: str


def verify(entries: Iterable[tuple[int, str, str, Mapping[str, Any]]]) -> Break | None:
    """Check (id, prev_hash, hash, content) rows in order; the first break, or None."""
    expected_prev = GENESIS
    for entry_id, prev_hash, stored_hash, content in entries:
        if prev_hash != expected_prev:
            return Break(entry_id, "does not follow the previous entry (missing or reordered)")
        if entry_hash(prev_hash, content) != stored_hash:
            return Break(entry_id, "content does not match its hash (altered)")
        expected_prev = stored_hash
    return None

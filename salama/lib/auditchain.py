"""Keyed hash chain for the append-only audit trail (no Django imports).

Each entry's hash is an HMAC-SHA256, under a key kept outside the database, of
its own content (sequence number included) and the previous entry's hash: with
database access alone one can neither alter an entry and recompute the hashes
after it, nor remove or reorder entries, without `verify` noticing. Keys
rotate: an entry whose action is ROTATION switches the chain to a newer key,
and every later entry must be hashed with that key (old keys only verify).

Writers append to one of several chains (a chain per writing thread, so that
concurrent requests do not all wait on one lock); each chain is numbered 1, 2,
3, ... without gaps and ends at its head.

Checkpoints are small signed statements ("after `count` entries of each chain
its head hash was H") kept outside the database; `verify` compares them with the chain, so
that truncation or a rewritten tail is detected.
"""

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
ROTATION = "rotate_key"


def key_id(secret: str) -> str:
    """A short public name for a key, derived from it (never reveals it)."""
    return hashlib.sha256(("salama-audit-key-id\n" + secret).encode("utf-8")).hexdigest()[:12]


def canonical(content: Mapping[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(
    secret: str, prev_hash: str, chain: int, seq: int, key: str, content: Mapping[str, Any] | str
) -> str:
    """The hash of entry number `seq` of `chain` under the key named `key`. `content` is
    a mapping, or already canonical (a writer computes it before taking the lock)."""
    text = content if isinstance(content, str) else canonical(content)
    message = f"{prev_hash}\n{chain}:{seq}\n{key}\n{text}".encode()
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def legacy_entry_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    """The unkeyed hash of entries written before the chain was keyed (migration only)."""
    return hashlib.sha256((prev_hash + "\n" + canonical(content)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Row:
    entry_id: int
    chain: int
    seq: int
    key_id: str
    action: str
    record_id: str
    prev_hash: str
    hash: str
    content: Mapping[str, Any]


@dataclass(frozen=True)
class Head:
    count: int
    last_hash: str


@dataclass(frozen=True)
class Checkpoint:
    """After heads[chain].count entries of each chain, its last hash was heads[chain].last_hash."""

    heads: Mapping[int, Head]
    at: str
    key_id: str
    signature: str
    name: str = ""  # the file it came from, for messages

    def statement(self) -> dict[str, Any]:
        return {
            "chains": {str(c): [h.count, h.last_hash] for c, h in sorted(self.heads.items())},
            "at": self.at,
            "key_id": self.key_id,
        }

    @property
    def total(self) -> int:
        return sum(head.count for head in self.heads.values())


@dataclass(frozen=True)
class Break:
    entry_id: int
    reason: str


def sign_checkpoint(secret: str, heads: Mapping[int, Head], at: str) -> Checkpoint:
    unsigned = Checkpoint(dict(heads), at, key_id(secret), "")
    return Checkpoint(unsigned.heads, at, unsigned.key_id, _signature(secret, unsigned))


def _signature(secret: str, checkpoint: Checkpoint) -> str:
    message = ("salama-audit-checkpoint\n" + canonical(checkpoint.statement())).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def checkpoint_is_genuine(keys: Mapping[str, str], checkpoint: Checkpoint) -> bool:
    secret = keys.get(checkpoint.key_id)
    return secret is not None and hmac.compare_digest(
        _signature(secret, checkpoint), checkpoint.signature
    )


@dataclass
class _Chain:
    """What the next entry of one chain must be."""

    prev: str = GENESIS
    seq: int = 1
    key: str = ""
    last_id: int = 0


def verify(
    rows: Iterable[Row],
    keys: Sequence[str],
    heads: Mapping[int, Head] | None = None,
    checkpoints: Sequence[Checkpoint] = (),
) -> Break | None:
    """The first break in the chains, or None. `rows` come in id order, the chains
    interleaved; `keys` are the secrets newest first.

    With `heads`, the last entry of each chain must be its head (same count and
    hash); each checkpoint must be genuine, and in each chain the entry at the
    checkpoint's count must still carry its hash."""
    by_id = {key_id(secret): secret for secret in keys}
    age = {key_id(secret): index for index, secret in enumerate(keys)}  # 0 = newest
    pending: dict[int, list[tuple[int, str, str]]] = {}
    for checkpoint in checkpoints:
        if not checkpoint_is_genuine(by_id, checkpoint):
            return Break(0, f"checkpoint {checkpoint.name} is not signed with a configured key")
        for chain, head in checkpoint.heads.items():
            if head.count > 0:
                pending.setdefault(chain, []).append((head.count, head.last_hash, checkpoint.name))
    for marks in pending.values():
        marks.sort()
    chains: dict[int, _Chain] = {}
    for row in rows:
        state = chains.setdefault(row.chain, _Chain())
        broken = _check(row, state, by_id, age, len(keys))
        if broken:
            return Break(row.entry_id, broken)
        marks = pending.get(row.chain, [])
        while marks and marks[0][0] == row.seq:
            if marks.pop(0)[1] != row.hash:
                return Break(row.entry_id, "differs from a signed checkpoint (rewritten)")
        state.prev, state.seq, state.key = row.hash, row.seq + 1, row.key_id
        state.last_id = row.entry_id
    for chain, marks in sorted(pending.items()):
        if marks:
            state = chains.get(chain, _Chain())
            return Break(
                state.last_id,
                f"is the last of {state.seq - 1} entries of chain {chain}, but checkpoint "
                f"{marks[-1][2]} saw {marks[-1][0]} (entries removed)",
            )
    for chain in sorted(set(heads or {}) | set(chains)):
        state = chains.get(chain, _Chain())
        head = (heads or {}).get(chain, Head(0, GENESIS))
        if heads is not None and (head.count, head.last_hash) != (state.seq - 1, state.prev):
            return Break(
                state.last_id,
                f"is the last of {state.seq - 1} entries of chain {chain}, but the head "
                f"records {head.count} (entries removed)",
            )
    return None


def _check(
    row: Row, state: _Chain, by_id: Mapping[str, str], age: Mapping[str, int], keys: int
) -> str:
    """Why `row` cannot follow `state` in its chain, or ""."""
    if row.seq != state.seq:
        return f"has number {row.seq} in chain {row.chain}, expected {state.seq} (missing)"
    if row.prev_hash != state.prev:
        return "does not follow the previous entry (missing or reordered)"
    secret = by_id.get(row.key_id)
    if secret is None:
        return f"is signed with key {row.key_id!r}, not configured"
    if state.key and row.key_id != state.key:
        newer = age[row.key_id] < age.get(state.key, keys)
        if row.action != ROTATION or row.record_id != row.key_id or not newer:
            return "changes key without a rotation to a newer key"
    made = entry_hash(secret, row.prev_hash, row.chain, row.seq, row.key_id, row.content)
    if not hmac.compare_digest(made, row.hash):
        return "content does not match its hash (altered)"
    return ""

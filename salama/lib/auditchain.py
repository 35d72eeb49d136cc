"""Keyed hash chain for the append-only audit trail (no Django imports).

Each entry's hash is an HMAC-SHA256, under a key kept outside the database, of
its own content (sequence number included) and the previous entry's hash: with
database access alone one can neither alter an entry and recompute the hashes
after it, nor remove or reorder entries, without `verify` noticing. Keys
rotate: an entry whose action is ROTATION switches the chain to a newer key,
and every later entry must be hashed with that key (old keys only verify).

Checkpoints are small signed statements ("after `count` entries the head hash
was H") kept outside the database; `verify` compares them with the chain, so
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
    secret: str, prev_hash: str, seq: int, key: str, content: Mapping[str, Any] | str
) -> str:
    """The hash of entry number `seq` under the key named `key`. `content` is a
    mapping, or already canonical (a writer computes it before taking the lock)."""
    text = content if isinstance(content, str) else canonical(content)
    message = f"{prev_hash}\n{seq}\n{key}\n{text}".encode()
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def legacy_entry_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    """The unkeyed hash of entries written before the chain was keyed (migration only)."""
    return hashlib.sha256((prev_hash + "\n" + canonical(content)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Row:
    entry_id: int
    seq: int
    key_id: str
    action: str
    record_id: str
    prev_hash: str
    hash: str
    content: Mapping[str, Any]


@dataclass(frozen=True)
class Checkpoint:
    count: int
    head_hash: str
    at: str
    key_id: str
    signature: str
    name: str = ""  # the file it came from, for messages

    def statement(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "head_hash": self.head_hash,
            "at": self.at,
            "key_id": self.key_id,
        }


@dataclass(frozen=True)
class Break:
    entry_id: int
    reason: str


def sign_checkpoint(secret: str, count: int, head_hash: str, at: str) -> Checkpoint:
    unsigned = Checkpoint(count, head_hash, at, key_id(secret), "")
    return Checkpoint(count, head_hash, at, unsigned.key_id, _signature(secret, unsigned))


def _signature(secret: str, checkpoint: Checkpoint) -> str:
    message = ("salama-audit-checkpoint\n" + canonical(checkpoint.statement())).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def checkpoint_is_genuine(keys: Mapping[str, str], checkpoint: Checkpoint) -> bool:
    secret = keys.get(checkpoint.key_id)
    return secret is not None and hmac.compare_digest(
        _signature(secret, checkpoint), checkpoint.signature
    )


@dataclass(frozen=True)
class Head:
    count: int
    last_hash: str


def verify(
    rows: Iterable[Row],
    keys: Sequence[str],
    head: Head | None = None,
    checkpoints: Sequence[Checkpoint] = (),
) -> Break | None:
    """The first break in the chain, or None.

    `keys` are the secrets newest first. With `head`, the last entry must be the
    head (same count and hash); each checkpoint must be genuine, and the entry
    at its count must still carry its hash."""
    by_id = {key_id(secret): secret for secret in keys}
    age = {key_id(secret): index for index, secret in enumerate(keys)}  # 0 = newest
    for checkpoint in checkpoints:
        if not checkpoint_is_genuine(by_id, checkpoint):
            return Break(0, f"checkpoint {checkpoint.name} is not signed with a configured key")
    pending = sorted((c for c in checkpoints if c.count > 0), key=lambda c: c.count)
    expected_prev, expected_seq, current_key = GENESIS, 1, ""
    last_id = 0
    for row in rows:
        if row.seq != expected_seq:
            return Break(row.entry_id, f"has number {row.seq}, expected {expected_seq} (missing)")
        if row.prev_hash != expected_prev:
            return Break(row.entry_id, "does not follow the previous entry (missing or reordered)")
        secret = by_id.get(row.key_id)
        if secret is None:
            return Break(row.entry_id, f"is signed with key {row.key_id!r}, not configured")
        if current_key and row.key_id != current_key:
            newer = age[row.key_id] < age.get(current_key, len(keys))
            if row.action != ROTATION or row.record_id != row.key_id or not newer:
                return Break(row.entry_id, "changes key without a rotation to a newer key")
        if not hmac.compare_digest(
            entry_hash(secret, row.prev_hash, row.seq, row.key_id, row.content), row.hash
        ):
            return Break(row.entry_id, "content does not match its hash (altered)")
        while pending and pending[0].count == row.seq:
            if pending.pop(0).head_hash != row.hash:
                return Break(row.entry_id, "differs from a signed checkpoint (rewritten)")
        expected_prev, expected_seq, current_key = row.hash, row.seq + 1, row.key_id
        last_id = row.entry_id
    count = expected_seq - 1
    if pending:
        return Break(
            last_id,
            f"is the last of {count} entries, but checkpoint {pending[-1].name} "
            f"saw {pending[-1].count} (entries removed)",
        )
    if head is not None and (head.count, head.last_hash) != (count, expected_prev):
        return Break(
            last_id,
            f"is the last of {count} entries, but the head records {head.count} (entries removed)",
        )
    return None

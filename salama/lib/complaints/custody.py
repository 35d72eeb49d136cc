"""The chain of custody: every step of a complaint and of its evidence, in an
append-only list whose entries are linked by keyed hashes.

An entry's hash is an HMAC-SHA256, under a key kept outside the database, of
the previous entry's hash, its number and its canonical content (which carries
the SHA-256 of any file it concerns). Changing, removing or reordering an entry
breaks every hash after it; with the database alone nobody can recompute them."""

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical(content: Mapping[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def link_hash(secret: str, previous: str, seq: int, content: Mapping[str, Any]) -> str:
    message = f"{previous}\n{seq}\n{canonical(content)}".encode()
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Link:
    seq: int
    content: Mapping[str, Any]
    hash: str


def first_break(secret: str, links: Sequence[Link]) -> int | None:
    """The number of the first entry whose hash does not follow from the ones
    before it (or that is out of sequence); None when the chain holds."""
    previous = GENESIS
    for expected, link in enumerate(links, start=1):
        if link.seq != expected or not hmac.compare_digest(
            link_hash(secret, previous, link.seq, link.content), link.hash
        ):
            return link.seq
        previous = link.hash
    return None

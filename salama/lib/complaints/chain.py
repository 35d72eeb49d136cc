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
    key_id: str = ""
    note: str = ""  # the note whose SHA-256 the content holds, if any


def first_break(secrets: Mapping[str, str], links: Sequence[Link]) -> int | None:
    """The number of the first link whose hash does not follow from the ones
    before it under its key (`secrets` by key id), that is out of sequence,
    or whose note no longer hashes as its content says; None when it holds."""
    previous = GENESIS
    for expected, link in enumerate(links, start=1):
        secret = secrets.get(link.key_id)
        note_hash = file_sha256(link.note.encode("utf-8")) if link.note else None
        if (
            secret is None
            or link.seq != expected
            or link.content.get("note_sha256") != note_hash
            or not hmac.compare_digest(
                link_hash(secret, previous, link.seq, link.content), link.hash
            )
        ):
            return link.seq
        previous = link.hash
    return None

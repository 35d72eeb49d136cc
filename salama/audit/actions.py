"""Writing the audit trail. Called inside the caller's transaction, so an
entry exists exactly when the operation it records was committed.

Appending chains the entry to the previous one of its chain through the
chain's head row, which is locked from the first statement to the end of the
transaction (its commit included). So that concurrent requests do not all wait
on one lock, there are CHAINS chains and each thread of each process writes to
its own (a transaction thus only ever locks one head, and cannot deadlock on
another); everything that does not need the previous hash (the entry's
canonical text) is computed before the lock, and the locked part is two
statements on PostgreSQL (claim the next number; insert and advance the head
in one) with nothing else in it.
"""

import itertools
import json
import os
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from salama.audit.models import AuditEntry, AuditHead
from salama.core import access as core_access
from salama.lib.auditchain import GENESIS, ROTATION, canonical, entry_hash, key_id, sign_checkpoint


class AuditKeyError(ImproperlyConfigured):
    pass


@cache
def _keys_by_id(keys: tuple[str, ...]) -> dict[str, str]:
    return {key_id(secret): secret for secret in keys}


def audit_keys() -> dict[str, str]:
    """The configured audit keys by id (settings.SALAMA_AUDIT_KEYS, newest first)."""
    if not settings.SALAMA_AUDIT_KEYS:
        raise AuditKeyError("SALAMA_AUDIT_KEYS is empty: the audit chain needs a key")
    return _keys_by_id(tuple(settings.SALAMA_AUDIT_KEYS))


def newest_key_id() -> str:
    return key_id(settings.SALAMA_AUDIT_KEYS[0])


CHAINS = 8
_next_chain = itertools.count()
_thread = threading.local()


def _my_chain() -> int:
    """This thread's chain: threads of one process take the chains in turn, from a
    place that differs between processes (read at first use, so after any fork)."""
    if not hasattr(_thread, "chain"):
        _thread.chain = (os.getpid() + next(_next_chain)) % CHAINS + 1
    return int(_thread.chain)


_CLAIM = (
    "UPDATE audit_audithead SET count = count + 1, "
    "key_id = CASE WHEN %s <> '' THEN %s WHEN key_id = '' THEN %s ELSE key_id END "
    "WHERE id = %s RETURNING count, last_hash, key_id"
)
_INSERT = (
    "INSERT INTO audit_auditentry (chain, seq, key_id, at, user_id, username, action, "
    "purpose, model, record_id, changed_fields, record_ids, prev_hash, hash) VALUES "
    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id"
)
# PostgreSQL: insert the entry and advance the head in one statement (one round trip
# while the head is locked).
_INSERT_AND_ADVANCE_PG = (
    "WITH e AS (INSERT INTO audit_auditentry (chain, seq, key_id, at, user_id, username, "
    "action, purpose, model, record_id, changed_fields, record_ids, prev_hash, hash) VALUES "
    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s, %s) "
    "RETURNING id, chain, hash) "
    "UPDATE audit_audithead SET last_hash = e.hash FROM e WHERE audit_audithead.id = e.chain "
    "RETURNING e.id"
)
_ADVANCE = "UPDATE audit_audithead SET last_hash = %s WHERE id = %s"


def _claim(cursor: Any, chain: int, switch_to: str) -> tuple[int, str, str]:
    """Lock the chain's head and take the next number: (seq, previous hash, key id)."""
    newest = newest_key_id()
    cursor.execute(_CLAIM, [switch_to, switch_to, newest, chain])
    row = cursor.fetchone()
    if row is None:  # a new (or flushed) database: each head is made once
        defaults = {"last_hash": GENESIS, "key_id": newest}
        _head, created = AuditHead.objects.get_or_create(pk=chain, defaults=defaults)
        if created and AuditEntry.objects.filter(chain=chain).exists():  # rolled back
            raise ImproperlyConfigured(
                f"the head of audit chain {chain} is missing while the chain holds entries: "
                "run `salama audit verify`"
            )
        cursor.execute(_CLAIM, [switch_to, switch_to, newest, chain])
        row = cursor.fetchone()
    return int(row[0]), str(row[1]), str(row[2])


def _append(entry: AuditEntry, chain: int = 0, switch_to: str = "") -> AuditEntry:
    body = canonical(entry.content())  # before the lock
    changed, shown = json.dumps(entry.changed_fields), json.dumps(entry.record_ids)
    keys = audit_keys()
    with transaction.atomic(), connection.cursor() as cursor:
        entry.chain = chain or _my_chain()
        entry.seq, entry.prev_hash, entry.key_id = _claim(cursor, entry.chain, switch_to)
        secret = keys.get(entry.key_id)
        if secret is None:
            raise AuditKeyError(
                f"the audit chain is keyed with key {entry.key_id}, which SALAMA_AUDIT_KEYS "
                "does not hold: give every Salama process the same keys (docs/operations.md)"
            )
        entry.hash = entry_hash(secret, entry.prev_hash, entry.chain, entry.seq, entry.key_id, body)
        values: list[Any] = [
            entry.chain, entry.seq, entry.key_id, entry.at, entry.user_id, entry.username,
            entry.action, entry.purpose, entry.model, entry.record_id, changed, shown,
            entry.prev_hash, entry.hash,
        ]  # fmt: skip
        if connection.vendor == "postgresql":
            cursor.execute(_INSERT_AND_ADVANCE_PG, values)
            entry.id = cursor.fetchone()[0]
        else:
            cursor.execute(_INSERT, values)
            entry.id = cursor.fetchone()[0]
            cursor.execute(_ADVANCE, [entry.hash, entry.chain])
    entry._state.adding, entry._state.db = False, connection.alias
    return entry


def _entry(
    user: Any,
    action: str,
    purpose: str,
    model: str,
    record_id: object,
    now: datetime | None = None,
    **extra: Any,
) -> AuditEntry:
    return AuditEntry(
        at=now or timezone.now(),
        user_id=getattr(user, "pk", None),
        username=getattr(user, "username", "") or "system",
        action=action,
        purpose=purpose,
        model=model,
        record_id=str(record_id),
        **extra,
    )


def audit_record(
    *,
    user: Any,
    action: str,
    purpose: str,
    model: str,
    record_id: object,
    changed_fields: Iterable[str] = (),
) -> AuditEntry:
    return _append(
        _entry(user, action, purpose, model, record_id, changed_fields=sorted(changed_fields))
    )


def record_list_read(
    user: Any,
    records: Iterable[Any],
    *,
    model: str = "",
    purpose: str = "",
    now: datetime | None = None,
) -> AuditEntry | None:
    """One entry for one list shown to `user`, naming every record on it by id
    (references, never names; record_id holds how many). `records` are model
    instances, or ids of `model` ("app.Model"); the purpose is the user's own
    unless given. An empty list shows nobody and is not recorded."""
    shown = list(records)
    if not shown:
        return None
    if not model:
        model = shown[0]._meta.label
    ids = [str(getattr(record, "pk", record)) for record in shown]
    purpose = purpose or core_access.purpose(user)
    return _append(_entry(user, "list", purpose, model, len(ids), now, record_ids=ids))


def record_bulk_access_alert(reader_id: int, now: datetime) -> AuditEntry:
    """That the data-protection officers were alerted about `reader_id`'s reads."""
    entry = _entry(None, "alert", "system", "auth.User", reader_id, now)
    return _append(entry)


def audit_rotate_key(user: Any = None) -> list[AuditEntry]:
    """Switch every chain to the newest configured key: each chain's rotation entry
    is its first one hashed with it, and every later entry must be (old keys only
    verify). Heads are taken in order, so two rotations cannot deadlock."""
    newest = newest_key_id()
    chains = list(
        AuditHead.objects.exclude(key_id=newest).order_by("id").values_list("id", flat=True)
    )
    if not chains:
        raise AuditKeyError(
            f"the audit chain already uses the newest key ({newest}): put a new key first "
            "in SALAMA_AUDIT_KEYS and restart every Salama process before rotating"
        )
    with transaction.atomic():
        return [
            _append(_entry(user, ROTATION, "system", "audit.AuditKey", newest), chain, newest)
            for chain in chains
        ]


def audit_write_checkpoint(now: datetime | None = None) -> Path | None:
    """Write a signed statement of the head (count, hash, time, key id) into the
    checkpoint folder, outside the database; None when nothing changed since the last."""
    folder = Path(settings.SALAMA_AUDIT_CHECKPOINT_DIR)
    from salama.audit.selectors import audit_checkpoints, audit_heads  # reads there

    heads = audit_heads()
    previous = audit_checkpoints()
    if previous and dict(previous[-1].heads) == heads:
        return None
    at = (now or timezone.now()).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    checkpoint = sign_checkpoint(settings.SALAMA_AUDIT_KEYS[0], heads, at)
    folder.mkdir(parents=True, exist_ok=True)
    total = checkpoint.total
    path = folder / f"checkpoint-{total:012d}-{at.replace(':', '')}.json"
    record = {**checkpoint.statement(), "signature": checkpoint.signature}
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    partial.chmod(0o600)
    partial.replace(path)  # a reader never sees half a checkpoint
    return path

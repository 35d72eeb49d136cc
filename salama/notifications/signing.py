"""The webhook signature: HMAC-SHA256 over `timestamp + "." + body` with the
shared secret, sent as `X-Salama-Signature: sha256=<hex>`. Plain Python, so a
receiver can copy it (docs/notifications.md)."""

import hashlib
import hmac
import time

PREFIX = "sha256="
# A receiver should refuse a signature older than this (replayed requests).
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return PREFIX + digest.hexdigest()


def verify(
    secret: str, timestamp: str, body: bytes, header: str, *, now: float | None = None
) -> bool:
    """True when `header` signs this body and the timestamp is recent."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    if age > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), header)

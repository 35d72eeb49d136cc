"""HTTP Digest authentication (RFC 7616, MD5, qop=auth), which ODK Collect
and KoboCollect use for OpenRosa servers. Nonces are stateless: a timestamp
signed with the server's key, so that any worker can check them and they
expire without a table."""

import hashlib
import hmac
import re
import secrets
import time

NONCE_LIFETIME = 300  # seconds; an expired nonce answers "stale", not "wrong password"


def md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def ha1(username: str, realm: str, password: str) -> str:
    return md5(f"{username}:{realm}:{password}")


def make_nonce(key: bytes, now: float | None = None) -> str:
    stamp = str(int(now if now is not None else time.time()))
    mac = hmac.new(key, stamp.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{stamp}.{mac}"


def nonce_state(nonce: str, key: bytes, now: float | None = None) -> str:
    """'fresh', 'stale' (ours but expired) or 'invalid'."""
    stamp, _, mac = nonce.partition(".")
    expected = hmac.new(key, stamp.encode(), hashlib.sha256).hexdigest()[:32]
    if not stamp.isdigit() or not hmac.compare_digest(mac, expected):
        return "invalid"
    age = (now if now is not None else time.time()) - int(stamp)
    return "fresh" if -30 <= age <= NONCE_LIFETIME else "stale"


def challenge(realm: str, key: bytes, stale: bool = False) -> str:
    opaque = secrets.token_hex(8)
    header = (
        f'Digest realm="{realm}", qop="auth", nonce="{make_nonce(key)}", '
        f'opaque="{opaque}", algorithm=MD5'
    )
    return header + (", stale=true" if stale else "")


_PARAM = re.compile(r'(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


def parse(header: str) -> dict[str, str] | None:
    """The parameters of an Authorization: Digest header, or None."""
    scheme, _, rest = header.partition(" ")
    if scheme.lower() != "digest":
        return None
    return {
        m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
        for m in _PARAM.finditer(rest)
    }


def expected_response(params: dict[str, str], stored_ha1: str, method: str) -> str:
    ha2 = md5(f"{method}:{params.get('uri', '')}")
    if params.get("qop"):
        parts = [params["nonce"], params.get("nc", ""), params.get("cnonce", ""), params["qop"]]
        return md5(":".join([stored_ha1, *parts, ha2]))
    return md5(f"{stored_ha1}:{params['nonce']}:{ha2}")


def verify(params: dict[str, str], stored_ha1: str, method: str) -> bool:
    needed = {"username", "nonce", "uri", "response"}
    if not needed <= params.keys() or params.get("algorithm", "MD5").upper() != "MD5":
        return False
    if params.get("qop") not in (None, "auth"):
        return False
    return hmac.compare_digest(expected_response(params, stored_ha1, method), params["response"])

"""HTTP Digest authentication (RFC 7616, MD5, qop=auth), which ODK Collect
and KoboCollect use for OpenRosa servers. A nonce is a timestamp and a random
part signed with the server's key, so that a forged one is refused without a
look-up; the server also records each nonce it issued and each nonce count
used with it (screening.DigestNonce), which is what refuses a replay."""

import hashlib
import hmac
import re
import secrets

NONCE_LIFETIME = 300  # seconds; an expired nonce answers "stale", not "wrong password"
CLOCK_SKEW = 30  # seconds a nonce's stamp may lie in the future (several servers)


def md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def ha1(username: str, realm: str, password: str) -> str:
    return md5(f"{username}:{realm}:{password}")


def _mac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:32]


def make_nonce(key: bytes, now: float) -> str:
    """A new nonce stamped with `now` (seconds since the epoch)."""
    stamped = f"{int(now)}.{secrets.token_hex(8)}"
    return f"{stamped}.{_mac(key, stamped)}"


def nonce_state(nonce: str, key: bytes, now: float) -> str:
    """'fresh', 'stale' (ours but expired) or 'invalid' (not signed by us)."""
    stamped, _, mac = nonce.rpartition(".")
    stamp = stamped.partition(".")[0]
    if not stamp.isdigit() or not hmac.compare_digest(mac, _mac(key, stamped)):
        return "invalid"
    age = now - int(stamp)
    return "fresh" if -CLOCK_SKEW <= age <= NONCE_LIFETIME else "stale"


def nonce_count(params: dict[str, str]) -> int | None:
    """The nonce count (nc, eight hex digits) of a qop=auth answer; 0 without
    qop (RFC 2069 clients use each nonce once); None if malformed."""
    if not params.get("qop"):
        return 0
    nc = params.get("nc", "")
    if len(nc) != 8 or any(c not in "0123456789abcdefABCDEF" for c in nc):
        return None
    return int(nc, 16)


def challenge(realm: str, nonce: str, stale: bool = False) -> str:
    opaque = secrets.token_hex(8)
    header = (
        f'Digest realm="{realm}", qop="auth", nonce="{nonce}", opaque="{opaque}", algorithm=MD5'
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

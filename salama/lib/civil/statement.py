"""The signed statement in a civil registration document's QR code, checkable
offline with the deployment's Ed25519 public key (plain Python, no Django).

The QR text is `{base_url}/verify/{serial}#{payload}.{signature}`: a phone's
camera opens the public verification page (a browser never sends what follows
`#`), and a verifier without a connection checks the statement with the public
key. `payload` is base64url (unpadded) of canonical JSON (sorted keys, no
spaces, UTF-8, NFC) of what the document prints; `signature` is base64url of
the Ed25519 signature over the payload's base64 text.

    python -m salama.lib.civil.statement verify --key public.pem "QR TEXT"
"""

import argparse
import base64
import binascii
import hashlib
import json
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

VERSION = 1
KINDS = ("certificate", "record", "notification")


class StatementError(ValueError):
    """The text is not a statement, or not one signed with this key."""


@dataclass(frozen=True)
class Statement:
    serial: str
    event: str
    number: str
    date: str
    issued: str
    names: tuple[str, ...]
    dates: tuple[str, ...] = ()
    kind: str = "certificate"
    place: str = ""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise StatementError("not base64url text") from None


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _payload(statement: Statement, kid: str, base_url: str) -> bytes:
    body = {
        "v": VERSION,
        "k": kid,
        # The deployment's address is signed: a genuine statement behind
        # another site's link does not check.
        "u": base_url,
        "s": _nfc(statement.serial),
        "e": _nfc(statement.event),
        "n": _nfc(statement.number),
        "d": _nfc(statement.date),
        "i": _nfc(statement.issued),
        "p": [_nfc(x) for x in statement.names],
        "t": [_nfc(x) for x in statement.dates],
        "c": _nfc(statement.kind),
        "l": _nfc(statement.place),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def encode(statement: Statement, private_key: Ed25519PrivateKey, *, base_url: str) -> str:
    """The QR text of a statement, signed with the deployment's key."""
    if statement.kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {statement.kind!r}")
    if not statement.serial or "/" in statement.serial or "#" in statement.serial:
        raise ValueError("serial is empty or holds / or #")
    base = base_url.rstrip("/")
    payload = _b64(_payload(statement, key_id(private_key.public_key()), base))
    signature = _b64(private_key.sign(payload.encode("ascii")))
    return f"{base}/verify/{statement.serial}#{payload}.{signature}"


def _split(text: str) -> tuple[str | None, str, str, str | None]:
    """(the serial in the link or None, payload, signature, the link's base or None)."""
    link, _, fragment = text.strip().rpartition("#")
    serial = base = None
    if link:
        base, _, serial = link.rstrip("/").rpartition("/verify/")
    payload, dot, signature = (fragment or text.strip()).partition(".")
    if not dot or not payload or not signature:
        raise StatementError("not a statement: expected payload.signature after '#'")
    return serial, payload, signature, base


def _statement(body: Any) -> Statement:
    try:
        if body["v"] != VERSION:
            raise StatementError(f"statement version {body['v']} is not known")
        return Statement(
            serial=str(body["s"]),
            event=str(body["e"]),
            number=str(body["n"]),
            date=str(body["d"]),
            issued=str(body["i"]),
            names=tuple(str(x) for x in body["p"]),
            dates=tuple(str(x) for x in body["t"]),
            kind=str(body["c"]),
            place=str(body["l"]),
        )
    except (KeyError, TypeError):
        raise StatementError("the statement lacks a field") from None


def decode(text: str, public_key: Ed25519PublicKey) -> Statement:
    """The statement, if it is signed with this key and matches its link."""
    serial, payload, signature, base = _split(text)
    try:
        public_key.verify(_unb64(signature), payload.encode("ascii"))
    except (InvalidSignature, UnicodeEncodeError):
        raise StatementError(
            "signature does not match: the statement was changed or was not signed with this key"
        ) from None
    try:
        body = json.loads(_unb64(payload).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise StatementError("the statement is not JSON") from None
    if not isinstance(body, dict):
        raise StatementError("the statement is not an object")
    if body.get("k") != key_id(public_key):
        raise StatementError("the statement names another key")
    statement = _statement(body)
    if base is not None and base != body.get("u"):
        raise StatementError(
            f"the link points to {base}, but the statement was issued by {body.get('u')}"
        )
    if serial is not None and serial != statement.serial:
        raise StatementError(
            f"the link's serial {serial} is not the signed serial {statement.serial}"
        )
    return statement


def new_private_key_pem() -> str:
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def load_private_key(pem: str | bytes) -> Ed25519PrivateKey:
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise ValueError("the signing key is not a PEM private key without a password") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the signing key must be an Ed25519 key")
    return key


def load_public_key(pem: str | bytes) -> Ed25519PublicKey:
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        raise ValueError("not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("the public key must be an Ed25519 key")
    return key


def public_key_pem(private_key: Ed25519PrivateKey) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m salama.lib.civil.statement",
        description="Check a civil registration document's QR statement offline.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="check a QR code's text")
    verify.add_argument("--key", required=True, type=Path, help="the deployment's public key (PEM)")
    verify.add_argument("text", help="the text of the QR code")
    args = parser.parse_args(argv)
    try:
        key = load_public_key(args.key.read_bytes())
        statement = decode(args.text, key)
    except (OSError, ValueError) as exc:
        print(f"NOT VALID: {exc}", file=sys.stderr)
        return 1
    print(f"SIGNATURE VALID: {statement.kind} {statement.serial}")
    print("  (a signature cannot say whether the document was revoked since: check online)")
    for name, value in vars(statement).items():
        print(f"  {name}: {', '.join(value) if isinstance(value, tuple) else value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

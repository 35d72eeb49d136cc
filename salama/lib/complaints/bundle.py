"""The sealed bundle a judicial process receives: the evidence files, a
manifest of their SHA-256 and of the chain of custody, and an Ed25519
signature over the manifest. `verify` checks a bundle with only the
deployment's public key: each file against the manifest, the manifest against
its signature."""

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from salama.lib.complaints.chain import file_sha256

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"


def manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    return json.dumps(manifest, sort_keys=True, indent=1, ensure_ascii=False).encode("utf-8")


def members(
    manifest: Mapping[str, Any], files: Mapping[str, bytes], key: Ed25519PrivateKey
) -> dict[str, bytes]:
    """The bundle's files: each evidence file under its manifest name, the
    manifest and its signature (base64)."""
    body = manifest_bytes(manifest)
    signature = base64.b64encode(key.sign(body)) + b"\n"
    return {**files, MANIFEST: body, SIGNATURE: signature}


@dataclass
class Verdict:
    signature_ok: bool
    files_ok: list[str] = field(default_factory=list)
    files_failed: list[str] = field(default_factory=list)
    files_missing: list[str] = field(default_factory=list)
    files_unlisted: list[str] = field(default_factory=list)  # in the bundle, not in the manifest

    @property
    def ok(self) -> bool:
        return (
            self.signature_ok
            and not self.files_failed
            and not self.files_missing
            and not self.files_unlisted
        )


def verify(contents: Mapping[str, bytes], public_key: Ed25519PublicKey) -> Verdict:
    body = contents.get(MANIFEST, b"")
    try:
        public_key.verify(base64.b64decode(contents.get(SIGNATURE, b"")), body)
        signature_ok = True
    except (InvalidSignature, ValueError):
        signature_ok = False
    try:
        manifest = json.loads(body or b"{}")
    except ValueError:
        return Verdict(signature_ok=False)
    items = manifest.get("evidence", []) if isinstance(manifest, dict) else []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        return Verdict(signature_ok=False)
    verdict = Verdict(signature_ok=signature_ok)
    for item in items:
        name, expected = str(item.get("file", "")), str(item.get("sha256", ""))
        if name not in contents:
            verdict.files_missing.append(name)
        elif file_sha256(contents[name]) == expected:
            verdict.files_ok.append(name)
        else:
            verdict.files_failed.append(name)
    listed = {str(item.get("file", "")) for item in items}
    verdict.files_unlisted = sorted(
        n for n in contents if n.startswith("evidence/") and n not in listed
    )
    return verdict

"""The deployment's certificate-signing key (Ed25519): from
SALAMA_CIVIL_SIGNING_KEY(_FILE), or made on first use and kept in the data
folder. Its public half is published at /verify/key.pem, so that anyone can
check a certificate's QR code without a connection."""

import os
from functools import cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from salama.lib.civil import statement

KEY_FILE = "certificate_key.pem"


def _pem() -> str:
    if settings.SALAMA_CIVIL_SIGNING_KEY:
        return str(settings.SALAMA_CIVIL_SIGNING_KEY)
    path = settings.DATA_DIR / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created readable by its owner only, never for a moment by others.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as key_file:
            key_file.write(statement.new_private_key_pem())
    return path.read_text(encoding="utf-8")


@cache
def _loaded(pem: str) -> Ed25519PrivateKey:
    return statement.load_private_key(pem)


def private_key() -> Ed25519PrivateKey:
    return _loaded(_pem())


def public_pem() -> str:
    return statement.public_key_pem(private_key())

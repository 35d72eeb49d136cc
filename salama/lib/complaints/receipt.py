"""Receipt codes: what a complainant keeps instead of an identity.

Sixteen random digits (GlobaLeaks' choice: about 53 bits, typed on any phone
keypad), shown once and stored only as a slow hash. The hash is scrypt with a
server pepper and no per-record salt, as SecureDrop does with its codenames, so
that a code finds its complaint with one index look-up and a database read
alone cannot test guesses without the pepper."""

import hashlib
import re
import secrets

DIGITS = 16
# scrypt cost: 2**14 x 8 x 128 bytes = 16 MiB and ~50 ms a code on one core.
_N, _R, _P = 2**14, 8, 1
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def new_code() -> str:
    """A fresh code in groups of four: 0421 8873 1290 5532."""
    digits = "".join(secrets.choice("0123456789") for _ in range(DIGITS))
    return " ".join(digits[i : i + 4] for i in range(0, DIGITS, 4))


def normal(typed: str) -> str | None:
    """The digits of a typed code (spaces, dashes and Arabic-Indic digits
    allowed), or None when it cannot be a code."""
    digits = re.sub(r"[\s\-.]", "", str(typed).translate(_ARABIC_DIGITS))
    return digits if re.fullmatch(rf"\d{{{DIGITS}}}", digits) else None


def digest(code: str, pepper: str) -> str:
    """The stored form of a code (hex). A code that is not 16 digits still
    costs the same work, so that timing tells nothing."""
    digits = normal(code) or "0" * DIGITS
    return hashlib.scrypt(
        digits.encode("ascii"),
        salt=("salama-complaint-receipt\n" + pepper).encode("utf-8"),
        n=_N,
        r=_R,
        p=_P,
        maxmem=64 * 1024 * 1024,
        dklen=32,
    ).hex()

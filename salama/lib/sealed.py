"""Files that leave Salama are sealed: an AES-256 encrypted ZIP (WinZip AE-2,
through pyzipper), which Windows Explorer's "Extract all", 7-Zip, macOS
Archive Utility with 7-Zip/Keka and `7z x` on Linux open with the password.
The password is given by the person who asked for the file and is never
stored in the clear (docs/data-protection.md)."""

import io
import os
from pathlib import Path

import pyzipper


def seal(path: Path, members: dict[str, bytes], password: str) -> int:
    """Write `members` (file name: content) to `path` as an AES-256 ZIP readable
    only by its owner (0600); return the file's size. The file appears complete
    or not at all: it is written beside and renamed."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_suffix(".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with (
        os.fdopen(fd, "wb") as raw,
        pyzipper.AESZipFile(
            raw, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
        ) as archive,
    ):
        archive.setpassword(password.encode("utf-8"))
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        for name, content in members.items():
            archive.writestr(name, content)
    os.replace(partial, path)
    return path.stat().st_size


def unseal(data: bytes, password: str) -> dict[str, bytes]:
    """The members of a sealed file (for tests and for checking a download)."""
    with pyzipper.AESZipFile(io.BytesIO(data)) as archive:
        archive.setpassword(password.encode("utf-8"))
        return {name: archive.read(name) for name in archive.namelist()}

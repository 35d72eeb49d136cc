"""Check an unpacked evidence bundle: python -m salama.lib.complaints.bundle_check
FOLDER --key KEY.pem, with the key published at the deployment's /verify/key.pem
(the copy inside the bundle proves nothing if the bundle itself was replaced).
Exit status 0 when every file and the signature hold, 1 otherwise."""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from salama.lib.civil.statement import load_public_key
from salama.lib.complaints.bundle import verify


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument(
        "--key", type=Path, required=True, help="the deployment's published key (/verify/key.pem)"
    )
    args = parser.parse_args(argv)
    contents = {
        p.relative_to(args.folder).as_posix(): p.read_bytes()
        for p in args.folder.rglob("*")
        if p.is_file()
    }
    verdict = verify(contents, load_public_key(args.key.read_bytes()))
    print("signature:", "valid" if verdict.signature_ok else "INVALID")
    for name in verdict.files_ok:
        print("ok      ", name)
    for name in verdict.files_failed:
        print("CHANGED ", name)
    for name in verdict.files_missing:
        print("MISSING ", name)
    for name in verdict.files_unlisted:
        print("UNLISTED", name)
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main())

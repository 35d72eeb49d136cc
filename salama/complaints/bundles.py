"""The sealed bundle for a judicial process: the evidence files as received,
a manifest of their SHA-256 and of the chain of custody, signed with the
deployment's Ed25519 key (the one that signs civil certificates, published at
/verify/key.pem), in an AES-256 ZIP opened with the password its requester
chose. The complainant's identity is in it only if they agreed to share it
with investigators."""

import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from salama.civil import keys
from salama.complaints import custody
from salama.complaints.models import Complaint
from salama.lib import sealed
from salama.lib.complaints import bundle

README = """Sealed evidence bundle of complaint {reference}

manifest.json lists every evidence file with its SHA-256 and the chain of
custody (each step, when, and its hash); manifest.sig is the Ed25519 signature
of manifest.json (base64) by the deployment's key in signing_key.pem.

Check it with the deployment's published key, never with the copy in the bundle
(a forged bundle would bring its own): download {base}/verify/key.pem, then

Check it all:   python -m salama.lib.complaints.bundle_check FOLDER --key key.pem
Check a file:   sha256sum evidence/01-...   (compare with the manifest)
"""


def _manifest(complaint: Complaint, files: dict[str, bytes], user: Any) -> dict[str, Any]:
    identity = complaint.consent_identity == "yes"
    return {
        "complaint": complaint.reference,
        "exported_at": timezone.now().isoformat(),
        "exported_by": user.pk,
        "statement": {
            "category": complaint.category,
            "received_at": complaint.received_at.isoformat(),
            "incident_date": complaint.incident_date.isoformat()
            if complaint.incident_date
            else None,
            "incident_year": complaint.incident_year,
            "incident_place": complaint.incident_place,
            "narrative": complaint.narrative,
            "subject_type": complaint.subject_type,
            "subject_name": complaint.subject_name,
            "complainant_name": complaint.complainant_name if identity else "(not shared)",
        },
        "evidence": [
            {
                "number": item.number,
                "file": name,
                "sha256": item.sha256,
                "size": item.size,
                "received_at": item.added_at.isoformat(),
                "source": item.source,
            }
            for item, name in zip(complaint.evidence.all(), files, strict=True)
        ],
        "custody": [
            {"seq": c.seq, "kind": c.kind, "at": c.at.isoformat(), "hash": c.hash}
            for c in complaint.custody.order_by("seq")
        ],
    }


@transaction.atomic
def bundle_export(*, user: Any, complaint: Complaint, password: str) -> bytes:
    files = {
        f"evidence/{item.number:02d}-{_safe(item.name)}": custody.evidence_bytes(item)
        for item in complaint.evidence.all()
    }
    custody.bundle_recorded(user=user, complaint=complaint)
    manifest = _manifest(complaint, files, user)
    contents = bundle.members(manifest, files, keys.private_key())
    contents["signing_key.pem"] = keys.public_pem().encode("ascii")
    readme = README.format(reference=complaint.reference, base=settings.SALAMA_BASE_URL.rstrip("/"))
    contents["README.txt"] = readme.encode("utf-8")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bundle.zip"
        sealed.seal(path, contents, password)
        return path.read_bytes()


def _safe(name: str) -> str:
    kept = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    return kept[-80:] or "file"

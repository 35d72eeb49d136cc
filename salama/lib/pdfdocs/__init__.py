"""Printable PDF documents in English, French and Arabic, in plain Python (no Django).

- `desk_notice(texts, url=, place=, hours=)`: the A4 notice of a site's
  missing-persons desk, with a large QR code of the public report page.
- `household_cards(cards, labels)`: household cards, eight to an A4 page.
- `civil_certificate(doc)`: a civil registration document (certificate,
  registration record or notification) with the QR code of its signed statement.

Callers pass every word already translated; this package holds no translations.
The fonts (Noto Sans, Noto Naskh Arabic; SIL Open Font License) are bundled in
`fonts/`.
"""

from .cards import CardLabels, HouseholdCard, household_cards
from .certificate import CertificateDoc, CertificateSection, civil_certificate
from .notice import NoticeText, desk_notice

__all__ = [
    "CardLabels",
    "CertificateDoc",
    "CertificateSection",
    "HouseholdCard",
    "NoticeText",
    "civil_certificate",
    "desk_notice",
    "household_cards",
]

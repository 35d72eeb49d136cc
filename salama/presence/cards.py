"""Household cards to print: what each card shows (no name: the household
number, the block, how many members, and the QR code holding the card's code
only) and the PDF from salama.lib.pdfdocs.household_cards.

TODO(h-pdf): salama.lib.pdfdocs comes from the branch h-pdf. Until it is
merged, PDF_AVAILABLE is False and the print view renders the same cards as a
printable HTML page with SVG QR codes (presence/cards_print.html)."""

import io
from dataclasses import dataclass
from typing import Any

import qrcode
import qrcode.image.svg
from django.utils.translation import get_language

try:  # pragma: no cover - depends on the h-pdf branch being merged
    from salama.lib.pdfdocs import household_cards as _household_cards

    PDF_AVAILABLE = True
except ImportError:  # pragma: no cover
    _household_cards = None
    PDF_AVAILABLE = False


@dataclass(frozen=True)
class Card:
    code: str  # what the QR code holds
    household_number: str
    site_name: str
    members: int

    def qr_svg(self) -> str:
        image = qrcode.make(self.code, image_factory=qrcode.image.svg.SvgPathImage)
        buffer = io.BytesIO()
        image.save(buffer)
        return buffer.getvalue().decode()


def printable(households: list[Any], cards: list[Any]) -> list[Card]:
    language = get_language() or "en"
    return [
        Card(
            code=card.code,
            household_number=household.registration_number,
            site_name=household.site.name_in(language),
            members=int(getattr(household, "member_count", 0)),
        )
        for household, card in zip(households, cards, strict=True)
    ]


def pdf(cards: list[Card], site: Any) -> bytes:
    """The cards of one block as a PDF (salama.lib.pdfdocs.household_cards)."""
    if _household_cards is None:  # pragma: no cover
        raise RuntimeError("salama.lib.pdfdocs is not installed (branch h-pdf)")
    language = get_language() or "en"
    return bytes(
        _household_cards(
            [
                {
                    "qr": c.code,
                    "household_number": c.household_number,
                    "site": c.site_name,
                    "members": c.members,
                }
                for c in cards
            ],
            title=site.name_in(language),
            language=language,
        )
    )

"""Household cards to print: what each card shows (no name: the household
number, the block and, on the HTML sheet, how many members) and the QR code,
which holds the card's random code only. The PDF comes from
salama.lib.pdfdocs.household_cards, eight cards to an A4 page."""

import io
from dataclasses import dataclass
from typing import Any

import qrcode
import qrcode.image.svg
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from salama.lib import pdfdocs

# The HTML sheet (presence/cards_print.html) stays for browsers that print
# better from a page; the print button gives the PDF.
PDF_AVAILABLE = True
PDF_LANGUAGES = ("en", "fr", "ar")


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
    language = _language()
    return [
        Card(
            code=card.code,
            household_number=household.registration_number,
            site_name=household.site.name_in(language),
            members=int(getattr(household, "member_count", 0)),
        )
        for household, card in zip(households, cards, strict=True)
    ]


def _language() -> str:
    code = (get_language() or "en").split("-")[0]
    return code if code in PDF_LANGUAGES else "en"


def pdf(cards: list[Card], site: Any) -> bytes:
    """The cards of one block as a PDF, with the labels in the reader's language."""
    labels = pdfdocs.CardLabels(
        language=_language(),
        title=_("Household card"),
        household=_("Household"),
        block=_("Block"),
        note=_("Show this card at roll calls and distributions."),
    )
    return pdfdocs.household_cards(
        [
            pdfdocs.HouseholdCard(
                payload=c.code, household_number=c.household_number, block=c.site_name
            )
            for c in cards
        ],
        labels,
    )

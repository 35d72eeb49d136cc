"""Household cards: eight credit-card-sized cards (85.6 x 54 mm) on each A4 page,
with cut marks. A card carries a QR code of the reference it is given, the
household's number and block, and fixed labels; no name, no personal data."""

from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF

from ._common import (
    ACCENT,
    GREY,
    INK,
    WHITE,
    Language,
    check_text,
    draw_qr,
    fit_size,
    language,
    new_document,
    use_font,
)

CARD_W, CARD_H = 85.6, 54.0  # ISO/IEC 7810 ID-1, the size of a bank card
COLUMNS, ROWS = 2, 4
PER_PAGE = COLUMNS * ROWS
LEFT = (210.0 - COLUMNS * CARD_W) / 2
TOP = (297.0 - ROWS * CARD_H) / 2
PAD = 3.5
BAND_H = 8.0
QR_SIZE = CARD_H - BAND_H - 2 * PAD + 2  # the quiet zone is part of the square
MAX_PAYLOAD = 128


@dataclass(frozen=True)
class HouseholdCard:
    """One card. `payload` is all the QR code holds: a reference such as a household
    token, never personal data (printable ASCII, at most 128 characters)."""

    payload: str
    household_number: str
    block: str = ""


@dataclass(frozen=True)
class CardLabels:
    """The fixed words of every card, already translated by the caller. `note` is an
    optional line at the foot (for instance "Show this card at the desk")."""

    language: str  # "en", "fr" or "ar"
    title: str  # "Household card"
    household: str  # "Household"
    block: str  # "Block"
    note: str = ""


def household_cards(cards: Sequence[HouseholdCard], labels: CardLabels) -> bytes:
    """The cards as PDF bytes, eight to an A4 page in the order given (20 cards make
    3 pages). Raises ValueError naming the card and field at fault: no cards, an
    empty payload or household number, a payload that is not printable ASCII or is
    too long, an unknown language, a character the fonts cannot print."""
    lang = _checked_labels(labels)
    checked = [_checked_card(i, card) for i, card in enumerate(cards)]
    if not checked:
        raise ValueError("cards is empty: give at least one household")
    pdf = new_document(title=labels.title, lang=lang.code)
    for start in range(0, len(checked), PER_PAGE):
        pdf.add_page()
        _cut_marks(pdf)
        for slot, card in enumerate(checked[start : start + PER_PAGE]):
            column, row = slot % COLUMNS, slot // COLUMNS
            _draw_card(pdf, card, labels, lang, x=LEFT + column * CARD_W, y=TOP + row * CARD_H)
    return bytes(pdf.output())


def _checked_labels(labels: CardLabels) -> Language:
    lang = language(labels.language)
    for field in ("title", "household", "block"):
        check_text(f"labels.{field}", getattr(labels, field))
    check_text("labels.note", labels.note, required=False)
    return lang


def _checked_card(index: int, card: HouseholdCard) -> HouseholdCard:
    field = f"cards[{index}]"
    payload = card.payload
    if not isinstance(payload, str) or not payload.strip():
        raise ValueError(f"{field}.payload is empty")
    if not (payload.isascii() and payload.isprintable()):
        raise ValueError(
            f"{field}.payload must be printable ASCII (a reference, not personal data)"
        )
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"{field}.payload is longer than {MAX_PAYLOAD} characters")
    check_text(f"{field}.household_number", card.household_number)
    check_text(f"{field}.block", card.block, required=False)
    return card


def _cut_marks(pdf: FPDF) -> None:
    """Short marks in the margin at every cutting line, clear of the cards."""
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.2)
    right, bottom = LEFT + COLUMNS * CARD_W, TOP + ROWS * CARD_H
    for column in range(COLUMNS + 1):
        x = LEFT + column * CARD_W
        pdf.line(x, TOP - 8, x, TOP - 2)
        pdf.line(x, bottom + 2, x, bottom + 8)
    for row in range(ROWS + 1):
        y = TOP + row * CARD_H
        pdf.line(LEFT - 8, y, LEFT - 2, y)
        pdf.line(right + 2, y, right + 8, y)


def _draw_card(
    pdf: FPDF, card: HouseholdCard, labels: CardLabels, lang: Language, *, x: float, y: float
) -> None:
    # A light dashed outline, for scissors where the cut marks are out of reach.
    pdf.set_draw_color(190, 190, 190)
    pdf.set_line_width(0.15)
    pdf.set_dash_pattern(dash=1, gap=1)
    pdf.rect(x, y, CARD_W, CARD_H, style="D")
    pdf.set_dash_pattern()
    # The title band.
    pdf.set_fill_color(*ACCENT)
    pdf.rect(x + 2, y + 2, CARD_W - 4, BAND_H, style="F")
    pdf.set_text_color(*WHITE)
    use_font(pdf, lang, size=11, bold=True)
    fit_size(pdf, labels.title, width=CARD_W - 4 - 2 * PAD, smallest=7)
    pdf.set_xy(x + 2 + PAD, y + 2)
    pdf.cell(CARD_W - 4 - 2 * PAD, h=BAND_H, text=labels.title, align=lang.align)
    # The QR code on the side where reading ends, the text where it starts.
    top = y + 2 + BAND_H + 1
    qr_x = x + CARD_W - PAD - QR_SIZE + 1 if not lang.rtl else x + PAD - 1
    draw_qr(pdf, card.payload, x=qr_x, y=top, size=QR_SIZE, strong=True)
    text_w = CARD_W - 2 * PAD - QR_SIZE + 1
    text_x = x + PAD if not lang.rtl else x + CARD_W - PAD - text_w
    line_y = top + 1.5
    line_y = _field(pdf, lang, labels.household, card.household_number, text_x, line_y, text_w, 15)
    if card.block:
        line_y = _field(pdf, lang, labels.block, card.block, text_x, line_y + 1.5, text_w, 12)
    if labels.note:
        pdf.set_text_color(*GREY)
        use_font(pdf, lang, size=7)
        pdf.set_xy(text_x, y + CARD_H - PAD - 8)
        pdf.multi_cell(text_w, h=3.3, text=labels.note, align=lang.align, max_line_height=3.3)


def _field(
    pdf: FPDF, lang: Language, label: str, value: str, x: float, y: float, w: float, size: float
) -> float:
    """A small grey label over its value in large type; returns the height below."""
    pdf.set_text_color(*GREY)
    use_font(pdf, lang, size=8)
    fit_size(pdf, label, width=w, smallest=6)
    pdf.set_xy(x, y)
    pdf.cell(w, h=4, text=label, align=lang.align)
    pdf.set_text_color(*INK)
    use_font(pdf, lang, size=size, bold=True)
    size = fit_size(pdf, value, width=w, smallest=7)
    pdf.set_xy(x, y + 4)
    pdf.cell(w, h=size * 0.3528 * 1.3, text=value, align=lang.align)
    return y + 4 + size * 0.3528 * 1.3

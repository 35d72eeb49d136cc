"""What the notice and the cards share: fonts, languages, checks of input, QR codes.

Text is shaped by HarfBuzz (through fpdf2's `set_text_shaping`), so Arabic letters
join, lam-alef ligatures form and marks sit where the font puts them; fpdf2 then
orders each line by the Unicode bidirectional algorithm. The glyphs are written in
visual order, as every PDF producer writes them, with a ToUnicode map back to the
logical letters (not to presentation forms), so that viewers which reorder
right-to-left text (Chrome's PDFium, Poppler, pypdf, Acrobat) copy and search it
in logical order. See tests/test_pdfdocs.py for what is checked.
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import qrcode
import qrcode.constants
from fontTools.ttLib import TTFont
from fpdf import FPDF

FONTS = Path(__file__).parent / "fonts"
LATIN = "noto-sans"
ARABIC = "noto-naskh-arabic"
_FONT_FILES = {
    (LATIN, ""): "NotoSans-Regular.ttf",
    (LATIN, "B"): "NotoSans-Bold.ttf",
    (ARABIC, ""): "NotoNaskhArabic-Regular.ttf",
    (ARABIC, "B"): "NotoNaskhArabic-Bold.ttf",
}

INK = (20, 20, 20)
GREY = (110, 110, 110)
ACCENT = (24, 66, 110)  # a dark blue that prints well in grey too
WHITE = (255, 255, 255)


@dataclass(frozen=True)
class Language:
    code: str
    rtl: bool
    font: str  # the family that draws its script; the other family is the fallback
    size: float = 1.0  # Naskh reads smaller than Noto Sans at the same point size

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"

    @property
    def align(self) -> str:
        """Text starts at the right edge in a right-to-left language."""
        return "R" if self.rtl else "L"


LANGUAGES = {
    "en": Language("en", rtl=False, font=LATIN),
    "fr": Language("fr", rtl=False, font=LATIN),
    "ar": Language("ar", rtl=True, font=ARABIC, size=1.2),
}


def language(code: str) -> Language:
    try:
        return LANGUAGES[code]
    except KeyError:
        known = ", ".join(sorted(LANGUAGES))
        raise ValueError(f"unknown language code {code!r}: expected one of {known}") from None


@cache
def _covered() -> frozenset[int]:
    """Every character one of the bundled fonts can draw."""
    points: set[int] = set()
    for name in _FONT_FILES.values():
        with TTFont(FONTS / name, lazy=True) as font:
            points.update(font.getBestCmap())
    return frozenset(points)


def check_text(field: str, value: str, *, required: bool = True) -> str:
    """The text itself, or ValueError naming the field and what is wrong with it."""
    if not isinstance(value, str):
        raise ValueError(f"{field} must be text, not {type(value).__name__}")
    if required and not value.strip():
        raise ValueError(f"{field} is empty")
    for char in value:
        category = unicodedata.category(char)
        if category == "Cc":
            raise ValueError(f"{field} contains a control character (U+{ord(char):04X})")
        if category == "Cf":  # joiners and direction marks: HarfBuzz handles them
            continue
        if ord(char) not in _covered():
            raise ValueError(
                f"{field} contains {char!r} (U+{ord(char):04X}), which the bundled fonts "
                "cannot print (they cover Latin, Greek, Cyrillic and Arabic scripts)"
            )
    return value


def check_texts(field: str, values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        raise ValueError(f"{field} must be a list of lines, not one string")
    return tuple(check_text(f"{field}[{i}]", value) for i, value in enumerate(values))


def new_document(*, title: str, lang: str) -> FPDF:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    for (family, style), name in _FONT_FILES.items():
        pdf.add_font(family, style=style, fname=str(FONTS / name))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.c_margin = 0
    pdf.set_title(title)
    pdf.set_lang(lang)
    pdf.set_creator("Salama")
    return pdf


def use_font(pdf: FPDF, lang: Language, *, size: float, bold: bool = False) -> None:
    """The language's font, with the other script's font as fallback, shaped in the
    language's direction."""
    other = ARABIC if lang.font == LATIN else LATIN
    pdf.set_fallback_fonts([other])
    pdf.set_font(lang.font, style="B" if bold else "", size=size * lang.size)
    # fpdf2 2.8 writes the font into the page only when it changes. After a line that
    # begins in the fallback font, it can believe the page's font already right when it
    # is not, and the next line in the same font is drawn with the wrong glyphs (seen:
    # a Latin note after Arabic values in the Arabic section). Writing it again is cheap.
    pdf.current_font_is_set_on_page = False
    pdf.set_text_shaping(use_shaping_engine=True, direction=lang.direction, language=lang.code)


def fit_size(pdf: FPDF, text: str, *, width: float, smallest: float) -> float:
    """Shrink the current font, down to `smallest` points, until `text` fits on one
    line of `width`; returns the size in points."""
    size = pdf.font_size_pt
    while size > smallest:
        pdf.set_font_size(size)
        if pdf.get_string_width(text) <= width:
            return size
        size -= 0.5
    pdf.set_font_size(smallest)
    return smallest


def qr_matrix(payload: str, *, error_correction: int) -> list[list[bool]]:
    """The QR code of `payload` alone, with its four-module quiet zone."""
    code = qrcode.QRCode(error_correction=error_correction, border=4)
    code.add_data(payload, optimize=0)
    code.make(fit=True)
    return code.get_matrix()


def draw_qr(pdf: FPDF, payload: str, *, x: float, y: float, size: float, strong: bool) -> None:
    """Draw the QR code as vector squares (sharp at any print size). `strong` uses
    error correction level Q (a quarter of the code may be lost: cards get worn),
    otherwise M."""
    level = qrcode.constants.ERROR_CORRECT_Q if strong else qrcode.constants.ERROR_CORRECT_M
    matrix = qr_matrix(payload, error_correction=level)
    module = size / len(matrix)
    pdf.set_fill_color(*WHITE)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    for row, cells in enumerate(matrix):
        start = None
        for col, dark in enumerate([*cells, False]):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                # A hair of overlap so that no white seam shows between modules.
                pdf.rect(
                    x + start * module,
                    y + row * module,
                    (col - start) * module + 0.01,
                    module + 0.01,
                    style="F",
                )
                start = None

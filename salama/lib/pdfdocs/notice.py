"""The notice put up at a site's missing-persons desk: one A4 page, a section per
language, and a large QR code of the public page where a disappearance is reported."""

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from ._common import (
    ACCENT,
    GREY,
    INK,
    Language,
    check_text,
    check_texts,
    draw_qr,
    fit_size,
    language,
    new_document,
    use_font,
)

PAGE_W, PAGE_H = 210.0, 297.0
MARGIN = 16.0
QR_SIZE = 72.0
PAD = 6.0
PT = 0.3528  # millimetres in a point
# The text is drawn at the largest scale between these at which it fits above the panel.
SMALLEST, LARGEST = 0.6, 1.5


@dataclass(frozen=True)
class NoticeText:
    """One language's text of the notice, already translated by the caller.

    `where`, `hours` and `report_online` are the labels ("Where", "Hours",
    "Report online"), printed without a colon beside the desk's place, its hours
    and the QR code. `place` and `opening_hours`, when given, are the desk's
    place and hours in this language, instead of desk_notice's."""

    language: str  # "en", "fr" or "ar"
    title: str
    body: Sequence[str]
    where: str
    hours: str
    report_online: str
    place: str = ""
    opening_hours: str = ""


def desk_notice(texts: Sequence[NoticeText], *, url: str, place: str, hours: str) -> bytes:
    """The A4 notice as PDF bytes: `texts` in the order given (one to three languages,
    each at most once), the desk's `place` and `hours` in each section, and at the
    foot a QR code of `url` with the address written out.

    Raises ValueError naming the problem: an empty or non-web url, an unknown or
    repeated language, an empty title or label, a character the fonts cannot
    print, or texts too long for one page even in small type."""
    checked = _checked_texts(texts)
    url = _checked_url(url)
    place = check_text("place", place)
    hours = check_text("hours", hours)

    def draw(scale: float) -> FPDF | None:
        return _draw(checked, url=url, place=place, hours=hours, scale=scale)

    best = draw(LARGEST)
    if best is None:
        # The largest scale at which the text fits, by bisection.
        low, high = SMALLEST, LARGEST
        best = draw(low)
        if best is None:
            raise ValueError("the notice's texts are too long to fit on one A4 page")
        while high - low > 0.03:
            middle = (low + high) / 2
            pdf = draw(middle)
            if pdf is None:
                high = middle
            else:
                best, low = pdf, middle
    return bytes(best.output())


def _checked_texts(texts: Sequence[NoticeText]) -> list[tuple[Language, NoticeText]]:
    if isinstance(texts, NoticeText):
        texts = [texts]
    if not texts:
        raise ValueError("texts is empty: give the notice's text in at least one language")
    seen: set[str] = set()
    checked = []
    for text in texts:
        lang = language(text.language)
        if lang.code in seen:
            raise ValueError(f"language {lang.code!r} is given twice")
        seen.add(lang.code)
        field = f"texts[{lang.code}]"
        check_text(f"{field}.title", text.title)
        check_texts(f"{field}.body", text.body)
        for label in ("where", "hours", "report_online"):
            check_text(f"{field}.{label}", getattr(text, label))
        for value in ("place", "opening_hours"):
            check_text(f"{field}.{value}", getattr(text, value), required=False)
        checked.append((lang, text))
    return checked


def _checked_url(url: str) -> str:
    check_text("url", url)
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"url {url!r} is not a web address (http:// or https://)")
    if not url.isascii() or any(char.isspace() for char in url):
        raise ValueError("url must be ASCII without spaces (write a host name in its xn-- form)")
    if len(url) > 300:
        raise ValueError("url is longer than 300 characters: too long to print and to scan")
    return url


def _draw(
    texts: list[tuple[Language, NoticeText]], *, url: str, place: str, hours: str, scale: float
) -> FPDF | None:
    """The notice drawn at `scale` of the full text size, or None if it does not fit."""
    first = texts[0][1]
    pdf = new_document(title=first.title, lang=texts[0][0].code)
    pdf.add_page()
    pdf.set_fill_color(*ACCENT)
    pdf.rect(MARGIN, 10, PAGE_W - 2 * MARGIN, 2.2, style="F")
    panel_top = _draw_report_panel(pdf, texts, url=url)
    y = 20.0
    for i, (lang, text) in enumerate(texts):
        if i:
            pdf.set_draw_color(*GREY)
            pdf.set_line_width(0.2)
            pdf.line(MARGIN, y, PAGE_W - MARGIN, y)
            y += 5 * scale
        y = _draw_section(pdf, lang, text, place=place, hours=hours, y=y, scale=scale)
    return pdf if y <= panel_top - 4 else None


def _draw_section(
    pdf: FPDF,
    lang: Language,
    text: NoticeText,
    *,
    place: str,
    hours: str,
    y: float,
    scale: float,
) -> float:
    """One language's title, body, place and hours from height `y`; returns the
    height below them."""
    width = PAGE_W - 2 * MARGIN
    pdf.set_text_color(*ACCENT)
    y = _paragraph(pdf, lang, text.title, y=y, width=width, size=26 * scale, bold=True)
    y += 2 * scale
    pdf.set_text_color(*INK)
    for line in text.body:
        y = _paragraph(pdf, lang, line, y=y, width=width, size=13 * scale)
        y += 1.2 * scale
    y += 2 * scale
    size = 13 * scale
    use_font(pdf, lang, size=size, bold=True)
    label_w = max(pdf.get_string_width(text.where), pdf.get_string_width(text.hours)) + 5
    values = (text.place or place, text.opening_hours or hours)
    for label, value in zip((text.where, text.hours), values, strict=True):
        y = _labelled(pdf, lang, label, value, y=y, label_w=label_w, size=size) + 1.5 * scale
    return y


def _paragraph(
    pdf: FPDF,
    lang: Language,
    text: str,
    *,
    y: float,
    width: float,
    size: float,
    bold: bool = False,
    x: float = MARGIN,
) -> float:
    use_font(pdf, lang, size=size, bold=bold)
    pdf.set_xy(x, y)
    pdf.multi_cell(
        width, h=pdf.font_size * 1.45, text=text, align=lang.align, new_x=XPos.LEFT, new_y=YPos.NEXT
    )
    return pdf.get_y()


def _labelled(
    pdf: FPDF, lang: Language, label: str, value: str, *, y: float, label_w: float, size: float
) -> float:
    """`label` in the reading start column, `value` beside it."""
    width = PAGE_W - 2 * MARGIN
    label_x = PAGE_W - MARGIN - label_w if lang.rtl else MARGIN
    value_x = MARGIN if lang.rtl else MARGIN + label_w
    pdf.set_text_color(*ACCENT)
    use_font(pdf, lang, size=size, bold=True)
    pdf.set_xy(label_x, y)
    pdf.cell(label_w, h=pdf.font_size * 1.45, text=label, align=lang.align)
    pdf.set_text_color(*INK)
    return _paragraph(pdf, lang, value, y=y, width=width - label_w, size=size, x=value_x)


def _draw_report_panel(pdf: FPDF, texts: list[tuple[Language, NoticeText]], *, url: str) -> float:
    """The framed panel at the foot: QR code, 'Report online' in each language, the
    address written out. Returns the panel's top."""
    width = PAGE_W - 2 * MARGIN
    url_h = 9.0
    height = PAD + QR_SIZE + 3 + url_h + PAD
    top = PAGE_H - MARGIN - height
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.8)
    pdf.rect(MARGIN, top, width, height, style="D", round_corners=True, corner_radius=3)
    draw_qr(pdf, url, x=MARGIN + PAD, y=top + PAD, size=QR_SIZE, strong=False)
    column_x = MARGIN + PAD + QR_SIZE + PAD
    column_w = PAGE_W - MARGIN - PAD - column_x
    line_h = 11.0
    y = top + PAD + (QR_SIZE - line_h * len(texts)) / 2
    pdf.set_text_color(*ACCENT)
    for lang, text in texts:
        use_font(pdf, lang, size=20, bold=True)
        fit_size(pdf, text.report_online, width=column_w, smallest=11)
        pdf.set_xy(column_x, y)
        pdf.cell(column_w, h=line_h, text=text.report_online, align=lang.align)
        y += line_h
    pdf.set_text_color(*INK)
    use_font(pdf, language("en"), size=16, bold=True)
    size = fit_size(pdf, url, width=width - 2 * PAD, smallest=7)
    pdf.set_xy(MARGIN + PAD, top + PAD + QR_SIZE + 3)
    if pdf.get_string_width(url) <= width - 2 * PAD:
        pdf.cell(width - 2 * PAD, h=url_h, text=url, align="C")
    else:  # a very long address: better broken over two lines than cut off
        pdf.multi_cell(
            width - 2 * PAD, h=size * PT * 1.2, text=url, align="C", wrapmode=WrapMode.CHAR
        )
    return top

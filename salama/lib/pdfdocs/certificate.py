"""A civil registration document on one A4 page: a section per language (title,
the printed facts as label and value, a note), a banner for a notification or a
revoked document, and at the foot the serial and a QR code of the signed
statement with the verification address written out."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from fpdf import FPDF
from fpdf.enums import XPos, YPos

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

PAGE_W, PAGE_H = 210.0, 297.0
MARGIN = 15.0
QR_SIZE = 48.0
FOOT_H = QR_SIZE + 8
MAX_ROWS = 20
KINDS = ("certificate", "record", "notification")
RED = (150, 20, 20)
# The text is drawn at the largest scale between these at which it fits.
SMALLEST, LARGEST = 0.55, 1.0


@dataclass(frozen=True)
class CertificateSection:
    """One language's words, already translated by the caller; values (names,
    dates, numbers) are printed as given, in any script."""

    language: str
    title: str
    rows: Sequence[tuple[str, str]]
    note: str = ""


@dataclass(frozen=True)
class CertificateDoc:
    sections: Sequence[CertificateSection]
    serial: str
    qr_text: str
    # Per language: the words before the verification address ("Check this document at").
    verify_label: Mapping[str, str] = field(default_factory=dict)
    kind: str = "certificate"
    watermark: str = ""  # required for a notification: "NOTIFICATION — NOT A CERTIFICATE"
    revoked: str = ""


def civil_certificate(doc: CertificateDoc) -> bytes:
    """The document as PDF bytes; ValueError names what is wrong."""
    sections = _checked(doc)

    def draw(scale: float) -> FPDF | None:
        return _draw(doc, sections, scale)

    best = draw(LARGEST)
    if best is None:
        low, high = SMALLEST, LARGEST
        best = draw(low)
        if best is None:
            raise ValueError("the document's rows are too long to fit on one A4 page")
        while high - low > 0.04:
            middle = (low + high) / 2
            pdf = draw(middle)
            if pdf is None:
                high = middle
            else:
                best, low = pdf, middle
    return bytes(best.output())


def _checked(doc: CertificateDoc) -> list[tuple[Language, CertificateSection]]:
    if doc.kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {doc.kind!r}")
    if doc.kind == "notification" and not doc.watermark.strip():
        raise ValueError("watermark is empty: a notification must say it is not a certificate")
    check_text("serial", doc.serial)
    check_text("qr_text", doc.qr_text)
    check_text("watermark", doc.watermark, required=False)
    check_text("revoked", doc.revoked, required=False)
    if not doc.sections or len(doc.sections) > 3:
        raise ValueError("sections must hold one to three languages")
    seen: set[str] = set()
    checked = []
    for section in doc.sections:
        lang = language(section.language)
        if lang.code in seen:
            raise ValueError(f"language {lang.code!r} is given twice")
        seen.add(lang.code)
        where = f"sections[{lang.code}]"
        check_text(f"{where}.title", section.title)
        check_text(f"{where}.note", section.note, required=False)
        if len(section.rows) > MAX_ROWS:
            raise ValueError(f"{where}.rows: at most {MAX_ROWS} rows fit on the page")
        for i, (label, value) in enumerate(section.rows):
            check_text(f"{where}.rows[{i}].label", label)
            check_text(f"{where}.rows[{i}].value", value)
        check_text(
            f"verify_label[{lang.code}]", doc.verify_label.get(lang.code, ""), required=False
        )
        checked.append((lang, section))
    return checked


def _draw(
    doc: CertificateDoc, sections: list[tuple[Language, CertificateSection]], scale: float
) -> FPDF | None:
    pdf = new_document(title=sections[0][1].title, lang=sections[0][0].code)
    pdf.add_page()
    pdf.set_fill_color(*ACCENT)
    pdf.rect(MARGIN, 10, PAGE_W - 2 * MARGIN, 2.2, style="F")
    y = 16.0
    for banner in (doc.watermark, doc.revoked):
        if banner:
            y = _banner(pdf, banner, y)
    foot_top = PAGE_H - MARGIN - FOOT_H
    for i, (lang, section) in enumerate(sections):
        if i:
            pdf.set_draw_color(*GREY)
            pdf.set_line_width(0.2)
            pdf.line(MARGIN, y, PAGE_W - MARGIN, y)
            y += 4 * scale
        y = _section(pdf, lang, section, y=y, scale=scale)
        if y > foot_top - 3:
            return None
    _foot(pdf, doc, sections)
    return pdf


def _banner(pdf: FPDF, text: str, y: float) -> float:
    """A red band across the page: a notification or a revoked document is
    never mistaken for a valid certificate."""
    lang = language("ar" if any("\u0600" <= c <= "\u06ff" for c in text) else "en")
    height = 13.0
    pdf.set_fill_color(*RED)
    pdf.rect(MARGIN, y, PAGE_W - 2 * MARGIN, height, style="F")
    pdf.set_text_color(*WHITE)
    use_font(pdf, lang, size=18, bold=True)
    fit_size(pdf, text, width=PAGE_W - 2 * MARGIN - 6, smallest=9)
    pdf.set_xy(MARGIN + 3, y)
    pdf.cell(PAGE_W - 2 * MARGIN - 6, h=height, text=text, align="C")
    pdf.set_text_color(*INK)
    return y + height + 4


def _section(
    pdf: FPDF, lang: Language, section: CertificateSection, *, y: float, scale: float
) -> float:
    width = PAGE_W - 2 * MARGIN
    pdf.set_text_color(*ACCENT)
    y = _paragraph(pdf, lang, section.title, y=y, width=width, size=20 * scale, bold=True)
    y += 2.5 * scale
    size = 11 * scale
    use_font(pdf, lang, size=size, bold=True)
    widest = max((pdf.get_string_width(label) for label, _ in section.rows), default=0)
    label_w = min(widest + 4, width * 0.42)
    for label, value in section.rows:
        y = _row(pdf, lang, label, value, y=y, label_w=label_w, size=size) + 0.8 * scale
    if section.note:
        pdf.set_text_color(*GREY)
        y = _paragraph(pdf, lang, section.note, y=y + 1.5 * scale, width=width, size=9 * scale)
        pdf.set_text_color(*INK)
    return y + 3 * scale


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
        width, h=pdf.font_size * 1.4, text=text, align=lang.align, new_x=XPos.LEFT, new_y=YPos.NEXT
    )
    return pdf.get_y()


def _row(
    pdf: FPDF, lang: Language, label: str, value: str, *, y: float, label_w: float, size: float
) -> float:
    """The label in the reading-start column, the value beside it (wrapped)."""
    width = PAGE_W - 2 * MARGIN
    label_x = PAGE_W - MARGIN - label_w if lang.rtl else MARGIN
    value_x = MARGIN if lang.rtl else MARGIN + label_w
    pdf.set_text_color(*GREY)
    use_font(pdf, lang, size=size, bold=False)
    pdf.set_xy(label_x, y)
    after_label = _wrapped(pdf, lang, label, x=label_x, width=label_w - 2, bold=False)
    pdf.set_text_color(*INK)
    pdf.set_xy(value_x, y)
    after_value = _wrapped(pdf, lang, value, x=value_x, width=width - label_w, bold=True)
    return max(after_label, after_value)


def _wrapped(pdf: FPDF, lang: Language, text: str, *, x: float, width: float, bold: bool) -> float:
    use_font(pdf, lang, size=pdf.font_size_pt / lang.size, bold=bold)
    pdf.multi_cell(
        width, h=pdf.font_size * 1.4, text=text, align=lang.align, new_x=XPos.LEFT, new_y=YPos.NEXT
    )
    return pdf.get_y()


def _foot(
    pdf: FPDF, doc: CertificateDoc, sections: list[tuple[Language, CertificateSection]]
) -> None:
    """The QR code, the serial and the verification address, framed."""
    top = PAGE_H - MARGIN - FOOT_H
    width = PAGE_W - 2 * MARGIN
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.6)
    pdf.rect(MARGIN, top, width, FOOT_H, style="D", round_corners=True, corner_radius=3)
    draw_qr(pdf, doc.qr_text, x=MARGIN + 4, y=top + 4, size=QR_SIZE, strong=False)
    column_x = MARGIN + QR_SIZE + 10
    column_w = PAGE_W - MARGIN - 4 - column_x
    english = language("en")
    pdf.set_text_color(*ACCENT)
    use_font(pdf, english, size=20, bold=True)
    pdf.set_xy(column_x, top + 6)
    pdf.cell(column_w, h=10, text=doc.serial, align="L")
    y = top + 19
    pdf.set_text_color(*INK)
    for lang, _section in sections:
        label = doc.verify_label.get(lang.code, "")
        if label:
            use_font(pdf, lang, size=10)
            fit_size(pdf, label, width=column_w, smallest=7)
            pdf.set_xy(column_x, y)
            pdf.cell(column_w, h=6, text=label, align=lang.align)
            y += 6.5
    url = doc.qr_text.split("#", 1)[0]
    use_font(pdf, english, size=11, bold=True)
    fit_size(pdf, url, width=column_w, smallest=6)
    pdf.set_xy(column_x, y + 1)
    pdf.cell(column_w, h=6, text=url, align="L")

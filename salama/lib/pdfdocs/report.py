"""A printable report of figures ("Women, peace and security: figures by pillar"):
A4 portrait, the title and subtitle, then a section per pillar with its figures as
rows (label and value, the definition in small grey type below), over as many
pages as needed. From the second page on, the title is repeated small at the top;
every page ends with the footer text and the page number "n / N"."""

from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from ._common import ACCENT, GREY, INK, Language, check_text, language, new_document, use_font

PAGE_W, PAGE_H = 210.0, 297.0
MARGIN = 16.0
WIDTH = PAGE_W - 2 * MARGIN
VALUE_W = 42.0  # the value column, at the reading end of each row
GAP = 4.0
LABEL_W = WIDTH - VALUE_W - GAP
HEADER_H = 12.0  # the repeated title and its rule, from the second page on
FOOT_SIZE, LABEL_SIZE, DEFINITION_SIZE = 8.0, 10.5, 8.5


@dataclass(frozen=True)
class ReportFigure:
    label: str  # e.g. "Residents registered"
    value: str  # already formatted by the caller: "1,204", "hidden", "83%", "—"
    definition: str  # one or two sentences: what is counted, from which records


@dataclass(frozen=True)
class ReportSection:
    title: str  # e.g. "Prevention"
    figures: tuple[ReportFigure, ...]
    note: str = ""  # optional paragraph under the section title


@dataclass(frozen=True)
class ReportDoc:
    lang: str  # "en", "fr" or "ar"
    title: str
    subtitle: str  # site and period
    sections: tuple[ReportSection, ...]
    footer: str  # hidden cells, generation date: printed at the foot of every page


def figures_report(doc: ReportDoc) -> bytes:
    """The report as A4 PDF bytes; ValueError names the field that is wrong
    (e.g. "sections[1].figures[0].label is empty")."""
    lang = _checked(doc)
    pages = _draw(doc, lang, total=0).pages_count  # a first pass counts the pages
    return bytes(_draw(doc, lang, total=pages).output())


def _checked(doc: ReportDoc) -> Language:
    lang = language(doc.lang)
    check_text("title", doc.title)
    check_text("subtitle", doc.subtitle, required=False)
    check_text("footer", doc.footer, required=False)
    if isinstance(doc.sections, ReportSection) or not doc.sections:
        raise ValueError("sections is empty: a report has at least one section")
    for i, section in enumerate(doc.sections):
        where = f"sections[{i}]"
        if not isinstance(section, ReportSection):
            raise ValueError(f"{where} must be a ReportSection, not {type(section).__name__}")
        check_text(f"{where}.title", section.title)
        check_text(f"{where}.note", section.note, required=False)
        if isinstance(section.figures, ReportFigure):
            raise ValueError(f"{where}.figures must be a tuple of figures, not one figure")
        for j, figure in enumerate(section.figures):
            if not isinstance(figure, ReportFigure):
                raise ValueError(
                    f"{where}.figures[{j}] must be a ReportFigure, not {type(figure).__name__}"
                )
            check_text(f"{where}.figures[{j}].label", figure.label)
            check_text(f"{where}.figures[{j}].value", figure.value)
            check_text(f"{where}.figures[{j}].definition", figure.definition, required=False)
    return lang


class _Layout:
    """The page being filled: where the next block goes, and new pages with their
    header and footer when it does not fit."""

    def __init__(self, doc: ReportDoc, lang: Language, total: int) -> None:
        self.doc, self.lang, self.total = doc, lang, total
        self.pdf = new_document(title=doc.title, lang=lang.code)
        self.foot_top = 0.0
        self.y = 0.0
        self.new_page()

    def new_page(self) -> None:
        pdf = self.pdf
        pdf.add_page()
        if pdf.page == 1:  # text is measured on a page
            self.foot_top = PAGE_H - MARGIN - self._height(self.doc.footer, WIDTH, FOOT_SIZE) - 6
        pdf.set_fill_color(*ACCENT)
        pdf.rect(MARGIN, 10, WIDTH, 1.6, style="F")
        self.y = 15.0
        if pdf.page > 1:
            pdf.set_text_color(*GREY)
            use_font(pdf, self.lang, size=FOOT_SIZE)
            pdf.set_xy(MARGIN, self.y)
            pdf.cell(WIDTH, h=5, text=self.doc.title, align=self.lang.align)
            self.rule(self.y + 6)
            self.y += HEADER_H
        self._foot()

    def rule(self, y: float) -> None:
        self.pdf.set_draw_color(*GREY)
        self.pdf.set_line_width(0.15)
        self.pdf.line(MARGIN, y, PAGE_W - MARGIN, y)

    def room(self, height: float) -> None:
        """A new page unless `height` fits above the footer."""
        if self.y + height > self.foot_top:
            self.new_page()
            if self.y + height > self.foot_top:
                raise ValueError("a figure's text is too long to fit on one page")

    def _height(self, text: str, width: float, size: float, *, bold: bool = False) -> float:
        if not text:
            return 0.0
        use_font(self.pdf, self.lang, size=size, bold=bold)
        lines = self.pdf.multi_cell(
            width,
            h=self.pdf.font_size * 1.4,
            text=text,
            align=self.lang.align,
            dry_run=True,
            output=MethodReturnValue.LINES,
        )
        assert isinstance(lines, list)
        return len(lines) * self.pdf.font_size * 1.4

    def text(
        self, text: str, *, x: float, y: float, width: float, size: float, bold: bool = False
    ) -> float:
        """`text` wrapped in `width` from (x, y); returns the height below it."""
        if not text:
            return y
        use_font(self.pdf, self.lang, size=size, bold=bold)
        self.pdf.set_xy(x, y)
        self.pdf.multi_cell(
            width,
            h=self.pdf.font_size * 1.4,
            text=text,
            align=self.lang.align,
            new_x=XPos.LEFT,
            new_y=YPos.NEXT,
        )
        return self.pdf.get_y()

    def _foot(self) -> None:
        pdf = self.pdf
        self.rule(self.foot_top + 2)
        pdf.set_text_color(*GREY)
        number = f"{pdf.page} / {self.total}" if self.total else ""
        y = self.text(self.doc.footer, x=MARGIN, y=self.foot_top + 3.5, width=WIDTH, size=FOOT_SIZE)
        use_font(pdf, language("en"), size=FOOT_SIZE)
        pdf.set_xy(MARGIN, max(y, self.foot_top + 3.5))
        pdf.cell(WIDTH, h=4, text=number, align="L" if self.lang.rtl else "R")
        pdf.set_text_color(*INK)

    # The blocks of the report.

    def heading(self, section: ReportSection, first: ReportFigure | None) -> None:
        title_h = self._height(section.title, WIDTH, 14, bold=True)
        note_h = self._height(section.note, WIDTH, 9.5)
        # A heading is kept with its first figure.
        self.room(title_h + note_h + 4 + (self.figure_height(first) if first else 0))
        self.pdf.set_text_color(*ACCENT)
        self.y = self.text(section.title, x=MARGIN, y=self.y, width=WIDTH, size=14, bold=True)
        self.pdf.set_text_color(*INK)
        if section.note:
            self.y = self.text(section.note, x=MARGIN, y=self.y + 0.5, width=WIDTH, size=9.5)
        self.y += 2.5

    def figure_height(self, figure: ReportFigure) -> float:
        top = max(
            self._height(figure.label, LABEL_W, LABEL_SIZE),
            self._height(figure.value, VALUE_W, LABEL_SIZE, bold=True),
        )
        return top + self._height(figure.definition, LABEL_W, DEFINITION_SIZE) + 2.5

    def figure(self, figure: ReportFigure) -> None:
        self.room(self.figure_height(figure))
        rtl = self.lang.rtl
        label_x = PAGE_W - MARGIN - LABEL_W if rtl else MARGIN
        value_x = MARGIN if rtl else PAGE_W - MARGIN - VALUE_W
        y = self.y + 0.8
        after_label = self.text(figure.label, x=label_x, y=y, width=LABEL_W, size=LABEL_SIZE)
        use_font(self.pdf, self.lang, size=LABEL_SIZE, bold=True)
        self.pdf.set_xy(value_x, y)
        self.pdf.multi_cell(
            VALUE_W,
            h=self.pdf.font_size * 1.4,
            text=figure.value,
            align="L" if rtl else "R",  # figures line up at the reading end
            new_x=XPos.LEFT,
            new_y=YPos.NEXT,
        )
        after_value = self.pdf.get_y()
        self.pdf.set_text_color(*GREY)
        after = self.text(
            figure.definition, x=label_x, y=after_label, width=LABEL_W, size=DEFINITION_SIZE
        )
        self.pdf.set_text_color(*INK)
        self.y = max(after, after_value) + 0.8
        self.pdf.set_draw_color(220, 220, 220)
        self.pdf.set_line_width(0.1)
        self.pdf.line(MARGIN, self.y, PAGE_W - MARGIN, self.y)
        self.y += 0.9


def _draw(doc: ReportDoc, lang: Language, *, total: int) -> FPDF:
    layout = _Layout(doc, lang, total)
    pdf = layout.pdf
    pdf.set_text_color(*ACCENT)
    layout.y = layout.text(doc.title, x=MARGIN, y=layout.y + 2, width=WIDTH, size=20, bold=True)
    pdf.set_text_color(*GREY)
    layout.y = layout.text(doc.subtitle, x=MARGIN, y=layout.y + 1, width=WIDTH, size=11)
    pdf.set_text_color(*INK)
    layout.y += 6
    for section in doc.sections:
        layout.heading(section, section.figures[0] if section.figures else None)
        for figure in section.figures:
            layout.figure(figure)
        layout.y += 5
    return pdf

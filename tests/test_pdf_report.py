"""The printable report of figures by pillar (salama.lib.pdfdocs.report)."""

import io
import re
from dataclasses import replace

import pypdf
import pypdfium2
import pytest

from salama.lib.pdfdocs.report import ReportDoc, ReportFigure, ReportSection, figures_report

ENGLISH = ReportDoc(
    lang="en",
    title="Women, peace and security: figures by pillar",
    subtitle="Al-Amal camp · 2026-10-01 to 2026-11-30",
    sections=(
        ReportSection(
            title="Participation",
            note="Figures count people, not visits.",
            figures=(
                ReportFigure(
                    "Residents registered",
                    "1,204",
                    "Residents with a household record at the end of the period.",
                ),
                ReportFigure(
                    "Women on camp committees",
                    "83%",
                    "Share of committee seats held by women, from the committee rolls. "
                    "A seat held for part of the period counts once, whoever held it, "
                    "and seats left empty for the whole period are not counted at all.",
                ),
            ),
        ),
        ReportSection(
            title="Protection",
            figures=(
                ReportFigure(
                    "Survivors referred", "hidden", "Referrals recorded by the case desk."
                ),
                ReportFigure("Safe spaces open", "—", "No records for this period."),
            ),
        ),
    ),
    footer="Cells between 1 and 10 are hidden (k = 11). 1 figure hidden. "
    "Generated 2026-12-03 by Salama.",
)

FRENCH = ReportDoc(
    lang="fr",
    title="Femmes, paix et sécurité : chiffres par pilier",
    subtitle="Camp Al-Amal · du 2026-10-01 au 2026-11-30",
    sections=(
        ReportSection(
            title="Prévention",
            figures=(
                ReportFigure(
                    "Résidentes inscrites",
                    "1 204",
                    "Résidentes ayant un dossier de ménage à la fin de la période.",
                ),
                ReportFigure("Séances d'écoute", "masqué", "Séances notées par l'équipe."),
            ),
        ),
    ),
    footer="Les cellules entre 1 et 10 sont masquées (k = 11). Généré par Salama.",
)

ARABIC = ReportDoc(
    lang="ar",
    title="المرأة والسلام والأمن",
    subtitle="مخيم الأمل",
    sections=(
        ReportSection(
            title="الوقاية",
            note="الأرقام تعد الأشخاص لا الزيارات.",
            figures=(
                ReportFigure("المقيمون المسجلون", "1,204", "المقيمون الذين لهم سجل أسرة."),
                ReportFigure("الناجيات المحالات", "hidden", "الإحالات المسجلة في مكتب الحالات."),
            ),
        ),
    ),
    footer="الخلايا بين 1 و 10 مخفية.",
)


def pypdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def pdfium_pages(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    return [page.get_textpage().get_text_range().replace("\r\n", "\n") for page in document]


def flat(text: str) -> str:
    """Wrapped lines joined again, for comparing whole sentences."""
    return re.sub(r"\s+", " ", text)


def everything(doc: ReportDoc) -> list[str]:
    words = [doc.title, doc.subtitle, doc.footer]
    for section in doc.sections:
        words += [section.title, section.note] if section.note else [section.title]
        for figure in section.figures:
            words += [figure.label, figure.value, figure.definition]
    return words


@pytest.mark.parametrize("doc", [ENGLISH, FRENCH], ids=["en", "fr"])
def test_every_word_of_the_report_is_in_the_pdf(doc):
    pdf = figures_report(doc)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None and reader.metadata.title == doc.title
    width, height = pypdfium2.PdfDocument(pdf)[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    text = flat(pypdf_text(pdf))
    for phrase in everything(doc):
        assert flat(phrase) in text, phrase
    assert "1 / 1" in text


def test_a_hidden_value_is_printed_as_given():
    text = pypdf_text(figures_report(ENGLISH))
    assert "hidden" in text and "—" in text and "83%" in text


def test_arabic_reads_back_in_logical_order():
    pdf = figures_report(ARABIC)
    (page,) = pdfium_pages(pdf)
    lines = page.split("\n")
    for phrase in (ARABIC.title, ARABIC.subtitle, "الوقاية", "المقيمون الذين لهم سجل أسرة."):
        assert phrase in lines, phrase
    # PDFium reads a row as one line: the label, then its value at the left.
    assert "المقيمون المسجلون 1,204" in lines
    for phrase in ("المقيمون المسجلون", "الناجيات المحالات"):
        assert phrase[::-1] not in page
    text = flat(pypdf_text(pdf))
    for phrase in everything(ARABIC):
        if phrase != ARABIC.footer:  # pypdf may move digits within a mixed line
            # and, as in test_pdfdocs, may put a final full stop first.
            assert phrase.rstrip(".") in text, phrase
    assert "مخفية" in text and "hidden" in text
    assert not re.search("[\ufb50-\ufdff\ufe70-\ufeff]", text)


def test_an_arabic_row_puts_the_label_at_the_right():
    pdf = pypdfium2.PdfDocument(figures_report(ARABIC))
    textpage = pdf[0].get_textpage()
    searcher = textpage.search("المقيمون")
    found = searcher.get_next()
    assert found is not None
    left = textpage.get_charbox(found[0])[0]
    assert left > 298  # in points: the right half of the page (105 mm)
    value = textpage.search("1,204").get_next()
    assert value is not None
    assert textpage.get_charbox(value[0])[0] < 298  # the value at the left


def many(count: int) -> ReportDoc:
    figures = tuple(
        ReportFigure(
            f"Figure number {n:02d}",
            f"{n * 7:,}",
            f"Definition {n:02d}: what is counted, from which records, over the whole period.",
        )
        for n in range(count)
    )
    half = count // 2
    return replace(
        ENGLISH,
        sections=(
            ReportSection("Prevention", figures[:half]),
            ReportSection("Relief and recovery", figures[half:], note="A note."),
        ),
    )


def test_eighty_figures_flow_over_several_pages():
    pdf = figures_report(many(80))
    pages = pdfium_pages(pdf)
    assert len(pages) > 1
    text = pypdf_text(pdf)
    for n in range(80):
        assert text.count(f"Figure number {n:02d}") == 1, n
        assert f"Definition {n:02d}:" in text
    for i, page in enumerate(pages, start=1):
        assert f"{i} / {len(pages)}" in page
        assert "Cells between 1 and 10 are hidden" in flat(page)
    # From the second page on, the title is repeated small at the top.
    for page in pages[1:]:
        assert page.split("\n")[0].strip() == ENGLISH.title


def test_rows_do_not_overlap():
    """Each label's glyphs sit below the previous label's, and above the footer."""
    pdf = figures_report(many(80))
    document = pypdfium2.PdfDocument(pdf)
    for page in document:
        textpage = page.get_textpage()
        searcher = textpage.search("Figure number")
        tops = []
        while (found := searcher.get_next()) is not None:
            tops.append(textpage.get_charbox(found[0])[3])
        foot = textpage.search("Cells between").get_next()
        assert foot is not None
        foot_top = textpage.get_charbox(foot[0])[3]
        assert tops == sorted(tops, reverse=True)  # PDF y grows upwards
        assert all(a - b > 15 for a, b in zip(tops, tops[1:], strict=False))
        assert all(top > foot_top + 10 for top in tops)


def test_the_output_is_deterministic_but_for_the_dates():
    def strip(pdf: bytes) -> bytes:
        # The creation date, and the file identifier made from it.
        return re.sub(rb"/ID \[<\w+><\w+>\]", b"", re.sub(rb"\(D:[^)]*\)", b"()", pdf))

    assert strip(figures_report(FRENCH)) == strip(figures_report(FRENCH))


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (replace(ENGLISH, title=" "), "^title is empty"),
        (replace(ENGLISH, lang="de"), "unknown language code 'de'"),
        (replace(ENGLISH, sections=()), "sections is empty"),
        (
            replace(
                ENGLISH,
                sections=(
                    ENGLISH.sections[0],
                    ReportSection("Relief", (ReportFigure("Tents\x07", "12", "Counted."),)),
                ),
            ),
            r"sections\[1\]\.figures\[0\]\.label contains a control character \(U\+0007\)",
        ),
        (
            replace(ENGLISH, sections=(ReportSection("Relief", (ReportFigure("A", "", "B"),)),)),
            r"sections\[0\]\.figures\[0\]\.value is empty",
        ),
        (
            replace(ENGLISH, sections=(ReportSection("", ()),)),
            r"sections\[0\]\.title is empty",
        ),
        (replace(ENGLISH, footer="帳篷"), "footer contains '帳'"),
    ],
)
def test_bad_input_is_refused_naming_the_field(doc, message):
    with pytest.raises(ValueError, match=message):
        figures_report(doc)

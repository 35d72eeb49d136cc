"""The printable PDFs of salama.lib.pdfdocs: the desk notice and the household cards.

What is verified about right-to-left text. fpdf2 shapes Arabic with HarfBuzz and
orders each line by the Unicode bidirectional algorithm, then writes the glyphs in
visual order (from the left of the page), as PDF producers do, each glyph mapped by
the font's ToUnicode table to the logical letters it draws (a lam-alef ligature to
lam then alef). Extractors that apply the bidirectional algorithm when they read
return the logical text. The tests read the PDF with PDFium (pypdfium2; the engine of
Chrome's viewer): every Arabic line comes back as the logical string typed (not
reversed), in the letters U+0600-U+06FF (no presentation forms, so no NFKC is
needed), vowel marks after their letter (فُقد), the lam-alef as لا, the full stop
last; French accents come back precomposed. pypdf agrees on the Arabic words (it may
put a final full stop first). Checked by hand, not in the tests: Poppler's pdftotext
gives the logical words too (with a vowel mark before its letter); pdfminer.six and
MuPDF, which have no bidirectional pass, give right-to-left lines in visual order,
that is reversed: a limit of those tools, the same for any PDF. Wrapping each Arabic
line in an /ActualText span in logical order was tried and made PDFium and Poppler
reverse it or scramble it, so it is not done.

The QR codes are decoded from the page rendered by PDFium, with zxing-cpp.
"""

import re
import tomllib
import unicodedata
from fnmatch import fnmatch
from pathlib import Path

import pypdf
import pypdfium2
import pytest
import zxingcpp

from salama.lib.pdfdocs import (
    CardLabels,
    HouseholdCard,
    NoticeText,
    desk_notice,
    household_cards,
)

URL = "https://salama.example.org/report/site-7"
PLACE = "Bureau d'accueil, bloc C, près du marché"
HOURS = "Lundi–vendredi 08:00–16:00"

ENGLISH = NoticeText(
    language="en",
    title="Report a missing person",
    body=["If someone from your household is missing, come to the desk."],
    where="Where",
    hours="Hours",
    report_online="Report online",
)
FRENCH = NoticeText(
    language="fr",
    title="Signaler une personne disparue",
    body=["Si un membre de votre foyer a disparu, venez au bureau.", "Le service est gratuit."],
    where="Où",
    hours="Horaires",
    report_online="Signaler en ligne",
)
ARABIC = NoticeText(
    language="ar",
    title="أبلغوا عن شخص مفقود",
    body=["إذا فُقد أحد أفراد أسرتك، تعال إلى المكتب.", "لا تدفع شيئا: الخدمة مجانية."],
    where="المكان",
    hours="الساعات",
    report_online="الإبلاغ عبر الإنترنت",
)
CARD_LABELS_AR = CardLabels(
    language="ar",
    title="بطاقة الأسرة",
    household="رقم الأسرة",
    block="القطاع",
    note="أظهر هذه البطاقة في المكتب.",
)
CARD_LABELS_EN = CardLabels(
    language="en", title="Household card", household="Household", block="Block"
)


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text as PDFium (Chrome's PDF engine) extracts it, one line a line."""
    document = pypdfium2.PdfDocument(pdf)
    return [page.get_textpage().get_text_range().replace("\r\n", "\n") for page in document]


def pypdf_text(pdf: bytes) -> str:
    import io

    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def qr_codes(pdf: bytes, page: int = 0) -> list[str]:
    """The QR codes on a page, decoded from its image at 200 dpi."""
    image = pypdfium2.PdfDocument(pdf)[page].render(scale=200 / 72).to_pil()
    return [
        barcode.text
        for barcode in zxingcpp.read_barcodes(image)
        if barcode.format == zxingcpp.BarcodeFormat.QRCode
    ]


PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")


@pytest.fixture(scope="module")
def notice() -> bytes:
    return desk_notice([ENGLISH, FRENCH, ARABIC], url=URL, place=PLACE, hours=HOURS)


def test_the_notice_is_one_a4_page(notice):
    document = pypdfium2.PdfDocument(notice)
    assert len(document) == 1
    width, height = document[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)


def test_the_notices_arabic_reads_back_in_logical_order(notice):
    """PDFium returns every Arabic line as typed: logical order, marks and ligatures
    (لا) resolved to their letters, the final full stop last."""
    (text,) = pages_text(notice)
    lines = text.split("\n")
    for phrase in (ARABIC.title, *ARABIC.body, ARABIC.report_online):
        assert phrase in lines, phrase
        assert phrase[::-1] not in text
    assert "أبلغوا عن شخص مفقود" in lines
    assert ARABIC.where in text and ARABIC.hours in text
    assert not PRESENTATION_FORMS.search(text)
    assert unicodedata.is_normalized("NFC", text)


def test_a_second_extractor_agrees_on_the_arabic_words(notice):
    text = pypdf_text(notice)
    assert "أبلغوا عن شخص مفقود" in text
    assert "الإبلاغ عبر الإنترنت" in text
    assert not PRESENTATION_FORMS.search(text)


def test_the_notice_keeps_french_accents_and_every_section(notice):
    (text,) = pages_text(notice)
    for phrase in (FRENCH.title, *FRENCH.body, "Où", "près du marché", "Lundi–vendredi"):
        assert phrase in text, phrase
    assert ENGLISH.title in text and ENGLISH.body[0] in text
    # The place and hours are printed once per language.
    assert text.count(PLACE) == 3 and text.count(HOURS) == 3
    assert text.index(ENGLISH.title) < text.index(FRENCH.title) < text.index(ARABIC.title)


def test_the_notice_writes_out_the_url_and_its_qr_code_holds_it(notice):
    (text,) = pages_text(notice)
    assert URL in text.split("\n")
    assert qr_codes(notice) == [URL]


def test_an_arabic_only_notice(tmp_path):
    pdf = desk_notice(
        [ARABIC], url=URL, place="مكتب الاستقبال، القطاع ٣", hours="من الأحد إلى الخميس"
    )
    (text,) = pages_text(pdf)
    assert "أبلغوا عن شخص مفقود" in text.split("\n")
    assert "مكتب الاستقبال، القطاع ٣" in text
    assert qr_codes(pdf) == [URL]


def test_a_long_body_is_set_smaller_to_stay_on_one_page():
    long = NoticeText(
        language="en",
        title="Report a missing person",
        body=["The desk records a report and starts tracing at once."] * 14,
        where="Where",
        hours="Hours",
        report_online="Report online",
    )
    pdf = desk_notice([long, FRENCH, ARABIC], url=URL, place=PLACE, hours=HOURS)
    (text,) = pages_text(pdf)
    assert text.count("starts tracing at once") == 14
    assert "أبلغوا عن شخص مفقود" in text


def cards(count: int) -> list[HouseholdCard]:
    return [
        HouseholdCard(
            payload=f"SAL-HH-{n:05d}-K7", household_number=f"HH-{n:05d}", block=f"B{n % 3}"
        )
        for n in range(1, count + 1)
    ]


def test_twenty_households_make_three_pages_of_eight_cards():
    given = cards(20)
    pdf = household_cards(given, CARD_LABELS_EN)
    assert len(pypdfium2.PdfDocument(pdf)) == 3
    assert [len(qr_codes(pdf, page)) for page in range(3)] == [8, 8, 4]
    assert sorted(qr_codes(pdf, 2)) == [card.payload for card in given[16:]]


def test_each_cards_qr_code_holds_exactly_its_payload():
    given = cards(8)
    pdf = household_cards(given, CARD_LABELS_AR)
    assert sorted(qr_codes(pdf)) == sorted(card.payload for card in given)


def test_a_card_prints_only_what_it_was_given():
    """No name or other field: the page's text is the labels, the numbers and the
    blocks, nothing else (the payload is in the QR code, not printed)."""
    given = cards(3)
    pdf = household_cards(given, CARD_LABELS_AR)
    (text,) = pages_text(pdf)
    printed = [line for line in text.split("\n") if line.strip()]
    labels = [CARD_LABELS_AR.title, CARD_LABELS_AR.household, CARD_LABELS_AR.block]
    expected = []
    for card in given:
        expected += [labels[0], labels[1], card.household_number, labels[2], card.block]
        expected.append(CARD_LABELS_AR.note)
    assert printed == expected
    assert not any(card.payload in text for card in given)


def test_arabic_card_labels_read_back_in_logical_order():
    text = pages_text(household_cards(cards(1), CARD_LABELS_AR))[0]
    assert "بطاقة الأسرة" in text.split("\n")
    assert "أظهر هذه البطاقة في المكتب." in text.split("\n")
    assert "ةرسألا ةقاطب" not in text
    assert "بطاقة الأسرة" in pypdf_text(household_cards(cards(1), CARD_LABELS_AR))


def test_a_card_without_block_leaves_out_the_block_label():
    pdf = household_cards([HouseholdCard(payload="SAL-1", household_number="17")], CARD_LABELS_EN)
    (text,) = pages_text(pdf)
    assert [line for line in text.split("\n") if line] == ["Household card", "Household", "17"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: desk_notice([ENGLISH], url="", place=PLACE, hours=HOURS), "url is empty"),
        (
            lambda: desk_notice([ENGLISH], url="salama.example.org", place=PLACE, hours=HOURS),
            "is not a web address",
        ),
        (
            lambda: desk_notice(
                [NoticeText("de", "Vermisst", [], "Wo", "Zeiten", "Online")],
                url=URL,
                place=PLACE,
                hours=HOURS,
            ),
            "unknown language code 'de': expected one of ar, en, fr",
        ),
        (lambda: desk_notice([], url=URL, place=PLACE, hours=HOURS), "texts is empty"),
        (
            lambda: desk_notice([ENGLISH, ENGLISH], url=URL, place=PLACE, hours=HOURS),
            "language 'en' is given twice",
        ),
        (lambda: desk_notice([ENGLISH], url=URL, place=" ", hours=HOURS), "place is empty"),
        (
            lambda: desk_notice([ENGLISH], url=URL, place="帳篷 4", hours=HOURS),
            "place contains '帳'",
        ),
        (
            lambda: household_cards([], CARD_LABELS_EN),
            "cards is empty",
        ),
        (
            lambda: household_cards(cards(1), CardLabels("xx", "a", "b", "c")),
            "unknown language code 'xx'",
        ),
        (
            lambda: household_cards([HouseholdCard("", "1")], CARD_LABELS_EN),
            r"cards\[0\].payload is empty",
        ),
        (
            lambda: household_cards(
                [*cards(2), HouseholdCard("Amina Yusuf ✓", "3")], CARD_LABELS_EN
            ),
            r"cards\[2\].payload must be printable ASCII",
        ),
        (
            lambda: household_cards([HouseholdCard("SAL-1", "")], CARD_LABELS_EN),
            r"cards\[0\].household_number is empty",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_the_package_ships_its_fonts_and_their_licence():
    """The fonts are package data (pyproject's patterns match them): a plain
    `pip install .` installs them. They stay small."""
    fonts = Path(__file__).parents[1] / "salama" / "lib" / "pdfdocs" / "fonts"
    files = sorted(path.name for path in fonts.iterdir())
    assert "OFL.txt" in files and sum(name.endswith(".ttf") for name in files) == 4
    assert sum(path.stat().st_size for path in fonts.iterdir()) < 1_500_000
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["*"]
    for name in files:
        assert any(fnmatch(f"fonts/{name}", pattern) for pattern in patterns), name


def test_the_package_does_not_import_django():
    import subprocess
    import sys

    code = "import sys, salama.lib.pdfdocs; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)

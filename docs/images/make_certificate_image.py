"""Make docs/images/civil-certificate.png: a bilingual registration record of a
birth, drawn by salama.lib.pdfdocs.civil_certificate with a throwaway key.

    python docs/images/make_certificate_image.py
"""

from pathlib import Path

import pypdfium2

from salama.lib.civil import statement
from salama.lib.pdfdocs import CertificateDoc, CertificateSection, civil_certificate

HERE = Path(__file__).parent
SERIAL = "7KQ2MXR9HB4T"
NAMES = (
    "ليلى أحمد الصباغ / Layla Ahmed Al-Sabbagh",
    "خديجة محمود الصباغ / Khadija Mahmoud Al-Sabbagh",
    "أحمد علي الصباغ / Ahmed Ali Al-Sabbagh",
)


def main() -> None:
    key = statement.load_private_key(statement.new_private_key_pem())
    qr = statement.encode(
        statement.Statement(
            serial=SERIAL,
            event="birth",
            number="BI-2026-000412",
            date="2026-11-20",
            issued="2026-12-02",
            names=NAMES,
            dates=("2026-11-20", "2026-12-02"),
            kind="record",
            place="Al Amal health centre",
        ),
        key,
        base_url="https://salama.example.org",
    )
    arabic = CertificateSection(
        language="ar",
        title="سجل تسجيل ولادة",
        rows=[
            ("رقم التسجيل", "BI-2026-000412"),
            ("تاريخ الولادة", "2026-11-20"),
            ("المكان", "مركز الأمل الصحي"),
            ("الطفل", NAMES[0]),
            ("الجنس", "أنثى"),
            ("الأم", NAMES[1]),
            ("الأب", NAMES[2]),
            ("سُجّل في", "2026-12-02"),
            ("الرقم التسلسلي", SERIAL),
        ],
        note="هذا السجل ليس شهادة الدولة: خذه إلى دائرة الأحوال المدنية التي تصدر الشهادة. "
        "التسجيل مجاني.",
    )
    english = CertificateSection(
        language="en",
        title="Registration record of a birth",
        rows=[
            ("Registration number", "BI-2026-000412"),
            ("Date of birth", "2026-11-20"),
            ("Place", "Al Amal health centre"),
            ("Child", NAMES[0]),
            ("Sex", "Female"),
            ("Mother", NAMES[1]),
            ("Father", NAMES[2]),
            ("Registered on", "2026-12-02"),
            ("Serial", SERIAL),
        ],
        note="This record is not the state's certificate: take it to the Civil Status "
        "Department, which issues the certificate. Registration is free of charge.",
    )
    pdf = civil_certificate(
        CertificateDoc(
            sections=[arabic, english],
            serial=SERIAL,
            qr_text=qr,
            kind="record",
            verify_label={"ar": "تحقق من هذه الوثيقة على", "en": "Check this document at"},
        )
    )
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=100 / 72).to_pil().convert("L")
    image.save(HERE / "civil-certificate.png", optimize=True)


if __name__ == "__main__":
    main()

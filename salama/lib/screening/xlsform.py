"""An instrument as an XLSForm (and, through pyxform, an XForm) for ODK
Collect, KoboCollect and Enketo. The field form asks what the web form asks:
the same sections, items, labels in three languages, relevance translated
from the instrument's expressions, and the child safeguard. Submissions come
back to the same scoring engine."""

import hashlib
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from pyxform.xls2xform import convert

from salama.lib.screening import expr
from salama.lib.screening.engine import CHILD_ADMINISTRATION, YES_NO
from salama.lib.screening.instrument import Instrument, Item, Text

LANGUAGES = (("English (en)", "en"), ("Arabic (ar)", "ar"), ("French (fr)", "fr"))
SURVEY_COLUMNS = ["type", "name", "required", "relevant", "constraint"]
YES_NO_LABELS = {
    "yes": Text(en="Yes", ar="نعم", fr="Oui"),
    "no": Text(en="No", ar="لا", fr="Non"),
    "dont_know": Text(en="Does not know", ar="لا يعرف", fr="Ne sait pas"),
    "refused": Text(en="Prefers not to say", ar="يفضّل عدم الإجابة", fr="Préfère ne pas répondre"),
}
PROFILE_LABELS = {
    "adult": Text(en="Adult", ar="بالغ", fr="Adulte"),
    "child": Text(en="Child (under 18)", ar="طفل (دون 18 سنة)", fr="Enfant (moins de 18 ans)"),
}
WITH_LABELS = {
    "caregiver": Text(
        en="A parent or caregiver",
        ar="أحد الوالدين أو مقدّم الرعاية",
        fr="Un parent ou une personne qui s'en occupe",
    ),
    "caseworker": Text(
        en="A trained child-protection caseworker",
        ar="أخصائي حالات مدرَّب في حماية الطفل",
        fr="Un travailleur social formé à la protection de l'enfance",
    ),
}
REGISTRY_ID = Text(
    en="Registration number of the person (from their card)",
    ar="رقم تسجيل الشخص (من بطاقته)",
    fr="Numéro d'enregistrement de la personne (sur sa carte)",
)
PROFILE_TEXT = Text(en="Profile", ar="الفئة", fr="Profil")
PROFILE_REASON = Text(
    en="If this profile does not match the person's registered age, why?",
    ar="إذا كانت هذه الفئة لا تطابق العمر المسجَّل للشخص، فلماذا؟",
    fr="Si ce profil ne correspond pas à l'âge enregistré de la personne, pourquoi ?",
)
WITH_TEXT = Text(
    en="Who is present with the child?", ar="من يرافق الطفل؟", fr="Qui est présent avec l'enfant ?"
)


def form_version(instrument: Instrument) -> str:
    """Changes whenever the instrument does, so that devices fetch it again."""
    digest = hashlib.sha256(instrument.model_dump_json().encode()).hexdigest()
    return f"{instrument.version}.{digest[:8]}"


def _labels(text: Text, column: str = "label") -> dict[str, str]:
    return {f"{column}::{name}": getattr(text, code) for name, code in LANGUAGES}


def _profile_condition(profiles: Any, field: str = "${profile}") -> str | None:
    if not profiles:
        return None
    return " or ".join(f"{field} = '{p}'" for p in profiles)


def _both(*conditions: str | None) -> str:
    present = [f"({c})" for c in conditions if c]
    return " and ".join(present)


def rows(instrument: Instrument) -> dict[str, list[dict[str, str]]]:
    """The survey, choices and settings sheets as lists of rows."""
    survey: list[dict[str, str]] = [
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
        {"type": "text", "name": "registry_id", **_labels(REGISTRY_ID)},
    ]
    choices: list[dict[str, str]] = []
    multi = len(instrument.profiles) > 1
    survey.append(
        {
            "type": "select_one profiles",
            "name": "profile",
            "required": "yes",
            "default": instrument.profiles[0] if not multi else "",
            **_labels(PROFILE_TEXT),
        }
    )
    choices += [
        {"list_name": "profiles", "name": p, **_labels(PROFILE_LABELS[p])}
        for p in instrument.profiles
    ]
    # The server checks the profile against the registered age; a mismatch
    # without a reason waits in the review queue.
    survey.append({"type": "text", "name": "profile_reason", **_labels(PROFILE_REASON)})
    if "child" in instrument.profiles and instrument.child_administration:
        survey.append(
            {
                "type": "select_one administered_with",
                "name": "administered_with",
                "required": "yes",
                "relevant": "${profile} = 'child'",
                **_labels(WITH_TEXT),
                **_labels(instrument.child_administration, "hint"),
            }
        )
        choices += [
            {"list_name": "administered_with", "name": w, **_labels(WITH_LABELS[w])}
            for w in CHILD_ADMINISTRATION
        ]
    choices += [{"list_name": "yes_no", "name": v, **_labels(YES_NO_LABELS[v])} for v in YES_NO]
    for section in instrument.sections:
        relevant = _both(
            _profile_condition(section.profiles),
            expr.to_xpath(section.relevant) if section.relevant else None,
        )
        survey.append(
            {
                "type": "begin group",
                "name": section.id,
                "relevant": relevant,
                **_labels(section.title),
            }
        )
        for item in section.items:
            survey.append(_item_row(item))
            if item.type == "select_one":
                choices += [
                    {"list_name": f"c_{item.id}", "name": c.value, **_labels(c.label)}
                    for c in item.choices
                ]
        survey.append({"type": "end group", "name": section.id})
    settings = [
        {
            "form_title": instrument.title.en,
            "form_id": instrument.id,
            "version": form_version(instrument),
            "default_language": "English (en)",
            "instance_name": "concat('" + instrument.id + " ', ${registry_id})",
        }
    ]
    return {"survey": survey, "choices": choices, "settings": settings}


def _item_row(item: Item) -> dict[str, str]:
    kind = {"yes_no": "select_one yes_no", "select_one": f"select_one c_{item.id}"}.get(
        item.type, item.type
    )
    row = {
        "type": kind,
        "name": item.id,
        "required": "yes" if item.required else "",
        "relevant": _both(
            _profile_condition(item.profiles),
            expr.to_xpath(item.relevant) if item.relevant else None,
        ),
        **_labels(item.label),
    }
    if item.hint:
        row.update(_labels(item.hint, "hint"))
    if item.type == "integer":
        row["constraint"] = ". >= 0 and . <= 120"
    return row


def workbook(instrument: Instrument) -> bytes:
    """The XLSForm as .xlsx bytes."""
    return workbook_of(rows(instrument))


def workbook_of(sheets: dict[str, list[dict[str, str]]]) -> bytes:
    """An XLSForm's sheets (name: rows) as .xlsx bytes."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for sheet_name, sheet_rows in sheets.items():
        sheet = book.create_sheet(sheet_name)
        columns = list(dict.fromkeys(k for r in sheet_rows for k in r))
        sheet.append(columns)
        for r in sheet_rows:
            sheet.append([r.get(c, "") for c in columns])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def xform(xlsform: bytes | str, form_id: str | None = None) -> str:
    """The XForm XML of an XLSForm (bytes of an .xlsx, or a path)."""
    return convert(xlsform=xlsform, form_name=form_id or "data").xform

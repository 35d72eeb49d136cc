"""The complaint form for outreach teams, on ODK Collect, KoboCollect or
Enketo: the same questions as the public page, built from the same Django
form, its labels in English, Arabic and French. A submission goes straight to
complaints.actions (never into the screening submissions or their review
queue); the answer the device shows holds the receipt code for the
complainant, once."""

import hashlib
import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.complaints import access, actions, common
from salama.complaints.forms import IntakeForm
from salama.lib.screening import xlsform
from salama.screening.actions import Received, SubmissionRefused
from salama.screening.field_forms import ExternalForm

FORM_ID = "sea_complaint"
LANGUAGES = (("English (en)", "en"), ("Arabic (ar)", "ar"), ("French (fr)", "fr"))
SKIPPED = {"evidence"}


def _in_languages(text: Any, column: str = "label") -> dict[str, str]:
    """A (lazy) text in the form's three languages."""
    out = {}
    for name, code in LANGUAGES:
        with translation.override(code):
            out[f"{column}::{name}"] = str(text)
    return out


def _choices(field: forms.Field) -> list[tuple[str, Any]]:
    return [(str(value), label) for value, label in field.choices]  # type: ignore[attr-defined]


def _choice_name(value: str) -> str:
    """Choice names must be XML names: values such as "12:3" are encoded."""
    return "v_" + "".join(c if c.isalnum() else "_" for c in value) if value else "v_none"


def sheets() -> dict[str, list[dict[str, str]]]:
    form = IntakeForm()
    survey: list[dict[str, str]] = [{"type": "start", "name": "start"}]
    choices: list[dict[str, str]] = []
    for name, field in form.fields.items():
        if name in SKIPPED:
            continue
        row = {
            "name": name,
            "required": "yes" if field.required else "",
            **_in_languages(field.label),
        }
        if field.help_text:
            row.update(_in_languages(field.help_text, "hint"))
        if isinstance(field, forms.ChoiceField):
            row["type"] = f"select_one {name}"
            for value, label in _choices(field):
                if value == "" and field.required:
                    continue
                choices.append(
                    {"list_name": name, "name": _choice_name(value), **_in_languages(label)}
                )
        elif isinstance(field, forms.DateField):
            row["type"] = "date"
        elif isinstance(field, forms.IntegerField):
            row["type"] = "integer"
        else:
            row["type"] = "text"
            if isinstance(field.widget, forms.Textarea):
                row["appearance"] = "multiline"
        survey.append(row)
    survey.append(
        {
            "type": "image",
            "name": "photo",
            **_in_languages(gettext_lazy("A photo as evidence (optional)")),
        }
    )
    version = hashlib.sha256(json.dumps([survey, choices], sort_keys=True).encode()).hexdigest()
    return {
        "survey": survey,
        "choices": choices,
        "settings": [
            {
                "form_title": "SEA complaint / شكوى استغلال وانتهاك جنسيين / Plainte EAS",
                "form_id": FORM_ID,
                "version": version[:12],
                "default_language": "English (en)",
            }
        ],
    }


def workbook(user: Any) -> bytes:
    return xlsform.workbook_of(sheets())


def _values(fields: dict[str, str]) -> dict[str, Any]:
    """The submitted answers back in the Django form's terms."""
    form = IntakeForm()
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        raw = fields.get(name, "")
        if isinstance(field, forms.ChoiceField):
            by_name = {_choice_name(v): v for v, _label in _choices(field)}
            data[name] = by_name.get(raw, raw)
        else:
            data[name] = raw
    return data


def receive(*, user: Any, parsed: Any, attachments: list[tuple[str, str, bytes]]) -> Received:
    source = actions.source_key("openrosa", user, parsed.instance_id)
    again = Received(202, _("Already received. The receipt code was in the first answer."), None)
    if access.received_from(user, source) is not None:
        return again
    form = IntakeForm(_values(parsed.fields))
    if not form.is_valid():
        wrong = ", ".join(sorted(form.errors))
        raise SubmissionRefused(400, _("Please correct: %(fields)s.") % {"fields": wrong})
    intake = form.intake(parsed.fields.get("language", "") or translation.get_language() or "en")
    photo = parsed.fields.get("photo", "")
    intake.files = [(n, t, d) for n, t, d in attachments if photo and n == photo]
    try:
        received = actions.complaint_receive(
            intake=intake, channel="outreach", received_by=user, source_key=source
        )
    except common.ComplaintError as error:
        raise SubmissionRefused(400, " ".join([str(error), *error.errors.values()])) from None
    except ValidationError as error:
        raise SubmissionRefused(400, str(error)) from None
    message = _(
        "Complaint received by %(organisation)s. Give the complainant this receipt code, "
        "written down: %(code)s"
    ) % {"organisation": received.complaint.organisation.name, "code": received.code}
    return Received(201, message, None)


def version(user: Any) -> str:
    return sheets()["settings"][0]["version"]


FIELD_FORM = ExternalForm(form_id=FORM_ID, xlsform=workbook, receive=receive, version=version)

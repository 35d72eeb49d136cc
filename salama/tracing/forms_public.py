"""The public report page's forms: only what a desk needs to start looking,
in plain words, each field with its help. The checks of a report are
salama.tracing.reports.clean_report's, as for the desk and the API; its
errors come back next to the field they name."""

import re
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from salama.lib.tracing import urgency
from salama.lib.tracing.public import photo_type
from salama.tracing.actions import MAX_PHOTO_BYTES
from salama.tracing.reports import MAX_NAME, MAX_SHORT, MAX_TEXT

# The name parts asked, each in whichever script the reporter writes.
NAME_PARTS = ("given_name", "father_name", "family_name")

CIRCUMSTANCE_LABELS = {
    urgency.TAKEN: _("Someone took them away"),
    urgency.OFFERED_WORK: _("Someone offered them work"),
    urgency.OFFERED_MARRIAGE: _("Someone offered them marriage"),
    urgency.OFFERED_TRAVEL: _("Someone offered them a journey or to take them abroad"),
    urgency.ARMED_ACTORS: _("Armed men were nearby"),
    urgency.MILITARY_BASE: _("A military or peacekeeping base is nearby"),
    urgency.OTHER: _("Something else worried me"),
}

# Where each error of clean_report (by its key) is shown on this form.
ERROR_FIELDS = {
    "kind": "kind",
    "person": "given_name",
    "person.sex": "sex",
    "person.birth_date": "birth_date",
    "person.stated_age": "age",
    "person.description": "description",
    "person.marks": "marks",
    "last_seen": "last_seen_date",
    "last_seen.date": "last_seen_date",
    "last_seen.time": "last_seen_time",
    "last_seen.place": "last_seen_place",
    "last_seen.with_whom": "last_seen_with",
    "circumstances": "circumstances",
    "circumstances_detail": "circumstances_detail",
    "reporter": "reporter_name",
    "reporter.name": "reporter_name",
    "reporter.relationship": "reporter_relationship",
    "reporter.contact": "reporter_contact",
    "photo": "photo",
}
for _part in NAME_PARTS:
    ERROR_FIELDS[f"person.{_part}"] = _part
    ERROR_FIELDS[f"person.{_part}_latin"] = _part

_LATIN = re.compile(r"^[\sA-Za-z\u00c0-\u024f'’.\-]*$")


def site_name(site: Any, language: str | None = None) -> str:
    """A site's name as the reader reads it (Arabic, French, else its name)."""
    language = (language or get_language() or "en")[:2]
    return str(getattr(site, f"name_{language}", "") or site.name)


def _text(label: Any, help_text: Any, limit: int, *, area: bool = False, **attrs: str) -> Any:
    widget = forms.Textarea(attrs={"rows": 3, "dir": "auto", **attrs}) if area else None
    field = forms.CharField(
        label=label, help_text=help_text, required=False, max_length=limit, widget=widget
    )
    if not area:
        field.widget.attrs.update({"dir": "auto", **attrs})
    return field


# Django's own message quotes the value sent: ours names the field only.
CHOICE_ERRORS = {"invalid_choice": _("Choose one of the options shown.")}


def described(form: forms.Form) -> None:
    """Each input names its help text for screen readers."""
    for name, field in form.fields.items():
        if field.help_text and not isinstance(
            field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple
        ):
            field.widget.attrs["aria-describedby"] = f"id_{form.add_prefix(name)}_help"


class PublicReportForm(forms.Form):
    desk = forms.ChoiceField(
        error_messages=CHOICE_ERRORS,
        label=_("Camp or site"),
        help_text=_("The camp where the person went missing or was found."),
    )
    kind = forms.ChoiceField(
        error_messages=CHOICE_ERRORS,
        label=_("What do you want to report?"),
        choices=[
            ("missing", _("Someone is missing")),
            ("found", _("I found someone, or a child arrived without their family")),
        ],
        initial="missing",
        widget=forms.RadioSelect,
        help_text=_("Choose one."),
    )
    given_name = _text(
        _("First name"),
        _("In Arabic or Latin letters, as you know it. Leave empty if you do not know."),
        MAX_NAME,
    )
    father_name = _text(_("Father's name"), _("If you know it."), MAX_NAME)
    family_name = _text(_("Family name"), _("If you know it."), MAX_NAME)
    sex = forms.ChoiceField(
        error_messages=CHOICE_ERRORS,
        label=_("Sex"),
        choices=[("F", _("Female")), ("M", _("Male")), ("U", _("I do not know"))],
        initial="U",
        widget=forms.RadioSelect,
        help_text=_("Choose one."),
    )
    age = forms.CharField(
        label=_("Age in years"),
        required=False,
        max_length=3,
        help_text=_("A guess is fine. Leave empty if you give the date of birth."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
    )
    birth_date = forms.CharField(
        label=_("Date of birth"),
        required=False,
        max_length=10,
        help_text=_("Only if you know it."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    description = _text(
        _("What they look like"),
        _("Height, hair, clothes they were wearing, anything that helps to recognise them."),
        MAX_TEXT,
        area=True,
    )
    marks = _text(
        _("Marks on the body"),
        _("Scars, birthmarks, a missing tooth, glasses, anything easy to see."),
        MAX_TEXT,
        area=True,
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("Optional. A recent photo of the face helps. JPEG, PNG or WebP, up to 5 MB."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    last_seen_date = forms.CharField(
        label=_("Date last seen"),
        required=False,
        max_length=10,
        help_text=_("The day you last saw them, or the day you found them."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    last_seen_time = forms.CharField(
        label=_("Time last seen"),
        required=False,
        max_length=5,
        help_text=_("About what time, if you know."),
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    last_seen_place = _text(
        _("Place last seen"),
        _("For example: the water point of block C, the market, the bus stop."),
        MAX_SHORT,
    )
    last_seen_with = _text(
        _("With whom"),
        _("Who was with them, if anyone."),
        MAX_SHORT,
    )
    circumstances = forms.MultipleChoiceField(
        error_messages=CHOICE_ERRORS,
        label=_("Did any of these happen?"),
        required=False,
        choices=[(code, CIRCUMSTANCE_LABELS[code]) for code in urgency.CIRCUMSTANCES],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick all that apply. This tells the desk how fast to act."),
    )
    circumstances_detail = _text(
        _("What happened"),
        _("Anything else the desk should know, in your own words."),
        MAX_TEXT,
        area=True,
    )
    reporter_name = _text(
        _("Your name"),
        _("So that the desk knows who to ask for."),
        MAX_SHORT,
        autocomplete="name",
    )
    reporter_relationship = _text(
        _("Who are they to you?"),
        _("For example: my daughter, my neighbour, I do not know them."),
        MAX_SHORT,
    )
    reporter_contact = _text(
        _("How can the desk reach you?"),
        _("A phone number, or where you live in the camp."),
        MAX_SHORT,
        autocomplete="tel",
    )
    counted = forms.BooleanField(
        label=_("This report may be counted, without names, in statistics."),
        required=False,
        initial=False,
        help_text=_(
            "Optional. It helps to see where people go missing."
            " Your report is handled the same either way."
        ),
    )
    # Spam resistance: people never see this field; a robot filling every
    # field does. And a signed time: a person needs a few seconds to fill the
    # form (salama.tracing.views_public).
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    stamp = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, desks: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        described(self)
        self.desks = {str(d.pk): d for d in desks}
        choices = sorted(
            ((pk, site_name(d.site)) for pk, d in self.desks.items()), key=lambda c: c[1]
        )
        field = self.fields["desk"]
        field.choices = choices if len(choices) == 1 else [("", _("Choose the camp")), *choices]  # type: ignore[attr-defined]
        if len(choices) == 1:
            field.initial = choices[0][0]

    @property
    def honeypot_filled(self) -> bool:
        return bool(str(self.data.get(self.add_prefix("website"), "")).strip())

    def clean_photo(self) -> tuple[bytes, str] | None:
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        if upload.size > MAX_PHOTO_BYTES:
            raise forms.ValidationError(_("This photo is larger than 5 MB."))
        content = upload.read()
        kind = photo_type(content[:16])
        if kind is None:
            raise forms.ValidationError(_("This file is not a JPEG, PNG or WebP photo."))
        return content, kind

    def report_data(self) -> dict[str, Any]:
        """The cleaned form as clean_report takes it (the API's shape)."""
        data = self.cleaned_data
        person: dict[str, Any] = {
            "sex": data.get("sex") or "U",
            "birth_date": data.get("birth_date") or "",
            "stated_age": data.get("age", "").strip(),
            "description": data.get("description", ""),
            "marks": data.get("marks", ""),
        }
        for part in NAME_PARTS:
            value = data.get(part, "").strip()
            person[f"{part}_latin" if _LATIN.match(value) else part] = value
        return {
            "kind": data.get("kind"),
            "person": person,
            "last_seen": {
                "date": data.get("last_seen_date", ""),
                "time": data.get("last_seen_time", ""),
                "place": data.get("last_seen_place", ""),
                "with_whom": data.get("last_seen_with", ""),
            },
            "circumstances": list(data.get("circumstances") or []),
            "circumstances_detail": data.get("circumstances_detail", ""),
            "reporter": {
                "name": data.get("reporter_name", ""),
                "relationship": data.get("reporter_relationship", ""),
                "contact": data.get("reporter_contact", ""),
            },
            "counted": bool(data.get("counted")),
        }

    def show_errors(self, errors: dict[str, str]) -> None:
        """clean_report's errors beside the fields they name."""
        for key, message in errors.items():
            self.add_error(ERROR_FIELDS.get(key), message)


class StatusLookupForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        described(self)

    reference = forms.CharField(
        label=_("Reference"),
        max_length=20,
        help_text=_("The code you were given, for example MR-AB12CD34."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    pin = forms.CharField(
        label=_("PIN"),
        max_length=12,
        help_text=_("The six digits you were given with the reference."),
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class ReporterAddsForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        described(self)

    text = forms.CharField(
        label=_("Add information"),
        max_length=2000,
        help_text=_("Something new you learned, or a new way to reach you. The desk reads it."),
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )

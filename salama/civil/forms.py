"""Forms of the civil registration desk. Parties are given by registration
number (found with the registry's search, which ranks names in any script)."""

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.civil.models import EventType, Officiant
from salama.core.forms import quiet_choices

SEXES = [("F", _("Female")), ("M", _("Male")), ("X", _("Other")), ("U", _("Unknown"))]
NUMBER_HELP = _("The registration number from the registry (search the registry to find it).")


def _number(label: Any, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=30,
        required=required,
        help_text=NUMBER_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr"}),
    )


def _name(label: Any, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=120,
        required=required,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )


class EventForm(forms.Form):
    """What every declaration has: the date, the place, the officiant, the
    informant and witnesses."""

    event_date = forms.DateField(
        label=_("Date of the event"), widget=forms.DateInput(attrs={"type": "date"})
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        help_text=_("The facility, the block or shelter, or the place on the journey."),
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    officiant_kind = forms.ChoiceField(
        label=_("Officiant"), choices=[("", "—"), *Officiant.choices], required=False
    )
    officiant_name = _name(_("Officiant's name (court, office or facility)"))
    informant_number = _number(_("Informant (registration number)"), required=False)
    informant_name = _name(_("Informant's name, if not in the registry"))
    witness_1 = _name(_("Witness"))
    witness_2 = _name(_("Second witness"))
    late_evidence = forms.CharField(
        label=_("Evidence for a late registration"),
        required=False,
        max_length=2000,
        help_text=_(
            "Only when the event is more than a year old: what shows it happened (a clinic "
            "card, a midwife's statement, two witnesses for a child born in flight)."
        ),
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )

    def clean_event_date(self) -> date:
        value: date = self.cleaned_data["event_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date of the event is in the future."))
        return value


class BirthForm(EventForm):
    mother_number = _number(_("Mother (registration number)"))
    father_number = _number(_("Father (registration number), if known"), required=False)
    child_given_name = _name(_("Child's given name"), required=True)
    child_father_name = _name(_("Child's father's name"))
    child_family_name = _name(_("Child's family name"))
    child_given_name_latin = _name(_("Child's given name (Latin)"))
    child_family_name_latin = _name(_("Child's family name (Latin)"))
    child_sex = forms.ChoiceField(label=_("Child's sex"), choices=[("", "—"), *SEXES])
    place_type = forms.ChoiceField(
        label=_("Where the child was born"),
        required=False,
        choices=[
            ("", "—"),
            ("facility", _("Health facility")),
            ("home", _("Home or shelter")),
            ("in_transit", _("During flight or on the journey")),
            ("other", _("Other")),
        ],
    )
    weight_grams = forms.IntegerField(
        label=_("Weight at birth (grams)"), required=False, min_value=200, max_value=7000
    )
    notified = forms.BooleanField(
        label=_("This is a health facility's notification (the family has not declared yet)"),
        required=False,
    )
    field_order = [
        "mother_number",
        "father_number",
        "child_given_name",
        "child_father_name",
        "child_family_name",
        "child_given_name_latin",
        "child_family_name_latin",
        "child_sex",
        "event_date",
        "place",
        "place_type",
        "weight_grams",
    ]


class StillbirthForm(EventForm):
    mother_number = _number(_("Mother (registration number)"))
    child_sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *SEXES], required=False)
    gestation_weeks = forms.IntegerField(
        label=_("Weeks of pregnancy"), required=False, min_value=20, max_value=45
    )
    field_order = ["mother_number", "child_sex", "gestation_weeks", "event_date", "place"]


class MarriageForm(EventForm):
    spouse_1_number = _number(_("Spouse (registration number)"))
    spouse_2_number = _number(_("Other spouse (registration number)"))
    court_authorisation_shown = forms.BooleanField(
        label=_("A court authorisation was shown"),
        required=False,
        help_text=_("Recorded only: it does not lower the minimum age for what Salama registers."),
    )
    spouse_leaving_country = forms.BooleanField(
        label=_("A spouse will take the other abroad after the marriage"), required=False
    )
    field_order = [
        "spouse_1_number",
        "spouse_2_number",
        "event_date",
        "place",
        "officiant_kind",
        "officiant_name",
        "witness_1",
        "witness_2",
    ]
    presented_by = forms.ChoiceField(
        label=_("Who came to the desk"),
        required=False,
        choices=[
            ("", "—"),
            ("couple", _("The couple")),
            ("parents", _("Parents or guardians")),
            ("officiant", _("The officiant")),
            ("other", _("Someone else")),
        ],
    )


class DivorceForm(EventForm):
    spouse_1_number = _number(_("Spouse (registration number)"))
    spouse_2_number = _number(_("Other spouse (registration number)"))
    marriage_number = forms.CharField(
        label=_("Registration number of the marriage, if registered"), max_length=30, required=False
    )
    decree = _name(_("Court decree or reference"))
    field_order = ["spouse_1_number", "spouse_2_number", "event_date", "place", "marriage_number"]


CAUSE_HELP = _("Line (a) is the immediate cause; each next line is what led to the line above.")


class DeathForm(EventForm):
    deceased_number = _number(_("Deceased (registration number)"))
    manner = forms.ChoiceField(
        label=_("Manner of death"),
        choices=[
            ("natural", _("Disease (natural)")),
            ("accident", _("Accident")),
            ("self_harm", _("Intentional self-harm")),
            ("assault", _("Assault")),
            ("conflict", _("War or conflict")),
            ("pending", _("Pending investigation")),
            ("unknown", _("Could not be determined")),
        ],
    )
    cause_source = forms.ChoiceField(
        label=_("Cause of death given by"),
        choices=[
            ("physician", _("A physician (medically certified)")),
            ("lay_report", _("A relative or other lay person")),
            ("verbal_autopsy", _("A verbal autopsy")),
            ("unknown", _("Nobody: unknown")),
        ],
    )
    cause_a = _name(_("(a) Immediate cause"))
    interval_a = _name(_("Time from onset to death (a)"))
    cause_b = _name(_("(b) Due to"))
    interval_b = _name(_("Time from onset to death (b)"))
    cause_c = _name(_("(c) Due to"))
    interval_c = _name(_("Time from onset to death (c)"))
    cause_d = _name(_("(d) Underlying cause"))
    interval_d = _name(_("Time from onset to death (d)"))
    icd_a = forms.CharField(label=_("ICD code of (a), optional"), max_length=10, required=False)
    icd_b = forms.CharField(label=_("ICD code of (b), optional"), max_length=10, required=False)
    icd_c = forms.CharField(label=_("ICD code of (c), optional"), max_length=10, required=False)
    icd_d = forms.CharField(
        label=_("ICD code of the underlying cause (d), optional"), max_length=10, required=False
    )
    other_conditions = _name(_("Other significant conditions"))
    field_order = [
        "deceased_number",
        "event_date",
        "place",
        "manner",
        "cause_source",
        *[f"{part}_{letter}" for letter in "abcd" for part in ("cause", "interval", "icd")],
        "other_conditions",
        "officiant_kind",
        "officiant_name",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # On a death the "officiant" is who certified it.
        self.fields["officiant_kind"].label = _("Certified by")
        self.fields["officiant_name"].label = _("Certifying physician or facility")

    def causes(self) -> list[dict[str, str]]:
        """The WHO chain, each line with its letter (a blank line keeps the
        others' letters: the underlying cause stays (d))."""
        data = self.cleaned_data
        lines = []
        for letter in "abcd":
            cause = (data.get(f"cause_{letter}") or "").strip()
            if cause:
                line = {
                    "line": letter,
                    "cause": cause,
                    "interval": (data.get(f"interval_{letter}") or "").strip(),
                }
                if data.get(f"icd_{letter}"):
                    line["icd"] = data[f"icd_{letter}"].strip().upper()
                lines.append(line)
        return lines


FORMS: dict[str, type[EventForm]] = {
    EventType.BIRTH: BirthForm,
    EventType.STILLBIRTH: StillbirthForm,
    EventType.MARRIAGE: MarriageForm,
    EventType.DIVORCE: DivorceForm,
    EventType.DEATH: DeathForm,
}


class FilterForm(forms.Form):
    q = forms.CharField(
        label=_("Reference or registration number"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "search", "dir": "ltr"}),
    )
    event_type = forms.ChoiceField(
        label=_("Event"), required=False, choices=[("", _("All")), *EventType.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            ("notified", _("Notified")),
            ("declared", _("Declared")),
            ("validated", _("Validated")),
            ("registered", _("Registered")),
            ("archived", _("Archived")),
            ("flagged", _("Flagged")),
        ],
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"})
    )


class StateNumberForm(forms.Form):
    number = forms.CharField(label=_("State certificate number"), max_length=60)


class CorrectionForm(forms.Form):
    event_date = forms.DateField(
        label=_("Date of the event"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    officiant_name = forms.CharField(label=_("Officiant's name"), max_length=200, required=False)
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )


class MinimalPersonForm(forms.Form):
    """Someone not yet in the registry, added with the least the record needs."""

    given_name = _name(_("Given name"), required=True)
    father_name = _name(_("Father's name"))
    family_name = _name(_("Family name"))
    given_name_latin = _name(_("Given name (Latin)"))
    family_name_latin = _name(_("Family name (Latin)"))
    sex = forms.ChoiceField(label=_("Sex"), choices=SEXES)
    birth_date = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    stated_age = forms.IntegerField(
        label=_("Age, if the date is not known"), required=False, min_value=0, max_value=120
    )
    site = forms.ChoiceField(label=_("Block"))
    shelter = forms.CharField(label=_("Shelter or address"), max_length=100, required=False)
    different_person = forms.BooleanField(
        label=_("I searched: this is a different person from those found"), required=False
    )

    def __init__(self, *args: Any, sites: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(s.pk), f"{s.code} · {s.name}") for s in sites]
        self.fields["site"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("birth_date") and data.get("stated_age") is None:
            self.add_error("stated_age", _("Give the date of birth or the age."))
        return data


quiet_choices(
    BirthForm, StillbirthForm, MarriageForm, DivorceForm, DeathForm, FilterForm, MinimalPersonForm
)

"""Forms of the desk's staff pages. A report's form only collects and types
what the officer entered: the one check of a report is reports.clean_report,
whose errors are put back on the form's fields."""

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.lib.tracing import urgency as rules
from salama.registry.codes import SEXES
from salama.tracing.models import KINDS, TracingCase
from salama.tracing.reports import MAX_AGE, MAX_NAME, MAX_SHORT, MAX_TEXT, NAME_PARTS

CIRCUMSTANCE_LABELS = {
    rules.TAKEN: _("Taken by someone"),
    rules.OFFERED_WORK: _("Offered work"),
    rules.OFFERED_MARRIAGE: _("Offered marriage"),
    rules.OFFERED_TRAVEL: _("Offered travel"),
    rules.ARMED_ACTORS: _("Armed actors nearby"),
    rules.MILITARY_BASE: _("A military or peacekeeping base nearby"),
    rules.OTHER: _("Other circumstances"),
}
REASON_LABELS = {
    rules.CHILD: _("a child (or no age given)"),
    rules.UNACCOMPANIED: _("unaccompanied"),
    rules.WOMAN_AT_RISK: _("a woman at risk"),
    rules.ABDUCTION: _("circumstances that point to abduction or trafficking"),
}
NAME_LABELS = {
    "given_name": _("given name"),
    "father_name": _("father's name"),
    "grandfather_name": _("grandfather's name"),
    "family_name": _("family name"),
    "given_name_latin": _("given name (Latin)"),
    "father_name_latin": _("father's name (Latin)"),
    "grandfather_name_latin": _("grandfather's name (Latin)"),
    "family_name_latin": _("family name (Latin)"),
}
CONSENT_LABELS = {
    "given": _("given"),
    "refused": _("refused"),
    "not_possible": _("could not be asked"),
}
NAME_FIELDS = tuple(f"{p}{s}" for s in ("", "_latin") for p in NAME_PARTS)
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 2, "dir": "auto"})


def _text(label: Any, limit: int = MAX_SHORT, **kwargs: Any) -> forms.CharField:
    attrs = {"dir": "auto", "autocomplete": "off"}
    return forms.CharField(
        label=label,
        max_length=limit,
        required=False,
        widget=TEXT if limit > MAX_SHORT else forms.TextInput(attrs=attrs),
        **kwargs,
    )


class ReportForm(forms.Form):
    """A missing or found person report taken at the desk, in a few minutes."""

    desk = forms.TypedChoiceField(label=_("desk"), coerce=int, choices=())
    kind = forms.ChoiceField(
        label=_("kind"), choices=KINDS, initial="missing", widget=forms.RadioSelect
    )
    sex = forms.ChoiceField(label=_("sex"), choices=SEXES, initial="U")
    birth_date = forms.DateField(label=_("date of birth"), required=False, widget=DATE)
    stated_age = forms.IntegerField(
        label=_("age"),
        required=False,
        min_value=0,
        max_value=MAX_AGE,
        help_text=_("When the date of birth is not known."),
    )
    description = _text(
        _("description"),
        MAX_TEXT,
        help_text=_("Height, build, hair, clothes when last seen."),
    )
    marks = _text(_("distinguishing marks"), MAX_TEXT)
    photo = forms.FileField(
        label=_("photo"),
        required=False,
        help_text=_("Optional. JPEG, PNG or WebP, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    last_seen_date = forms.DateField(label=_("last seen on"), required=False, widget=DATE)
    last_seen_time = forms.TimeField(
        label=_("at about"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    last_seen_place = _text(_("last seen where"))
    last_seen_with_whom = _text(_("with whom"))
    circumstances = forms.MultipleChoiceField(
        label=_("circumstances"),
        required=False,
        choices=list(CIRCUMSTANCE_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Any of these makes the case urgent, except 'other'."),
    )
    circumstances_detail = _text(_("what happened"), MAX_TEXT)
    unaccompanied = forms.BooleanField(
        label=_("an unaccompanied or separated child"), required=False
    )
    woman_at_risk = forms.BooleanField(label=_("a woman at risk"), required=False)
    reporter_name = _text(_("reporter's name"))
    reporter_relationship = _text(
        _("relationship to the person"), help_text=_("For example: mother, neighbour.")
    )
    reporter_contact = _text(
        _("how to reach the reporter"), help_text=_("Phone, shelter, or a person to ask.")
    )
    counted = forms.BooleanField(
        label=_("the reporter agrees that the report is counted in anonymous statistics"),
        required=False,
    )
    # A report made from the registry, and the absence alert it answers.
    person = forms.UUIDField(required=False, widget=forms.HiddenInput)
    alert = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args: Any, desks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, forms.Field] = {}
        for name in NAME_FIELDS:
            fields[name] = _text(NAME_LABELS[name], MAX_NAME)
        self.fields = {**dict(list(self.fields.items())[:2]), **fields, **self.fields}
        self.fields["desk"].choices = [(d.pk, str(d.site)) for d in desks]  # type: ignore[attr-defined]
        if len(self.fields["desk"].choices) == 1:  # type: ignore[attr-defined]
            self.fields["desk"].widget = forms.HiddenInput()
            self.fields["desk"].required = False
            self.initial.setdefault("desk", desks[0].pk)
        self.only_desk = desks[0].pk if len(desks) == 1 else None

    def clean_desk(self) -> int:
        return int(self.cleaned_data.get("desk") or self.only_desk or 0)

    def report_data(self) -> dict[str, Any]:
        """The cleaned form as reports.clean_report takes it."""
        c = self.cleaned_data
        person = {name: c.get(name, "") for name in NAME_FIELDS}
        person.update(
            sex=c.get("sex") or "U",
            birth_date=c["birth_date"].isoformat() if c.get("birth_date") else "",
            stated_age=c.get("stated_age"),
            description=c.get("description", ""),
            marks=c.get("marks", ""),
        )
        seen_time = c.get("last_seen_time")
        return {
            "kind": c.get("kind"),
            "person": person,
            "last_seen": {
                "date": c["last_seen_date"].isoformat() if c.get("last_seen_date") else "",
                "time": seen_time.strftime("%H:%M") if seen_time else "",
                "place": c.get("last_seen_place", ""),
                "with_whom": c.get("last_seen_with_whom", ""),
            },
            "circumstances": list(c.get("circumstances") or []),
            "circumstances_detail": c.get("circumstances_detail", ""),
            "reporter": {
                "name": c.get("reporter_name", ""),
                "relationship": c.get("reporter_relationship", ""),
                "contact": c.get("reporter_contact", ""),
            },
            "counted": bool(c.get("counted")),
            "unaccompanied": bool(c.get("unaccompanied")),
            "woman_at_risk": bool(c.get("woman_at_risk")),
        }

    def add_report_errors(self, errors: dict[str, str]) -> None:
        """reports.ReportError's fields ("person.sex", "last_seen.date") on
        this form's fields."""
        for key, message in errors.items():
            name = _FIELD_OF.get(key, key.split(".", 1)[-1])
            self.add_error(name if name in self.fields else None, message)


_FIELD_OF = {
    "person": None,
    "": None,
    "last_seen": "last_seen_place",
    "reporter": "reporter_name",
    "last_seen.date": "last_seen_date",
    "last_seen.time": "last_seen_time",
    "last_seen.place": "last_seen_place",
    "last_seen.with_whom": "last_seen_with_whom",
    "reporter.name": "reporter_name",
    "reporter.relationship": "reporter_relationship",
    "reporter.contact": "reporter_contact",
}


def prefill_from(person: Any) -> dict[str, Any]:
    """A report's initial values from a registry person (an absence alert, a search)."""
    initial: dict[str, Any] = {name: getattr(person, name) for name in NAME_FIELDS}
    initial["sex"] = person.sex
    if person.birth_date:
        initial["birth_date"] = person.birth_date
    elif person.stated_age is not None:
        initial["stated_age"] = person.stated_age
    needs = set(person.specific_needs or [])
    initial["unaccompanied"] = bool(needs & rules.UNACCOMPANIED_CODES)
    initial["woman_at_risk"] = bool(needs & rules.WOMAN_AT_RISK_CODES)
    initial["person"] = person.pk
    return initial


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[("", _("open cases")), ("all", _("all")), *TracingCase.Status.choices],
    )
    urgent = forms.ChoiceField(
        label=_("urgency"),
        required=False,
        choices=[("", _("all")), ("1", _("urgent only"))],
    )
    site = forms.TypedChoiceField(label=_("site"), required=False, coerce=int, choices=())

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", _("all")), *((s.pk, str(s)) for s in sites)]  # type: ignore[attr-defined]


ACT_KINDS = [
    ("note", _("Note")),
    ("contact", _("Contacted someone")),
    ("search", _("Searched a place")),
    ("sighting", _("Sighting")),
]


class ActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("what was done"), choices=ACT_KINDS)
    note = forms.CharField(
        label=_("note"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    place = _text(_("where"), help_text=_("For a sighting or a place searched."))
    seen_at = forms.DateTimeField(
        label=_("seen at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("For a sighting: when the person was seen."),
    )

    def clean_seen_at(self) -> Any:
        seen = self.cleaned_data.get("seen_at")
        if seen is not None and aware(seen) > timezone.now():
            raise forms.ValidationError(_("A sighting cannot be in the future."))
        return seen


class HandoverForm(forms.Form):
    authority = forms.CharField(
        label=_("authority"),
        max_length=MAX_SHORT,
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
        help_text=_("For example: the camp's police post."),
    )
    consent = forms.ChoiceField(
        label=_("consent of the person (or their guardian)"),
        choices=list(CONSENT_LABELS.items()),
        widget=forms.RadioSelect,
    )
    safety = forms.CharField(
        label=_("safety considerations"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_("Could handing over put the person or the reporter at risk? Why not?"),
    )
    reason = forms.CharField(
        label=_("reason for handing over"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )


class DeskForm(forms.Form):
    site = forms.TypedChoiceField(label=_("site"), coerce=int, choices=())
    organisation = forms.TypedChoiceField(
        label=_("kept by"),
        coerce=int,
        choices=(),
        help_text=_("The organisation whose tracing officers receive the desk's reports."),
    )
    place = forms.CharField(
        label=_("where the desk is"),
        max_length=200,
        required=False,
        help_text=_("As people would find it, for example: Block C, next to the clinic."),
    )
    hours = forms.CharField(
        label=_("opening hours"),
        max_length=200,
        required=False,
        help_text=_("For example: every day 08:00-17:00; reports on the public page at any time."),
    )
    place_ar = forms.CharField(
        label=_("where the desk is, in Arabic"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
    )
    place_fr = forms.CharField(
        label=_("where the desk is, in French"), max_length=200, required=False
    )
    hours_ar = forms.CharField(
        label=_("opening hours, in Arabic"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
    )
    hours_fr = forms.CharField(label=_("opening hours, in French"), max_length=200, required=False)
    searches = forms.TypedMultipleChoiceField(
        label=_("also searches the registries of"),
        coerce=int,
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
    )
    public = forms.BooleanField(label=_("listed on the public report page"), required=False)

    def __init__(self, *args: Any, sites: Any, all_sites: Any, organisations: Any, **kw: Any):
        super().__init__(*args, **kw)
        self.fields["site"].choices = [(s.pk, f"{s} ({s.code})") for s in sites]  # type: ignore[attr-defined]
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]  # type: ignore[attr-defined]
        self.fields["searches"].choices = [(s.pk, f"{s} ({s.code})") for s in all_sites]  # type: ignore[attr-defined]


class ShiftForm(forms.Form):
    officer = forms.TypedChoiceField(label=_("tracing officer"), coerce=int, choices=())
    starts_at = forms.DateTimeField(
        label=_("from"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    ends_at = forms.DateTimeField(
        label=_("until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = [(u.pk, u.get_full_name() or u.username) for u in officers]  # type: ignore[attr-defined]
        if not self.is_bound:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault("starts_at", now)
            self.initial.setdefault("ends_at", now + timedelta(hours=8))


def aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value

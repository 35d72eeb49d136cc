"""Forms of the complaint pages. The public page and the desk ask the same
questions (the networks' minimum fields); the desk also says how the complaint
came in."""

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from salama.complaints.actions import Intake
from salama.complaints.models import (
    AgeGroup,
    AssistanceReferral,
    Category,
    Channel,
    ContactPreference,
    Investigation,
    Relationship,
    Sex,
    SubjectType,
    YesNo,
)
from salama.complaints.tracks import NEEDS
from salama.core.forms import quiet_choices
from salama.core.models import Organisation, Site

RADIO = forms.RadioSelect


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def receivers() -> list[tuple[str, str]]:
    """(organisation id:site id, "Organisation — site") for every organisation
    with a PSEA focal point at a camp: the complainant sees who receives it."""
    from salama.complaints.selectors import receiving_points

    return [
        (f"{org.pk}:{site.pk}", f"{org.name} — {site.name}") for org, site in receiving_points()
    ]


class IntakeForm(forms.Form):
    receiver = forms.ChoiceField(
        label=_("Who receives your complaint"),
        help_text=_("The organisation whose PSEA focal points will read it, and the camp."),
    )
    relationship = forms.ChoiceField(label=_("You are"), choices=Relationship.choices, widget=RADIO)
    category = forms.ChoiceField(
        label=_("What happened"),
        choices=Category.choices,
        widget=RADIO,
        help_text=_(
            "Sexual exploitation: abuse of a position of power or trust for sexual purposes, "
            "for example aid or a job in exchange for sex. Sexual abuse: a sexual act by force "
            "or under coercion."
        ),
    )
    narrative = forms.CharField(
        label=_("Tell us what happened"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        help_text=_("Only what you want to say. Nobody else in the camp will read it."),
    )
    incident_date = forms.DateField(
        label=_("When (if you know the day)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    incident_year = forms.IntegerField(
        label=_("Or the year"), required=False, min_value=1990, max_value=2100
    )
    incident_place = forms.CharField(
        label=_("Where, roughly"),
        required=False,
        max_length=200,
        help_text=_("For example: near the water point, distribution centre, outside the camp."),
    )
    survivor_age = forms.ChoiceField(
        label=_("The person it happened to is"), choices=AgeGroup.choices, widget=RADIO
    )
    survivor_sex = forms.ChoiceField(label=_("Their sex"), choices=Sex.choices, widget=RADIO)
    survivor_disability = forms.ChoiceField(
        label=_("Do they have a disability?"), choices=YesNo.choices, widget=RADIO
    )
    safety_risk = forms.ChoiceField(
        label=_("Are they in danger now?"), choices=YesNo.choices, widget=RADIO
    )
    subject_type = forms.ChoiceField(
        label=_("The person who did it works as"), choices=SubjectType.choices
    )
    subject_organisation = forms.ChoiceField(label=_("For which organisation"), required=False)
    subject_organisation_text = forms.CharField(
        label=_("Or its name, if it is not in the list"), required=False, max_length=200
    )
    subject_country = forms.CharField(
        label=_("For peacekeepers: their country, if known"), required=False, max_length=60
    )
    subject_name = forms.CharField(
        label=_("Their name or a description, if you know it"), required=False, max_length=200
    )
    subject_in_contact = forms.ChoiceField(
        label=_("Are they still in contact with the community?"),
        choices=YesNo.choices,
        widget=RADIO,
    )
    contact_preference = forms.ChoiceField(
        label=_("How may the focal point reach you?"),
        choices=ContactPreference.choices,
        widget=RADIO,
        initial=ContactPreference.NONE,
    )
    contact = forms.CharField(
        label=_("Phone number or how to reach you"), required=False, max_length=200
    )
    complainant_name = forms.CharField(
        label=_("Your name (leave empty to stay anonymous)"), required=False, max_length=120
    )
    consent_assistance = forms.ChoiceField(
        label=_("May the focal point refer the survivor to help (health, counselling, safety)?"),
        choices=YesNo.choices,
        widget=RADIO,
    )
    consent_identity = forms.ChoiceField(
        label=_("May your identity be shared with the investigators?"),
        choices=YesNo.choices,
        widget=RADIO,
        initial=YesNo.NO,
    )
    evidence = MultipleFileField(
        label=_("Photos, documents or recordings (optional, 10 MB each)"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = receivers()
        self.fields["receiver"].choices = [("", "—"), *choices]  # type: ignore[attr-defined]
        if len(choices) == 1:
            self.fields["receiver"].initial = choices[0][0]
        organisations = [(str(o.pk), o.name) for o in Organisation.objects.order_by("name")]
        subject = self.fields["subject_organisation"]
        subject.choices = [("", _("Other or do not know")), *organisations]  # type: ignore[attr-defined]

    def intake(self, language: str) -> Intake:
        data = self.cleaned_data
        org_id, site_id = str(data["receiver"]).split(":")
        subject_org = data.get("subject_organisation") or ""
        files = [
            (f.name or "file", f.content_type or "", f.read()) for f in data.get("evidence") or []
        ]
        return Intake(
            organisation=Organisation.objects.get(pk=int(org_id)),
            site=Site.objects.get(pk=int(site_id)),
            language=language,
            relationship=data["relationship"],
            contact_preference=data["contact_preference"],
            consent_assistance=data["consent_assistance"],
            consent_identity=data["consent_identity"],
            survivor_age=data["survivor_age"],
            survivor_sex=data["survivor_sex"],
            survivor_disability=data["survivor_disability"],
            safety_risk=data["safety_risk"],
            category=data["category"],
            narrative=data["narrative"],
            subject_type=data["subject_type"],
            subject_in_contact=data["subject_in_contact"],
            contact=data.get("contact") or "",
            complainant_name=data.get("complainant_name") or "",
            incident_date=data.get("incident_date"),
            incident_year=data.get("incident_year"),
            incident_place=data.get("incident_place") or "",
            subject_organisation=(
                Organisation.objects.filter(pk=int(subject_org)).first()
                if subject_org.isdigit()
                else None
            ),
            subject_organisation_text=data.get("subject_organisation_text") or "",
            subject_country=data.get("subject_country") or "",
            subject_name=data.get("subject_name") or "",
            files=files,
        )

    def show_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)


class PublicIntakeForm(IntakeForm):
    # A field people never see: a robot fills it.
    website = forms.CharField(required=False, label=_("Leave this empty"))
    stamp = forms.CharField(widget=forms.HiddenInput)


class DeskIntakeForm(IntakeForm):
    channel = forms.ChoiceField(
        label=_("How the complaint came in"),
        choices=[c for c in Channel.choices if c[0] != Channel.ONLINE],
        initial=Channel.DESK,
    )
    field_order = ["channel"]

    def __init__(self, *args: Any, organisation_ids: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A focal point takes complaints for their own organisation only.
        field = self.fields["receiver"]
        every: list[tuple[str, str]] = list(field.choices)  # type: ignore[attr-defined]
        mine = [c for c in every if c[0] and int(c[0].split(":")[0]) in organisation_ids]
        field.choices = [("", "—"), *mine]  # type: ignore[attr-defined]
        if len(mine) == 1:
            field.initial = mine[0][0]


class ReceiptForm(forms.Form):
    code = forms.CharField(
        label=_("Your receipt code"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("The 16 digits you were given when you sent the complaint."),
    )


class AddForm(forms.Form):
    text = forms.CharField(
        label=_("Add information"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    evidence = MultipleFileField(label=_("Add files (10 MB each)"), required=False)


class AssistanceForm(forms.Form):
    service = forms.ChoiceField(label=_("Service"))
    needs = forms.MultipleChoiceField(
        label=_("Needs"), choices=list(NEEDS.items()), widget=forms.CheckboxSelectMultiple
    )
    consent_by = forms.ChoiceField(
        label=_("Consent"), choices=AssistanceReferral.ConsentBy.choices, widget=RADIO
    )
    agreed = forms.BooleanField(
        label=_(
            "The survivor (or the child's caregiver) was told what will be shared, "
            "with whom and why, and agreed"
        ),
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language of the explanation"),
        choices=[*settings.LANGUAGES, ("other", _("Another language"))],
    )
    wishes = forms.CharField(
        label=_("The survivor's wishes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    share_contact = forms.BooleanField(
        label=_(
            "Share with the service how the complainant asked to be contacted (when the "
            "complainant is the survivor, or the survivor agreed)"
        ),
        required=False,
    )
    subject_organisation_chosen = forms.BooleanField(
        label=_(
            "If the service belongs to the organisation complained about: the survivor knows "
            "it and chose it"
        ),
        required=False,
    )

    def __init__(self, *args: Any, services: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = {str(s.pk): s for s in services}
        self.fields["service"].choices = [  # type: ignore[attr-defined]
            (pk, f"{s.name} ({s.organisation.short_name}, {s.get_service_type_display()})")
            for pk, s in self.services.items()
        ]


class InvestigationForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Refer to"))

    def __init__(self, *args: Any, targets: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.targets = {str(o.pk): o for o in targets}
        choices = [(pk, o.name) for pk, o in self.targets.items()]
        self.fields["organisation"].choices = choices  # type: ignore[attr-defined]


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[c for c in Investigation.choices if c[0]]
    )


class BundleForm(forms.Form):
    password = forms.CharField(
        label=_("Password for the bundle (at least 12 characters)"),
        min_length=12,
        max_length=128,
        widget=forms.PasswordInput,
    )


class BreakGlassForm(forms.Form):
    reference = forms.CharField(label=_("Complaint reference"), max_length=16)
    reason = forms.CharField(
        label=_("Why (a life at risk, a court order...)"),
        min_length=20,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this is recorded and that the network's coordinator is told"),
    )


class VettingForm(forms.Form):
    staff_name = forms.CharField(label=_("Staff member"), max_length=120)
    checked_on = forms.DateField(
        label=_("Checked through the inter-agency scheme on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=date.today,
    )


class AnswerForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


# A refused choice is never repeated back: it may be what someone typed.
quiet_choices(
    IntakeForm, PublicIntakeForm, DeskIntakeForm, AssistanceForm, InvestigationForm, OutcomeForm
)

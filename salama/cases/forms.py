"""Forms of cases and referrals: they check shape; the actions check the rules."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.cases.models import (
    CaseType,
    PlanItem,
    ProtectionCase,
    Referral,
    Risk,
    ServiceDelivery,
    ServiceType,
)
from salama.cases.sharing import REFERRAL_FIELDS, fields_needed
from salama.core.forms import quiet_choices

_TEXT = {"rows": 3, "dir": "auto", "maxlength": 4000}


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Case or registration number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Open")), ("closed", _("Closed")), ("all", _("All"))],
    )
    case_type = forms.ChoiceField(
        label=_("Case type"), required=False, choices=[("", _("All types")), *CaseType.choices]
    )
    mine = forms.ChoiceField(
        label=_("Caseworker"),
        required=False,
        choices=[("", _("Everyone's")), ("1", _("Mine"))],
    )


class CaseOpenForm(forms.Form):
    registration_number = forms.CharField(
        label=_("Registration number"),
        max_length=30,
        required=False,
        help_text=_("The person's number in the registry (on their household card)."),
    )
    source = forms.CharField(widget=forms.HiddenInput, required=False)
    case_type = forms.ChoiceField(label=_("Case type"), choices=CaseType.choices)
    risk = forms.ChoiceField(
        label=_("Risk level"),
        choices=Risk.choices,
        initial=Risk.MEDIUM,
        help_text=_("High: the person is in danger now or may be within days."),
    )
    assign_to = forms.TypedChoiceField(label=_("Caseworker"), coerce=int, required=False)
    note = forms.CharField(
        label=_("First note"),
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
        help_text=_("Encrypted. What led to the case, in a few words."),
    )

    def __init__(self, *args: Any, caseworkers: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["assign_to"].choices = [("", _("Me"))] + [  # type: ignore[attr-defined]
            (u.pk, u.get_full_name() or u.username) for u in caseworkers
        ]


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs=_TEXT), max_length=4000)


class RiskForm(forms.Form):
    risk = forms.ChoiceField(label=_("Risk level"), choices=Risk.choices)
    note = forms.CharField(label=_("Why"), required=False, widget=forms.Textarea(attrs=_TEXT))


class AssignForm(forms.Form):
    caseworker = forms.TypedChoiceField(label=_("Caseworker"), coerce=int)
    supervisor = forms.TypedChoiceField(label=_("Supervisor"), coerce=int, required=False)

    def __init__(self, *args: Any, caseworkers: Any = (), supervisors: Any = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["caseworker"].choices = [  # type: ignore[attr-defined]
            (u.pk, u.get_full_name() or u.username) for u in caseworkers
        ]
        self.fields["supervisor"].choices = [("", _("Keep"))] + [  # type: ignore[attr-defined]
            (u.pk, u.get_full_name() or u.username) for u in supervisors
        ]


class ChildForm(forms.Form):
    bia_status = forms.ChoiceField(
        label=_("Best-interests assessment"), choices=ProtectionCase.Bia.choices
    )
    bia_notes = forms.CharField(
        label=_("Assessment notes"), required=False, widget=forms.Textarea(attrs=_TEXT)
    )
    caregiver = forms.ChoiceField(
        label=_("Caregiver involvement"),
        required=False,
        choices=[("", "—"), *ProtectionCase.Caregiver.choices],
    )
    consent_by = forms.ChoiceField(
        label=_("Consent given by"),
        choices=[c for c in ProtectionCase.ConsentBy.choices if c[0] != "adult"],
        help_text=_(
            "Under 6: the caregiver consents. 6 to 14: the child assents and the caregiver "
            "consents. 15 to 17: the child consents, with the caregiver where safe. Without a "
            "suitable caregiver, a best-interests determination decides."
        ),
    )
    bid_required = forms.BooleanField(
        label=_("A best-interests determination is needed"), required=False
    )
    bid_decision = forms.CharField(
        label=_("Determination's decision"), required=False, widget=forms.Textarea(attrs=_TEXT)
    )


class PlanItemForm(forms.Form):
    plan_type = forms.ChoiceField(label=_("Type"), choices=PlanItem.PlanType.choices)
    objective = forms.CharField(label=_("Objective"), widget=forms.Textarea(attrs=_TEXT))
    actions = forms.CharField(
        label=_("Actions"), required=False, widget=forms.Textarea(attrs=_TEXT)
    )
    due_on = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=ProtectionCase.Closure.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs=_TEXT))
    confirm = forms.BooleanField(
        label=_("I understand that the case's retention period starts now"), required=True
    )


class ReferralForm(forms.Form):
    """One form for the three ways a referral is made: with consent, with an
    override, or to an authority (its own decision)."""

    CONSENT, OVERRIDE = "consent", "override"
    service = forms.UUIDField(widget=forms.HiddenInput)
    basis = forms.ChoiceField(
        label=_("The referral is made"),
        widget=forms.RadioSelect,
        choices=[
            (CONSENT, _("with the person's informed consent")),
            (OVERRIDE, _("without consent: an override, with its reason")),
        ],
        initial=CONSENT,
    )
    agreed = forms.BooleanField(
        label=_("The person agreed to this referral and to what is shared"), required=False
    )
    explained_by = forms.CharField(
        label=_("Explained by"),
        max_length=200,
        required=False,
        help_text=_("Who explained the referral, and the interpreter if there was one."),
    )
    language = forms.ChoiceField(label=_("In which language"), required=False)
    share = forms.MultipleChoiceField(
        label=_("What may be shared"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Only what this service needs is offered. Nothing else of the case travels."),
    )
    override_reason = forms.CharField(
        label=_("Reason for the override"),
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
        help_text=_(
            "Only when the person cannot consent and their life or safety is at risk. "
            "Supervisors see every override."
        ),
    )
    reason = forms.CharField(
        label=_("Reason for referral"),
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
        help_text=_("What the service is asked to do. It is shared if ticked above."),
    )
    authority_decision = forms.BooleanField(
        label=_("I confirm the decision to refer to the police or another authority"),
        required=False,
    )
    legal_obligation = forms.CharField(
        label=_("Legal obligation (if any)"),
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
        help_text=_("The law that obliges this referral, if it is made without consent."),
    )

    def __init__(self, *args: Any, fields: list[str] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["share"].choices = [(name, REFERRAL_FIELDS[name]) for name in fields]  # type: ignore[attr-defined]
        # Ticked at first: only what any service needs to receive the person.
        self.fields["share"].initial = [f for f in fields if f in fields_needed("", minimal=True)]
        languages = [("", "—"), *((code, _(name)) for code, name in settings.LANGUAGES)]
        self.fields["language"].choices = languages + [("other", _("Another language"))]  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the referring caseworker"),
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
        help_text=_("Needed when declining: say why, and where the person could go instead."),
    )


class CompleteForm(forms.Form):
    delivered_on = forms.DateField(
        label=_("Delivered on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ServiceDelivery.Outcome.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs=_TEXT))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delivered_on"].initial = timezone.localdate()


class ServiceForm(forms.Form):
    service_type = forms.ChoiceField(
        label=_("Type of service"), choices=[("", "—"), *ServiceType.choices]
    )
    delivered_on = forms.DateField(
        label=_("Delivered on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ServiceDelivery.Outcome.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs=_TEXT))


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs=_TEXT),
        help_text=_("How the person withdrew their consent, and when."),
    )
    confirm = forms.BooleanField(
        label=_("The person withdrew their consent: stop sharing now"), required=True
    )


REFERRAL_DIRECTIONS = [
    ("incoming", _("Made to my organisation")),
    ("outgoing", _("Made by my organisation")),
]
REFERRAL_STATUSES = [("", _("All")), *Referral.Status.choices]

quiet_choices(
    CaseFilterForm,
    CaseOpenForm,
    NoteForm,
    RiskForm,
    AssignForm,
    ChildForm,
    PlanItemForm,
    CloseForm,
    ReferralForm,
    AnswerForm,
    CompleteForm,
    ServiceForm,
    WithdrawForm,
)

"""Forms of the relief-and-recovery page: they only collect and type what
the caseworker entered; the checks are salama.cases.recovery's, whose errors
are shown on the page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from salama.cases.models import Eligibility
from salama.cases.recovery import MAX_EVIDENCE, MAX_FOLLOW_UP
from salama.core.forms import quiet_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EligibilityForm(forms.Form):
    programme = forms.ChoiceField(label=_("programme"), choices=Eligibility.Programme.choices)
    status = forms.ChoiceField(label=_("status"), choices=Eligibility.Status.choices)
    evidence = forms.CharField(
        label=_("evidence"),
        max_length=MAX_EVIDENCE,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_(
            "What the flag rests on: a document seen, a decision, a list. It is kept "
            "encrypted and never leaves the case."
        ),
    )


class FollowUpForm(forms.Form):
    due_on = forms.DateField(label=_("due on"), widget=DATE)
    note = forms.CharField(
        label=_("what to follow up"),
        max_length=MAX_FOLLOW_UP,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )


quiet_choices(EligibilityForm, FollowUpForm)

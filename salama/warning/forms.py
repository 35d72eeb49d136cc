from django import forms
from django.utils.translation import gettext_lazy as _

from salama.warning.models import Outcome, RiskFactor


class VerifyForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What did the verification find?"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
    )
    finding = forms.CharField(
        label=_("What was found"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "About the week and the site (a new arrival, a registration drive): never a name."
        ),
    )


class RiskFactorForm(forms.Form):
    site = forms.TypedChoiceField(label=_("Site"), coerce=int)
    kind = forms.ChoiceField(label=_("Kind"), choices=RiskFactor.Kind.choices)
    name = forms.CharField(label=_("Name"), required=False, max_length=120)
    distance_km = forms.DecimalField(
        label=_("Distance (km)"), required=False, min_value=0, max_value=99999, decimal_places=1
    )
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90, decimal_places=6
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        decimal_places=6,
        help_text=_("Give the distance, or the coordinates to work it out from the site's."),
    )

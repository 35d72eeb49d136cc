from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from salama.core.models import Site
from salama.presence.models import PresenceCheck


class CheckForm(forms.Form):
    site: "forms.ModelChoiceField[Site]" = forms.ModelChoiceField(
        queryset=Site.objects.none(), label=_("Location")
    )
    kind = forms.ChoiceField(choices=PresenceCheck.Kind.choices, label=_("Kind"))
    held_at = forms.DateTimeField(
        label=_("Held at"),
        required=False,
        help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the alert dismissed?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SafeForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ListForm(forms.Form):
    file = forms.FileField(label=_("Distribution list (CSV or XLSX)"))

"""The form recording an alleged exploiter on a case. It only collects what
was entered, one entry a line; the one check is cases.networks.clean."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from salama.cases.models import AllegedExploiter
from salama.cases.networks import MAX_ITEM, MAX_ITEMS, MAX_TEXT
from salama.core.forms import quiet_choices

LINES = MAX_ITEMS * (MAX_ITEM + 1)


def _lines(label: Any, help_text: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=LINES,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto", "autocomplete": "off"}),
    )


class ExploiterForm(forms.Form):
    part = forms.ChoiceField(label=_("Part played"), choices=AllegedExploiter.Part.choices)
    names = _lines(
        _("Names"),
        _(
            "One name a line, in Arabic or Latin script or both: "
            "full names, kunyas (Abu …), nicknames."
        ),
    )
    phones = _lines(_("Phones"), _("One number a line, with or without the country code."))
    vehicles = _lines(_("Vehicles"), _("One plate a line; a description can go below."))
    places = _lines(
        _("Places"), _("One place a line: where the person was recruited, held or moved.")
    )
    affiliation = forms.CharField(
        label=_("Organisation, unit or mission"),
        help_text=_("An organisation, armed group unit, peacekeeping contingent or mission."),
        required=False,
        max_length=MAX_ITEM,
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Description"),
        help_text=_("What the person said about them. Never the victim's own name or details."),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )

    def data_for_action(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("names", "phones", "vehicles", "places"):
            data[name] = data.get(name, "").splitlines()
        return data


quiet_choices(ExploiterForm)

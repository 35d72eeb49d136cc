"""Forms of the report pages."""

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.core.models import Site
from salama.privacy.forms import FilePasswordForm
from salama.reports.models import Consultation

MAX_DAYS = 3 * 366 + 1  # a report spans at most three years


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last three whole months and this month so far."""
    today = today or timezone.localdate()
    month = today.month - 3
    year = today.year + (month <= 0) * -1
    start = date(year, month + 12 if month <= 0 else month, 1)
    return start, today


class DateInput(forms.DateInput):
    input_type = "date"


class PeriodForm(forms.Form):
    site = forms.TypedChoiceField(label=_("Site"), coerce=int)
    start = forms.DateField(label=_("From"), widget=DateInput)
    end = forms.DateField(label=_("To (included)"), widget=DateInput)

    def __init__(
        self, data: Any, sites: list[Site], language: str, last_site: int | None = None
    ) -> None:
        start, end = default_period()
        ids = [s.pk for s in sites]
        site = last_site if last_site in ids else (ids[0] if ids else None)
        initial = {"site": site, "start": start, "end": end}
        given = {**initial, **{k: v for k, v in (data or {}).items() if v not in ("", None)}}
        super().__init__(given)
        indent = {s.pk: "· " * (s.path.count("/") - 2) for s in sites}
        self.fields["site"].choices = [  # type: ignore[attr-defined]
            (s.pk, f"{indent[s.pk]}{s.name_in(language)}") for s in sites
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The period ends before it starts."))
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError(_("A report covers at most three years."))
            if start > timezone.localdate():
                raise forms.ValidationError(_("The period starts in the future."))
        return data


class ConsultationForm(forms.ModelForm):  # type: ignore[type-arg]
    site = forms.TypedChoiceField(label=_("Site"), coerce=int)

    class Meta:
        model = Consultation
        fields = [
            "kind",
            "held_on",
            "women",
            "girls",
            "men",
            "boys",
            "with_survivors",
            "topics",
            "decisions",
        ]
        widgets = {
            "held_on": DateInput,
            "topics": forms.Textarea(attrs={"rows": 3}),
            "decisions": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "topics": _(
                "What was discussed. Do not write names: this record is not about a person."
            ),
            "with_survivors": _("Survivors take part voluntarily; record no names."),
        }


class CommitteeForm(forms.Form):
    site = forms.TypedChoiceField(label=_("Site"), coerce=int)
    name = forms.CharField(label=_("Committee"), max_length=120)
    as_of = forms.DateField(label=_("As of"), widget=DateInput, initial=timezone.localdate)
    members = forms.IntegerField(label=_("Members"), min_value=1, max_value=10000)
    women = forms.IntegerField(label=_("Of whom women"), min_value=0, max_value=10000)


class WpsForm(forms.Form):
    file = forms.FileField(
        label=_("WPS Index file (CSV)"),
        help_text=_("Columns edition, country_iso3, score, rank; one row per country and edition."),
    )


class DpForm(forms.Form):
    epsilon = forms.FloatField(
        label=_("Privacy loss per query (epsilon)"),
        min_value=0.05,
        max_value=10,
        initial=1.0,
        help_text=_(
            "Smaller is more private and noisier. Each breakdown is one query; the release's "
            "budget is their sum, recorded with it."
        ),
    )


class CtdcForm(FilePasswordForm):
    agreement = forms.ChoiceField(
        label=_("Data-sharing agreement"),
        help_text=_("Only agreements in force that allow anonymous statistics are listed."),
    )
    field_order = ["agreement", "password1", "password2"]

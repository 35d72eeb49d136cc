"""One validation path for the desk, the API and imports: every person,
whatever its source, is checked by PersonForm."""

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from salama.core.models import Site
from salama.lib.linkage.records import has_name
from salama.lib.screening.needs import need_names
from salama.registry.codes import DOCUMENT_TYPES, LEGAL_BASES, PURPOSES
from salama.registry.households import COMPOSITIONS, HEAD
from salama.registry.models import Person

NAME_PARTS = (
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "given_name_latin",
    "father_name_latin",
    "grandfather_name_latin",
    "family_name_latin",
)

_PARTS = ("given", "father", "grandfather", "family")

PERSON_FIELDS = (
    *NAME_PARTS,
    "sex",
    "birth_date",
    "birth_date_estimated",
    "stated_age",
    "stated_age_on",
    "nationality",
    "origin_country",
    "origin_admin1",
    "origin_place",
    "phone",
    "relationship",
)

# Fields the desk keeps folded away until needed (see person_fields.html).
MORE_FIELDS = (
    "nationality",
    "origin_country",
    "origin_admin1",
    "origin_place",
    "languages",
    "phone",
    "document_type",
    "document_number",
    "document_issuer",
)

DEFAULT_BASES = {
    "registration": "public_interest",
    "protection": "vital_interest",
    "tracing": "vital_interest",
    "civil_registration": "public_interest",
    "statistics": "public_interest",
    "sharing": "",
}


class CommaListField(forms.CharField):
    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list):
            return [str(v).strip() for v in value if str(v).strip()]
        text = super().to_python(value) or ""
        return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


COUNTRY_FIELDS = ("nationality", "origin_country")


def _country_codes(data: Any, keys: list[str]) -> Any:
    """Country names typed in full (Syria, سوريا) as the codes the fields take."""
    from django_countries import countries

    if not any(str(data.get(k) or "") for k in keys):
        return data
    data = data.copy()
    for key in keys:
        value = str(data.get(key) or "").strip()
        if value and len(value) != 2:
            languages = dict.fromkeys([get_language() or "en", "en"])
            found = (countries.by_name(value, language=lang) for lang in languages)
            data[key] = next((code for code in found if code), value)
        elif value:
            data[key] = value.upper()
    return data


class PersonForm(forms.ModelForm):
    languages = CommaListField(
        label=_("languages"), required=False, help_text=_("Separate with commas, e.g. ar, ku")
    )
    specific_needs = forms.MultipleChoiceField(
        label=_("specific needs"), required=False, choices=(), widget=forms.SelectMultiple
    )
    document_type = forms.ChoiceField(
        label=_("document type"), required=False, choices=[("", _("— none —")), *DOCUMENT_TYPES]
    )
    document_number = forms.CharField(label=_("document number"), required=False, max_length=60)
    document_issuer = forms.CharField(label=_("issued by"), required=False, max_length=100)

    class Meta:
        model = Person
        fields = PERSON_FIELDS
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}),
            "stated_age_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = _country_codes(self.data, [self.add_prefix(n) for n in COUNTRY_FIELDS])
        for name in COUNTRY_FIELDS:
            # One shared list of countries per page (registry/_partials/countries.html)
            # instead of 250 options per field and member: the desk stays light.
            self.fields[name].widget = forms.TextInput(
                attrs={"list": "countries", "autocomplete": "off", "dir": "auto"}
            )
        self.fields["specific_needs"].choices = [  # type: ignore[attr-defined]
            (code, f"{code} {label}") for code, label in need_names(get_language() or "en").items()
        ]
        if self.instance.pk:
            self.initial.setdefault("languages", ", ".join(self.instance.languages))
            self.initial.setdefault("specific_needs", self.instance.specific_needs)
        self.fields["given_name"].widget.attrs["dir"] = "auto"
        for part in NAME_PARTS:
            self.fields[part].widget.attrs.setdefault("dir", "auto")
            self.fields[part].widget.attrs["autocomplete"] = "off"

    @property
    def more_open(self) -> bool:
        """Whether the desk opens the less used fields: one of them has an
        error or a value."""
        if any(name in self.errors for name in MORE_FIELDS):
            return True
        values = self.data if self.is_bound else {**self.initial, **self._instance_values()}
        return any(values.get(self.add_prefix(n) if self.is_bound else n) for n in MORE_FIELDS)

    def _instance_values(self) -> dict[str, Any]:
        if not self.instance.pk:
            return {}
        return {n: getattr(self.instance, n, None) for n in MORE_FIELDS}

    def clean_stated_age(self) -> int | None:
        age = self.cleaned_data.get("stated_age")
        if age is not None and age > 120:
            raise forms.ValidationError(_("An age above 120 is not plausible."))
        return age

    def clean_birth_date(self) -> date | None:
        value = self.cleaned_data.get("birth_date")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(_("The date of birth is in the future."))
        if value is not None and value.year < 1900:
            raise forms.ValidationError(_("The date of birth is before 1900."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scripts = [
            {f"{p}_name": str(data.get(f"{p}_name{suffix}") or "") for p in _PARTS}
            for suffix in ("", "_latin")
        ]
        if not any(has_name(names) for names in scripts):  # "-" or "123" is no name
            raise forms.ValidationError(_("Enter at least one name, in either script."))
        if data.get("stated_age") is not None and not data.get("stated_age_on"):
            data["stated_age_on"] = timezone.localdate()
        if data.get("stated_age_on") and data["stated_age_on"] > timezone.localdate():
            self.add_error("stated_age_on", _("This date is in the future."))
        if bool(data.get("document_type")) != bool(data.get("document_number")):
            self.add_error(
                "document_number", _("Give both the document type and its number, or neither.")
            )
        return data


class LegalBasesForm(forms.Form):
    """The legal basis per purpose for the people registered together.
    Sharing is a separate consent and defaults to none (PROTECTION.md 2)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for purpose, label in PURPOSES:
            self.fields[f"basis_{purpose}"] = forms.ChoiceField(
                label=label,
                required=purpose == "registration",
                choices=[("", _("— no basis —")), *LEGAL_BASES],
                initial=DEFAULT_BASES[purpose],
            )

    def bases(self) -> dict[str, str]:
        return {
            purpose: self.cleaned_data[f"basis_{purpose}"]
            for purpose, _label in PURPOSES
            if self.cleaned_data.get(f"basis_{purpose}")
        }


class HouseholdForm(forms.Form):
    site: "forms.ModelChoiceField[Site]" = forms.ModelChoiceField(
        label=_("location"),
        queryset=Site.objects.none(),
    )
    shelter = forms.CharField(label=_("shelter or address"), required=False, max_length=100)
    composition = forms.ChoiceField(
        label=_("who heads the household"),
        choices=COMPOSITIONS,
        initial=HEAD,
        required=False,  # a client that does not say has a head of household
        widget=forms.RadioSelect,
        help_text=_(
            "A child-headed household or an unaccompanied child is marked with its "
            "specific-needs code and child protection is alerted."
        ),
    )

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]

    def clean_composition(self) -> str:
        return str(self.cleaned_data.get("composition") or HEAD)


PersonFormSet = forms.formset_factory(
    PersonForm, extra=0, min_num=1, validate_min=True, max_num=40, validate_max=True
)


SEARCH_MODES = [
    ("fuzzy", _("Any spelling or script (likely matches)")),
    ("exact", _("Exact text (list)")),
]


class SearchForm(forms.Form):
    """The one person search: names in any script and spelling, ranked by the
    linkage engine, or (as a filter of the same page) the exact-text list.
    Registration and document numbers are found exactly in both modes."""

    q = forms.CharField(
        label=_("Name, registration number or document number"),
        max_length=200,
        required=False,
        help_text=_("Any script, any order: given, father's, grandfather's and family names."),
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off", "autofocus": True}),
    )
    mode = forms.ChoiceField(
        label=_("Search"), choices=SEARCH_MODES, required=False, widget=forms.RadioSelect
    )
    birth_year = forms.IntegerField(
        label=_("Year of birth"), required=False, min_value=1900, max_value=2100
    )
    age = forms.IntegerField(
        label=_("Age (if the year is not known)"), required=False, min_value=0, max_value=120
    )
    sex = forms.ChoiceField(
        label=_("Sex"), required=False, choices=[("", "—"), ("F", _("Female")), ("M", _("Male"))]
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        if data is not None and "q" not in data and "full_name" in data:
            data = {**dict(data.items()), "q": data.get("full_name")}  # the former find form
        super().__init__(data, **kwargs)
        self.fields["mode"].initial = "fuzzy"

    def clean_mode(self) -> str:
        return str(self.cleaned_data.get("mode") or "fuzzy")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = str(data.get("q") or "").strip()
        is_number = any(ch.isdigit() for ch in text)
        if data.get("mode") == "fuzzy" and text and not is_number and not _names(text):
            self.add_error(
                "q",
                _("Type at least one name with letters, or a registration or document number."),
            )
        return data

    def text(self) -> str:
        return str(self.cleaned_data.get("q") or "").strip()

    def queries(self) -> list[dict[str, str]]:
        """Engine queries for the words typed. A single word may be any part
        of a name (Jubori is a family name), so it is tried as a given and
        as a family name."""
        words = self.text().split()
        data = self.cleaned_data
        extra = {"sex": data.get("sex") or ""}
        if data.get("birth_year"):
            extra["birth_year"] = str(data["birth_year"])
        elif data.get("age") is not None:
            extra["age"] = str(data["age"])
        if not words or not _names(" ".join(words)):
            return []  # a number alone: found exactly (number_hits), not by likeness
        if len(words) == 1:
            return [{**extra, "given_name": words[0]}, {**extra, "family_name": words[0]}]
        return [{**extra, "full_name": " ".join(words)}]


def _names(text: str) -> bool:
    """Whether the text holds a name: a word with letters."""
    return has_name({"full_name": text})

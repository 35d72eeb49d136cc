"""Forms of the data-protection pages. Passwords for sealed files are
checked here and again in the actions (one rule: actions.check_file_password)."""

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from salama.core.models import Organisation
from salama.privacy import selectors
from salama.privacy.actions import (
    FILE_PASSWORD_MIN_LENGTH,
    ORIGIN_REFUSED,
    check_file_password,
    unknown_fields_message,
)
from salama.privacy.models import PURPOSE_CHOICES, SENSITIVITY_CHOICES, RecipientKind

LANGUAGE_CHOICES = [("ar", "العربية"), ("fr", "Français"), ("en", "English")]


def _password_help() -> str:
    # Translated when the form is shown, in the reader's language.
    return gettext(
        "At least %(min)d characters, not a common password. The file can only be "
        "opened with it; Salama does not keep it. Give it to the recipient another way "
        "than the file (by phone, or in person)."
    ) % {"min": FILE_PASSWORD_MIN_LENGTH}


class FilePasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("Password for the file"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=lazy(_password_help, str)(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_password1(self) -> str:
        password = str(self.cleaned_data.get("password1") or "")
        check_file_password(password)
        return password

    def clean_password2(self) -> str:
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if first and second and first != second:
            raise ValidationError(_("The two passwords differ."))
        return str(second)


class SubjectFindForm(forms.Form):
    registration_number = forms.CharField(label=_("Registration number"), max_length=30)


class SubjectAccessForm(FilePasswordForm):
    language = forms.ChoiceField(
        label=_("Language of the file"),
        choices=LANGUAGE_CHOICES,
        help_text=_("The person's own language where their record names one."),
    )


class AgreementForm(forms.Form):
    from_organisation = forms.ModelChoiceField(
        label=_("Shared by"), queryset=Organisation.objects.none()
    )
    recipient_kind = forms.ChoiceField(label=_("Kind of recipient"), choices=RecipientKind.choices)
    to_organisation = forms.ModelChoiceField(
        label=_("Shared with (organisation in Salama)"),
        queryset=Organisation.objects.order_by("short_name"),
        required=False,
    )
    recipient_name = forms.CharField(
        label=_("Shared with (other recipient)"), max_length=200, required=False
    )
    purposes = forms.MultipleChoiceField(
        label=_("Purposes"), choices=PURPOSE_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    sensitivity_classes = forms.MultipleChoiceField(
        label=_("Sensitivity classes shared"),
        choices=SENSITIVITY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Every field of a person's records has one class. Public: names of sites and "
            "organisations, nothing about a person. Personal: who the person is: names, "
            "sex, age and date of birth, registration numbers, household, languages, legal "
            "bases. Sensitive: where they come from and how to find them: nationality, "
            "origin, phone, shelter, identity documents. Highly sensitive: specific needs, "
            "screening answers and results, alerts and referrals, field submissions."
        ),
    )
    field_list = forms.CharField(
        label=_("Fields shared (one per line)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_(
            "Instead of, or as well as, whole sensitivity classes: field names as the "
            "registry names them, for example given_name, family_name, phone, sex."
        ),
    )
    starts_on = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    signatory = forms.CharField(label=_("Signed by (name and title)"), max_length=200)

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["from_organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations if organisations is not None else Organisation.objects.none()

    def clean_recipient_kind(self) -> str:
        kind = str(self.cleaned_data.get("recipient_kind") or "")
        if kind == RecipientKind.ORIGIN_AUTHORITIES and not selectors.origin_transfers_allowed():
            raise ValidationError(ORIGIN_REFUSED)
        return kind

    def clean_field_list(self) -> list[str]:
        text = str(self.cleaned_data.get("field_list") or "")
        names = list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
        unknown = selectors.unknown_fields(names)
        if unknown:
            raise ValidationError(unknown_fields_message(unknown))
        return names

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if isinstance(starts, date) and isinstance(ends, date) and ends < starts:
            self.add_error("ends_on", _("The end comes before the start."))
        if (
            "field_list" in data
            and not data.get("sensitivity_classes")
            and not data.get("field_list")
        ):
            self.add_error(
                "sensitivity_classes",
                _("Say what is shared: at least one sensitivity class or one field."),
            )
        return data

from django import forms
from django.utils.translation import gettext_lazy as _


class OtpForm(forms.Form):
    token = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("Enter the six digits shown in your authenticator app.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


# Django's own "Select a valid choice. %(value)s is not one of the available
# choices." quotes what was sent back into the page (PROTECTION.md 24).
QUIET_CHOICE = _("Choose one of the options shown.")


def quiet_choices(*form_classes: type[forms.Form]) -> None:
    """Give every choice field of these forms an error that names no value."""
    for form_class in form_classes:
        for field in form_class.base_fields.values():
            if "invalid_choice" in field.error_messages:
                field.error_messages = {**field.error_messages, "invalid_choice": QUIET_CHOICE}

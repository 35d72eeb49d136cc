"""Forms for the administration pages: they check the shape of the input;
the actions check the rules."""

from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import (
    password_validators_help_text_html,
    validate_password,
)
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.core.models import ApiToken, Organisation, Site
from salama.core.roles import ROLE_LABELS

ORGANISATION_KINDS: list[tuple[str, Any]] = list(Organisation._meta.get_field("kind").choices or [])
SITE_KINDS: list[tuple[str, Any]] = [
    ("", _("(not given)")),
    *(Site._meta.get_field("kind").choices or []),
]
ROLE_CHOICES = [(role.value, label) for role, label in ROLE_LABELS.items()]
DEPTH = {"country": 0, "site": 1, "zone": 2, "block": 3}


class SiteChoices(forms.ModelMultipleChoiceField):
    """Sites shown as the tree they form: each level indented under its parent."""

    def label_from_instance(self, obj: Site) -> str:
        return f"{'— ' * DEPTH.get(obj.level, 0)}{obj} ({obj.code})"


def _sites_field(queryset: QuerySet[Site]) -> SiteChoices:
    return SiteChoices(
        queryset=queryset,
        required=False,
        label=_("Sites"),
        help_text=_(
            "The role applies to these sites and everything below them. "
            "Hold Ctrl (or ⌘) to choose several."
        ),
    )


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(
        label=_("Short name"), max_length=30, help_text=_("As shown in lists, e.g. CMA.")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ORGANISATION_KINDS)


class SiteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    name_ar = forms.CharField(
        label=_("Name in Arabic"),
        max_length=120,
        required=False,
        help_text=_("Shown to readers of the Arabic interface; leave empty to use the name."),
        widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
    )
    name_fr = forms.CharField(
        label=_("Name in French"),
        max_length=120,
        required=False,
        help_text=_("Shown to readers of the French interface; leave empty to use the name."),
    )
    code = forms.RegexField(
        label=_("Code"),
        max_length=20,
        regex=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        help_text=_("Unique, short, letters, digits and hyphens, e.g. AMC-Z1A."),
        error_messages={"invalid": _("Use letters, digits, hyphens, dots or underscores only.")},
    )
    kind = forms.ChoiceField(label=_("Kind of site"), choices=SITE_KINDS, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        max_digits=9,
        decimal_places=6,
        help_text=_("Optional; decimal degrees, -90 to 90."),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        max_digits=9,
        decimal_places=6,
        help_text=_("Optional; decimal degrees, -180 to 180."),
    )

    def __init__(
        self,
        *args: Any,
        level: str,
        registry_owners: QuerySet[Organisation] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if level != "site":  # only camps, settlements and host communities have a kind
            del self.fields["kind"]
        if level == "site" and registry_owners is not None:  # system administrators only
            self.fields["registry_owner"] = forms.ModelChoiceField(
                label=_("Registry kept by"),
                queryset=registry_owners,
                required=False,
                empty_label=_("(no one: each organisation changes only what it registered)"),
                help_text=_(
                    "The organisation keeping this site's registry: its registration officers "
                    "may correct any household registered here, whoever registered it. "
                    "Deleting a record stays with the organisation that registered it."
                ),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        one_missing = (data.get("latitude") is None) != (data.get("longitude") is None)
        if one_missing and "latitude" not in self.errors and "longitude" not in self.errors:
            raise ValidationError(_("Give both latitude and longitude, or neither."))
        return data


class PasswordPairMixin(forms.Form):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_password2(self) -> str:
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if first and second and first != second:
            raise ValidationError(_("The two passwords differ."))
        return str(second)


class UserCreateForm(PasswordPairMixin):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @ . + - _ only; used to sign in."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Organisation")
    )
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)
    field_order = [
        "username",
        "first_name",
        "last_name",
        "email",
        "password1",
        "password2",
        "organisation",
        "role",
        "sites",
    ]

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation],
        sites: QuerySet[Site],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()
        self.fields["sites"] = _sites_field(sites)
        self.order_fields(self.field_order)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("password2")
        if password and not self.errors.get("password2"):
            from django.contrib.auth import get_user_model

            candidate = get_user_model()(
                username=data.get("username", ""),
                email=data.get("email", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                validate_password(password, candidate)
            except ValidationError as refused:
                self.add_error("password1", refused)
        return data


class UserEditForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)


class MembershipForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Organisation")
    )
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation] | None,
        sites: QuerySet[Site],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if organisations is None:  # changing a membership keeps its organisation
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
            if organisations.count() == 1:
                self.fields["organisation"].initial = organisations.first()
        self.fields["sites"] = _sites_field(sites)


class FieldPasswordForm(PasswordPairMixin):
    pass


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("What the token is for"),
        max_length=100,
        help_text=_("E.g. the name of the system or script that will use it."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What the token may do"),
        choices=ApiToken.Scope.choices,
        initial=[ApiToken.Scope.READ],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Give only what the client needs: most need only to read."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].help_text = _(
            "The token stops working after this day. Empty: %(default)s days from today; "
            "at most %(longest)s days."
        ) % {
            "default": settings.SALAMA_API_TOKEN_DAYS,
            "longest": settings.SALAMA_API_TOKEN_MAX_DAYS,
        }

    def clean_expires_on(self) -> date | None:
        day = self.cleaned_data.get("expires_on")
        today = timezone.localdate()
        if day is not None and day <= today:
            raise ValidationError(_("Choose a day after today."))
        if day is not None and day > today + timedelta(days=settings.SALAMA_API_TOKEN_MAX_DAYS):
            raise ValidationError(
                _("Choose a day at most %(days)s days from today.")
                % {"days": settings.SALAMA_API_TOKEN_MAX_DAYS}
            )
        return day

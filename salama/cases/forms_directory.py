"""Forms of the service directory's pages. They collect and type what was
entered; the checks of a service are salama.cases.directory.clean_service,
whose errors are put back on the form's fields."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from salama.cases.directory import MAX_ANSWER_HOURS, MAX_CAPACITY
from salama.cases.models import CaseType, Service, ServiceType
from salama.core.forms import quiet_choices


def _site_label(site: Any) -> str:
    return f"{site} ({site.code})"


class DirectoryFilterForm(forms.Form):
    """Sites and organisations by their codes, so that a filtered list's
    address reads as what it shows (/cases/directory/?site=AMC)."""

    q = forms.CharField(
        label=_("name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "dir": "auto", "autocomplete": "off"}),
        help_text=_("Part of the service's name."),
    )
    site = forms.ChoiceField(label=_("site"), required=False, choices=())
    service_type = forms.ChoiceField(
        label=_("type of service"),
        required=False,
        choices=[("", _("all")), *ServiceType.choices],
    )
    organisation = forms.ChoiceField(label=_("organisation"), required=False, choices=())

    def __init__(self, *args: Any, sites: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", _("all")), *((s.code, _site_label(s)) for s in sites)]  # type: ignore[attr-defined]
        self.fields["organisation"].choices = [  # type: ignore[attr-defined]
            ("", _("all")),
            *((o.short_name, o.name) for o in organisations),
        ]


class ServiceForm(forms.Form):
    site = forms.TypedChoiceField(
        label=_("site"),
        coerce=int,
        choices=(),
        help_text=_(
            "Where the service is offered: a camp, or the country for a service that "
            "comes to every site."
        ),
    )
    organisation = forms.TypedChoiceField(
        label=_("organisation"),
        coerce=int,
        choices=(),
        help_text=_("The organisation that provides the service and answers its referrals."),
    )
    name = forms.CharField(
        label=_("name"),
        max_length=200,
        widget=forms.TextInput(attrs={"dir": "auto"}),
        help_text=_("As staff and people know it, for example: Women's safe space, Block C."),
    )
    service_type = forms.ChoiceField(label=_("type of service"), choices=ServiceType.choices)
    languages = forms.CharField(
        label=_("languages"),
        max_length=100,
        required=False,
        help_text=_("The languages the staff speak, for example: ar, fr, en"),
    )
    hours = forms.CharField(
        label=_("opening hours"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "auto"}),
        help_text=_("For example: Sunday to Thursday 08:00-16:00; on call at night."),
    )
    capacity = forms.IntegerField(
        label=_("capacity"),
        required=False,
        min_value=0,
        max_value=MAX_CAPACITY,
        help_text=_("People it can take at once; empty if not limited."),
    )
    contact = forms.CharField(
        label=_("contact"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "auto"}),
        help_text=_("The service's own desk or phone, never a person's private number."),
    )
    accepts_children = forms.BooleanField(
        label=_("accepts children"),
        required=False,
        help_text=_("Only a service that accepts children can be in a pathway for children."),
    )
    staff_gender = forms.ChoiceField(
        label=_("staff"),
        choices=Service.StaffGender.choices,
        initial=Service.StaffGender.MIXED,
        help_text=_("Survivors of sexual violence are often asked whom they would rather see."),
    )
    answer_within_hours = forms.IntegerField(
        label=_("answers referrals within (hours)"),
        min_value=1,
        max_value=MAX_ANSWER_HOURS,
        initial=48,
        help_text=_("The organisation is reminded when a referral waits longer for an answer."),
    )

    def __init__(self, *args: Any, sites: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(s.pk, _site_label(s)) for s in sites]  # type: ignore[attr-defined]
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]  # type: ignore[attr-defined]

    def add_directory_error(self, field: str, message: str) -> None:
        self.add_error(field if field in self.fields else None, message)


def service_initial(service: Service) -> dict[str, Any]:
    return {
        "site": service.site_id,
        "organisation": service.organisation_id,
        **{
            f: getattr(service, f)
            for f in (
                "name",
                "service_type",
                "languages",
                "hours",
                "capacity",
                "contact",
                "accepts_children",
                "staff_gender",
                "answer_within_hours",
            )
        },
    }


class StepForm(forms.Form):
    """A service added at the end of one pathway of the site."""

    case_type = forms.ChoiceField(label=_("case type"), choices=CaseType.choices)
    for_children = forms.BooleanField(
        label=_("for children"),
        required=False,
        help_text=_(
            "A child's case follows the pathway for children when the site has one, "
            "else the general one."
        ),
    )
    service = forms.ChoiceField(label=_("service"), choices=())
    note = forms.CharField(
        label=_("note"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "auto"}),
        help_text=_("For example: call first, within 72 hours of an assault."),
    )

    def __init__(self, *args: Any, services: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [  # type: ignore[attr-defined]
            (str(s.pk), f"{s.name} ({s.organisation.short_name}, {s.get_service_type_display()})")
            for s in services
        ]


quiet_choices(DirectoryFilterForm, ServiceForm, StepForm)

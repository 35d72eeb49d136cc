from typing import Any

from django import template
from django.utils import timezone

from salama.lib.ages import age_on, age_range
from salama.registry import audit_text

register = template.Library()


@register.filter
def age_text(person: Any) -> str:
    """Today's age: exact from a date of birth, else the possible range."""
    today = timezone.localdate()
    if person.birth_date is not None and not person.birth_date_estimated:
        return str(age_on(person.birth_date, today))
    span = age_range(person.birth_year_min, person.birth_year_max, today)
    if span is None:
        return "—"
    low, high = span
    return str(low) if low == high else f"{low}–{high}"


@register.filter
def audit_action(code: str) -> str:
    return audit_text.action_label(code)


@register.filter
def audit_purpose(code: str) -> str:
    return audit_text.purpose_label(code)


@register.filter
def audit_model(code: str) -> str:
    return audit_text.model_label(code)


@register.filter
def field_labels(names: list[str]) -> str:
    return audit_text.field_labels(list(names or []))


@register.simple_tag
def country_choices() -> list[tuple[str, str]]:
    """Every country as (code, name in the reader's language), for the one
    datalist the country fields of a page share."""
    from django_countries import countries

    return [(str(code), str(name)) for code, name in countries]

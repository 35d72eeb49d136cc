"""Template filters for screening data shown on other apps' pages."""

from django import template
from django.utils.translation import get_language

from salama.lib.screening.needs import need_name as _need_name

register = template.Library()


@register.filter
def need_name(code: str) -> str:
    """A specific-needs code's name in the reader's language."""
    return _need_name(code, get_language() or "en")

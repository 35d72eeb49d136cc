from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def translated(stored: str) -> str:
    """A message stored untranslated (a job's progress or JobFailed message), in the
    reader's language; other text (an exception's first line) as it is."""
    return gettext(stored) if stored else ""

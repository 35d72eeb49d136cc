from typing import Any

from django import template

register = template.Library()


@register.filter
def name_in(person: Any, script: str) -> str:
    """A person's full name in the script the user chose, falling back to the other."""
    return str(person.name(script))


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)

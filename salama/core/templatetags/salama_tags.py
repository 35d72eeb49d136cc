from typing import Any

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from salama.core import access
from salama.core.models import ApiToken
from salama.lib.masking import is_survivor, masked

register = template.Library()


@register.filter
def name_in(person: Any, script: str) -> str:
    """A person's full name in the script the user chose, falling back to the other."""
    return str(person.name(script))


@register.simple_tag(takes_context=True)
def list_name(context: Any, person: Any) -> str:
    """The name as shown in lists and search results: masked for survivors
    unless the viewer's role needs it (PROTECTION.md 8)."""
    user = context["request"].user
    return masked(
        person.name(context.get("name_script", "latin")),
        survivor=bool(person.mask_name) or is_survivor(person.specific_needs),
        viewer_may_see=access.sees_survivor_names(user),
    )


@register.simple_tag(takes_context=True)
def withheld(context: Any, person: Any) -> bool:
    """Whether a list shows this person without a link to the record: a
    survivor, for a viewer whose role may not see survivors (PROTECTION.md 8)."""
    survivor = bool(person.mask_name) or is_survivor(person.specific_needs)
    return survivor and not access.sees_survivor_names(context["request"].user)


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


FEATURE_LABELS = {
    "given": _("given name"),
    "father": _("father's name"),
    "grandfather": _("grandfather's name"),
    "family": _("family name"),
    "birth": _("birth"),
    "sex": _("sex"),
    "origin": _("origin"),
    "phone": _("phone"),
    "document": _("document"),
    "household": _("household"),
}
STATUS_LABELS = {
    "agreed": _("agrees"),
    "partly": _("partly"),
    "disagreed": _("differs"),
    "missing": _("missing"),
}


@register.filter
def feature_label(name: str) -> str:
    return str(FEATURE_LABELS.get(name, name))


@register.filter
def status_label(name: str) -> str:
    return str(STATUS_LABELS.get(name, name))


@register.filter
def site_name(site: Any) -> str:
    """A site's name in the reader's language (`{{ site|site_name }}`), falling
    back to its main name; empty for no site."""
    if site is None or site == "":
        return ""
    return str(site.name_in(get_language() or "en"))


@register.filter
def token_scopes(scopes: Any) -> str:
    """An API token's scopes in words ("Read records"), not their codes."""
    labels = dict(ApiToken.Scope.choices)
    return ", ".join(str(labels.get(code, code)) for code in scopes or [])

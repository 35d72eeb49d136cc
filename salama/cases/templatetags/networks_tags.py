"""The alleged exploiters' part of a case page: the add form when the page's
view gave none (the case page includes cases/networks/_exploiters.html with
`case`, `exploiters` and `can_work` only)."""

from typing import Any

from django import template

from salama.cases.forms_networks import ExploiterForm

register = template.Library()


@register.simple_tag(takes_context=True)
def exploiter_form(context: Any) -> ExploiterForm:
    form = context.get("exploiter_form")
    return form if isinstance(form, ExploiterForm) else ExploiterForm()

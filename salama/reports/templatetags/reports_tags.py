from typing import Any

from django import template

from salama.reports.pdf import shown

register = template.Library()


@register.filter
def figure_value(figure: Any) -> str:
    return shown(figure)


@register.filter
def chart_for(charts: dict[str, str], key: str) -> str:
    return charts.get(key, "")

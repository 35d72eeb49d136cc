"""The desk's figures page (/tracing/figures/): aggregates only."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from salama.core import access as core_access
from salama.core.decorators import staff_page
from salama.core.roles import Perm
from salama.registry.codes import SEXES
from salama.tracing import figures
from salama.tracing.models import KINDS, TracingCase


def _breakdown_name(by: str, grouped: bool) -> str:
    name = {
        "site": _("By site"),
        "week": _("By week") if not grouped else _("By month"),
        "sex": _("By sex"),
        "age_group": _("By age group"),
        "first_action": _("By time to first action"),
        "outcome": _("By outcome"),
    }[by]
    if grouped and by != "week":
        return _("%(breakdown)s (grouped, so that the counts can be shown)") % {"breakdown": name}
    return name


def _group_label(by: str, group: str) -> str:
    waits = {
        "within_1h": _("within an hour"),
        "1_3h": _("1 to 3 hours"),
        "3_24h": _("3 to 24 hours"),
        "over_24h": _("more than 24 hours"),
        "none_yet": _("no action yet"),
    }
    if by == "sex":
        return str(dict(SEXES).get(group, group))
    if by == "first_action":
        return str(waits.get(group, group))
    if by == "outcome":
        return str(TracingCase.Status(group).label) if group in TracingCase.Status.values else group
    if by == "week" and len(group) == 10:
        return _("week of %(date)s") % {"date": group}
    if group in {"0-17", "18+"}:
        return _("under 18") if group == "0-17" else _("18 and over")
    return group or _("unknown")


@staff_page
def tracing_figures(request: HttpRequest) -> HttpResponse:
    if not core_access.has_perm(request.user, Perm.AGGREGATE_VIEW):
        raise Http404
    found, counted = figures.tracing_figures(request.user, get_language() or "en")
    kinds = dict(KINDS)
    tables: list[dict[str, Any]] = [
        {
            "title": kinds[f.kind],
            "total": f.total,
            "breakdowns": [
                (_breakdown_name(b.by, b.grouped), [(_group_label(b.by, g), n) for g, n in b.rows])
                for b in f.breakdowns
            ],
        }
        for f in found
    ]
    hidden = counted.hidden_small + counted.hidden_secondary
    context = {
        "tables": tables,
        "cells": counted.cells,
        "small": counted.hidden_small,
        "secondary": counted.hidden_secondary,
        "hidden": hidden,
        "k": counted.k,
    }
    return render(request, "tracing/figures.html", context)

"""Civil registration figures: /civil/figures/ (aggregates only)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from salama.civil import figures
from salama.civil.models import EventType
from salama.core import access as core_access
from salama.core.decorators import staff_page
from salama.core.roles import Perm

BY = {
    "site": _("By site"),
    "month": _("By month"),
    "late": _("On time or late"),
    "reason": _("Why"),
    "outcome": _("Outcome"),
}
GROUPS = {
    "late": _("Late registration"),
    "on_time": _("On time"),
    "under_minimum": _("Under the minimum age"),
    "could_be_under_minimum": _("Could be under the minimum age"),
    "age_unknown": _("Age not known"),
    "open": _("Not yet reviewed"),
    "no_concern": _("No concern"),
    "referred": _("Protection staff told"),
    "told_owner": _("The record's owners were told"),
}
FLAGS = {
    "large_age_gap": _("Large age gap"),
    "already_married": _("A spouse already married"),
    "soon_after_arrival": _("Soon after arrival"),
    "repeated_short_marriages": _("Repeated short marriages"),
    "open_missing_report": _("Open missing report"),
    "screening_flag": _("Trafficking screening flag"),
    "taken_abroad": _("Spouse taking the bride abroad"),
}


def _title(key: str) -> str:
    if key == "stopped":
        return str(_("Marriages stopped at the desk"))
    if key.startswith("flag:"):
        return str(_("Flag: %(flag)s") % {"flag": FLAGS.get(key[5:], key[5:])})
    return str(EventType(key).label)


@staff_page
def civil_figures(request: HttpRequest) -> HttpResponse:
    if not core_access.has_perm(request.user, Perm.AGGREGATE_VIEW):
        raise Http404
    tables, counted = figures.civil_figures(request.user, get_language() or "en")
    context = {
        "tables": [
            {
                "title": _title(t.key),
                "total": t.total,
                "breakdowns": [
                    (BY[b.by], [(GROUPS.get(g, g), n) for g, n in b.rows]) for b in t.breakdowns
                ],
            }
            for t in tables
        ],
        "cells": counted.cells,
        "small": counted.hidden_small,
        "secondary": counted.hidden_secondary,
        "hidden": counted.hidden_small + counted.hidden_secondary,
        "k": counted.k,
    }
    return render(request, "civil/figures.html", context)

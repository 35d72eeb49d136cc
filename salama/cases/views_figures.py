"""The referral figures page (/cases/recovery/figures/): aggregates only,
for the roles that see figures; nobody else knows it is there (404)."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from salama.cases import figures
from salama.cases.models import Referral, ServiceType
from salama.core import access as core_access
from salama.core.decorators import staff_page
from salama.core.roles import Perm


def _breakdown_name(by: str, grouped: bool) -> str:
    name = {
        "site": _("By site"),
        "month": _("By month"),
        "status": _("By answer"),
        "first_service": _("Service delivered yet"),
    }[by]
    if grouped:
        return _("%(breakdown)s (grouped, so that the counts can be shown)") % {"breakdown": name}
    return name


def _group_label(by: str, group: str) -> str:
    if by == "status" and group in Referral.Status.values:
        return str(Referral.Status(group).label)
    if by == "first_service":
        return _("yes") if group == figures.DELIVERED else _("not yet")
    return group or _("unknown")


def _ordered(by: str, rows: list[tuple[str, int | None]]) -> list[tuple[str, int | None]]:
    if by != "status":
        return rows
    rank = {str(status): i for i, status in enumerate(figures.STATUSES)}
    return sorted(rows, key=lambda row: rank.get(row[0], len(rank)))


@staff_page
def referral_figures(request: HttpRequest) -> HttpResponse:
    if not core_access.has_perm(request.user, Perm.AGGREGATE_VIEW):
        raise Http404
    found, counted = figures.referral_figures(request.user, get_language() or "en")
    tables: list[dict[str, Any]] = []
    for f in found:
        breakdowns = {
            b.by: (
                _breakdown_name(b.by, b.grouped),
                [(_group_label(b.by, g), n) for g, n in _ordered(b.by, b.rows)],
            )
            for b in f.breakdowns
        }
        tables.append(
            {
                "title": ServiceType(f.service_type).label,
                "total": f.total,
                "where": [breakdowns["site"], breakdowns["month"]],
                "answers": [breakdowns["status"], breakdowns["first_service"]],
                "acceptance": f.acceptance,
                "completion": f.completion,
                "median_days": f.median_days,
            }
        )
    context = {
        "tables": tables,
        "cells": counted.cells,
        "small": counted.hidden_small,
        "secondary": counted.hidden_secondary,
        "hidden": counted.hidden_small + counted.hidden_secondary,
        "k": counted.k,
    }
    return render(request, "cases/recovery/figures.html", context)

"""Figures by the four pillars over the API (/api/v1/reports/figures): the
same counts as the dashboard, with their definitions and the same
suppression; aggregates only, so analysts may read them (PROTECTION.md 10)."""

from datetime import date
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from salama.core import access as core_access
from salama.core.api_errors import ApiError, answers
from salama.core.roles import Perm
from salama.reports import access, figures
from salama.reports.forms import MAX_DAYS, default_period

router = Router(tags=["reports"])


class BreakdownOut(Schema):
    by: str
    rows: list[tuple[str, int | None]] = Field(
        ..., description="group code and count; null: hidden"
    )
    grouped: bool


class FigureOut(Schema):
    key: str
    label: str
    definition: str
    value: float | None = Field(..., description="null: hidden (small-cell suppression)")
    unit: str = Field(..., description="count, percent or days")
    breakdowns: list[BreakdownOut]


class PillarOut(Schema):
    key: str
    label: str
    figures: list[FigureOut]


class WpsOut(Schema):
    edition: str
    country_iso3: str
    score: float
    rank: int | None


class ReportOut(Schema):
    site: str = Field(..., description="the site's code")
    start: date
    end: date
    k: int
    cells: int
    hidden: int
    pillars: list[PillarOut]
    wps: list[WpsOut]


def _invalid(field: str, message: str) -> ApiError:
    return ApiError("invalid", message, 422, [{"field": field, "message": message}])


def _site(request: HttpRequest, code: str) -> Any:
    sites = access.report_sites(request.user)
    if not code:
        if not sites:
            raise _invalid("site", "You see figures at no site.")
        return sites[0]
    site = next((s for s in sites if s.code == code), None)
    if site is None:
        raise _invalid("site", "Unknown site.")
    return site


def _out(report: figures.Report) -> dict[str, Any]:
    return {
        "site": report.site.code,
        "start": report.start,
        "end": report.end,
        "k": report.k,
        "cells": report.tally.cells,
        "hidden": report.hidden,
        "pillars": [
            {
                "key": p.key,
                "label": str(p.label),
                "figures": [
                    {
                        "key": f.key,
                        "label": str(f.definition.label),
                        "definition": str(f.definition.text),
                        "value": f.value,
                        "unit": f.unit,
                        "breakdowns": [
                            {"by": b.by, "rows": b.rows, "grouped": b.grouped} for b in f.breakdowns
                        ],
                    }
                    for f in p.figures
                ],
            }
            for p in report.pillars
        ],
        "wps": [
            {
                "edition": s.edition,
                "country_iso3": s.country_iso3,
                "score": float(s.score),
                "rank": s.rank,
            }
            for s in report.wps
        ],
    }


@router.get(
    "/reports/figures", response=answers({200: ReportOut}), summary="Figures by the four pillars"
)
def report_figures(
    request: HttpRequest,
    site: str = Query("", max_length=40, description="a site's code (default: your first)"),
    start: date | None = None,
    end: date | None = None,
) -> Any:
    """Every figure of prevention, protection, participation and relief and
    recovery at a site and everything below it, from `start` (default: three
    months back) to `end` (included; default: today), with its definition; counts
    between 1 and k-1 are null, with secondary suppression."""
    if not core_access.has_perm(request.user, Perm.AGGREGATE_VIEW):
        raise ApiError("not_found", "Not found.", 404)
    first, last = default_period()
    start, end = start or first, end or last
    if end < start:
        raise _invalid("end", "The period ends before it starts.")
    if (end - start).days > MAX_DAYS:
        raise _invalid("start", "A report covers at most three years.")
    report = figures.pillar_report(_site(request, site), start, end, settings.SALAMA_SUPPRESSION_K)
    return _out(report)

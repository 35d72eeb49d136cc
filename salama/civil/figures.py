"""Civil registration figures for early warning and reports: registrations by
event type, site and month (and how many were late), marriages stopped and
why, and the protection flags raised and their outcomes. A registration is
counted only when its principal party's legal basis allows statistics;
stopped marriages hold no names and are all counted. Small cells are hidden
with secondary suppression, as every figure Salama publishes."""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from salama.civil.actions import PRINCIPAL
from salama.civil.models import CivilEvent, EventType, Party, Status, StoppedMarriage
from salama.core import access as core_access
from salama.core.roles import Perm
from salama.screening.selectors import Breakdown, Figures, publish_breakdowns, site_names


@dataclass
class Table:
    key: str
    total: int | None
    breakdowns: list[Breakdown]


def _scope(user: Any, path_field: str = "site_path") -> Q | None:
    return core_access.site_scope(user, Perm.AGGREGATE_VIEW, path_field)


def counted_events(user: Any) -> Any:
    scope = _scope(user)
    if scope is None:
        return CivilEvent.objects.none()
    principal_counted = Exists(
        Party.objects.filter(
            event=OuterRef("pk"),
            role__in=set(PRINCIPAL.values()),
            person__legal_bases__purpose="statistics",
        )
    )
    return (
        CivilEvent.objects.filter(scope, status=Status.REGISTERED)
        .annotate(counted=principal_counted)
        .filter(counted=True)
    )


def _month(moment: Any) -> str:
    return timezone.localdate(moment).isoformat()[:7]


def civil_figures(user: Any, language: str = "en") -> tuple[list[Table], Figures]:
    k = settings.SALAMA_SUPPRESSION_K
    counted = Figures([], k)
    tables: list[Table] = []
    events = list(
        counted_events(user).values_list(
            "event_type", "site_path", "registered_at", "late", "review_flags"
        )
    )
    stopped = list(_stopped(user))
    names = site_names({e[1] for e in events} | {s.site_path for s in stopped}, language)
    for event_type in EventType.values:
        rows = [e for e in events if e[0] == event_type]
        if not rows:
            continue
        groups = {"site": Counter(), "month": Counter(), "late": Counter({"late": 0, "on_time": 0})}
        for _type, path, at, late, _flags in rows:
            groups["site"][names.get(path, "?")] += 1
            groups["month"][_month(at)] += 1
            groups["late"]["late" if late else "on_time"] += 1
        total, breakdowns = publish_breakdowns(groups, ("site", "month", "late"), k, counted)
        tables.append(Table(event_type, total, breakdowns))
    if stopped:
        groups = {"site": Counter(), "month": Counter(), "reason": Counter()}
        for s in stopped:
            groups["site"][names.get(s.site_path, "?")] += 1
            groups["month"][_month(s.at)] += 1
            groups["reason"][s.reasons[0] if s.reasons else "unknown"] += 1
        total, breakdowns = publish_breakdowns(groups, ("site", "month", "reason"), k, counted)
        tables.append(Table("stopped", total, breakdowns))
    flags: dict[str, Counter[str]] = {}
    for *_rest, review in events:
        for flag in review or []:
            flags.setdefault(flag["code"], Counter())[flag.get("outcome") or "open"] += 1
    for code, outcomes in sorted(flags.items()):
        total, breakdowns = publish_breakdowns({"outcome": outcomes}, ("outcome",), k, counted)
        tables.append(Table(f"flag:{code}", total, breakdowns))
    return tables, counted


def _stopped(user: Any) -> Any:
    scope = _scope(user)
    if scope is None:
        return StoppedMarriage.objects.none()
    return StoppedMarriage.objects.filter(scope)

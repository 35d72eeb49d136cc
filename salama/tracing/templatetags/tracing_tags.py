"""Template helpers of the missing-persons desk."""

from typing import Any

from django import template
from django.utils.translation import gettext as _

from salama.core import access as core_access
from salama.core.roles import Perm
from salama.tracing.forms import CONSENT_LABELS
from salama.tracing.models import TracingCase

register = template.Library()


@register.simple_tag(takes_context=True)
def tracing_nav(context: Any) -> dict[str, Any]:
    """Whether the navigation shows the desk, and its open urgent cases (one
    count, only for those who may see cases)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not core_access.has_perm(user, Perm.TRACING_VIEW):
        return {"show": False}
    from salama.tracing.selectors import open_urgent_count

    return {
        "show": True,
        "urgent": open_urgent_count(user),
        "desks": core_access.has_perm(user, Perm.TRACING_DESK),
    }


@register.filter
def log_details(entry: Any) -> list[tuple[str, str]]:
    """What a log entry records besides its note, in words."""
    data = entry.data or {}
    kind = entry.kind
    out: list[tuple[str, str]] = []
    if data.get("place"):
        out.append((_("where"), data["place"]))
    if data.get("seen_at"):
        out.append((_("seen at"), data["seen_at"].replace("T", " ")[:16]))
    if kind == "status":
        labels = dict(TracingCase.Status.choices)
        before, after = (labels.get(str(data.get(k)), "") for k in ("before", "after"))
        out.append((_("status"), f"{before} → {after}"))
    elif kind == "candidate":
        who = data.get("person") or data.get("report") or ""
        verdict = _("confirmed") if data.get("confirmed") else _("not this person")
        out.append((_("candidate"), f"{who}: {verdict}"))
    elif kind == "assigned":
        out.append((_("assigned to"), data.get("assignee", "")))
    elif kind == "handover":
        out.append((_("authority"), data.get("authority", "")))
        out.append((_("consent"), str(CONSENT_LABELS.get(data.get("consent", ""), ""))))
        out.append((_("safety considerations"), data.get("safety", "")))
    elif kind == "disclosure":
        out.append(
            (
                _("choice"),
                _("Agreed that the reporter is told")
                if data.get("agreed")
                else _("Does not want the reporter to be told"),
            )
        )
    elif kind == "escalated":
        step = data.get("step")
        out.append(
            (
                _("told"),
                _("the protection officer") if step == 1 else _("the site manager"),
            )
        )
    elif kind == "duplicate":
        out.append((_("other case"), data.get("other", "")))
    elif kind == "opened":
        out.append((_("report"), data.get("report", "")))
    return out

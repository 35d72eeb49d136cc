"""The desk's part of a person's own-data file (PROTECTION.md 18): the
tracing cases about them, of the organisations answering. Who reported them
missing, and how to reach that person, is someone else's data and stays out:
the located person's choice decides what the reporter learns, not the reverse."""

from typing import Any

from django.utils.translation import gettext as _

from salama.tracing import access
from salama.tracing.models import TracingCase


def subject_section(person: Any, organisation_ids: set[int]) -> dict[str, Any]:
    cases = access.cases_about(person, organisation_ids)
    return {
        "title": _("Missing-persons desk"),
        "columns": [_("case"), _("kind"), _("status"), _("opened"), _("closed"), _("site")],
        "rows": [_row(c) for c in cases],
    }


def _row(case: TracingCase) -> list[str]:
    return [
        case.reference,
        str(case.get_kind_display()),
        str(case.get_status_display()),
        case.opened_at.date().isoformat(),
        case.closed_at.date().isoformat() if case.closed_at else "",
        case.site.name,
    ]

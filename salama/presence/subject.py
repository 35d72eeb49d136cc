"""Presence checks' part of a person's own-data file (PROTECTION.md 18):
where and when they were seen at roll calls and distributions, and the
absence alerts about them."""

from typing import Any

from django.utils.translation import gettext as _

from salama.presence import access


def subject_section(person: Any, organisation_ids: set[int]) -> dict[str, Any]:
    rows = [
        [
            s.at.date().isoformat(),
            str(s.presence_check.get_kind_display()),
            s.presence_check.site.name,
            _("seen"),
        ]
        for s in access.sightings_about(person)
    ]
    rows += [
        [
            a.created_at.date().isoformat(),
            _("Absence alert"),
            "",
            str(a.get_status_display()),
        ]
        for a in access.alerts_about(person)
    ]
    return {
        "title": _("Roll calls and distributions"),
        "columns": [_("date"), _("kind"), _("site"), _("status")],
        "rows": sorted(rows),
    }

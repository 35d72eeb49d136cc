"""Civil registration's part of a person's own-data file: the records in which
they are a party (births, marriages, divorces, deaths) of the organisations
answering, with each record's documents. Marriages stopped at the desk hold no
names and are not in it: the child-protection case they opened is, in the
cases' section."""

from typing import Any

from django.utils.translation import gettext as _

from salama.civil import access


def subject_section(person: Any, organisation_ids: set[int]) -> dict[str, Any]:
    rows = []
    for event in access.events_of_person(person, organisation_ids):
        roles = sorted(
            {str(p.get_role_display()) for p in event.parties.all() if p.person_id == person.pk}
        )
        rows.append(
            [
                event.number or event.reference,
                str(event.get_event_type_display()),
                str(event.get_status_display()),
                ", ".join(roles),
                event.event_date.isoformat(),
                event.place,
                event.state_certificate_number,
                "; ".join(
                    f"{c.serial} ({c.get_kind_display()}"
                    + (
                        f", {_('revoked')} {c.revoked_at.date().isoformat()}"
                        if c.revoked_at
                        else ""
                    )
                    + ")"
                    for c in event.certificates.all()
                ),
            ]
        )
    return {
        "title": _("Civil registration"),
        "columns": [
            _("record"),
            _("event"),
            _("status"),
            _("role"),
            _("date of the event"),
            _("place"),
            _("state certificate number"),
            _("documents"),
        ],
        "rows": rows,
    }

"""The cases' part of a person's own-data file: their protection cases, the
referrals made for them (with what was shared and on what basis), the
services they received and their case plan, of the organisations answering.
Alleged exploiters are other people's data and stay out, as do the
caseworkers' notes (they may hold third parties' information; a data
protection officer can release them one by one)."""

from typing import Any

from django.utils.translation import gettext as _

from salama.cases import access


def subject_section(person: Any, organisation_ids: set[int]) -> dict[str, Any]:
    rows = []
    for case in access.cases_about(person, organisation_ids):
        rows.append(
            [
                case.reference,
                str(case.get_case_type_display()),
                str(case.get_status_display()),
                case.opened_at.date().isoformat(),
                case.closed_at.date().isoformat() if case.closed_at else "",
                case.site.name,
                "; ".join(_referral(r) for r in case.referrals.all()),
                "; ".join(
                    f"{s.get_service_type_display()} {s.delivered_on.isoformat()}"
                    for s in case.services.all()
                ),
                "; ".join(str(item.objective) for item in case.plan.all()),
            ]
        )
    return {
        "title": _("Protection cases"),
        "columns": [
            _("case"),
            _("case type"),
            _("status"),
            _("opened"),
            _("closed"),
            _("site"),
            _("referrals"),
            _("services received"),
            _("case plan"),
        ],
        "rows": rows,
    }


def _referral(referral: Any) -> str:
    basis = _("with consent") if referral.consent_given else _("without consent (override)")
    shared = ", ".join(referral.consent_fields)
    return (
        f"{referral.reference} {referral.get_service_type_display()} "
        f"({referral.get_status_display()}, {basis}; {_('shared')}: {shared or '-'})"
    )

"""What every figure of the four-pillar report counts, in words a reader of the
printed report can check: its label and its definition (shown beside the
figure on the dashboard, in the PDF and in the API)."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PREVENTION, PROTECTION, PARTICIPATION, RECOVERY = (
    "prevention",
    "protection",
    "participation",
    "recovery",
)
PILLARS: dict[str, Promise] = {
    PREVENTION: _("Prevention"),
    PROTECTION: _("Protection"),
    PARTICIPATION: _("Participation"),
    RECOVERY: _("Relief and recovery"),
}
STATISTICS_ONLY = _("Only people whose legal basis allows statistics are counted.")


@dataclass(frozen=True)
class Definition:
    pillar: str
    label: Promise
    text: Promise
    suppressed: bool = True  # a count of people: small cells are hidden


DEFINITIONS: dict[str, Definition] = {
    "registered": Definition(
        PREVENTION,
        _("Residents registered"),
        _(
            "People in the registry at the site on the last day of the period (not merged "
            "into another record, not recorded as dead), by sex and by age on that day."
        ),
    ),
    "presence_checks": Definition(
        PREVENTION,
        _("Presence checks held"),
        _(
            "Roll calls and distributions at which presence was recorded, held in the "
            "period. A count of events, not of people: not suppressed."
        ),
        suppressed=False,
    ),
    "screenings": Definition(
        PREVENTION,
        _("Screenings done"),
        _("Screenings for trafficking risk and vulnerability done in the period, by sex."),
    ),
    "screening_coverage": Definition(
        PREVENTION,
        _("Screening coverage"),
        _(
            "People screened at least once in the period, as a share of the residents "
            "registered. Hidden when either count is hidden."
        ),
    ),
    "civil_registrations": Definition(
        PREVENTION,
        _("Civil registrations"),
        _(
            "Births, marriages, divorces and deaths registered in the period, by event. "
            "Counted when the principal party's legal basis allows statistics."
        ),
    ),
    "marriages_stopped": Definition(
        PREVENTION,
        _("Child marriages stopped at the desk"),
        _(
            "Marriage registrations refused in the period because a party was under the "
            "legal age. These records hold no names and are all counted."
        ),
    ),
    "alerts": Definition(
        PREVENTION,
        _("Early-warning alerts"),
        _(
            "Alerts raised in the period on the site's weekly counts, by what their "
            "verification found. Alerts are about weeks, not people: not suppressed."
        ),
        suppressed=False,
    ),
    "false_alarm_rate": Definition(
        PREVENTION,
        _("False alarms among verified alerts"),
        _("Alerts verified as false alarms, as a share of the alerts verified in the period."),
        suppressed=False,
    ),
    "identifications": Definition(
        PROTECTION,
        _("Protection cases opened"),
        _(
            "Cases opened in the period for people identified as at risk or as survivors, "
            "by type of case (trafficking, gender-based violence, child protection, other)."
        ),
    ),
    "referrals": Definition(
        PROTECTION,
        _("Referrals made with consent"),
        _(
            "Referrals to services made in the period with the person's consent (not "
            "withdrawn), by their answer. Referrals made without consent are not counted."
        ),
    ),
    "missing_reports": Definition(
        PROTECTION,
        _("Missing-person cases opened"),
        _("Missing-person cases opened at the tracing desk in the period, open or closed now."),
    ),
    "complaints": Definition(
        PROTECTION,
        _("Complaints of sexual exploitation and abuse"),
        _(
            "Complaints received in the period, closed or still being handled, from the "
            "complaints' own figures: counts only, never a complaint."
        ),
    ),
    "complaint_ack_days": Definition(
        PROTECTION,
        _("Days to acknowledge a complaint (median)"),
        _(
            "Median whole days from receipt to acknowledgement of the complaints received "
            "in the period. Hidden when their count is hidden."
        ),
    ),
    "consultations": Definition(
        PARTICIPATION,
        _("Consultations and feedback sessions"),
        _(
            "Consultations and feedback sessions with women and survivors held at the site "
            "in the period, as recorded here. A count of meetings: not suppressed."
        ),
        suppressed=False,
    ),
    "participants": Definition(
        PARTICIPATION,
        _("Participants"),
        _(
            "People who took part in those sessions, by sex and age group as recorded "
            "(a person at two sessions counts twice)."
        ),
    ),
    "survivor_sessions": Definition(
        PARTICIPATION,
        _("Sessions in which survivors took part"),
        _("Sessions recorded as including survivors, who took part voluntarily."),
        suppressed=False,
    ),
    "committee_women": Definition(
        PARTICIPATION,
        _("Women in site committees"),
        _(
            "Women among the members of the site's committees, from each committee's latest "
            "record on or before the last day of the period. Committee membership is "
            "public: not suppressed."
        ),
        suppressed=False,
    ),
    "services": Definition(
        RECOVERY,
        _("Services delivered"),
        _(
            "Services delivered in the period (health including sexual and reproductive "
            "health, shelter, food, livelihoods, education and others), by type. An offer "
            "not taken up is not counted."
        ),
    ),
    "eligibility": Definition(
        RECOVERY,
        _("Eligible for reparations and other programmes"),
        _(
            "People found eligible for, or who applied to, reparations, victim-of-terrorism "
            "or DDR reintegration programmes, by programme, as recorded by the last day."
        ),
    ),
    "reintegration": Definition(
        RECOVERY,
        _("Cases closed with the plan completed"),
        _("Protection cases closed in the period because their case plan was completed."),
    ),
}

"""The one table that maps each role to the actions it may take.

Registry records are scoped by site: a membership grants its role's actions on
the sites it lists (and everything below them).
"""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    REGISTRATION_OFFICER = "registration_officer"
    TRACING_OFFICER = "tracing_officer"
    CASEWORKER = "caseworker"
    CIVIL_REGISTRAR = "civil_registrar"
    PSEA_FOCAL_POINT = "psea_focal_point"
    INVESTIGATION_FOCAL_POINT = "investigation_focal_point"
    PSEA_COORDINATOR = "psea_coordinator"
    PROTECTION_OFFICER = "protection_officer"
    ANALYST = "analyst"
    ADMINISTRATOR = "administrator"
    DATA_PROTECTION_OFFICER = "data_protection_officer"


ROLE_LABELS = {
    Role.REGISTRATION_OFFICER: _("Registration officer"),
    Role.TRACING_OFFICER: _("Tracing officer"),
    Role.CASEWORKER: _("Caseworker"),
    Role.CIVIL_REGISTRAR: _("Civil registrar"),
    Role.PSEA_FOCAL_POINT: _("PSEA focal point"),
    Role.INVESTIGATION_FOCAL_POINT: _("Investigation focal point (conduct and discipline)"),
    Role.PSEA_COORDINATOR: _("PSEA network coordinator (figures only)"),
    Role.PROTECTION_OFFICER: _("Protection officer / site manager"),
    Role.ANALYST: _("Analyst (aggregates only)"),
    Role.ADMINISTRATOR: _("Administrator"),
    Role.DATA_PROTECTION_OFFICER: _("Data protection officer"),
}


class Perm(StrEnum):
    PERSON_VIEW = "person.view"
    PERSON_CREATE = "person.create"
    PERSON_CHANGE = "person.change"
    PERSON_DELETE = "person.delete"
    PERSON_MERGE = "person.merge"
    HOUSEHOLD_VIEW = "household.view"
    HOUSEHOLD_CREATE = "household.create"
    HOUSEHOLD_CHANGE = "household.change"
    REGISTRY_IMPORT = "registry.import"
    REGISTRY_EXPORT = "registry.export"
    AUDIT_VIEW = "audit.view"
    AGGREGATE_VIEW = "aggregate.view"
    SCREENING_VIEW = "screening.view"
    SCREENING_CREATE = "screening.create"
    ALERT_VIEW = "alert.view"
    FIELD_SUBMIT = "field.submit"
    SUBMISSION_REVIEW = "submission.review"
    # A person's request for all the data held about them (PROTECTION.md 18).
    SUBJECT_ACCESS = "subject.access"
    # The missing-persons desk: tracing cases are case data of the desk's
    # organisation (PROTECTION.md 7).
    TRACING_VIEW = "tracing.view"
    TRACING_REPORT = "tracing.report"
    TRACING_ACT = "tracing.act"
    # A site's desk: its place and hours, the duty roster, the printed notice.
    TRACING_DESK = "tracing.desk"
    # Roll calls and distributions: who was seen.
    PRESENCE_RECORD = "presence.record"
    ABSENCE_VIEW = "absence.view"
    ABSENCE_RESOLVE = "absence.resolve"
    # Protection cases and referrals (case data of one organisation).
    CASE_VIEW = "case.view"
    CASE_WORK = "case.work"
    # Reassign, review, see overrides of consent.
    CASE_SUPERVISE = "case.supervise"
    # Answer referrals made to one's own organisation's services.
    REFERRAL_RECEIVE = "referral.receive"
    # Keep a site's service directory and referral pathways.
    SERVICE_KEEP = "service.keep"
    # Alleged exploiters and the links between cases (para 41).
    NETWORK_VIEW = "network.view"
    # Civil registration: read the register, and declare, validate, register,
    # correct and certify births, marriages, divorces and deaths.
    CIVIL_VIEW = "civil.view"
    CIVIL_REGISTER = "civil.register"
    # Complaints of sexual exploitation and abuse, a trust domain of their own
    # (PROTECTION.md 9): receive and handle those made to one's organisation,
    # investigate those referred to it, read the network's figures, and break
    # the glass (administrators: audited, the coordinator is told).
    COMPLAINT_RECEIVE = "complaint.receive"
    COMPLAINT_INVESTIGATE = "complaint.investigate"
    COMPLAINT_FIGURES = "complaint.figures"
    COMPLAINT_BREAK_GLASS = "complaint.break_glass"
    # Verifying early-warning alerts and keeping the risk factors of a site.
    WARNING_VERIFY = "warning.verify"
    # Participation records (consultations, committees) and WPS Index scores.
    REPORTS_KEEP = "reports.keep"
    # The case-level CTDC export to a partner under an agreement (PROTECTION.md 13-15).
    CASES_SHARE = "cases.share"
    # Organisations, sites, users, devices and tokens (administrators only), and
    # the background jobs' page.
    ADMINISTER = "administer"


_READ = {Perm.PERSON_VIEW, Perm.HOUSEHOLD_VIEW}
_WRITE = {Perm.PERSON_CREATE, Perm.PERSON_CHANGE, Perm.HOUSEHOLD_CREATE, Perm.HOUSEHOLD_CHANGE}
# Screening and its alerts belong to protection work (purpose "protection").
_SCREEN = {Perm.SCREENING_VIEW, Perm.SCREENING_CREATE, Perm.ALERT_VIEW, Perm.SUBMISSION_REVIEW}
_CASES = {Perm.CASE_VIEW, Perm.CASE_WORK, Perm.REFERRAL_RECEIVE}
_TRACE = {
    Perm.TRACING_VIEW,
    Perm.TRACING_REPORT,
    Perm.TRACING_ACT,
    Perm.PRESENCE_RECORD,
    Perm.ABSENCE_VIEW,
}

# What reads a complaint: never held by an administrator (PROTECTION.md 9).
COMPLAINT_READERS = {Perm.COMPLAINT_RECEIVE, Perm.COMPLAINT_INVESTIGATE, Perm.COMPLAINT_FIGURES}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.REGISTRATION_OFFICER: frozenset(
        _READ | _WRITE | {Perm.REGISTRY_IMPORT, Perm.PERSON_MERGE, Perm.PRESENCE_RECORD}
    ),
    Role.TRACING_OFFICER: frozenset(_READ | _TRACE),
    Role.CASEWORKER: frozenset(_READ | _SCREEN | _CASES | {Perm.FIELD_SUBMIT}),
    Role.CIVIL_REGISTRAR: frozenset(_READ | {Perm.CIVIL_VIEW, Perm.CIVIL_REGISTER}),
    # SEA complaints are walled off from the registry (PROTECTION.md 9).
    Role.PSEA_FOCAL_POINT: frozenset({Perm.COMPLAINT_RECEIVE}),
    Role.INVESTIGATION_FOCAL_POINT: frozenset({Perm.COMPLAINT_INVESTIGATE}),
    Role.PSEA_COORDINATOR: frozenset({Perm.COMPLAINT_FIGURES}),
    Role.PROTECTION_OFFICER: frozenset(
        _READ
        | _SCREEN
        | _TRACE
        | _CASES
        | {
            Perm.REGISTRY_EXPORT,
            Perm.AGGREGATE_VIEW,
            Perm.TRACING_DESK,
            Perm.ABSENCE_RESOLVE,
            Perm.CASE_SUPERVISE,
            Perm.SERVICE_KEEP,
            Perm.NETWORK_VIEW,
            Perm.WARNING_VERIFY,
            Perm.REPORTS_KEEP,
            Perm.CASES_SHARE,
        }
    ),
    # Analysts see aggregates only, never a record (PROTECTION.md 10).
    Role.ANALYST: frozenset({Perm.AGGREGATE_VIEW}),
    # Administrators hold every permission but those that read complaints.
    Role.ADMINISTRATOR: frozenset(Perm) - COMPLAINT_READERS,
    # Reads the audit trail ("who accessed this person"), receives bulk-access
    # alerts and answers a person's request for their own data (PROTECTION.md 16-18).
    Role.DATA_PROTECTION_OFFICER: frozenset(_READ | {Perm.AUDIT_VIEW, Perm.SUBJECT_ACCESS}),
}

# The purpose recorded in the audit trail and checked against a person's
# legal bases when a member of this role reads or writes a registry record.
ROLE_PURPOSE: dict[Role, str] = {
    Role.REGISTRATION_OFFICER: "registration",
    Role.TRACING_OFFICER: "tracing",
    Role.CASEWORKER: "protection",
    Role.CIVIL_REGISTRAR: "civil_registration",
    Role.PSEA_FOCAL_POINT: "protection",
    Role.INVESTIGATION_FOCAL_POINT: "protection",
    Role.PSEA_COORDINATOR: "statistics",
    Role.PROTECTION_OFFICER: "protection",
    Role.ANALYST: "statistics",
    Role.ADMINISTRATOR: "registration",
    Role.DATA_PROTECTION_OFFICER: "registration",
}

# Every role except the aggregates-only analyst can see personal data, so must
# use two-factor login (PROTECTION.md 20).
ROLES_NEEDING_2FA = frozenset(Role) - {Role.ANALYST}


# Roles that need the names of survivors in lists and search results.
ROLES_SEEING_SURVIVOR_NAMES = frozenset(
    {Role.CASEWORKER, Role.PROTECTION_OFFICER, Role.ADMINISTRATOR}
)


def role_allows(role: str, perm: Perm) -> bool:
    return perm in ROLE_PERMISSIONS.get(Role(role), frozenset())

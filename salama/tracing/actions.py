"""Writes of the missing-persons desk: one named, atomic, audited function each.

A report starts the search in the request that stores it: the case opens,
the on-duty tracing officers and the protection officer are told, and the
registry and the other open reports are searched, all in one transaction."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.audit.actions import audit_record
from salama.core import access as core_access
from salama.core.models import Site
from salama.core.roles import Perm, Role
from salama.lib.ages import age_band, birth_years
from salama.lib.images import NotAnImage, clean_photo
from salama.lib.tracing import urgency as rules
from salama.registry import matching
from salama.registry.models import LegalBasis, Person
from salama.tracing import access
from salama.tracing.models import (
    CaseAction,
    CaseCandidate,
    Desk,
    DutyShift,
    ReportPhoto,
    TracingCase,
    TracingReport,
)
from salama.tracing.reports import ReportError, ReportInput

PURPOSE = "tracing"
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PIN_DIGITS = 6
PIN_FAILURES_BEFORE_LOCK = 5
PIN_LOCK_MINUTES = 15
CANDIDATES_KEPT = 10
# What a reporter may add through the status page, per report and hour (each
# addition notifies an officer).
REPORTER_ADDITIONS_PER_HOUR = 10
MIN_PROBABILITY = 0.001
# A report of the same kind this likely to describe the same person is linked.
DUPLICATE_PROBABILITY = 0.8
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}
MAX_PHOTO_BYTES = 5 * 1024 * 1024

Status = TracingCase.Status
Kind = CaseAction.Kind
# What may follow what. Any closed state may be reopened (with a note).
TRANSITIONS: dict[str, set[str]] = {
    Status.INVESTIGATING: {
        Status.LOCATED,
        Status.REFERRED,
        Status.CLOSED,
        Status.DECEASED,
        Status.DETAINED,
    },
    Status.LOCATED: {
        Status.REUNIFIED,
        Status.REFERRED,
        Status.CLOSED,
        Status.INVESTIGATING,
        Status.DECEASED,
        Status.DETAINED,
    },
}
CLOSED_STATES = {Status.REUNIFIED, Status.REFERRED, Status.CLOSED, Status.DECEASED, Status.DETAINED}
for _closed in CLOSED_STATES:
    TRANSITIONS[_closed] = {Status.INVESTIGATING}
# Log entries that are the staff's own work count as the first action.
FIRST_ACTION_KINDS = {
    Kind.NOTE,
    Kind.CONTACT,
    Kind.SEARCH,
    Kind.SIGHTING,
    Kind.STATUS,
    Kind.CANDIDATE,
    Kind.ASSIGNED,
    Kind.HANDOVER,
    Kind.DISCLOSURE,
}


class TracingError(ValueError):
    """An action that cannot be taken, with a message for the user."""


def _audit(user: Any, action: str, model: str, record_id: Any, changed: Any = ()) -> None:
    audit_record(
        user=user,
        action=action,
        purpose=PURPOSE,
        model=f"tracing.{model}",
        record_id=record_id,
        changed_fields=changed,
    )


def _code(prefix: str, length: int = 8) -> str:
    return f"{prefix}-{''.join(secrets.choice(_ALPHABET) for _ in range(length))}"


def _unique(model: Any, prefix: str) -> str:
    while True:
        code = _code(prefix)
        if not model.objects.filter(reference=code).exists():
            return code


def _link(case: TracingCase) -> str:
    return f"/tracing/cases/{case.pk}/"


def _log(case: TracingCase, kind: str, user: Any, note: str = "", **data: Any) -> CaseAction:
    now = timezone.now()
    entry = CaseAction.objects.create(case=case, kind=kind, at=now, user=user, note=note, data=data)
    if kind in FIRST_ACTION_KINDS and case.first_action_at is None and user is not None:
        case.first_action_at = now
        case.save(update_fields=["first_action_at"])
    return entry


@dataclass
class Taken:
    report: TracingReport
    case: TracingCase
    pin: str
    candidates: list[CaseCandidate]
    duplicate_of: TracingReport | None


def _person_facts(person: Person | None) -> tuple[list[str], int | None]:
    if person is None:
        return [], None
    today = timezone.localdate()
    from salama.lib.ages import best_age

    age = best_age(person.birth_date, person.birth_year_min, person.birth_year_max, today)
    return list(person.specific_needs or []), age


def _assess(data: ReportInput, person: Person | None) -> rules.Urgency:
    needs, registry_age = _person_facts(person)
    age = data.age()
    return rules.assess(
        kind=data.kind,
        age=age if age is not None else registry_age,
        sex=data.sex if data.sex != "U" or person is None else person.sex,
        circumstances=data.circumstances,
        specific_needs=needs,
        unaccompanied=data.unaccompanied,
        woman_at_risk=data.woman_at_risk,
    )


def _check_photo(photo: tuple[bytes, str] | None) -> tuple[bytes, str] | None:
    """The photo re-encoded without what the camera wrote beside the pixels
    (a phone photo carries the GPS position of where it was taken)."""
    if photo is None:
        return None
    content, content_type = photo
    if content_type not in PHOTO_TYPES:
        raise ReportError({"photo": _("A photo is a JPEG, PNG or WebP image.")})
    if len(content) > MAX_PHOTO_BYTES:
        raise ReportError({"photo": _("A photo is at most 5 MB.")})
    try:
        return clean_photo(content)
    except NotAnImage:
        raise ReportError({"photo": _("This photo cannot be read: send another one.")}) from None


@transaction.atomic
def report_take(
    *,
    user: Any,
    desk: Desk,
    data: ReportInput,
    channel: str,
    registry_person: Person | None = None,
    photo: tuple[bytes, str] | None = None,
    absence_alert: Any = None,
) -> Taken:
    """Store a report, open its case and start the search at once.

    `user` is None for the public page. A desk or API user must hold
    TRACING_REPORT for the desk (the caller fetched it with access.get_desk)."""
    if user is not None and not access.desks_for(user, Perm.TRACING_REPORT).filter(pk=desk.pk):
        raise PermissionDenied(_("You do not take reports for this desk."))
    if data.kind not in ("missing", "found"):
        raise ReportError({"kind": _("Must be 'missing' or 'found'.")})
    photo = _check_photo(photo)
    now = timezone.now()
    found = _assess(data, registry_person)
    person_data = dict(data.person)
    if registry_person is not None and not data.has_name():
        person_data.update(_registry_names(registry_person))
    counted = data.counted or (
        registry_person is not None
        and LegalBasis.objects.filter(person=registry_person, purpose="statistics").exists()
    )
    age = data.age() if data.age() is not None else _person_facts(registry_person)[1]
    case = TracingCase.objects.create(
        reference=_unique(TracingCase, "TR"),
        kind=data.kind,
        site=desk.site,
        site_path=desk.site.path,
        organisation=desk.organisation,
        urgency=found.level,
        urgent=found.urgent,
        urgency_reasons=list(found.reasons),
        opened_at=now,
        first_action_due=rules.first_action_due(
            now, found.level, settings.SALAMA_TRACING_FIRST_ACTION_MINUTES
        ),
        person=registry_person,
        sex=data.sex if data.sex != "U" or registry_person is None else registry_person.sex,
        age_group=age_band(age),
        counted=counted,
    )
    pin = "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))
    report = TracingReport.objects.create(
        reference=_unique(TracingReport, "MR" if data.kind == "missing" else "FR"),
        pin_hash="",
        kind=data.kind,
        channel=channel,
        case=case,
        site_path=desk.site.path,
        organisation=desk.organisation,
        person=person_data,
        last_seen=data.last_seen,
        circumstances=data.circumstances,
        circumstances_detail=data.circumstances_detail,
        reporter=data.reporter,
        registry_person=registry_person,
        created_by=user,
    )
    report.pin_hash = pin_digest(report, pin)
    report.save(update_fields=["pin_hash"])
    if photo is not None:
        from salama.core.fields import encrypt_bytes

        ReportPhoto.objects.create(
            report=report, content_type=photo[1], data=encrypt_bytes(photo[0])
        )
    _log(case, Kind.OPENED, user, channel=channel, report=report.reference)
    _audit(user, "create", "TracingCase", case.pk)
    _audit(user, "create", "TracingReport", report.pk)
    candidates, duplicate = _search(case, report, desk, data, registry_person)
    if absence_alert is not None:  # a report opened from an absence alert answers it
        from salama.presence.actions import absence_alert_mark_reported

        absence_alert_mark_reported(user=user, alert=absence_alert, case_reference=case.reference)
        _log(case, Kind.NOTE, None, _("Opened from an absence alert."), alert=absence_alert.pk)
    _notify_new(case, desk, user)
    return Taken(report, case, pin, candidates, duplicate)


def _registry_names(person: Person) -> dict[str, Any]:
    names: dict[str, Any] = {
        f"{p}{s}": getattr(person, f"{p}{s}") for p in _PARTS for s in ("", "_latin")
    }
    names["sex"] = person.sex
    if person.birth_date:
        names["birth_date"] = person.birth_date.isoformat()
    return names


_PARTS = ("given_name", "father_name", "grandfather_name", "family_name")


def _report_row(report: TracingReport) -> dict[str, Any]:
    """Another report as the engine's person values (matching.VALUE_FIELDS)."""
    person = report.person or {}
    born = person.get("birth_date")
    age = person.get("stated_age")
    stated_on = report.created_at.date()
    year_max = birth_years(date.fromisoformat(born) if born else None, age, stated_on)[1]
    row: dict[str, Any] = {
        "pk": report.pk,
        "sex": person.get("sex", ""),
        "birth_date": date.fromisoformat(born) if born else None,
        "birth_date_estimated": False,
        "birth_year_max": year_max,
        "stated_age": age,
        "stated_age_on": stated_on if age is not None else None,
        "origin_place": "",
        "origin_country": "",
        "household_id": f"report-{report.pk}",
        "phone": "",
    }
    for p in _PARTS:
        for s in ("", "_latin"):
            row[f"{p}{s}"] = person.get(f"{p}{s}", "")
    return row


def _search(
    case: TracingCase,
    report: TracingReport,
    desk: Desk,
    data: ReportInput,
    registry_person: Person | None,
) -> tuple[list[CaseCandidate], TracingReport | None]:
    """Candidates from the registry and from the other open reports, stored
    with the case; a likely earlier report of the same person is linked."""
    query = data.query() if data.has_name() else _query_of(registry_person)
    if query is None:
        return [], None
    kept: list[CaseCandidate] = []
    # A report made from a registry record still searches the registries: the
    # person may have been registered again elsewhere (a new arrival, a child
    # taken in by another household); the record itself is not a candidate.
    for match in access.registry_matches(access.searched_paths(desk), query, CANDIDATES_KEPT + 1):
        if registry_person is not None and match.person.pk == registry_person.pk:
            continue
        if match.probability >= MIN_PROBABILITY and len(kept) < CANDIDATES_KEPT:
            kept.append(
                CaseCandidate(
                    case=case,
                    person=match.person,
                    probability=match.probability,
                    explanation=match.explanation,
                )
            )
    others = {r.pk: r for r in access.open_reports(desk.organisation_id, exclude_case=case)}
    duplicate = None
    if others:
        rows = [_report_row(r) for r in others.values()]
        population = max(len(rows), 1000)
        for match in matching.score(query, rows, population, CANDIDATES_KEPT, documents={}):
            other = others[match.person["pk"]]
            if match.probability < MIN_PROBABILITY:
                continue
            kept.append(
                CaseCandidate(
                    case=case,
                    report=other,
                    probability=match.probability,
                    explanation=match.explanation,
                )
            )
            if (
                other.kind == report.kind
                and duplicate is None
                and match.probability >= DUPLICATE_PROBABILITY
            ):
                duplicate = other
    CaseCandidate.objects.bulk_create(kept)
    if duplicate is not None:
        report.duplicate_of = duplicate
        report.save(update_fields=["duplicate_of"])
        _log(case, Kind.DUPLICATE, None, report=duplicate.reference, other=duplicate.case.reference)
        _log(duplicate.case, Kind.DUPLICATE, None, report=report.reference, other=case.reference)
    return sorted(kept, key=lambda c: -c.probability), duplicate


def _query_of(person: Person | None) -> dict[str, str] | None:
    if person is None:
        return None
    rows = matching.person_rows(person, document="")
    return {k: v for k, v in rows[0].items() if k != "id"}


_SUBJECTS = {
    ("missing", True): gettext_lazy("Urgent: a missing person was reported"),
    ("missing", False): gettext_lazy("A missing person was reported"),
    ("found", True): gettext_lazy("Urgent: a found person was reported"),
    ("found", False): gettext_lazy("A found person was reported"),
}


def _notify_new(case: TracingCase, desk: Desk, actor: Any) -> None:
    from salama.notifications.actions import notify

    recipients = [*access.on_duty(desk), *access.desk_staff(desk, Role.PROTECTION_OFFICER)]
    notify(
        recipients=recipients,
        kind="tracing.case_opened",
        subject=_SUBJECTS[(case.kind, case.urgent)],
        reference=case.reference,
        link=_link(case),
        actor=actor,
    )


@transaction.atomic
def case_act(*, user: Any, case: TracingCase, kind: str, note: str = "", **data: Any) -> CaseAction:
    """A note, a contact, a place searched or a sighting, in the case's log."""
    if kind not in {Kind.NOTE, Kind.CONTACT, Kind.SEARCH, Kind.SIGHTING}:
        raise TracingError(_("Unknown kind of action."))
    if not note.strip() and kind != Kind.SIGHTING:
        raise TracingError(_("Say what was done."))
    if kind == Kind.SIGHTING and not (data.get("place") or note.strip()):
        raise TracingError(_("Say where the person was seen."))
    seen = data.get("seen_at")
    if isinstance(seen, str) and seen:
        try:
            seen = datetime.fromisoformat(seen)
        except ValueError:
            raise TracingError(_("When the person was seen is not a date and time.")) from None
    if isinstance(seen, datetime) and timezone.is_aware(seen) and seen > timezone.now():
        raise TracingError(_("A sighting cannot be in the future."))
    case = access.case_for_update(case)
    entry = _log(case, kind, user, note.strip(), **data)
    _audit(user, "update", "TracingCase", case.pk, ["actions"])
    return entry


@transaction.atomic
def case_status_set(*, user: Any, case: TracingCase, status: str, note: str = "") -> TracingCase:
    case = access.case_for_update(case)
    if status not in Status.values:
        raise TracingError(_("Unknown status."))
    if status not in TRANSITIONS.get(case.status, set()):
        raise TracingError(
            _("A case that is %(now)s cannot become %(next)s.")
            % {"now": Status(case.status).label, "next": Status(status).label}
        )
    if (status in CLOSED_STATES or status == Status.INVESTIGATING) and not note.strip():
        raise TracingError(_("Give the reason in a note."))
    if status == Status.REUNIFIED and case.disclosure == TracingCase.Disclosure.REFUSED:
        raise TracingError(
            _("The located person does not want the reporter to be told: not reunified.")
        )
    if status == Status.LOCATED and case.person_id is None and not note.strip():
        raise TracingError(_("Confirm a candidate, or say in a note where the person is."))
    before = case.status
    case.status = status
    case.closed_at = timezone.now() if status in CLOSED_STATES else None
    case.save(update_fields=["status", "closed_at"])
    _log(case, Kind.STATUS, user, note.strip(), before=before, after=status)
    _audit(user, "update", "TracingCase", case.pk, ["status"])
    return case


@transaction.atomic
def candidate_decide(
    *, user: Any, case: TracingCase, candidate: CaseCandidate, confirmed: bool
) -> TracingCase:
    """Confirm or reject a candidate. Confirming a registry person (or a found
    report) for a missing person means the person is located."""
    case = access.case_for_update(case)
    if candidate.case_id != case.pk:
        raise TracingError(_("This candidate belongs to another case."))
    if candidate.decision != CaseCandidate.Decision.PENDING:
        raise TracingError(_("This candidate was already checked."))
    candidate.decision = (
        CaseCandidate.Decision.CONFIRMED if confirmed else CaseCandidate.Decision.REJECTED
    )
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["decision", "decided_by", "decided_at"])
    changed = ["candidates"]
    if confirmed:
        if candidate.person_id is not None:
            case.person_id = candidate.person_id
            changed.append("person")
        if case.status == Status.INVESTIGATING and case.kind == "missing":
            case.status = Status.LOCATED
            changed.append("status")
        case.save(update_fields=[c for c in changed if c != "candidates"])
    # A survivor's registration number stays out of the log, which roles that
    # may not see survivors read (PROTECTION.md 8): the candidate is held there.
    person = candidate.person
    target = person.registration_number if person and not person.mask_name else ""
    other = candidate.report.reference if candidate.report else ""
    _log(case, Kind.CANDIDATE, user, confirmed=confirmed, person=target, report=other)
    _audit(user, "update", "TracingCase", case.pk, changed)
    return case


@transaction.atomic
def disclosure_record(*, user: Any, case: TracingCase, agreed: bool, note: str = "") -> TracingCase:
    """The located person's choice: may the reporter be told? An adult may
    choose not to be found, and the choice is kept."""
    case = access.case_for_update(case)
    if case.status not in {Status.LOCATED, Status.REUNIFIED} and case.person_id is None:
        raise TracingError(_("Record the located person's choice once they are located."))
    case.disclosure = TracingCase.Disclosure.AGREED if agreed else TracingCase.Disclosure.REFUSED
    case.save(update_fields=["disclosure"])
    _log(case, Kind.DISCLOSURE, user, note.strip(), agreed=agreed)
    _audit(user, "update", "TracingCase", case.pk, ["disclosure"])
    return case


HANDOVER_CONSENT = ("given", "refused", "not_possible")


@transaction.atomic
def handover_record(
    *,
    user: Any,
    case: TracingCase,
    authority: str,
    consent: str,
    safety: str,
    reason: str,
) -> CaseAction:
    """Handing a case to the police or another authority: a recorded decision
    with the consent and the safety considerations behind it, never automatic."""
    errors = []
    if not authority.strip():
        errors.append(_("Name the authority."))
    if consent not in HANDOVER_CONSENT:
        errors.append(_("Say whether consent was given, refused, or could not be asked."))
    if not safety.strip():
        errors.append(_("Write the safety considerations."))
    if not reason.strip():
        errors.append(_("Write the reason for handing over."))
    if errors:
        raise TracingError(" ".join(errors))
    case = access.case_for_update(case)
    entry = _log(
        case,
        Kind.HANDOVER,
        user,
        reason.strip(),
        authority=authority.strip(),
        consent=consent,
        safety=safety.strip(),
    )
    _audit(user, "update", "TracingCase", case.pk, ["handover"])
    return entry


@transaction.atomic
def case_assign(*, user: Any, case: TracingCase, assignee: Any) -> TracingCase:
    case = access.case_for_update(case)
    desk = access.desk_of_site(case.site)
    staff = {u.pk for u in access.desk_staff(desk, Role.TRACING_OFFICER)} if desk else set()
    if assignee.pk not in staff:
        raise TracingError(_("Assign the case to a tracing officer of this desk."))
    case.assigned_to = assignee
    case.save(update_fields=["assigned_to"])
    _log(case, Kind.ASSIGNED, user, assignee=assignee.username)
    _audit(user, "update", "TracingCase", case.pk, ["assigned_to"])
    return case


def pin_digest(report: TracingReport, pin: str) -> str:
    """The PIN kept as a keyed hash (HMAC-SHA256 under the server's secret key,
    salted with the report's id): the database alone does not give it away,
    and checking it is fast, so that a report costs no slow hash. Guessing
    online is stopped by the lockout below."""
    value = f"{report.pk}:{pin}"
    return salted_hmac("salama.tracing.pin", value, algorithm="sha256").hexdigest()


def pin_digest_unknown(pin: str) -> str:
    """The work of checking a PIN, for a reference that does not exist."""
    return salted_hmac("salama.tracing.pin", f"unknown:{pin}", algorithm="sha256").hexdigest()


def pin_matches(report: TracingReport, pin: str) -> bool:
    """Whether the PIN opens the report; five wrong PINs lock it for a quarter
    of an hour, so that a reference cannot be tried against every PIN."""
    with transaction.atomic():
        locked = TracingReport.objects.select_for_update().get(pk=report.pk)
        now = timezone.now()
        if locked.locked_until and locked.locked_until > now:
            return False
        if constant_time_compare(pin_digest(locked, str(pin)), locked.pin_hash):
            if locked.pin_failures:
                locked.pin_failures = 0
                locked.save(update_fields=["pin_failures"])
            return True
        locked.pin_failures += 1
        if locked.pin_failures >= PIN_FAILURES_BEFORE_LOCK:
            locked.pin_failures = 0
            locked.locked_until = now + timedelta(minutes=PIN_LOCK_MINUTES)
        locked.save(update_fields=["pin_failures", "locked_until"])
        return False


@transaction.atomic
def reporter_adds(*, report: TracingReport, text: str) -> CaseAction:
    """What a reporter adds on the status page goes to the case's log and to
    whoever works the case."""
    text = text.strip()
    if not text:
        raise TracingError(_("Write what you want to add."))
    if len(text) > 2000:
        raise TracingError(_("At most 2000 characters."))
    case = access.case_for_update(report.case)
    since = timezone.now() - timedelta(hours=1)
    if access.reporter_additions_since(case, since) >= REPORTER_ADDITIONS_PER_HOUR:
        raise TracingError(
            _("The desk has your messages. Please wait an hour, or come to the desk.")
        )
    entry = _log(case, Kind.REPORTER_INFO, None, text, report=report.reference)
    _audit(None, "update", "TracingCase", case.pk, ["actions"])
    desk = access.desk_of_site(case.site)
    from salama.notifications.actions import notify

    recipients = [case.assigned_to] if case.assigned_to else []
    if not recipients and desk is not None:
        recipients = access.on_duty(desk)
    notify(
        recipients=recipients,
        kind="tracing.reporter_info",
        subject=gettext_lazy("A reporter added information to a case"),
        reference=case.reference,
        link=_link(case),
    )
    return entry


# The escalation steps: who is told when a first action is overdue.
ESCALATION_ROLES = {1: Role.PROTECTION_OFFICER, 2: Role.ADMINISTRATOR}
ESCALATION_SUBJECTS = {
    1: gettext_lazy("A tracing case has had no action in time"),
    2: gettext_lazy("A tracing case is still without action: site manager alerted"),
}


@transaction.atomic
def escalate_overdue(now: datetime | None = None) -> int:
    """Escalate every open case whose first action is overdue (a periodic
    job): the desk's protection officer first, then the site manager."""
    from salama.notifications.actions import notify

    now = now or timezone.now()
    steps = settings.SALAMA_TRACING_ESCALATION_MINUTES
    escalated = 0
    for case in access.overdue_cases(now).select_for_update(of=("self",)):
        reached = rules.escalation_step(
            due=case.first_action_due,
            now=now,
            level=case.urgency,
            already=case.escalation,
            steps=steps,
        )
        desk = access.desk_of_site(case.site)
        for step in range(case.escalation + 1, reached + 1):
            recipients = list(access.desk_staff(desk, ESCALATION_ROLES[step])) if desk else []
            notify(
                recipients=recipients,
                kind="tracing.case_overdue",
                subject=ESCALATION_SUBJECTS[step],
                reference=case.reference,
                link=_link(case),
            )
            _log(case, Kind.ESCALATED, None, step=step)
            escalated += 1
        if reached > case.escalation:
            case.escalation = reached
            case.save(update_fields=["escalation"])
            _audit(None, "update", "TracingCase", case.pk, ["escalation"])
    return escalated


@transaction.atomic
def desk_save(
    *,
    user: Any,
    site: Any,
    organisation: Any,
    place: str,
    hours: str,
    searches: list[Any],
    public: bool,
    translations: dict[str, str] | None = None,
) -> Desk:
    """Open or change a site's desk (protection officers and administrators
    of the organisation that keeps it)."""
    scope = core_access.site_scope(user, Perm.TRACING_DESK, "path")
    # A system administrator may hand a desk to any organisation.
    keeps = core_access.is_system_administrator(user) or (
        organisation.pk in core_access.organisation_ids_with(user, Perm.TRACING_DESK)
    )
    if scope is None or not keeps or not Site.objects.filter(scope, pk=site.pk).exists():
        raise PermissionDenied(_("You do not keep desks for this organisation."))
    # Another organisation's desk at the site is not taken over (a system
    # administrator may still hand it on).
    existing = Desk.objects.filter(site=site).first()
    if (
        existing is not None
        and not core_access.is_system_administrator(user)
        and not access.desks_for(user, Perm.TRACING_DESK).filter(pk=existing.pk)
    ):
        raise TracingError(_("This site's desk is kept by another organisation."))
    if not core_access.is_system_administrator(user):
        outside = [s for s in searches if not Site.objects.filter(scope, pk=s.pk).exists()]
        if outside:
            raise TracingError(
                _("A desk searches only registries of sites you keep desks for: %(sites)s.")
                % {"sites": ", ".join(s.code for s in outside)}
            )
    desk, created = Desk.objects.update_or_create(
        site=site,
        defaults={
            "organisation": organisation,
            "place": place.strip(),
            "hours": hours.strip(),
            "public": public,
            **{
                f"{field}_{language}": (translations or {}).get(f"{field}_{language}", "").strip()
                for field in ("place", "hours")
                for language in ("ar", "fr")
            },
        },
    )
    desk.searches.set(searches)
    _audit(user, "create" if created else "update", "Desk", desk.pk)
    return desk


@transaction.atomic
def duty_shift_add(
    *, user: Any, desk: Desk, officer: Any, starts_at: datetime, ends_at: datetime
) -> DutyShift:
    if ends_at <= starts_at:
        raise TracingError(_("A shift ends after it starts."))
    if ends_at <= timezone.now():
        raise TracingError(_("This shift is over already: give one that ends later."))
    if (ends_at - starts_at).total_seconds() > 7 * 24 * 3600:
        raise TracingError(_("A shift is at most seven days long."))
    if officer.pk not in {u.pk for u in access.desk_staff(desk, Role.TRACING_OFFICER)}:
        raise TracingError(_("Only tracing officers of this desk go on its roster."))
    shift = DutyShift.objects.create(
        desk=desk, user=officer, starts_at=starts_at, ends_at=ends_at, created_by=user
    )
    _audit(user, "create", "DutyShift", shift.pk)
    return shift


@transaction.atomic
def duty_shift_end(*, user: Any, shift: DutyShift) -> None:
    now = timezone.now()
    shift.ends_at = max(min(shift.ends_at, now), shift.starts_at)
    shift.save(update_fields=["ends_at"])
    _audit(user, "update", "DutyShift", shift.pk, ["ends_at"])


@transaction.atomic
def tracing_retention(now: datetime | None = None) -> int:
    """Delete the cases closed longer ago than SALAMA_RETENTION_TRACING_DAYS,
    with their reports, photos, candidates and log (PROTECTION.md 19); one
    audit entry per case deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=max(1, settings.SALAMA_RETENTION_TRACING_DAYS))
    expired = access.cases_closed_before(cutoff)
    ids = list(expired.values_list("pk", flat=True))
    for pk in ids:
        _audit(None, "delete", "TracingCase", pk, ["retention"])
    expired.delete()
    return len(ids)


# --- The public report page (/missing/) ---


class AlreadySent(TracingError):
    """The same report form was sent before (a page reloaded, a button
    pressed twice): the report is stored once."""


@transaction.atomic
def public_report_take(
    *,
    desk: Desk,
    data: ReportInput,
    client: str,
    form: str,
    photo: tuple[bytes, str] | None = None,
) -> Taken:
    """A report from the public page: stored as report_take stores any
    report, counted against the client's hourly limit (`client` is a keyed
    hash of its address), and only once per form (`form`: a keyed hash of
    the form's one-time value)."""
    from django.db import IntegrityError

    from salama.tracing.models import PublicLimitHit

    now = timezone.now()
    try:
        with transaction.atomic():
            PublicLimitHit.objects.create(kind=PublicLimitHit.Kind.FORM, key=form, at=now)
    except IntegrityError:
        raise AlreadySent(_("This report was already sent.")) from None
    taken = report_take(user=None, desk=desk, data=data, channel="public", photo=photo)
    PublicLimitHit.objects.create(kind=PublicLimitHit.Kind.REPORT, key=client, at=now)
    return taken


@transaction.atomic
def public_lookup_failed(*, client: str) -> None:
    """A status look-up whose reference or PIN was wrong, counted against the
    client's hourly limit."""
    from salama.tracing.models import PublicLimitHit

    PublicLimitHit.objects.create(kind=PublicLimitHit.Kind.LOOKUP, key=client, at=timezone.now())


# Rate-limit rows are needed for an hour, form rows as long as a form may be
# sent; both are kept an hour longer.
def public_hits_keep() -> timedelta:
    return timedelta(seconds=max(settings.SALAMA_TRACING_PUBLIC_FORM_MAX_SECONDS, 3600) + 3600)


@transaction.atomic
def public_hits_prune(now: datetime | None = None) -> int:
    """Remove the public page's rate-limit rows nobody needs any more (a
    periodic job)."""
    from salama.tracing.models import PublicLimitHit

    before = (now or timezone.now()) - public_hits_keep()
    deleted, _rows = PublicLimitHit.objects.filter(at__lt=before).delete()
    return deleted

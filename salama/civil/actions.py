"""Writes of civil registration: one named, atomic, audited function each.

No fee exists anywhere here. A marriage in which either party could be under
the minimum age (18, or higher where the deployment says so) is never
registered: the attempt is recorded without names and a child-protection case
is opened for the child, never a message to police. Nothing blocks the
registration of a birth or a death."""

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.audit.actions import audit_record
from salama.cases.actions import Handover, case_hand_over
from salama.cases.models import CaseType
from salama.civil import access, rules
from salama.civil.models import (
    Action,
    CivilEvent,
    EventType,
    Flag,
    NumberSequence,
    Officiant,
    Party,
    Status,
    StoppedMarriage,
)
from salama.core import access as core_access
from salama.core.roles import Perm
from salama.lib.ages import age_band, best_age
from salama.lib.civil import marriage
from salama.notifications.actions import notify
from salama.registry.actions import birth_date_correct, birth_register, death_record
from salama.registry.models import Person
from salama.tracing import access as tracing_access

Kind = Action.Kind
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# The role each event type needs as its principal party (whose site it is).
PRINCIPAL = {
    EventType.BIRTH: Party.Role.MOTHER,
    EventType.STILLBIRTH: Party.Role.MOTHER,
    EventType.MARRIAGE: Party.Role.SPOUSE,
    EventType.DIVORCE: Party.Role.SPOUSE,
    EventType.DEATH: Party.Role.DECEASED,
}
ALLOWED_ROLES = {
    EventType.BIRTH: {"mother", "father", "informant", "witness"},
    EventType.STILLBIRTH: {"mother", "father", "informant"},
    EventType.MARRIAGE: {"spouse", "witness"},
    EventType.DIVORCE: {"spouse", "witness"},
    EventType.DEATH: {"deceased", "informant", "witness"},
}
NOTIFIABLE = {EventType.BIRTH, EventType.STILLBIRTH, EventType.DEATH}
# Only these change through a correction; parties change by a new declaration.
CORRECTABLE = {"event_date", "place", "officiant_name"}


class CivilError(ValueError):
    """Bad input for a civil record. `code` is what the API answers with;
    `field` the form field it belongs to."""

    def __init__(self, message: Any, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(str(message))
        self.code = code
        self.field = field


@dataclass
class PartyInput:
    role: str
    person: Person | None = None
    name: str = ""


@dataclass
class Declaration:
    event_type: str
    event_date: date
    place: str
    parties: list[PartyInput]
    status: str = Status.DECLARED
    officiant_kind: str = ""
    officiant_name: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    late_evidence: str = ""
    # Marriages: what the desk saw and was told, for the refusal record and flags.
    court_authorisation_shown: bool = False
    presented_by: str = ""
    spouse_leaving_country: bool = False


@dataclass
class Declared:
    """What a declaration became: a record, or a refused marriage."""

    event: CivilEvent | None = None
    stopped: StoppedMarriage | None = None
    refusals: list[marriage.Refusal] = field(default_factory=list)
    case_reference: str = ""


# ---- small helpers ----


def _audit(user: Any, action: str, model: str, pk: Any, changed: Any = ()) -> None:
    audit_record(
        user=user,
        action=action,
        purpose=access.PURPOSE,
        model=model,
        record_id=pk,
        changed_fields=changed,
    )


def _journal(
    event: CivilEvent, kind: str, user: Any, note: str = "", changes: Any = None, at: Any = None
) -> None:
    Action.objects.create(
        event=event, kind=kind, user=user, at=at or timezone.now(), note=note, changes=changes or {}
    )


def _unique_reference() -> str:
    while True:
        reference = "CR-" + "".join(secrets.choice(_ALPHABET) for _ in range(7))
        if not CivilEvent.objects.filter(reference=reference).exists():
            return reference


def next_number(event_type: str, year: int) -> str:
    """The next registration number of a type and year, made under a row
    lock (two desks registering at once get two numbers, never one)."""
    key = f"{event_type}-{year}"
    NumberSequence.objects.get_or_create(key=key)
    sequence = NumberSequence.objects.select_for_update().get(key=key)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    from salama.civil.models import NUMBER_PREFIX

    return f"{NUMBER_PREFIX[event_type]}-{year}-{sequence.last:06d}"


def _acting_organisation(user: Any, site_path: str) -> Any:
    organisation = core_access.organisation_at(user, site_path, Perm.CIVIL_REGISTER)
    if organisation is None:
        raise CivilError(
            _("You have no role that may register civil events at this person's site."),
            code="not_your_site",
        )
    return organisation


def _text(value: Any, label: str, field_name: str, *, maximum: int = 200) -> str:
    text = str(value or "").strip()
    if not text:
        raise CivilError(_("%(label)s is needed.") % {"label": label}, field=field_name)
    if len(text) > maximum:
        raise CivilError(
            _("%(label)s is too long (at most %(n)d characters).") % {"label": label, "n": maximum},
            field=field_name,
        )
    return text


def _link(event: CivilEvent) -> str:
    return reverse("civil_event", args=[event.pk])


def _add_flag(event: CivilEvent, flag: str, user: Any, note: str = "") -> None:
    if flag not in event.flags:
        event.flags = [*event.flags, flag]
        _journal(event, Kind.FLAGGED, user, note, {"flag": flag})


def _clear_flag(event: CivilEvent, flag: str, user: Any, note: str = "") -> None:
    if flag in event.flags:
        event.flags = [f for f in event.flags if f != flag]
        _journal(event, Kind.FLAG_CLEARED, user, note, {"flag": flag})


# ---- declaring ----


def _check_parties(declaration: Declaration) -> list[PartyInput]:
    event_type = declaration.event_type
    allowed = ALLOWED_ROLES[EventType(event_type)]
    for i, party in enumerate(declaration.parties):
        if party.role not in allowed:
            raise CivilError(
                _("A %(event)s has no party in the role %(role)s (allowed: %(allowed)s).")
                % {"event": event_type, "role": party.role, "allowed": ", ".join(sorted(allowed))},
                field=f"parties[{i}].role",
            )
        if party.person is None and not party.name.strip():
            raise CivilError(
                _("Party %(n)d needs a registry person or a name.") % {"n": i + 1},
                field=f"parties[{i}]",
            )
        if party.person is None and party.role not in {"informant", "witness"}:
            raise CivilError(
                _("The %(role)s must be a person in the registry: find them, or add them first.")
                % {"role": party.role},
                field=f"parties[{i}].person_id",
            )
    principal = PRINCIPAL[EventType(event_type)]
    principals = [p for p in declaration.parties if p.role == principal]
    needed = 2 if principal == Party.Role.SPOUSE else 1
    if len(principals) != needed:
        raise CivilError(
            _("A %(event)s needs exactly %(n)d party in the role %(role)s.")
            % {"event": event_type, "n": needed, "role": principal},
            code="parties",
            field="parties",
        )
    persons = [p.person.pk for p in declaration.parties if p.person is not None]
    if len(set(persons)) != len(persons):
        raise CivilError(_("The same person is named twice."), code="parties", field="parties")
    _check_living(declaration)
    return principals


# A mother is not recorded as a man, nor a father as a woman (other and
# unknown sexes are not refused).
_SEX_OF_ROLE = {"mother": "M", "father": "F"}


def _check_living(declaration: Declaration) -> None:
    """The parties are possible: a mother who is not a man, nobody whose death
    is registered before the event (a mother who died in childbirth is not)."""
    for i, party in enumerate(declaration.parties):
        person = party.person
        if person is None:
            continue
        if _SEX_OF_ROLE.get(party.role) == person.sex:
            raise CivilError(
                _("The %(role)s is recorded as %(sex)s in the registry: check the person.")
                % {"role": Party.Role(party.role).label, "sex": person.get_sex_display()},
                field=f"parties[{i}].person_id",
            )
        died = person.died_on
        if died is not None and party.role not in {"deceased"} and died < declaration.event_date:
            raise CivilError(
                _("The %(role)s's death is registered before the date of this event.")
                % {"role": Party.Role(party.role).label},
                code="party_deceased",
                field=f"parties[{i}].person_id",
            )


def _check_declaration(declaration: Declaration, today: date) -> None:
    if declaration.event_type not in EventType.values:
        raise CivilError(
            _("The event must be one of: %(types)s.") % {"types": ", ".join(EventType.values)},
            field="type",
        )
    if declaration.status not in {Status.NOTIFIED, Status.DECLARED}:
        raise CivilError(_("A new record is notified or declared."), field="status")
    if declaration.status == Status.NOTIFIED and declaration.event_type not in NOTIFIABLE:
        raise CivilError(
            _("Only births, stillbirths and deaths are notified (by a health facility)."),
            field="status",
        )
    if not isinstance(declaration.event_date, date):
        raise CivilError(_("The date of the event is needed."), field="date")
    if declaration.event_date > today:
        raise CivilError(_("The date of the event is in the future."), field="date")
    if declaration.event_date.year < 1900:
        raise CivilError(_("The date of the event is before 1900."), field="date")
    declaration.place = _text(declaration.place, _("The place"), "place")
    if declaration.officiant_kind and declaration.officiant_kind not in Officiant.values:
        raise CivilError(
            _("The officiant must be one of: %(kinds)s.") % {"kinds": ", ".join(Officiant.values)},
            field="officiant",
        )
    rules.check_details(declaration.event_type, declaration.details)


def _is_late(declaration: Declaration, today: date) -> bool:
    if declaration.event_type not in {EventType.BIRTH, EventType.DEATH}:
        return False
    return (today - declaration.event_date).days > settings.SALAMA_CIVIL_LATE_DAYS


@transaction.atomic
def event_declare(*, user: Any, declaration: Declaration, now: datetime | None = None) -> Declared:
    """Record a notification or a declaration; a marriage with a party who
    could be a child is refused here (Declared.stopped), with its case."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    _check_declaration(declaration, today)
    principals = _check_parties(declaration)
    first = principals[0].person
    assert first is not None
    site = first.household.site
    organisation = _acting_organisation(user, site.path)
    if declaration.event_type == EventType.MARRIAGE:
        refused = _marriage_refusals(declaration, today)
        if refused:
            return _stop_marriage(user, declaration, refused, site, organisation, now)
    late = _is_late(declaration, today)
    evidence = declaration.late_evidence.strip()
    if late and not evidence and declaration.status == Status.DECLARED:
        raise CivilError(
            _(
                "This is a late registration (more than %(days)d days after the event): "
                "describe the evidence (for a child born in flight: a clinic card, a "
                "midwife's or two witnesses' statements)."
            )
            % {"days": settings.SALAMA_CIVIL_LATE_DAYS},
            code="late_evidence_needed",
            field="late_evidence",
        )
    event = CivilEvent.objects.create(
        reference=_unique_reference(),
        event_type=declaration.event_type,
        status=declaration.status,
        site=site,
        site_path=site.path,
        organisation=organisation,
        event_date=declaration.event_date,
        place=declaration.place,
        officiant_kind=declaration.officiant_kind,
        officiant_name=declaration.officiant_name.strip(),
        details=declaration.details,
        late=late,
        late_evidence=evidence,
        created_by=user,
        created_at=now,
    )
    Party.objects.bulk_create(
        Party(event=event, role=p.role, person=p.person, name=p.name.strip(), position=i)
        for i, p in enumerate(declaration.parties)
    )
    kind = Kind.NOTIFIED if declaration.status == Status.NOTIFIED else Kind.DECLARED
    _journal(event, kind, user, at=now)
    if late:
        _add_flag(event, Flag.LATE, user)
    duplicate = rules.possible_duplicate(event)
    if duplicate:
        _add_flag(event, Flag.DUPLICATE, user, _("Like %(ref)s") % {"ref": duplicate})
    if declaration.event_type == EventType.MARRIAGE:
        _raise_review_flags(event, declaration, today, user)
    event.save(update_fields=["flags", "review_flags"])
    _audit(user, "create", "civil.CivilEvent", event.pk)
    return Declared(event=event)


@transaction.atomic
def event_complete_notification(
    *, user: Any, event: CivilEvent, informant: PartyInput, late_evidence: str = ""
) -> CivilEvent:
    """A health facility's notification becomes a declaration when the
    family (the informant) comes to the desk."""
    event = access.event_for_update(event)
    if event.status != Status.NOTIFIED:
        raise CivilError(_("Only a notification can be declared this way."), code="wrong_status")
    if informant.person is None and not informant.name.strip():
        raise CivilError(_("The informant is needed."), field="informant")
    Party.objects.create(
        event=event,
        role=Party.Role.INFORMANT,
        person=informant.person,
        name=informant.name.strip(),
        position=event.parties.count(),
    )
    if event.late and late_evidence.strip():
        event.late_evidence = late_evidence.strip()
    event.status = Status.DECLARED
    event.save(update_fields=["status", "late_evidence"])
    _journal(event, Kind.DECLARED, user)
    _audit(user, "update", "civil.CivilEvent", event.pk, ["status"])
    return event


# ---- marriages: the age rule and the flags ----


def marriage_party(person: Person, role: str = "") -> marriage.Party:
    """The party as the age rule sees them: an estimated date of birth is only
    an estimate (a year either side), never an exact age."""
    birth_date = person.birth_date
    low, high = person.birth_year_min, person.birth_year_max
    if person.birth_date is not None and person.birth_date_estimated:
        year = person.birth_date.year
        birth_date, low, high = None, year - 1, year + 1
    return marriage.Party(
        role=role,
        sex=person.sex if person.sex in {"F", "M"} else "U",
        birth_date=birth_date,
        birth_year_min=low,
        birth_year_max=high,
    )


def _spouses(declaration: Declaration) -> list[Person]:
    return [p.person for p in declaration.parties if p.role == "spouse" and p.person is not None]


def _still_of_age(event: CivilEvent, today: date) -> None:
    """The age rule again, on the registry as it is now and the record's date:
    at validation, registration and a correction, not only at declaration."""
    if event.event_type != EventType.MARRIAGE:
        return
    spouses = [p.person for p in event.parties.filter(role="spouse").select_related("person")]
    on = min(event.event_date, today)
    parties = [marriage_party(p, str(i)) for i, p in enumerate(spouses, 1) if p is not None]
    if marriage.refusals(parties, on, settings.SALAMA_MARRIAGE_MINIMUM_AGE):
        raise CivilError(
            _(
                "A spouse could be under %(age)d on the date of this marriage, by the registry "
                "as it is now: it cannot be validated, registered or given this date. Archive "
                "it, and tell child protection."
            )
            % {"age": settings.SALAMA_MARRIAGE_MINIMUM_AGE},
            code="party_under_18",
        )


def _marriage_refusals(declaration: Declaration, today: date) -> list[marriage.Refusal]:
    # The age is the registry's (birth records, stated ages), never the
    # declarant's word at the desk; the test is "could be under", on the day
    # of the marriage and on the day it is registered.
    on = min(declaration.event_date, today)
    # Roles are the spouses' places in the form ("1", "2"): the refusal says
    # "the first spouse", never a name or a number.
    parties = [marriage_party(p, str(i)) for i, p in enumerate(_spouses(declaration), 1)]
    return marriage.refusals(parties, on, settings.SALAMA_MARRIAGE_MINIMUM_AGE)


def _stop_marriage(
    user: Any,
    declaration: Declaration,
    refused: list[marriage.Refusal],
    site: Any,
    organisation: Any,
    now: datetime,
) -> Declared:
    spouses = _spouses(declaration)
    refused_roles = {r.role for r in refused}
    stopped = StoppedMarriage.objects.create(
        at=now,
        site=site,
        site_path=site.path,
        organisation=organisation,
        parties=[
            {
                "sex": p.sex,
                "age_band": age_band(
                    best_age(p.birth_date, p.birth_year_min, p.birth_year_max, now.date())
                ),
                "refused": str(i) in refused_roles,
            }
            for i, p in enumerate(spouses, 1)
        ],
        reasons=sorted({r.code for r in refused}),
        minimum_age=settings.SALAMA_MARRIAGE_MINIMUM_AGE,
        court_authorisation_shown=declaration.court_authorisation_shown,
        presented_by=declaration.presented_by[:20],
    )
    references = []
    for child in (p for i, p in enumerate(spouses, 1) if str(i) in refused_roles):
        case = case_hand_over(
            user=user,
            handover=Handover(
                person=child,
                case_type=CaseType.CHILD_PROTECTION,
                source_kind="civil",
                source_id=str(stopped.pk),
                note=_stop_note(declaration, child, spouses),
                proposed_needs=["SV-FM", "CR-CS"],
            ),
            now=now,
        )
        if case is not None:
            references.append(case.reference)
            if not stopped.case_id:
                stopped.case_id, stopped.case_reference = case.pk, case.reference
    if not references:
        _no_child_protection_staff(user, site)
    stopped.save(update_fields=["case_id", "case_reference"])
    _audit(user, "create", "civil.StoppedMarriage", stopped.pk)
    return Declared(stopped=stopped, refusals=refused, case_reference=", ".join(references))


def _stop_note(declaration: Declaration, child: Person, spouses: list[Person]) -> str:
    """What the caseworker needs to follow up: when and where the marriage was
    to be, by whom, and the other party's registration number."""
    others = ", ".join(p.registration_number for p in spouses if p.pk != child.pk)
    return _(
        "A marriage was refused at the civil registration desk: this person could be "
        "under %(age)d. Date of the marriage: %(date)s; place: %(place)s; officiant: "
        "%(officiant)s; other party: %(other)s; a court authorisation was %(court)s."
    ) % {
        "age": settings.SALAMA_MARRIAGE_MINIMUM_AGE,
        "date": declaration.event_date.isoformat(),
        "place": declaration.place,
        "officiant": declaration.officiant_name or "—",
        "other": others or "—",
        "court": _("shown") if declaration.court_authorisation_shown else _("not shown"),
    }


def _no_child_protection_staff(user: Any, site: Any) -> None:
    """Nobody takes child-protection cases at the site: its protection
    officers are told, so that the child is not lost."""
    from salama.cases.access import staff_with

    officers = []
    for org_id in {m.organisation_id for m in site_memberships(site)}:
        officers += staff_with(org_id, site.path, Perm.CASE_SUPERVISE)
    if officers:
        notify(
            recipients=officers,
            kind="civil.stopped_marriage",
            subject=gettext_lazy(
                "A child marriage was stopped and no child-protection caseworker works at the site"
            ),
            reference=site.code,
            link=reverse("cases"),
            actor=user,
        )


def site_memberships(site: Any) -> Any:
    from salama.core.models import Membership
    from salama.registry.households import site_path_ancestors

    return Membership.objects.filter(sites__path__in=site_path_ancestors(site.path)).distinct()


def _raise_review_flags(
    event: CivilEvent, declaration: Declaration, today: date, user: Any
) -> None:
    facts = rules.marriage_facts(_spouses(declaration), declaration, today)
    found = marriage.review_flags(facts, min(declaration.event_date, today))
    if not found:
        return
    # Flags from other desks' records carry no detail here, and are done
    # once their owners are told.
    event.review_flags = [
        {"code": f.code, "params": {}, "outcome": "told_owner"}
        if f.code in rules.OWNED_FLAGS
        else {"code": f.code, "params": _plain(f.params), "outcome": ""}
        for f in found
    ]
    if any(f.code in rules.OWNED_FLAGS for f in found):
        rules.tell_owners(event, _spouses(declaration), user)
    if any(not f["outcome"] for f in event.review_flags):
        _add_flag(event, Flag.REVIEW, user)


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready flag parameters (dates as ISO text)."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()}


@transaction.atomic
def review_flag_resolve(
    *, user: Any, event: CivilEvent, code: str, outcome: str, note: str = ""
) -> CivilEvent:
    """Record the outcome of one protection flag; "referred" opens a
    protection case for the woman in the organisation that takes them."""
    event = access.event_for_update(event)
    if outcome not in rules.FLAG_OUTCOMES:
        raise CivilError(
            _("The outcome must be one of: %(o)s.") % {"o": ", ".join(rules.FLAG_OUTCOMES)},
            field="outcome",
        )
    flags = list(event.review_flags)
    chosen = next((f for f in flags if f["code"] == code and not f.get("outcome")), None)
    if chosen is None:
        raise CivilError(_("No open flag of that kind on this record."), field="code")
    chosen["outcome"] = outcome
    if outcome == "referred":
        # An adult decides about services herself: the site's protection staff
        # are told (her registration number and a link), no case is opened for her.
        bride = rules.bride_of(event)
        if bride is not None:
            told = rules.tell_protection(bride, user)
            chosen["case"] = str(told)
    event.review_flags = flags
    if all(f.get("outcome") for f in flags):
        _clear_flag(event, Flag.REVIEW, user, note)
    _journal(event, Kind.FLAG_CLEARED, user, note, {"review": code, "outcome": outcome})
    event.save(update_fields=["review_flags", "flags"])
    _audit(user, "update", "civil.CivilEvent", event.pk, ["review_flags"])
    return event


# ---- the lifecycle ----


def _live(event: CivilEvent) -> CivilEvent:
    event = access.event_for_update(event)
    if event.status == Status.ARCHIVED:
        raise CivilError(_("This record is archived."), code="archived")
    return event


@transaction.atomic
def event_validate(
    *, user: Any, event: CivilEvent, approve_late: bool = False, note: str = ""
) -> CivilEvent:
    """The documents were checked; a late registration's evidence is approved here."""
    event = _live(event)
    if event.status != Status.DECLARED:
        raise CivilError(_("Only a declared record can be validated."), code="wrong_status")
    _still_of_age(event, timezone.localdate())
    if Flag.LATE in event.flags:
        if not approve_late:
            raise CivilError(
                _("Approve the evidence of this late registration to validate it."),
                code="late_approval_needed",
                field="approve_late",
            )
        _clear_flag(event, Flag.LATE, user, note or _("Evidence approved."))
    event.status = Status.VALIDATED
    event.save(update_fields=["status", "flags"])
    _journal(event, Kind.VALIDATED, user, note)
    _audit(user, "update", "civil.CivilEvent", event.pk, ["status"])
    return event


@transaction.atomic
def event_register(*, user: Any, event: CivilEvent, now: datetime | None = None) -> CivilEvent:
    """Register: the server makes the number; a birth creates the child in
    the registry, a death updates it; a humanitarian desk refers the family
    to the authority for the state's certificate."""
    now = now or timezone.now()
    event = _live(event)
    if event.status == Status.DECLARED and Flag.LATE in event.flags:
        raise CivilError(
            _("A late registration is validated (its evidence approved) before it is registered."),
            code="late_approval_needed",
        )
    if event.status not in {Status.DECLARED, Status.VALIDATED}:
        raise CivilError(
            _("Only a declared or validated record can be registered."), code="wrong_status"
        )
    if Flag.DUPLICATE in event.flags:
        raise CivilError(
            _("Decide first whether this record repeats another (potential duplicate)."),
            code="potential_duplicate",
        )
    _still_of_age(event, timezone.localdate(now))
    event.number = next_number(event.event_type, now.year)
    event.status = Status.REGISTERED
    event.registered_at = now
    _journal(event, Kind.REGISTERED, user, at=now)
    if event.event_type == EventType.BIRTH:
        _birth_in_registry(event, user)
    elif event.event_type == EventType.DEATH:
        _death_in_registry(event, user)
    if settings.SALAMA_CIVIL_REGISTRAR == "humanitarian":
        _journal(event, Kind.REFERRED, user, settings.SALAMA_CIVIL_AUTHORITY, at=now)
        _add_flag(event, Flag.STATE_PENDING, user)
    event.save(update_fields=["number", "status", "registered_at", "flags", "child"])
    _audit(user, "update", "civil.CivilEvent", event.pk, ["status", "number"])
    return event


def _party(event: CivilEvent, role: str) -> Person | None:
    found = event.parties.filter(role=role, person__isnull=False).select_related("person").first()
    return found.person if found is not None else None


def _birth_in_registry(event: CivilEvent, user: Any) -> None:
    mother = _party(event, Party.Role.MOTHER)
    assert mother is not None
    child = birth_register(
        user=user,
        mother=mother,
        father=_party(event, Party.Role.FATHER),
        names=rules.child_names(event.details),
        sex=str(event.details.get("child_sex") or "U"),
        born_on=event.event_date,
        purpose=access.PURPOSE,
    )
    event.child = child
    _journal(event, Kind.REGISTRY, user, child.registration_number)


def _death_in_registry(event: CivilEvent, user: Any) -> None:
    deceased = _party(event, Party.Role.DECEASED)
    assert deceased is not None
    death_record(user=user, person=deceased, died_on=event.event_date, purpose=access.PURPOSE)
    _journal(event, Kind.REGISTRY, user, deceased.registration_number)
    # Open tracing cases about the person are closed only by a tracing
    # officer's decision: they are told, nothing is closed here.
    for case in tracing_access.open_cases_about(deceased.pk):
        recipients = [case.assigned_to] if case.assigned_to is not None else []
        if not recipients:
            from salama.cases.access import staff_with

            recipients = staff_with(case.organisation_id, case.site_path, Perm.TRACING_ACT)
        if recipients:
            notify(
                recipients=recipients,
                kind="civil.death_registered",
                subject=gettext_lazy(
                    "A death was registered for the person a tracing case is about: "
                    "decide whether to close it"
                ),
                reference=case.reference,
                link=reverse("tracing_case", args=[case.pk]),
                actor=user,
            )


@transaction.atomic
def state_number_record(*, user: Any, event: CivilEvent, number: str) -> CivilEvent:
    """The state's certificate came back: its number is written down."""
    event = _live(event)
    if event.status != Status.REGISTERED:
        raise CivilError(
            _("Only a registered record has a state certificate."), code="wrong_status"
        )
    event.state_certificate_number = _text(
        number, _("The state certificate number"), "number", maximum=60
    )
    _clear_flag(event, Flag.STATE_PENDING, user)
    event.save(update_fields=["state_certificate_number", "flags"])
    _journal(event, Kind.STATE_NUMBER, user, event.state_certificate_number)
    _audit(user, "update", "civil.CivilEvent", event.pk, ["state_certificate_number"])
    return event


@transaction.atomic
def duplicate_decide(*, user: Any, event: CivilEvent, is_duplicate: bool, note: str) -> CivilEvent:
    """Not a duplicate: the flag is cleared. A duplicate: the record is archived."""
    event = _live(event)
    if Flag.DUPLICATE not in event.flags:
        raise CivilError(_("This record is not flagged as a potential duplicate."))
    note = _text(note, _("The reason"), "note", maximum=1000)
    _clear_flag(event, Flag.DUPLICATE, user, note)
    if is_duplicate:
        event.status = Status.ARCHIVED
        _journal(event, Kind.ARCHIVED, user, note)
    event.save(update_fields=["flags", "status"])
    _audit(user, "update", "civil.CivilEvent", event.pk, ["flags", "status"])
    return event


@transaction.atomic
def event_archive(*, user: Any, event: CivilEvent, reason: str) -> CivilEvent:
    """Set aside a record that will not be registered (withdrawn, entered by
    mistake). A registered record is never archived: it is corrected."""
    event = _live(event)
    if event.status == Status.REGISTERED:
        raise CivilError(
            _("A registered record is corrected, never archived."), code="wrong_status"
        )
    reason = _text(reason, _("The reason"), "reason", maximum=1000)
    event.status = Status.ARCHIVED
    event.save(update_fields=["status"])
    _journal(event, Kind.ARCHIVED, user, reason)
    _audit(user, "update", "civil.CivilEvent", event.pk, ["status"])
    return event


@transaction.atomic
def correction_request(*, user: Any, event: CivilEvent, note: str) -> CivilEvent:
    event = _live(event)
    note = _text(note, _("What is wrong"), "note", maximum=1000)
    _add_flag(event, Flag.CORRECTION, user, note)
    event.save(update_fields=["flags"])
    _journal(event, Kind.CORRECTION_REQUESTED, user, note)
    return event


@transaction.atomic
def event_correct(
    *, user: Any, event: CivilEvent, changes: dict[str, Any], reason: str
) -> CivilEvent:
    """Correct a record, keeping what it said before in the journal; its live
    certificates are revoked (they print the old facts) and can be reissued."""
    from salama.civil.certificates import revoke_all

    event = _live(event)
    reason = _text(reason, _("The reason for the correction"), "reason", maximum=1000)
    unknown = set(changes) - CORRECTABLE - {f"details.{k}" for k in rules.detail_keys(event)}
    if unknown:
        raise CivilError(
            _("These cannot be corrected: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            field="changes",
        )
    before: dict[str, Any] = {}
    details = dict(event.details)
    for name, value in changes.items():
        if name.startswith("details."):
            key = name.removeprefix("details.")
            before[name] = details.get(key, "")
            details[key] = value
        else:
            before[name] = str(getattr(event, name))
            setattr(event, name, value)
    rules.check_details(event.event_type, details)
    if event.event_date > timezone.localdate():
        raise CivilError(_("The date of the event is in the future."), field="event_date")
    _check_date_move(event, before.get("event_date"))
    _still_of_age(event, timezone.localdate())
    event.details = details
    _clear_flag(event, Flag.CORRECTION, user)
    event.save()
    after = {k: str(v) for k, v in changes.items()}
    _journal(event, Kind.CORRECTED, user, reason, {"before": before, "after": after})
    revoke_all(user=user, event=event, reason=_("Corrected: %(r)s") % {"r": reason})
    _correct_registry(event, changes, user)
    _audit(user, "update", "civil.CivilEvent", event.pk, sorted(changes))
    return event


# A correction moves a birth's or a death's date by a few weeks at most (a
# clinic card read wrongly); more is a new declaration with its evidence,
# since the registry's date of birth follows and decides ages.
MAX_DATE_MOVE_DAYS = 31


def _check_date_move(event: CivilEvent, old: Any) -> None:
    if event.event_type not in {EventType.BIRTH, EventType.DEATH} or not old:
        return
    moved = abs((event.event_date - date.fromisoformat(str(old))).days)
    if moved > MAX_DATE_MOVE_DAYS:
        raise CivilError(
            _(
                "A correction moves a birth's or a death's date by %(days)d days at most; "
                "archive this record and declare the event again with its evidence."
            )
            % {"days": MAX_DATE_MOVE_DAYS},
            field="event_date",
        )


def _correct_registry(event: CivilEvent, changes: dict[str, Any], user: Any) -> None:
    """A registered birth's or death's corrected date is the registry's too:
    the child's date of birth, the deceased's date of death (history kept)."""
    if event.status != Status.REGISTERED or "event_date" not in changes:
        return
    if event.event_type == EventType.BIRTH and event.child is not None:
        birth_date_correct(
            user=user, person=event.child, born_on=event.event_date, purpose=access.PURPOSE
        )
        _journal(event, Kind.REGISTRY, user, event.child.registration_number)
    elif event.event_type == EventType.DEATH:
        deceased = _party(event, Party.Role.DECEASED)
        if deceased is not None:
            death_record(
                user=user, person=deceased, died_on=event.event_date, purpose=access.PURPOSE
            )
            _journal(event, Kind.REGISTRY, user, deceased.registration_number)


def late_days() -> timedelta:
    return timedelta(days=settings.SALAMA_CIVIL_LATE_DAYS)


def _not_already_registered(user: Any, fields: dict[str, Any], *, confirmed: bool) -> None:
    """Search before adding: someone already registered is used, not added
    again (with another age) unless the registrar confirms they differ."""
    from salama.registry.access import match_persons

    if confirmed:
        return
    query = {
        "given_name": str(fields.get("given_name_latin") or fields.get("given_name") or ""),
        "family_name": str(fields.get("family_name_latin") or fields.get("family_name") or ""),
        "sex": str(fields.get("sex") or ""),
    }
    likely = [m for m in match_persons(user, query, top=3) if m.probability >= 0.5]
    if likely:
        raise CivilError(
            _(
                "Someone like this is already in the registry (%(numbers)s): use their number. "
                "If this is another person, tick that it is a different person."
            )
            % {"numbers": ", ".join(m.person.registration_number for m in likely)},
            code="already_registered",
            field="different_person",
        )


@transaction.atomic
def person_add_minimal(*, user: Any, data: dict[str, Any]) -> Person:
    """Someone not yet in the registry (a spouse from outside the camp, a
    parent), added as a household of one with the least a record needs, and
    a legal basis for registration and civil registration."""
    from salama.core.models import Site
    from salama.registry.actions import PersonData, household_register

    site = Site.objects.filter(pk=int(data.get("site") or 0)).first()
    if site is None:
        raise CivilError(_("Choose the block."), field="site")
    organisation = _acting_organisation(user, site.path)
    fields = {
        "given_name": data["given_name"],
        "father_name": data.get("father_name", ""),
        "family_name": data.get("family_name", ""),
        "given_name_latin": data.get("given_name_latin", ""),
        "family_name_latin": data.get("family_name_latin", ""),
        "sex": data["sex"],
        "relationship": "head",
        "birth_date": data.get("birth_date"),
        # Typed at the desk without a document: an estimate for the age rule.
        "birth_date_estimated": True,
        "stated_age": data.get("stated_age") if not data.get("birth_date") else None,
        "stated_age_on": timezone.localdate() if not data.get("birth_date") else None,
    }
    _not_already_registered(user, fields, confirmed=bool(data.get("different_person")))
    household = household_register(
        user=user,
        organisation=organisation,
        site=site,
        shelter=str(data.get("shelter") or ""),
        members=[PersonData(fields=fields)],
        bases={"registration": "public_interest", "civil_registration": "legal_obligation"},
    )
    return household.members.get()


MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024


@transaction.atomic
def attachment_add(*, user: Any, event: CivilEvent, kind: str, name: str, content: bytes) -> Any:
    """Attach a scan (PDF) or a photo (re-encoded without metadata) to a record."""
    import base64
    import hashlib

    from salama.civil.models import Attachment
    from salama.lib.images import NotAnImage, clean_photo

    event = _live(event)
    if kind not in Attachment.Kind.values:
        raise CivilError(_("Choose the kind of document."), field="kind")
    if not content:
        raise CivilError(_("The file is empty."), field="file")
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise CivilError(_("The file is larger than 5 MB."), field="file")
    if content.startswith(b"%PDF-"):
        content_type = "application/pdf"
    else:
        try:
            content, content_type = clean_photo(content)
        except NotAnImage:
            raise CivilError(
                _("The file must be a PDF or a photo (JPEG or PNG)."), field="file"
            ) from None
    attachment = Attachment.objects.create(
        event=event,
        kind=kind,
        name=(name or "document").strip()[:120],
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        data=base64.b64encode(content).decode("ascii"),
        added_by=user,
        added_at=timezone.now(),
    )
    _journal(event, Kind.ATTACHED, user, attachment.get_kind_display())
    _audit(user, "create", "civil.Attachment", attachment.pk)
    return attachment


# A declaration waiting this long, or a state certificate not yet back after
# this long, is brought back to the office's attention (once a week).
WAITING_DAYS = 7
STATE_CERTIFICATE_DAYS = 30
REMIND_EVERY_DAYS = 7


def civil_reminders(now: datetime | None = None) -> dict[str, int]:
    """Tell the registrars of the office at the site of records that wait:
    declarations not registered after a week, registrations whose state
    certificate has not come back after a month. A reference and a link."""
    from salama.cases.access import staff_with

    now = now or timezone.now()
    due = CivilEvent.objects.filter(
        models.Q(reminded_at__isnull=True)
        | models.Q(reminded_at__lt=now - timedelta(days=REMIND_EVERY_DAYS))
    )
    waiting = due.filter(
        status__in=[Status.NOTIFIED, Status.DECLARED, Status.VALIDATED],
        created_at__lt=now - timedelta(days=WAITING_DAYS),
    )
    pending = due.filter(
        status=Status.REGISTERED,
        state_certificate_number="",
        registered_at__lt=now - timedelta(days=STATE_CERTIFICATE_DAYS),
    )
    told = {"waiting": 0, "state_certificate": 0}
    for key, events, subject in (
        (
            "waiting",
            waiting,
            gettext_lazy("A civil registration record is waiting to be registered"),
        ),
        (
            "state_certificate",
            pending,
            gettext_lazy("The state's certificate has not come back yet"),
        ),
    ):
        for event in events.select_related("site"):
            staff = staff_with(event.organisation_id, event.site_path, Perm.CIVIL_REGISTER)
            if staff:
                notify(
                    recipients=staff,
                    kind=f"civil.{key}",
                    subject=subject,
                    reference=event.reference,
                    link=_link(event),
                )
                told[key] += 1
            CivilEvent.objects.filter(pk=event.pk).update(reminded_at=now)
    return told


# Look-ups on the public page are counted; who looked is kept a day (for the
# hourly limit), the count itself a year.
VERIFICATION_CLIENT_HOURS = 24
VERIFICATION_DAYS = 365


def verifications_prune(now: datetime | None = None) -> dict[str, int]:
    from salama.civil.models import Verification

    now = now or timezone.now()
    forgotten = (
        Verification.objects.filter(at__lt=now - timedelta(hours=VERIFICATION_CLIENT_HOURS))
        .exclude(client="")
        .update(client="")
    )
    deleted, _ = Verification.objects.filter(
        at__lt=now - timedelta(days=VERIFICATION_DAYS)
    ).delete()
    return {"clients_forgotten": forgotten, "deleted": deleted}

"""What the civil registration actions check and look up: each event type's
details, possible duplicates, and the facts behind a marriage's protection
flags (gathered from the registry, tracing and screening, told to the staff
who own those records, never shown to the registrar)."""

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.civil.models import CivilEvent, EventType, Party, Status
from salama.core.roles import Perm
from salama.lib.civil import marriage
from salama.notifications.actions import notify
from salama.registry.models import Person
from salama.screening import access as screening_access
from salama.screening.actions import alert_reference
from salama.screening.models import Alert
from salama.tracing import access as tracing_access
from salama.tracing.models import TracingCase

SEXES = {"F", "M", "X", "U"}
PLACE_TYPES = {"facility", "home", "in_transit", "other"}
ATTENDANTS = {"physician", "nurse_midwife", "traditional", "none", "other"}
MANNERS = {"natural", "accident", "self_harm", "assault", "conflict", "pending", "unknown"}
CAUSE_SOURCES = {"physician", "lay_report", "verbal_autopsy", "unknown"}
# The WHO certificate's part 1 has four lines: (a) the immediate cause, then
# the conditions leading to it, (d) the underlying cause last.
MAX_CAUSES = 4
FLAG_OUTCOMES = ("no_concern", "referred", "told_owner")
# Flags whose facts belong to other desks: they are told, the registrar is not.
OWNED_FLAGS = {"open_missing_report", "screening_flag"}

_TEXT_KEYS = {
    EventType.BIRTH: (
        "child_given_name",
        "child_father_name",
        "child_family_name",
        "child_given_name_latin",
        "child_family_name_latin",
    ),
    EventType.DIVORCE: ("marriage_number", "decree"),
    EventType.DEATH: ("other_conditions",),
}


def _choice(details: dict[str, Any], key: str, allowed: set[str], *, required: bool) -> None:
    value = details.get(key, "")
    if not value and not required:
        return
    if value not in allowed:
        raise _error(
            _("%(key)s must be one of: %(allowed)s.")
            % {"key": key, "allowed": ", ".join(sorted(allowed))},
            key,
        )


def _error(message: str, key: str) -> Exception:
    from salama.civil.actions import CivilError

    return CivilError(message, field=f"details.{key}" if key else "details")


def _texts(details: dict[str, Any], keys: tuple[str, ...]) -> None:
    for key in keys:
        value = details.get(key, "")
        if not isinstance(value, str) or len(value) > 120:
            raise _error(_("%(key)s must be text of at most 120 characters.") % {"key": key}, key)


def _number(details: dict[str, Any], key: str, low: int, high: int) -> None:
    value = details.get(key)
    if value in (None, ""):
        return
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _error(
            _("%(key)s must be a whole number from %(low)d to %(high)d.")
            % {"key": key, "low": low, "high": high},
            key,
        )


def check_details(event_type: str, details: dict[str, Any]) -> None:
    """CivilError naming the detail that is wrong; nothing else is checked here."""
    if not isinstance(details, dict):
        raise _error(_("The details must be an object."), "")
    known = set(detail_keys_for(event_type))
    unknown = set(details) - known
    if unknown:
        # The keys sent are not quoted back: only the ones a record may have.
        raise _error(
            _("A %(event)s's details may only be: %(keys)s.")
            % {"event": event_type, "keys": ", ".join(sorted(known)) or "—"},
            "",
        )
    _texts(details, _TEXT_KEYS.get(EventType(event_type), ()))
    if event_type == EventType.BIRTH:
        if not str(details.get("child_given_name") or "").strip():
            raise _error(_("The child's given name is needed."), "child_given_name")
        _choice(details, "child_sex", SEXES, required=True)
        _choice(details, "place_type", PLACE_TYPES, required=False)
        _choice(details, "attendant", ATTENDANTS, required=False)
        _number(details, "weight_grams", 200, 7000)
        _number(details, "plurality", 1, 8)
    elif event_type == EventType.STILLBIRTH:
        _choice(details, "child_sex", SEXES, required=False)
        _number(details, "gestation_weeks", 20, 45)
    elif event_type == EventType.DEATH:
        _check_death(details)


def _check_death(details: dict[str, Any]) -> None:
    _choice(details, "manner", MANNERS, required=True)
    _choice(details, "cause_source", CAUSE_SOURCES, required=True)
    causes = details.get("causes", [])
    if not isinstance(causes, list) or len(causes) > MAX_CAUSES:
        raise _error(_("causes must be a list of at most 4 lines."), "causes")
    for i, line in enumerate(causes):
        if not isinstance(line, dict) or not str(line.get("cause") or "").strip():
            raise _error(_("Cause line %(n)d needs the cause.") % {"n": i + 1}, "causes")
        if set(line) - {"cause", "interval", "icd", "line"}:
            raise _error(
                _("Cause line %(n)d has only line, cause, interval and icd.") % {"n": i + 1},
                "causes",
            )
        if str(line.get("line", "abcd"[i])) not in {"a", "b", "c", "d"}:
            raise _error(_("Cause line %(n)d: line is a, b, c or d.") % {"n": i + 1}, "causes")
        icd = str(line.get("icd") or "")
        if icd and not (len(icd) <= 10 and icd[0].isalpha() and icd.isascii()):
            raise _error(_("Cause line %(n)d: the ICD code looks wrong.") % {"n": i + 1}, "causes")
    if details.get("cause_source") == "physician" and not causes:
        raise _error(
            _("A medically certified death needs its causes, the immediate cause first."),
            "causes",
        )


def detail_keys_for(event_type: str) -> tuple[str, ...]:
    return {
        EventType.BIRTH: (
            *_TEXT_KEYS[EventType.BIRTH],
            "child_sex",
            "place_type",
            "attendant",
            "weight_grams",
            "plurality",
            "born_in_flight",
        ),
        EventType.STILLBIRTH: ("child_sex", "gestation_weeks"),
        EventType.MARRIAGE: ("spouse_leaving_country",),
        EventType.DIVORCE: _TEXT_KEYS[EventType.DIVORCE],
        EventType.DEATH: ("manner", "cause_source", "causes", "other_conditions"),
    }[EventType(event_type)]


def detail_keys(event: CivilEvent) -> tuple[str, ...]:
    return detail_keys_for(event.event_type)


def child_names(details: dict[str, Any]) -> dict[str, str]:
    return {
        "given_name": str(details.get("child_given_name") or ""),
        "father_name": str(details.get("child_father_name") or ""),
        "family_name": str(details.get("child_family_name") or ""),
        "given_name_latin": str(details.get("child_given_name_latin") or ""),
        "family_name_latin": str(details.get("child_family_name_latin") or ""),
    }


# ---- duplicates ----


def possible_duplicate(event: CivilEvent) -> str:
    """Why this record may repeat another (its reference), or ""."""
    # Only the office's own records: another organisation's are not read here.
    others = (
        CivilEvent.objects.filter(organisation_id=event.organisation_id)
        .exclude(pk=event.pk)
        .exclude(status=Status.ARCHIVED)
    )
    principal = {"birth": "mother", "stillbirth": "mother", "death": "deceased"}.get(
        event.event_type
    )
    if principal is not None:
        person: Any = (
            event.parties.filter(role=principal).values_list("person_id", flat=True).first()
        )
        window = timedelta(days=0 if event.event_type == EventType.DEATH else 180)
        found: Any = others.filter(
            event_type=event.event_type, parties__role=principal, parties__person_id=person
        )
        if event.event_type != EventType.DEATH:
            found = found.filter(
                event_date__gte=event.event_date - window,
                event_date__lte=event.event_date + window,
            )
        if event.event_type == EventType.BIRTH:
            # Twins are two births on one day with two names; another birth to
            # the same mother within months on another day cannot be one.
            given = str(event.details.get("child_given_name") or "")
            found = [
                e
                for e in found
                if e.event_date != event.event_date
                or str(e.details.get("child_given_name") or "") == given
            ]
        first = next(iter(found), None)
        return first.reference if first is not None else ""
    spouses = sorted(
        str(p) for p in event.parties.filter(role="spouse").values_list("person_id", flat=True)
    )
    for other in others.filter(event_type=event.event_type, parties__role="spouse").distinct():
        theirs = sorted(
            str(p) for p in other.parties.filter(role="spouse").values_list("person_id", flat=True)
        )
        if theirs == spouses and abs((other.event_date - event.event_date).days) < 30:
            return other.reference
    return ""


# ---- the facts behind a marriage's flags ----


def _arrived_on(person: Person) -> date:
    # The household's registration at the site is the arrival the registry knows.
    return timezone.localdate(person.household.created_at)


def marriages_of(person: Person) -> list[tuple[date, date | None]]:
    """(start, end) of the person's registered marriages; end from a
    registered divorce of the same couple or the spouse's death."""
    found = []
    for event in CivilEvent.objects.filter(
        event_type=EventType.MARRIAGE,
        status=Status.REGISTERED,
        parties__person=person,
        parties__role="spouse",
    ).distinct():
        spouse = (
            event.parties.filter(role="spouse").exclude(person=person).select_related("person")
        ).first()
        end = _marriage_end(person, spouse.person if spouse is not None else None)
        found.append((event.event_date, end))
    return found


def _marriage_end(person: Person, spouse: Person | None) -> date | None:
    if spouse is None:
        return None
    divorce = (
        CivilEvent.objects.filter(
            event_type=EventType.DIVORCE, status=Status.REGISTERED, parties__person=person
        )
        .filter(parties__person=spouse)
        .order_by("event_date")
        .first()
    )
    if divorce is not None:
        return divorce.event_date
    return spouse.died_on or person.died_on


def marriage_facts(spouses: list[Person], declaration: Any, today: date) -> marriage.MarriageFacts:
    from salama.civil.actions import marriage_party

    bride = next((p for p in spouses if p.sex == "F"), spouses[0])
    groom = next(p for p in spouses if p.pk != bride.pk)

    pair = {"bride": bride, "groom": groom}

    def each(value: Any) -> dict[str, Any]:
        return {role: value(person) for role, person in pair.items()}

    return marriage.MarriageFacts(
        parties=(marriage_party(bride, "bride"), marriage_party(groom, "groom")),
        arrived_on=each(_arrived_on),
        current_marriages=each(lambda p: sum(1 for _s, end in marriages_of(p) if end is None)),
        polygamy_allowed=settings.SALAMA_CIVIL_POLYGAMY_ALLOWED,
        previous_marriages_of_bride=tuple(
            (start, end) for start, end in marriages_of(bride) if end is not None
        ),
        open_missing_report=each(lambda p: bool(_open_tracing(p))),
        screening_flag=each(lambda p: bool(_screening_alerts(p, today))),
        spouse_leaving_country=bool(declaration.spouse_leaving_country),
        spouse_foreign=bool(
            groom.nationality and bride.nationality and groom.nationality != bride.nationality
        ),
    )


def _open_tracing(person: Person) -> list[TracingCase]:
    return tracing_access.open_cases_about(person.pk)


def _screening_alerts(person: Person, today: date) -> list[Alert]:
    return screening_access.alerts_about(person.pk, since=today - timedelta(days=365))


def tell_protection(person: Person, user: Any) -> int:
    """A registrar's concern about an adult spouse: the protection officers of
    the site (every organisation's) are told, with her registration number and
    a link to her record; whether she wants services is hers to say."""
    from salama.cases.access import staff_with
    from salama.core.models import Membership
    from salama.registry.households import site_path_ancestors

    organisations = set(
        Membership.objects.filter(
            sites__path__in=site_path_ancestors(person.site_path)
        ).values_list("organisation_id", flat=True)
    )
    officers = {
        u.pk: u
        for org in organisations
        for u in staff_with(org, person.site_path, Perm.CASE_SUPERVISE)
    }
    if officers:
        notify(
            recipients=list(officers.values()),
            kind="civil.protection_concern",
            subject=gettext_lazy(
                "A marriage registration raised a protection concern: offer this person services"
            ),
            reference=person.registration_number,
            link=reverse("person_detail", args=[person.pk]),
            actor=user,
        )
    return len(officers)


def tell_owners(event: CivilEvent, spouses: list[Person], user: Any) -> None:
    """A marriage is being registered for someone a tracing case seeks or a
    screening flagged: the staff who own those records are told (reference
    and link only); the registrar learns nothing of them."""
    from salama.cases.access import staff_with

    for person in spouses:
        for case in _open_tracing(person):
            recipients = [case.assigned_to] if case.assigned_to else []
            recipients = recipients or staff_with(
                case.organisation_id, case.site_path, Perm.TRACING_ACT
            )
            _tell(recipients, case.reference, reverse("tracing_case", args=[case.pk]), user)
        for alert in _screening_alerts(person, timezone.localdate()):
            recipients = staff_with(alert.organisation_id, alert.site_path, Perm.ALERT_VIEW)
            _tell(recipients, alert_reference(alert), reverse("alert_list"), user)


def _tell(recipients: list[Any], reference: str, link: str, user: Any) -> None:
    if recipients:
        notify(
            recipients=recipients,
            kind="civil.marriage_flag",
            subject=gettext_lazy(
                "A marriage is being registered for a person one of your records is about"
            ),
            reference=reference,
            link=link,
            actor=user,
        )


def bride_of(event: CivilEvent) -> Person | None:
    spouses = [
        p.person for p in event.parties.filter(role="spouse").select_related("person") if p.person
    ]
    return next((p for p in spouses if p.sex == "F"), spouses[0] if spouses else None)


def parties_in(event: CivilEvent, role: str) -> Any:
    return Party.objects.filter(event=event, role=role).select_related("person")

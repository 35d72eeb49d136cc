"""The only way views, the API and jobs fetch civil registration records.

A civil record belongs to the office that registers it: members of that
organisation whose role allows the action at the record's site (or above it)
see it; anyone else gets 404. Reads are audited under the purpose
"civil_registration". Marriages stopped at the desk are not read here: the
child-protection case they opened is the only place they are seen."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from salama.audit.actions import audit_record
from salama.civil.models import Certificate, CivilEvent
from salama.core import access as core_access
from salama.core.roles import Perm

PURPOSE = "civil_registration"


def events_for(user: Any, perm: Perm = Perm.CIVIL_VIEW) -> QuerySet[CivilEvent]:
    scope = core_access.site_scope(user, perm, "site_path", organisation_field="organisation_id")
    if scope is None:
        return CivilEvent.objects.none()
    return CivilEvent.objects.filter(scope).select_related("site", "organisation")


def get_event(user: Any, pk: object, perm: Perm = Perm.CIVIL_VIEW) -> CivilEvent:
    """One record the user may act on, its read audited; else 404."""
    event = events_for(user, perm).filter(pk=core_access.record_uuid(pk)).first()
    if event is None:
        raise Http404
    audit_record(
        user=user, action="read", purpose=PURPOSE, model="civil.CivilEvent", record_id=event.pk
    )
    return event


def event_for_update(event: CivilEvent) -> CivilEvent:
    """The record re-read and locked for a write (it was fetched through get_event)."""
    return CivilEvent.objects.select_for_update().get(pk=event.pk)


def get_certificate(user: Any, event: CivilEvent, serial: str) -> Certificate:
    """A certificate of a record the user already reached; else 404."""
    found = event.certificates.filter(serial=str(serial).strip().upper()).first()
    if found is None:
        raise Http404
    return found


def certificate_by_serial(serial: str) -> Certificate | None:
    """For the public verification page: the certificate alone, no account."""
    return (
        Certificate.objects.filter(serial=str(serial).strip().upper())
        .select_related("event")
        .first()
    )


def events_of_person(person: Any, organisation_ids: set[int]) -> QuerySet[CivilEvent]:
    """The records of these organisations in which the person is a party (their
    own-data file)."""
    return (
        CivilEvent.objects.filter(parties__person=person, organisation_id__in=organisation_ids)
        .distinct()
        .prefetch_related("parties", "certificates")
        .order_by("event_date")
    )

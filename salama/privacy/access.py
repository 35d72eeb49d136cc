"""The only way the data-protection pages fetch records.

An export file is its requester's alone: anyone else gets 404. A person is
found for subject access (PROTECTION.md 18) by a user holding
Perm.SUBJECT_ACCESS on a site at or above the person's, merged duplicates
included; answering the person is a legal obligation of its own, so no legal
basis per purpose is needed, and every such read is audited with the purpose
"subject_access". Agreements are managed by administrators of the sharing
organisation (system administrators: all)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404

from salama.audit.actions import audit_record
from salama.audit.models import AuditEntry
from salama.core import access as core_access
from salama.core.models import Organisation
from salama.core.roles import Perm
from salama.privacy.models import ExportFile, SharingAgreement
from salama.registry.models import Person
from salama.screening.models import Screening, Submission

SUBJECT_ACCESS_PURPOSE = "subject_access"


def exports_of(user: Any) -> QuerySet[ExportFile]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ExportFile.objects.none()
    return ExportFile.objects.filter(user=user)


def get_export(user: Any, pk: object) -> ExportFile:
    export = exports_of(user).filter(pk=core_access.record_uuid(pk)).first()
    if export is None:
        raise Http404
    return export


def _subjects(user: Any) -> QuerySet[Person]:
    scope = core_access.site_scope(user, Perm.SUBJECT_ACCESS, "site_path")
    if scope is None:
        return Person.objects.none()
    return Person.objects.filter(scope).select_related("household", "household__site")


def _read(user: Any, person: Person | None) -> Person:
    if person is None:
        raise Http404
    audit_record(
        user=user,
        action="read",
        purpose=SUBJECT_ACCESS_PURPOSE,
        model="registry.Person",
        record_id=person.pk,
    )
    return person


def find_subject(user: Any, registration_number: str) -> Person | None:
    """The person with this registration number in the user's scope (read
    audited), or None."""
    number = registration_number.strip().upper()
    person = _subjects(user).filter(registration_number=number).first() if number else None
    return _read(user, person) if person is not None else None


def get_subject(user: Any, pk: object, *, audit: bool = True) -> Person:
    person = _subjects(user).filter(pk=core_access.record_uuid(pk)).first()
    if not audit:
        if person is None:
            raise Http404
        return person
    return _read(user, person)


def agreements_for(user: Any) -> QuerySet[SharingAgreement]:
    if not core_access.has_perm(user, Perm.ADMINISTER):
        return SharingAgreement.objects.none()
    agreements = SharingAgreement.objects.select_related("from_organisation", "to_organisation")
    if core_access.is_system_administrator(user):
        return agreements
    ids = core_access.administered_organisation_ids(user)
    return agreements.filter(Q(from_organisation_id__in=ids) | Q(to_organisation_id__in=ids))


def get_agreement_to_manage(user: Any, pk: object) -> SharingAgreement:
    """An agreement the user may end: one of their organisation's (as the sharer)."""
    agreements = agreements_for(user)
    if not core_access.is_system_administrator(user):
        agreements = agreements.filter(
            from_organisation_id__in=core_access.administered_organisation_ids(user)
        )
    agreement = agreements.filter(pk=core_access.record_uuid(pk)).first()
    if agreement is None:
        raise Http404
    return agreement


def sharing_organisations(user: Any) -> QuerySet[Any]:
    """The organisations on whose behalf the user may record an agreement."""
    if core_access.is_system_administrator(user):
        return Organisation.objects.order_by("short_name")
    ids = core_access.administered_organisation_ids(user)
    return Organisation.objects.filter(pk__in=ids).order_by("short_name")


# What is held about a person already fetched through get_subject: their
# screenings and submissions belong to the organisation that made them (issue
# 9, section 1), so an officer answers for their own organisations' records.


def subject_screenings(person: Person, organisation_ids: set[int]) -> QuerySet[Screening]:
    """The screenings of `person` owned by the given organisations: screenings
    belong to the organisation that made them (issue 9, section 1)."""
    return (
        Screening.objects.filter(person=person, organisation_id__in=organisation_ids)
        .select_related("screened_by")
        .prefetch_related("indicators")
        .order_by("screened_at")
    )


def subject_submissions(person: Person, organisation_ids: set[int]) -> QuerySet[Submission]:
    return (
        Submission.objects.filter(person=person, organisation_id__in=organisation_ids)
        .prefetch_related("attachments")
        .order_by("received_at")
    )


def merged_record_ids(person: Person) -> list[Any]:
    """The duplicates merged into `person` (the same person's records)."""
    return list(Person.objects.filter(merged_into=person).values_list("pk", flat=True))


def get_reader(user: Any, pk: object) -> tuple[Any, QuerySet[AuditEntry]]:
    """A user of an organisation whose audit trail `user` may read (a data
    protection officer's or administrator's own; any for a system
    administrator), with everything they did, newest first: what a bulk-access
    alert links to. Reading it is audited; anyone else gets 404."""
    try:
        number = int(str(pk))
    except ValueError:
        raise Http404 from None
    organisations = core_access.organisation_ids_with(user, Perm.AUDIT_VIEW)
    readers = get_user_model().objects.filter(pk=number)
    if not core_access.is_system_administrator(user):
        readers = readers.filter(memberships__organisation_id__in=organisations)
    reader = readers.distinct().first()
    if reader is None:
        raise Http404
    audit_record(
        user=user,
        action="read_audit",
        purpose="accountability",
        model="auth.User",
        record_id=reader.pk,
    )
    # What a user read behind the wall of SEA complaints is not listed: the
    # trail's reader may be the one complained about (PROTECTION.md 9).
    trail = AuditEntry.objects.filter(user_id=reader.pk).exclude(model__startswith="complaints.")
    return reader, trail.order_by("-at", "-id")

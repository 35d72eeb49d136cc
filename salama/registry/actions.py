"""Writes to the registry: one named function per operation, each atomic and
audited. Callers pass records fetched through registry.access."""

import json
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.audit.actions import audit_record
from salama.audit.selectors import audit_entries_for
from salama.core import access as core_access
from salama.core.database import refresh_planner_statistics
from salama.core.models import Organisation, Site
from salama.lib.ages import birth_years
from salama.lib.masking import is_survivor
from salama.notifications.actions import notify
from salama.registry import households, matching
from salama.registry.models import (
    DuplicateCandidate,
    Household,
    IdentityDocument,
    LegalBasis,
    Person,
    PersonRevision,
)
from salama.registry.selectors import child_protection_staff, protection_officers

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _number(site: Site, kind: str) -> str:
    camp = site.code.split("-")[0]
    return f"{camp}-{kind}{''.join(secrets.choice(_ALPHABET) for _ in range(7))}"


@dataclass
class PersonData:
    """Cleaned fields of one person (PersonForm.cleaned_data)."""

    fields: dict[str, Any]
    document: tuple[str, str, str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_cleaned(cls, cleaned: dict[str, Any]) -> "PersonData":
        data = dict(cleaned)
        doc_type = data.pop("document_type", "")
        number = data.pop("document_number", "")
        issuer = data.pop("document_issuer", "")
        return cls(fields=data, document=(doc_type, number, issuer) if doc_type else None)


def _apply_derived(person: Person) -> None:
    person.birth_year_min, person.birth_year_max = birth_years(
        person.birth_date, person.stated_age, person.stated_age_on
    )
    person.mask_name = is_survivor(person.specific_needs)


def _create_person(
    *, user: Any, household: Household, data: PersonData, bases: dict[str, str]
) -> Person:
    person = Person(
        household=household,
        site_path=household.site_path,
        registration_number=_number(household.site, "P"),
        **data.fields,
    )
    _apply_derived(person)
    person.save(force_insert=True)
    if data.document:
        doc_type, number, issuer = data.document
        IdentityDocument.objects.create(
            person=person, document_type=doc_type, number=number, issuer=issuer
        )
    LegalBasis.objects.bulk_create(
        LegalBasis(person=person, purpose=p, basis=b, recorded_by=user) for p, b in bases.items()
    )
    matching.index_person(person)
    audit_record(
        user=user,
        action="create",
        purpose=core_access.purpose(user),
        model="registry.Person",
        record_id=person.pk,
        changed_fields=data.fields.keys(),
    )
    return person


class HouseholdError(ValueError):
    """The household's head is missing or wrong; `problems` say why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


@transaction.atomic
def household_register(
    *,
    user: Any,
    organisation: Organisation,
    site: Site,
    shelter: str,
    members: list[PersonData],
    bases: dict[str, str],
    composition: str | None = None,
) -> Household:
    """Register a household and all its members, or nothing. `composition`
    (households.COMPOSITIONS) is checked against the members: the desk, the
    API and imports always give it; a child-headed household or an
    unaccompanied child gets its specific-needs code and alerts child
    protection. None is for callers that build households themselves (the
    demo, fixtures)."""
    if "registration" not in bases:
        raise ValueError("a legal basis for registration is required")
    if composition is not None:
        found = households.problems(
            composition,
            [households.member_of(m.fields) for m in members],
            timezone.localdate(),
        )
        if found:
            raise HouseholdError(found)
        for data in members:
            needs = list(data.fields.get("specific_needs") or [])
            data.fields["specific_needs"] = households.with_need_code(composition, needs)
    household = Household.objects.create(
        registration_number=_number(site, "H"),
        site=site,
        site_path=site.path,
        shelter=shelter,
        registered_by=organisation,
    )
    audit_record(
        user=user,
        action="create",
        purpose=core_access.purpose(user),
        model="registry.Household",
        record_id=household.pk,
        changed_fields=["site", "shelter", "registered_by"],
    )
    for data in members:
        _create_person(user=user, household=household, data=data, bases=bases)
    if composition in households.NEED_CODE:
        _alert_child_protection(user=user, household=household, composition=composition)
    return household


def _alert_child_protection(*, user: Any, household: Household, composition: str) -> None:
    """Caseworkers and protection officers of the household's site are told
    (reference and link only: no name leaves Salama)."""
    subjects = {
        households.CHILD_HEADED: gettext_lazy("A child-headed household was registered"),
        households.UNACCOMPANIED: gettext_lazy("An unaccompanied child was registered"),
    }
    notify(
        recipients=child_protection_staff(household.site_path),
        kind=f"registry.{composition}",
        subject=subjects[composition],
        reference=household.registration_number,
        link=reverse("household_detail", args=[household.pk]),
        actor=user,
    )


@transaction.atomic
def held_match_ask(*, user: Any, person: Person) -> int:
    """Someone whose role may not see survivors' records found a possible match
    held by protection staff and asks them to look: the site's protection
    officers are told with a fresh reference and a link to the record, no name
    and nothing of the asker's query; the asker learns nothing more. Returns
    how many were told."""
    recipients = protection_officers(person.site_path)
    # Asked already within the hour: they were told; a second message adds nothing.
    recent = audit_entries_for("registry.Person", person.pk).filter(
        action="ask_protection", user_id=user.pk, at__gte=timezone.now() - timedelta(hours=1)
    )
    if recent.exists():
        return len(recipients)
    # The trail links the asker to the person (the notification alone does
    # not), so that the "who accessed this person" view shows the question.
    audit_record(
        user=user,
        action="ask_protection",
        purpose=core_access.purpose(user),
        model="registry.Person",
        record_id=person.pk,
    )
    told = notify(
        recipients=recipients,
        kind="registry.held_match",
        subject=gettext_lazy("A possible match held by protection staff was asked about"),
        reference=f"MQ-{secrets.token_hex(4).upper()}",
        link=reverse("person_detail", args=[person.pk]),
        actor=user,
    )
    return len(told)


def _household_problems(household: Household, changed: Person | None = None) -> list[str]:
    """What is wrong with the household's head now, with `changed` (a member
    being changed or added, not yet saved) in place of its saved self."""
    members = [m for m in household.members.filter(merged_into__isnull=True) if m != changed]
    if changed is not None:
        members.append(changed)
    today = timezone.localdate()
    heads = [
        households.Member(m.relationship, (m.birth_year_min, m.birth_year_max)) for m in members
    ]
    needs = [list(m.specific_needs) for m in members]
    return households.problems(households.composition_from_needs(heads, needs, today), heads, today)


def _keep_household_valid(household: Household, changed: Person) -> None:
    """A change may not leave a household that had a valid head without one
    (or with two); households registered before the rule are left as they are."""
    if _household_problems(household):
        return
    found = _household_problems(household, changed)
    if found:
        raise HouseholdError(found)


@transaction.atomic
def person_add(
    *, user: Any, household: Household, data: PersonData, bases: dict[str, str]
) -> Person:
    candidate = Person(household=household, **data.fields)
    _apply_derived(candidate)
    _keep_household_valid(household, candidate)
    return _create_person(user=user, household=household, data=data, bases=bases)


class _SnapshotEncoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def _snapshot(person: Person) -> dict[str, Any]:
    return json.loads(json.dumps(model_to_dict(person), cls=_SnapshotEncoder))  # type: ignore[no-any-return]


@transaction.atomic
def person_update(*, user: Any, person: Person, data: PersonData) -> list[str]:
    """Change a person; the state before is kept as a revision. Returns the
    names of the fields that changed (nothing is written when none did)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = _snapshot(person)
    changed = [name for name, value in data.fields.items() if getattr(person, name) != value]
    for name in changed:
        setattr(person, name, data.fields[name])
    if data.document:
        changed += _replace_document(person, data.document)
    if not changed:
        return []
    changed.sort()
    _apply_derived(person)
    if {"relationship", "birth_date", "stated_age", "specific_needs"} & set(changed):
        _keep_household_valid(person.household, person)
    person.save()
    matching.index_person(person)
    PersonRevision.objects.create(person=person, user=user, changed_fields=changed, before=before)
    audit_record(
        user=user,
        action="change",
        purpose=core_access.purpose(user),
        model="registry.Person",
        record_id=person.pk,
        changed_fields=changed,
    )
    return changed


def _replace_document(person: Person, document: tuple[str, str, str]) -> list[str]:
    doc_type, number, issuer = document
    existing = person.documents.filter(document_type=doc_type).first()
    if existing and (existing.number, existing.issuer) == (number, issuer):
        return []
    if existing:
        existing.number, existing.issuer = number, issuer
        existing.save(update_fields=["number", "issuer"])
    else:
        IdentityDocument.objects.create(
            person=person, document_type=doc_type, number=number, issuer=issuer
        )
    return ["documents"]


@transaction.atomic
def specific_needs_add(*, user: Any, person: Person, codes: list[str], reason: str) -> list[str]:
    """Add specific-needs codes (e.g. from a screening) to a person; returns the
    codes that were new. The state before is kept as a revision and the audit
    entry names the reason (the screening and its legal basis)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    new = [c for c in dict.fromkeys(codes) if c not in person.specific_needs]
    if not new:
        return []
    before = _snapshot(person)
    person.specific_needs = [*person.specific_needs, *new]
    _apply_derived(person)
    person.save(update_fields=["specific_needs", "mask_name", "updated_at"])
    PersonRevision.objects.create(
        person=person, user=user, changed_fields=["specific_needs"], before=before
    )
    audit_record(
        user=user,
        action="change",
        purpose=core_access.purpose(user),
        model="registry.Person",
        record_id=person.pk,
        changed_fields=["specific_needs", reason],
    )
    return new


@transaction.atomic
def legal_basis_set(*, user: Any, person: Person, purpose: str, basis: str | None) -> None:
    """Record, change or withdraw (basis=None) the basis for one purpose; a
    withdrawal takes effect at once (PROTECTION.md 3)."""
    if basis:
        LegalBasis.objects.update_or_create(
            person=person, purpose=purpose, defaults={"basis": basis, "recorded_by": user}
        )
    else:
        LegalBasis.objects.filter(person=person, purpose=purpose).delete()
    audit_record(
        user=user,
        action="consent",
        purpose=core_access.purpose(user),
        model="registry.Person",
        record_id=person.pk,
        changed_fields=[f"legal_basis.{purpose}"],
    )


class PersonDeleteRefused(Exception):
    """Records were merged into this person: deleting it would orphan them
    (the database protects them). The message names no record."""

    def __init__(self, merged: int) -> None:
        super().__init__(f"{merged} merged record(s) point to this person")
        self.merged = merged


@transaction.atomic
def person_delete(*, user: Any, person: Person) -> None:
    """Delete one person. Refused while other records are merged into it: a
    registry officer separates them (unmerge) or deletes them first, so that
    no confirmed duplicate is lost without anyone deciding it."""
    merged = Person.objects.filter(merged_into=person).count()
    if merged:
        raise PersonDeleteRefused(merged)
    record_id = person.pk
    household = person.household
    person.delete()
    if not household.members.exists():
        household.delete()
    audit_record(
        user=user,
        action="delete",
        purpose=core_access.purpose(user),
        model="registry.Person",
        record_id=record_id,
    )


@transaction.atomic
def household_update(*, user: Any, household: Household, shelter: str) -> Household:
    if household.shelter != shelter:
        household.shelter = shelter
        household.save(update_fields=["shelter", "updated_at"])
        audit_record(
            user=user,
            action="change",
            purpose=core_access.purpose(user),
            model="registry.Household",
            record_id=household.pk,
            changed_fields=["shelter"],
        )
    return household


@transaction.atomic
def duplicates_scan(*, user: Any, persons: Any, threshold: float = 0.9) -> int:
    """Run the linkage engine over `persons` (fetched through access) and
    queue every new pair at or above `threshold` for review. Nothing merges."""
    rows = matching.scan_rows(persons)
    existing = set(DuplicateCandidate.objects.values_list("keep_id", "other_id"))
    created = []
    for left, right, probability, explanation in matching.find_duplicates(rows, threshold):
        keep, other = sorted((left, right))
        if (UUID(keep), UUID(other)) in existing:
            continue
        created.append(
            DuplicateCandidate(
                keep_id=keep, other_id=other, probability=probability, explanation=explanation
            )
        )
    DuplicateCandidate.objects.bulk_create(created, ignore_conflicts=True)
    audit_record(
        user=user,
        action="scan",
        purpose=core_access.purpose(user),
        model="registry.DuplicateCandidate",
        record_id="*",
        changed_fields=[str(len(created))],
    )
    return len(created)


def _decide(candidate: DuplicateCandidate, user: Any, status: str) -> None:
    candidate.status = status
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])


@transaction.atomic
def duplicate_merge(*, user: Any, candidate: DuplicateCandidate, keep: Person) -> None:
    """A human confirmed the pair: the other record is merged into `keep`.
    It keeps all its data and history and can be unmerged."""
    other = candidate.other if keep.pk == candidate.keep_id else candidate.keep
    other = Person.objects.select_for_update().get(pk=other.pk)
    if other.merged_into_id or keep.merged_into_id:
        raise ValueError("one of these records is already merged")
    _refuse_two_of_one_household(keep, other)
    before = _snapshot(other)
    other.merged_into = keep
    other.save(update_fields=["merged_into", "updated_at"])
    PersonRevision.objects.create(
        person=other, user=user, changed_fields=["merged_into"], before=before
    )
    _decide(candidate, user, DuplicateCandidate.Status.MERGED)
    for person in (keep, other):
        audit_record(
            user=user,
            action="merge",
            purpose=core_access.purpose(user),
            model="registry.Person",
            record_id=person.pk,
            changed_fields=["merged_into"],
        )


class MergeRefused(ValueError):
    """A merge that would make one person of two people: said to the reviewer."""


def _refuse_two_of_one_household(keep: Person, other: Person) -> None:
    """Two members of one household are two people: they cannot both be the
    person `keep` (a household registered twice is two sets of duplicates,
    one member for one member)."""
    already = Person.objects.filter(merged_into=keep, household_id=other.household_id).exclude(
        pk=other.pk
    )
    member = already.first()
    if member is not None:
        raise MergeRefused(
            _(
                "%(member)s, of the same household as %(other)s, is already merged into "
                "%(keep)s: two members of one household are two people. Separate that merge "
                "first if it was wrong."
            )
            % {
                "member": member.registration_number,
                "other": other.registration_number,
                "keep": keep.registration_number,
            }
        )


@transaction.atomic
def duplicate_reject(*, user: Any, candidate: DuplicateCandidate) -> None:
    _decide(candidate, user, DuplicateCandidate.Status.REJECTED)
    audit_record(
        user=user,
        action="reject",
        purpose=core_access.purpose(user),
        model="registry.DuplicateCandidate",
        record_id=candidate.pk,
    )


@transaction.atomic
def person_unmerge(*, user: Any, person: Person) -> None:
    """Separate a merged record again; its data and history were kept."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.merged_into_id is None:
        raise ValueError("this record is not merged")
    before = _snapshot(person)
    survivor = person.merged_into_id
    person.merged_into = None
    person.save(update_fields=["merged_into", "updated_at"])
    PersonRevision.objects.create(
        person=person, user=user, changed_fields=["merged_into"], before=before
    )
    DuplicateCandidate.objects.filter(
        status=DuplicateCandidate.Status.MERGED,
        keep_id__in=[person.pk, survivor],
        other_id__in=[person.pk, survivor],
    ).update(status=DuplicateCandidate.Status.UNMERGED, decided_by=user, decided_at=timezone.now())
    for record in (person.pk, survivor):
        audit_record(
            user=user,
            action="unmerge",
            purpose=core_access.purpose(user),
            model="registry.Person",
            record_id=record,
            changed_fields=["merged_into"],
        )


def search_keys_rebuild(*, progress: Any = None, batch: int = 500) -> int:
    """Rebuild every person's search keys (after the variant table changes).
    A system task: not scoped to a user, and it reads nothing out."""
    ids = list(Person.objects.values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            for person in Person.objects.filter(pk__in=ids[start : start + batch]).prefetch_related(
                "documents"
            ):
                matching.index_person(person)
        if progress:
            progress("reindex", min(start + batch, len(ids)), len(ids))
    refresh_planner_statistics()
    return len(ids)


# ---- vital events (called by civil registration once an event is registered) ----

# The newborn's relationship to the household's head, from the mother's.
_CHILD_OF = {"head": "child", "spouse": "child", "child": "grandchild"}


def birth_register(
    *,
    user: Any,
    mother: Person,
    father: Person | None,
    names: dict[str, str],
    sex: str,
    born_on: date,
    purpose: str,
) -> Person:
    """The child, in the mother's household, with an exact date of birth and
    the legal bases the mother's record holds (the household's)."""
    fields = {
        "given_name": names.get("given_name", ""),
        "father_name": names.get("father_name") or (father.given_name if father else ""),
        "family_name": names.get("family_name") or mother.family_name,
        "given_name_latin": names.get("given_name_latin", ""),
        "father_name_latin": father.given_name_latin if father else "",
        "family_name_latin": names.get("family_name_latin") or mother.family_name_latin,
        "sex": sex if sex in {"F", "M", "X"} else "U",
        "relationship": _CHILD_OF.get(mother.relationship, "other_relative"),
        "birth_date": born_on,
        "birth_date_estimated": False,
        "nationality": "",
        "origin_country": mother.origin_country,
        "languages": list(mother.languages or []),
    }
    bases = dict(mother.legal_bases.values_list("purpose", "basis"))
    return _create_person(
        user=user, household=mother.household, data=PersonData(fields=fields), bases=bases
    )


def death_record(*, user: Any, person: Person, died_on: date, purpose: str) -> Person:
    """Write the date of death on the person, keeping the revision."""
    locked = Person.objects.select_for_update().get(pk=person.pk)
    PersonRevision.objects.create(
        person=locked, user=user, changed_fields=["died_on"], before=_snapshot(locked)
    )
    locked.died_on = died_on
    locked.save(update_fields=["died_on", "updated_at"])
    audit_record(
        user=user,
        action="update",
        purpose=purpose,
        model="registry.Person",
        record_id=locked.pk,
        changed_fields=["died_on"],
    )
    return locked


def birth_date_correct(*, user: Any, person: Person, born_on: date, purpose: str) -> Person:
    """A registered birth's corrected date becomes the person's date of birth
    (the revision kept, the search keys rebuilt)."""
    locked = Person.objects.select_for_update().get(pk=person.pk)
    PersonRevision.objects.create(
        person=locked, user=user, changed_fields=["birth_date"], before=_snapshot(locked)
    )
    locked.birth_date, locked.birth_date_estimated = born_on, False
    locked.stated_age = locked.stated_age_on = None
    _apply_derived(locked)
    locked.save()
    matching.index_person(locked)
    audit_record(
        user=user,
        action="update",
        purpose=purpose,
        model="registry.Person",
        record_id=locked.pk,
        changed_fields=["birth_date"],
    )
    return locked

"""The only way views and API handlers fetch registry records.

Scoping rule: a record is visible to a user whose memberships give a role
allowing the action on a site at or above the record's site. Anything else is
not found (404), never forbidden, so its existence does not leak. Reading a
person needs a legal basis for the user's purpose (PROTECTION.md 1) and is
audited.
"""

from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, When
from django.http import Http404
from django.utils.translation import gettext as _

from salama.audit.actions import audit_record
from salama.audit.models import AuditEntry
from salama.audit.selectors import audit_entries_for
from salama.core import access as core_access
from salama.core.models import Site
from salama.core.roles import Perm
from salama.registry import matching
from salama.registry.models import (
    DuplicateCandidate,
    Household,
    IdentityDocument,
    ImportJob,
    LegalBasis,
    Person,
    PersonRevision,
)


class NoLegalBasis(PermissionDenied):
    def __init__(self, purpose: str) -> None:
        super().__init__(
            _("No legal basis is recorded for using this person's data for %(purpose)s.")
            % {"purpose": purpose}
        )
        self.purpose = purpose


# The camp registry is read by every member of the site whose role allows it,
# but changed only by the organisation that registered the household or the one
# keeping the camp's registry, and deleted only by the registering organisation.
_CHANGES = frozenset({Perm.PERSON_CHANGE, Perm.PERSON_MERGE, Perm.HOUSEHOLD_CHANGE})


def _scope(user: Any, perm: Perm, organisation_field: str) -> Q | None:
    if perm in _CHANGES:
        return core_access.site_scope(
            user, perm, "site_path", organisation_field=organisation_field, registry_owner=True
        )
    if perm == Perm.PERSON_DELETE:
        return core_access.site_scope(
            user, perm, "site_path", organisation_field=organisation_field
        )
    return core_access.site_scope(user, perm, "site_path")


def persons_for(
    user: Any, perm: Perm = Perm.PERSON_VIEW, *, include_merged: bool = False
) -> QuerySet[Person]:
    scope = _scope(user, perm, "household__registered_by")
    if scope is None:
        return Person.objects.none()
    purpose = core_access.purpose(user)
    persons = Person.objects.filter(scope).filter(legal_bases__purpose=purpose)
    return persons if include_merged else persons.filter(merged_into__isnull=True)


def households_for(user: Any, perm: Perm = Perm.HOUSEHOLD_VIEW) -> QuerySet[Household]:
    scope = _scope(user, perm, "registered_by")
    if scope is None:
        return Household.objects.none()
    return Household.objects.filter(scope).select_related("site", "registered_by")


def get_person(
    user: Any, pk: object, perm: Perm = Perm.PERSON_VIEW, *, audit: bool = True
) -> Person:
    """One person the user may act on, with the read audited; else 404."""
    scope = _scope(user, perm, "household__registered_by")
    if scope is None:
        raise Http404
    purpose = core_access.purpose(user)
    # Whether a legal basis exists for the purpose, asked in the same query.
    has_basis = Exists(LegalBasis.objects.filter(person=OuterRef("pk"), purpose=purpose))
    person = (
        Person.objects.filter(scope)
        .select_related("household", "household__site")
        .filter(pk=core_access.record_uuid(pk))
        .annotate(basis_for_purpose=has_basis)
        .first()
    )
    if person is None:
        raise Http404
    if not person.basis_for_purpose:
        raise NoLegalBasis(purpose)
    if audit and perm == Perm.PERSON_VIEW:
        audit_record(
            user=user, action="read", purpose=purpose, model="registry.Person", record_id=person.pk
        )
    return person


def get_household(
    user: Any, pk: object, perm: Perm = Perm.HOUSEHOLD_VIEW, *, audit: bool = True
) -> Household:
    household = households_for(user, perm).filter(pk=core_access.record_uuid(pk)).first()
    if household is None:
        raise Http404
    if audit and perm == Perm.HOUSEHOLD_VIEW:
        audit_record(
            user=user,
            action="read",
            purpose=core_access.purpose(user),
            model="registry.Household",
            record_id=household.pk,
        )
    return household


def may_change_household(user: Any, household: Household) -> bool:
    return households_for(user, Perm.HOUSEHOLD_CHANGE).filter(pk=household.pk).exists()


def may_act_on_person(user: Any, person: Person, perm: Perm) -> bool:
    """Whether the user may change, merge or delete this (already fetched) person."""
    return perm in actions_on_person(user, person, [perm])


def actions_on_person(user: Any, person: Person, perms: Iterable[Perm]) -> set[Perm]:
    """Which of `perms` (change, merge, delete...) the user may take on this
    (already fetched) person: each is may_act_on_person's test, all asked in one
    query (a person's page asks for three)."""
    tests: dict[str, Exists] = {}
    asked: dict[str, Perm] = {}
    for perm in perms:
        if not core_access.has_perm(user, perm):
            continue
        scoped = persons_for(user, perm, include_merged=True)
        if scoped.query.is_empty():  # no scope for it anywhere
            continue
        name = f"may_{len(tests)}"
        tests[name], asked[name] = Exists(scoped.filter(pk=OuterRef("pk"))), perm
    if not tests:
        return set()
    row = Person.objects.filter(pk=person.pk).annotate(**tests).values(*tests).first()
    return {asked[name] for name, allowed in (row or {}).items() if allowed}


def household_members(user: Any, household: Household) -> QuerySet[Person]:
    head_first = Case(When(relationship="head", then=0), default=1)
    return persons_for(user).filter(household=household).order_by(head_first, "registration_number")


def person_revisions(person: Person) -> QuerySet[PersonRevision]:
    """History of a person already fetched through get_person."""
    return person.revisions.select_related("user")


def person_access_log(user: Any, pk: object) -> tuple[Person, QuerySet[AuditEntry]]:
    """Who read or changed a person: for administrators (PROTECTION.md 16)."""
    if not core_access.has_perm(user, Perm.AUDIT_VIEW):
        raise Http404
    person = get_person(user, pk, Perm.AUDIT_VIEW, audit=False)
    audit_record(
        user=user,
        action="read_audit",
        purpose="accountability",
        model="registry.Person",
        record_id=person.pk,
    )
    return person, audit_entries_for("registry.Person", person.pk)


def sites_for(user: Any, perm: Perm) -> QuerySet[Site]:
    scope = core_access.site_scope(user, perm, "path")
    if scope is None:
        return Site.objects.none()
    return Site.objects.filter(scope).order_by("path")


def get_import_job(user: Any, pk: object) -> ImportJob:
    """An import job is seen only by the user who started it."""
    if not core_access.has_perm(user, Perm.REGISTRY_IMPORT):
        raise Http404
    job = ImportJob.objects.filter(user=user, pk=core_access.record_uuid(pk)).first()
    if job is None:
        raise Http404
    return job


def match_persons(user: Any, query: dict[str, str], top: int = 10) -> list[matching.Match]:
    """Registered people likely to be the one described, best first, among
    those the user may see (search-before-create and person search)."""
    # Merged records are dropped here rather than in SQL: without statistics,
    # SQLite's planner answers "merged_into IS NULL" from its index (every
    # row) instead of the primary keys, 3 s instead of 8 ms at 1M people.
    persons = persons_for(user, include_merged=True).filter(pk__in=matching.candidate_ids(query))
    values = [
        v
        for v in persons.values(*matching.VALUE_FIELDS, "merged_into_id")
        if v.pop("merged_into_id") is None
    ]
    documents = dict(
        IdentityDocument.objects.filter(person__in=[v["pk"] for v in values]).values_list(
            "person_id", "number"
        )
    )
    matches = matching.score(query, values, _population(user), top, documents)
    # Already scoped above: the ten shown are fetched by primary key alone.
    shown = Person.objects.select_related("household__site").in_bulk(
        [m.person["pk"] for m in matches]
    )
    for match in matches:
        match.person = shown[match.person["pk"]]
    return matches


def _population(user: Any) -> int:
    """How many people the user can search, for the match prior. Cached for
    ten minutes: counting a large registry on every keystroke is wasteful and
    the prior needs only the order of magnitude."""
    paths = core_access.site_paths(user, Perm.PERSON_VIEW)
    key = "salama:population:" + core_access.purpose(user) + ":" + ",".join(paths)
    population = cache.get(key)
    if population is None:
        population = persons_for(user).count()
        cache.set(key, population, 600)
    return int(population)


def duplicate_candidates(user: Any, status: str) -> QuerySet[DuplicateCandidate]:
    """Pairs whose two persons the user may both merge."""
    if not core_access.has_perm(user, Perm.PERSON_MERGE):
        return DuplicateCandidate.objects.none()
    ids = persons_for(user, Perm.PERSON_MERGE, include_merged=True).values("pk")
    return DuplicateCandidate.objects.filter(
        status=status, keep__in=ids, other__in=ids
    ).select_related("keep", "other", "keep__household__site", "other__household__site")


def get_duplicate_candidate(user: Any, pk: object) -> DuplicateCandidate:
    try:
        number = int(str(pk))
    except ValueError:
        raise Http404 from None
    for status in DuplicateCandidate.Status.values:
        found = duplicate_candidates(user, status).filter(pk=number).first()
        if found is not None:
            return found
    raise Http404


def duplicate_candidate_to_review(user: Any, pk: object) -> DuplicateCandidate:
    """A pair and both its records, for the side-by-side comparison before a
    merge: reading them is audited as reading each person."""
    candidate = get_duplicate_candidate(user, pk)
    for person in (candidate.keep, candidate.other):
        audit_record(
            user=user,
            action="read",
            purpose=core_access.purpose(user),
            model="registry.Person",
            record_id=person.pk,
        )
    return candidate


def persons_to_scan(user: Any) -> QuerySet[Person]:
    return persons_for(user, Perm.PERSON_MERGE).prefetch_related("documents")


def merged_records(user: Any, person: Person) -> QuerySet[Person]:
    return persons_for(user, include_merged=True).filter(merged_into=person)


def find_person_by_number(user: Any, number: str, perm: Perm) -> Person | None:
    """The person with this registration number that the user may act on
    (scope and legal basis as for get_person), or None; the read is audited."""
    found = persons_for(user, perm).filter(registration_number=number.strip().upper()).first()
    if found is not None:
        audit_record(
            user=user,
            action="read",
            purpose=core_access.purpose(user),
            model="registry.Person",
            record_id=found.pk,
        )
    return found


def with_document(number: str) -> Q:
    """A filter on persons: those holding a document with this number (to be
    applied to a queryset of persons_for, which scopes it). A subquery, not a join: a
    join would repeat a person once per document, and the DISTINCT that undoes
    it sorts every matching row, all columns, before a page can be cut."""
    holders = IdentityDocument.objects.filter(number__iexact=number).values("person_id")
    return Q(pk__in=holders)

"""Reads of the registry, always starting from registry.access scopes."""

import json
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from salama.core import access as core_access
from salama.core.fields import decrypt_fresh, encrypt
from salama.core.roles import Perm, Role
from salama.lib.masking import MASK
from salama.registry import access, matching
from salama.registry.forms import NAME_PARTS
from salama.registry.households import site_path_ancestors
from salama.registry.models import Household, Person

PAGE_SIZE = 25


def registry_counts(user: Any) -> dict[str, int]:
    return {
        "households": access.households_for(user).count(),
        "persons": access.persons_for(user).count(),
    }


def person_search(user: Any, query: str = "") -> QuerySet[Person]:
    """Persons in scope whose names, registration number or document number
    contain every word of the query. (Cross-script fuzzy matching is the
    linkage engine's job.) Each person once: persons_for joins only to-one
    relations and the one legal basis of the purpose."""
    persons = access.persons_for(user).select_related("household")
    # Survivors' names are not searchable by roles that may not see them.
    names_searchable = Q() if core_access.sees_survivor_names(user) else Q(mask_name=False)
    for word in query.split()[:6]:
        by_name = Q()
        for part in NAME_PARTS:
            by_name |= Q(**{f"{part}__icontains": word})
        match = Q(registration_number__iexact=word) | access.with_document(word)
        persons = persons.filter(match | (by_name & names_searchable))
    return persons.order_by("registration_number")


def number_hits(user: Any, text: str) -> list[Person]:
    """People in scope whose registration or document number is one of the
    words typed (found exactly, whatever the search mode)."""
    words = text.upper().split()[:6]
    if not words:
        return []
    by_document = Q()
    for word in words:
        by_document |= access.with_document(word)
    found = access.persons_for(user).filter(Q(registration_number__in=words) | by_document)
    return list(found.select_related("household__site")[:20])


def household_search(user: Any, query: str = "") -> QuerySet[Household]:
    """Households in scope by registration number or shelter."""
    households = access.households_for(user).order_by("registration_number")
    for word in query.split()[:4]:
        households = households.filter(
            Q(registration_number__iexact=word) | Q(shelter__icontains=word)
        )
    return households


# What a masked list entry hides besides the names: each could single out a
# survivor (a specific-needs code such as SV-VA says what happened to them).
MASKED_FACTS = {"specific_needs": list, "phone": str, "origin_place": str, "origin_admin1": str}


def masked_for_list(user: Any, persons: Any) -> list[Person]:
    """Persons for a list or search result, survivors' names, specific needs,
    phone and place of origin blanked unless the user's role needs them
    (PROTECTION.md 8). The instances are display copies: never saved."""
    shown = list(persons)
    if core_access.sees_survivor_names(user):
        return shown
    for person in shown:
        if person.mask_name:
            for part in NAME_PARTS:
                setattr(person, part, MASK)
            for name, empty in MASKED_FACTS.items():
                setattr(person, name, empty())
            person.save = _never_saved  # type: ignore[method-assign]
    return shown


def _never_saved(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("a masked display copy of a person cannot be saved")


# How long the "ask protection staff" button of a withheld match stays valid.
HELD_TOKEN_SECONDS = 3600


@dataclass
class HeldMatch:
    """A likely match the viewer may not see (a survivor): it shows only that
    protection staff hold a possible match, and an opaque token to ask them."""

    token: str
    held: bool = True


def matches_as_seen(user: Any, matches: list[matching.Match]) -> list[Any]:
    """Matches as the user may see them: for roles that may not see survivors'
    names, each masked person becomes a HeldMatch, with no record, number,
    link, probability or field-by-field explanation (PROTECTION.md 8)."""
    if core_access.sees_survivor_names(user):
        return list(matches)
    return [HeldMatch(held_token(user, m.person)) if m.person.mask_name else m for m in matches]


def held_token(user: Any, person: Person) -> str:
    """An encrypted, expiring reference to a withheld person, valid for this
    user only: the browser holds it without learning who it names."""
    return encrypt(json.dumps({"person": str(person.pk), "user": user.pk}))


def held_person(user: Any, token: str) -> Person | None:
    """The person a held token names, if the token is this user's, fresh, and
    the person is still in their scope; else None. Not audited as a read:
    nothing of the record is shown to the user."""
    text = decrypt_fresh(token, HELD_TOKEN_SECONDS) if isinstance(token, str) else None
    if text is None:
        return None
    try:
        held = json.loads(text)
    except ValueError:
        return None
    if not isinstance(held, dict) or held.get("user") != user.pk:
        return None
    found = access.persons_for(user).filter(pk=core_access.record_uuid(held.get("person")))
    return found.first()


def protection_officers(site_path: str) -> QuerySet[Any]:
    """Active protection officers, of any organisation, whose memberships
    cover the site at `site_path` (the site or one above it)."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__role=Role.PROTECTION_OFFICER.value,
            memberships__sites__path__in=site_path_ancestors(site_path),
        )
        .distinct()
        .order_by("pk")
    )


def paginate(queryset: QuerySet[Any], page: Any, size: int = PAGE_SIZE) -> Page:  # type: ignore[type-arg]
    return Paginator(queryset, size).get_page(page)


CHILD_PROTECTION_ROLES = (Role.CASEWORKER, Role.PROTECTION_OFFICER)


def child_protection_staff(site_path: str) -> QuerySet[Any]:
    """Active caseworkers and protection officers, of any organisation, whose
    memberships cover the site at `site_path` (the site or one above it)."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__role__in=[r.value for r in CHILD_PROTECTION_ROLES],
            memberships__sites__path__in=site_path_ancestors(site_path),
        )
        .distinct()
        .order_by("pk")
    )


def _facts(person: Person) -> dict[str, str]:
    """Every field of a person as the reader sees it, for comparing two."""
    from salama.registry.audit_text import field_label
    from salama.registry.templatetags.registry_tags import age_text

    documents = "; ".join(
        f"{d.get_document_type_display()} {d.number}" for d in person.documents.all()
    )
    born = person.birth_date.isoformat() if person.birth_date else ""
    if born and person.birth_date_estimated:
        born += " (~)"
    elif not born and person.birth_year_min:
        born = f"{person.birth_year_min}–{person.birth_year_max}"
    facts = {field_label(part): getattr(person, part) for part in NAME_PARTS}
    facts.update(
        {
            field_label("sex"): str(person.get_sex_display()),  # type: ignore[attr-defined]
            field_label("birth_date"): born,
            str(_("age")): age_text(person),
            field_label("relationship"): str(person.get_relationship_display()),  # type: ignore[attr-defined]
            str(_("household")): person.household.registration_number,
            str(_("location")): str(person.household.site),
            field_label("nationality"): _country(person.nationality),
            field_label("origin_country"): _country(person.origin_country),
            field_label("origin_admin1"): person.origin_admin1,
            field_label("origin_place"): person.origin_place,
            field_label("languages"): ", ".join(person.languages),
            field_label("phone"): person.phone,
            field_label("documents"): documents,
            field_label("specific_needs"): " ".join(person.specific_needs),
            str(_("registered on")): person.created_at.date().isoformat(),
        }
    )
    return {label: str(value or "") for label, value in facts.items()}


def _country(value: Any) -> str:
    return str(getattr(value, "name", "") or "")


def comparison(user: Any, left: Person, right: Person) -> list[dict[str, Any]]:
    """Both records field by field, each row saying whether they differ.
    Survivors' names are masked for roles that may not see them."""
    shown = masked_for_list(user, [left, right])
    a, b = _facts(shown[0]), _facts(shown[1])
    return [{"label": k, "left": a[k], "right": b[k], "differs": a[k] != b[k]} for k in a]


def audit_readable_user_ids(viewer: Any, user_ids: set[int]) -> set[int]:
    """Of `user_ids`, the users whose whole audit trail `viewer` may read (the
    data-protection page of a reader): members of an organisation in which the
    viewer holds Perm.AUDIT_VIEW; every user for a system administrator."""
    if not core_access.has_perm(viewer, Perm.AUDIT_VIEW):
        return set()
    users = get_user_model().objects.filter(pk__in=user_ids)
    if not core_access.is_system_administrator(viewer):
        organisations = core_access.organisation_ids_with(viewer, Perm.AUDIT_VIEW)
        users = users.filter(memberships__organisation_id__in=organisations)
    return set(users.values_list("pk", flat=True))

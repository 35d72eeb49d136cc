"""Registry changes that vital events make: a child born into a household, a
death. Called by civil registration once an event is registered; never typed
in directly."""

from datetime import date
from typing import Any

from salama.audit.actions import audit_record
from salama.registry.actions import PersonData, _create_person, _snapshot
from salama.registry.models import Person, PersonRevision

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

"""What the staff mix's requests cost the database (issue 9, section 7): on a
2-core deployment every query is CPU taken from the other requests. The counts
are the branch's at the time of writing: a failure means a change added work
to every request of that kind (say why in the test if it is worth it)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from salama.core import access as core_access
from salama.core.roles import Perm
from salama.registry import access, selectors
from tests.conftest import person_fields, register, signed_in


def _queries(client, method, path, data=None, **extra):
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(path, data or {}, **extra)
    assert response.status_code == 200, response.content[:300]
    return [q["sql"] for q in captured]


def test_a_person_page_is_19_queries_with_its_audit_entry(world, amc_person):
    client = signed_in(world.user("registrar"))
    path = f"/registry/persons/{amc_person.pk}/"
    client.get(path)  # the first request of a session also saves it
    sql = _queries(client, "get", path)
    # Session, user, memberships and their sites, the person with its legal-basis
    # test, the audit entry (BEGIN, claim, insert and advance, COMMIT; SQLite
    # advances the head in a statement of its own), the legal bases, the edit/
    # merge/delete tests in one, preference, unread notifications, documents,
    # household members, merged records, history.
    assert len(sql) == (19 if connection.vendor == "postgresql" else 20), sql
    assert sum('WHERE "core_site"."registry_owner_id"' in q for q in sql) == 1


def test_the_person_list_and_search_need_no_distinct(world):
    register(world, world.amc_block, person_fields(given_name_latin="Amina"))
    client = signed_in(world.user("registrar"))
    for sql in (
        _queries(client, "get", "/api/v1/persons?page_size=20"),
        _queries(
            client,
            "post",
            "/api/v1/persons/search",
            {"q": "Amina"},
            content_type="application/json",
        ),
    ):
        reads = [q for q in sql if "registry_person" in q and q.lstrip().startswith("SELECT")]
        assert reads and not any("DISTINCT" in q for q in reads), reads


def test_a_document_number_finds_its_person_once(world):
    """Two documents with the same number (a passport and its renewal) are one
    person in the list, not two, now that the list has no DISTINCT."""
    household = register(world, world.amc_block, person_fields(given_name_latin="Yusuf"))
    person = household.members.get()
    person.documents.create(document_type="passport", number="N0123")
    person.documents.create(document_type="national_id", number="n0123")
    user = world.user("registrar")
    assert list(selectors.person_search(user, "N0123 Yusuf")) == [person]
    assert selectors.number_hits(user, "n0123") == [person]


def _may(user, person, perm):
    """The test a person's page made once per action before they were asked together."""
    return core_access.has_perm(user, perm) and (
        access.persons_for(user, perm, include_merged=True).filter(pk=person.pk).exists()
    )


def test_the_actions_on_a_person_asked_together_are_those_asked_one_by_one(
    world, amc_person, hop_person
):
    asked = [Perm.PERSON_CHANGE, Perm.PERSON_DELETE, Perm.PERSON_MERGE]
    seen = set()
    for name in world.users:
        for person in (amc_person, hop_person):
            user = world.user(name)
            one_by_one = {perm for perm in asked if _may(user, person, perm)}
            assert access.actions_on_person(user, person, asked) == one_by_one, name
            seen.add(frozenset(one_by_one))
    assert len(seen) > 2  # the personas differ: the test compares something

"""Finding people in the registry: search keys, search-before-create, the
person search page and API, and the duplicate queue with merge and unmerge."""

import json
from datetime import date

from django.core.management import call_command
from django.test import Client

from salama.audit.models import AuditEntry
from salama.jobs.api import run_pending_jobs
from salama.registry.models import BlockingKey, DuplicateCandidate, Person
from tests.conftest import bearer, person_fields, register, signed_in


def registered(world, block=None, **fields):
    return register(world, block or world.amc_block, person_fields(**fields)).members.get()


def test_every_person_gets_search_keys_kept_up_to_date(world, amc_person):
    keys = set(BlockingKey.objects.filter(person=amc_person).values_list("rule", "key"))
    assert len(keys) >= 5
    from salama.registry.actions import PersonData, person_update

    fields = {k: getattr(amc_person, k) for k in person_fields()}
    person_update(
        user=world.user("admin"),
        person=amc_person,
        data=PersonData(fields={**fields, "given_name": "عمر", "given_name_latin": "Omar"}),
    )
    assert set(BlockingKey.objects.filter(person=amc_person).values_list("rule", "key")) != keys


def test_person_search_across_scripts_and_spellings(world, amc_person):
    other = registered(
        world,
        given_name="محمود",
        given_name_latin="Mahmoud",
        birth_date=None,
        stated_age=40,
        stated_age_on=None,
    )
    client = signed_in(world.user("tracer"))
    page = client.post(
        "/registry/persons/find/", {"full_name": "Muhammad Ali Al-Hassan", "birth_year": "1985"}
    )
    matches = page.context["matches"]
    assert matches[0].person == amc_person and matches[0].probability > 0.5
    assert all(m.person != other or m.probability < matches[0].probability for m in matches)
    html = page.content.decode()
    assert amc_person.registration_number in html and "agrees" in html


def test_search_is_scoped(world, amc_person):
    page = signed_in(world.user("caseworker_hop")).post(
        "/registry/persons/find/", {"full_name": "محمد علي الحسن"}
    )
    assert page.context["matches"] == []


def test_search_before_create_at_the_desk(world, amc_person):
    client = signed_in(world.user("registrar"))
    data = {
        "m-0-given_name_latin": "Mohamed",
        "m-0-father_name_latin": "Aly",
        "m-0-family_name_latin": "Hassan",
        "m-0-birth_date": "1985-03-01",
        "m-0-sex": "M",
    }
    partial = client.post("/registry/match/0/", data).content.decode()
    assert amc_person.registration_number in partial and "Already registered?" in partial
    nobody = client.post("/registry/match/0/", {"m-0-given_name_latin": "Zzyzx"}).content.decode()
    assert amc_person.registration_number not in nobody
    assert signed_in(world.user("caseworker")).post("/registry/match/0/", data).status_code == 404


def test_match_api(world, amc_person):
    body = {"given_name": "محمد", "family_name": "الحسن", "birth_year": 1985, "top": 3}
    response = Client().post(
        "/api/v1/persons/match",
        data=json.dumps(body),
        content_type="application/json",
        **bearer(world.user("tracer")),
    )
    assert response.status_code == 200
    best = response.json()[0]
    assert best["person"]["id"] == str(amc_person.pk) and best["probability"] > 0.5
    assert {e["feature"] for e in best["explanation"]} >= {"given", "family", "birth"}
    empty = Client().post(
        "/api/v1/persons/match",
        data=json.dumps({"sex": "M"}),
        content_type="application/json",
        **bearer(world.user("tracer")),
    )
    assert empty.status_code == 422 and empty.json()["code"] == "invalid"


def make_duplicate(world):
    first = registered(world, phone="+962790000001")
    second = register(
        world,
        world.amc_block,
        person_fields(
            given_name="",
            father_name="",
            family_name="",
            given_name_latin="Muhammad",
            father_name_latin="Aly",
            family_name_latin="Hasan",
            birth_date=None,
            stated_age=41,
            phone="+962790000001",
        ),
    ).members.get()
    third = registered(
        world, given_name="حسن", given_name_latin="Hassan", birth_date=None, stated_age=12
    )
    return first, second, third


def test_scan_queues_pairs_and_nothing_merges_by_itself(world):
    first, second, third = make_duplicate(world)
    call_command("linkage", "scan", "--user", "admin", "--threshold", "0.5")
    pairs = {frozenset((c.keep_id, c.other_id)) for c in DuplicateCandidate.objects.all()}
    assert frozenset((first.pk, second.pk)) in pairs
    assert frozenset((first.pk, third.pk)) not in pairs
    assert not Person.objects.filter(merged_into__isnull=False).exists()
    # a second scan does not queue the same pair again
    call_command("linkage", "scan", "--user", "admin", "--threshold", "0.5")
    assert DuplicateCandidate.objects.count() == len(pairs)


def test_review_merge_and_unmerge(world):
    first, second, _third = make_duplicate(world)
    admin = signed_in(world.user("admin"))
    admin.post("/registry/duplicates/scan/")
    run_pending_jobs()  # the scan is a background job
    candidate = DuplicateCandidate.objects.get()
    page = admin.get("/registry/duplicates/").content.decode()
    assert f"pair-{candidate.pk}" in page
    admin.post(
        f"/registry/duplicates/{candidate.pk}/", {"decision": "merge", "keep": str(first.pk)}
    )
    second.refresh_from_db()
    assert second.merged_into == first
    assert second.revisions.filter(changed_fields=["merged_into"]).exists()
    listed = signed_in(world.user("registrar")).get("/registry/persons/").content.decode()
    assert second.registration_number not in listed and first.registration_number in listed
    from salama.registry.access import match_persons

    found = [m.person for m in match_persons(world.user("admin"), {"full_name": first.name()})]
    assert first in found and second not in found  # a merged record is not offered
    assert (
        first.registration_number in admin.get(f"/registry/persons/{second.pk}/").content.decode()
    )
    admin.post(f"/registry/persons/{second.pk}/unmerge/")
    second.refresh_from_db()
    assert second.merged_into is None
    candidate.refresh_from_db()
    assert candidate.status == "unmerged"
    assert AuditEntry.objects.filter(action="merge").count() == 2
    assert AuditEntry.objects.filter(action="unmerge").count() == 2


def test_reject_and_access(world):
    make_duplicate(world)
    signed_in(world.user("admin")).post("/registry/duplicates/scan/")
    run_pending_jobs()  # the scan is a background job
    candidate = DuplicateCandidate.objects.get()
    # a registrar of another camp cannot see or decide the pair
    other = signed_in(world.user("registrar_hop"))
    assert f"pair-{candidate.pk}" not in other.get("/registry/duplicates/").content.decode()
    assert (
        other.post(f"/registry/duplicates/{candidate.pk}/", {"decision": "reject"}).status_code
        == 404
    )
    assert signed_in(world.user("caseworker")).get("/registry/duplicates/").status_code == 404
    # registrars review but only administrators start scans
    assert signed_in(world.user("registrar")).post("/registry/duplicates/scan/").status_code == 404
    signed_in(world.user("registrar")).post(
        f"/registry/duplicates/{candidate.pk}/", {"decision": "reject"}
    )
    candidate.refresh_from_db()
    assert candidate.status == "rejected"


def test_reindex_command(world, amc_person, capsys):
    BlockingKey.objects.all().delete()
    call_command("linkage", "reindex")
    assert BlockingKey.objects.filter(person=amc_person).exists()
    assert "search keys rebuilt for 1 people" in capsys.readouterr().out


def test_a_crowded_key_does_not_hide_the_person_who_shares_rarer_ones(world, monkeypatch):
    from salama.registry import matching

    # Ten namesakes share the given and family name but nothing else.
    for n in range(10):
        registered(world, father_name_latin=f"Other{n}", father_name="", birth_date=None)
    target = registered(
        world, father_name_latin="Zakariyya", father_name="", grandfather_name_latin="Idris"
    )
    monkeypatch.setattr(matching, "KEY_ROWS", 3)  # each key yields at most 3 people
    monkeypatch.setattr(matching, "MAX_CANDIDATES", 2)
    query = {
        "given_name": "Mohammed",
        "father_name": "Zakaria",
        "grandfather_name": "Idriss",
        "family_name": "Al-Hassan",
        "birth_year": "1985",
    }
    ids = matching.candidate_ids(query)
    assert len(ids) <= 2 and ids[0] == target.pk


def test_one_rare_shared_key_outranks_several_crowded_ones(world, monkeypatch):
    """Counting shared keys let namesakes fill the candidate list; each key
    now weighs 1 / (people read for it)."""
    from salama.registry import matching

    # Five namesakes share the query's given and family names (several keys each).
    namesakes = [
        registered(world, father_name_latin=f"Other{n}", father_name="", birth_date=None)
        for n in range(5)
    ]
    # The person looked for shares only the father's and grandfather's names.
    target = registered(
        world,
        given_name="",
        given_name_latin="Qassem",
        family_name="",
        family_name_latin="Barakat",
        father_name="",
        father_name_latin="Zakariyya",
        grandfather_name_latin="Idris",
        birth_date=None,
        origin_place="Tadmur",
    )
    query = {
        "given_name": "Mohammed",
        "father_name": "Zakaria",
        "grandfather_name": "Idriss",
        "family_name": "Al-Hassan",
    }
    monkeypatch.setattr(matching, "MAX_CANDIDATES", 2)
    ids = matching.candidate_ids(query)
    assert ids[0] == target.pk
    assert ids[1] in {n.pk for n in namesakes}


def test_a_common_name_is_read_among_people_of_the_querys_age(world, monkeypatch):
    """A name shared by more people than a key reads is read again among
    those born near the query's year: the right person is not left out for
    an arbitrary few of other ages."""
    from salama.registry import matching

    for n in range(6):  # namesakes of another generation, each with his own father
        registered(
            world, father_name_latin=f"Other{n}", father_name="", birth_date=date(1950, 1, 1)
        )
    target = registered(
        world, father_name_latin="Yusuf", father_name="", birth_date=date(1990, 6, 1)
    )
    monkeypatch.setattr(matching, "KEY_ROWS", 3)  # fewer than the namesakes
    monkeypatch.setattr(matching, "MAX_CANDIDATES", 2)
    query = {"given_name": "Mohammed", "family_name": "Al-Hassan", "birth_year": "1991"}
    assert matching.candidate_ids(query)[0] == target.pk
    # Far from the query's age, a person is still read by the keys he shares.
    old = registered(
        world,
        father_name_latin="Zakariyya",
        father_name="",
        grandfather_name_latin="Idris",
        birth_date=date(1950, 1, 1),
    )
    query = {**query, "father_name": "Zakaria", "grandfather_name": "Idriss"}
    assert old.pk in matching.candidate_ids(query)


def test_search_keys_carry_the_persons_birth_year(world, amc_person):
    """Written with the person's keys, and copied by registry 0008 into keys
    written before it."""
    import importlib

    from django.apps import apps

    years = set(BlockingKey.objects.filter(person=amc_person).values_list("year", flat=True))
    assert years == {amc_person.birth_year_max} and amc_person.birth_year_max == 1985
    BlockingKey.objects.update(year=None)
    migration = importlib.import_module("salama.registry.migrations.0008_search_keys_by_year")
    migration.copy_years(apps, None)
    assert set(BlockingKey.objects.values_list("year", flat=True)) == {1985}


def test_the_upgrade_migration_rebuilds_every_persons_keys(world, amc_person):
    """registry 0006 replaces keys made by earlier rules with today's: a
    registry upgraded in place is found by the search at once."""
    import importlib

    from django.apps import apps

    expected = set(BlockingKey.objects.filter(person=amc_person).values_list("rule", "key"))
    BlockingKey.objects.filter(person=amc_person).update(rule=99)  # keys of older rules
    migration = importlib.import_module("salama.registry.migrations.0006_rebuild_search_keys")
    migration.rebuild(apps, None)
    rebuilt = set(BlockingKey.objects.filter(person=amc_person).values_list("rule", "key"))
    assert rebuilt == expected


def test_two_members_of_one_household_are_never_merged_into_one_person(world):
    """A household registered twice is two sets of duplicates, one member for
    one member: the second of its members offered as the same person is
    refused, with the reason, and nothing is written."""
    keep = registered(world, phone="+962790000009")
    household = register(
        world,
        world.amc_block,
        person_fields(given_name_latin="Muhammad", phone=""),
        person_fields(given_name="", given_name_latin="Mohamad", relationship="sibling", phone=""),
    )
    first, second = household.members.order_by("registration_number")
    pairs = [
        DuplicateCandidate.objects.create(keep=keep, other=o, probability=0.95)
        for o in (first, second)
    ]
    admin = signed_in(world.user("admin"))
    for pair in pairs:
        page = admin.post(
            f"/registry/duplicates/{pair.pk}/",
            {"decision": "merge", "keep": str(keep.pk)},
            follow=True,
        )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.merged_into == keep and second.merged_into is None
    assert "two members of one household are two people" in page.content.decode()
    pairs[1].refresh_from_db()
    assert pairs[1].status == "pending"
    assert AuditEntry.objects.filter(action="merge", record_id=str(second.pk)).count() == 0

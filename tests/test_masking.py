"""PROTECTION.md 8: survivors' names are masked in lists and search results
unless the viewer's role needs them."""

import pytest
from django.test import Client

from salama.lib.masking import MASK, is_survivor, masked
from tests.conftest import bearer, person_fields, register, signed_in


def survivor(world):
    return register(
        world,
        world.amc_block,
        person_fields(
            given_name_latin="Salwa", given_name="سلوى", sex="F", specific_needs=["SV-VF"]
        ),
    ).members.get()


def test_rules():
    assert is_survivor(["WR-SF", "SV-SS"]) and not is_survivor(["WR-SF"])
    assert masked("Salwa", survivor=True, viewer_may_see=False) == MASK
    assert masked("Salwa", survivor=True, viewer_may_see=True) == "Salwa"
    assert masked("Omar", survivor=False, viewer_may_see=False) == "Omar"


def test_lists_mask_survivors_for_roles_that_do_not_need_names(world):
    person = survivor(world)
    for name, sees in (
        ("registrar", False),
        ("tracer", False),
        ("caseworker", True),
        ("admin", True),
    ):
        page = signed_in(world.user(name)).get("/registry/persons/").content.decode()
        assert person.registration_number in page
        assert ("Salwa" in page) is sees, name
        items = Client().get("/api/v1/persons", **bearer(world.user(name))).json()["items"]
        item = next(i for i in items if i["id"] == str(person.pk))
        assert (item["given_name_latin"] == "Salwa") is sees
        assert item["name_masked"] is (not sees)
        assert "سلوى" not in str(item) or sees


def test_survivors_names_are_not_searchable_by_those_roles(world):
    person = survivor(world)
    registrar = signed_in(world.user("registrar"))
    assert (
        person.registration_number
        not in registrar.post("/registry/persons/search/", {"q": "Salwa"}).content.decode()
    )
    by_number = registrar.post(
        "/registry/persons/search/", {"q": person.registration_number}
    ).content.decode()
    assert person.registration_number in by_number and "Salwa" not in by_number
    caseworker = signed_in(world.user("caseworker"))
    assert "Salwa" in caseworker.post("/registry/persons/search/", {"q": "Salwa"}).content.decode()


def test_the_mask_follows_changes_to_specific_needs(world):
    from salama.registry.actions import PersonData, person_update

    person = survivor(world)
    assert person.mask_name
    fields = {k: getattr(person, k) for k in person_fields()}
    person_update(
        user=world.user("admin"),
        person=person,
        data=PersonData(fields={**fields, "specific_needs": ["WR-SF"]}),
    )
    person.refresh_from_db()
    assert not person.mask_name


def test_the_household_api_masks_members(world):
    person = survivor(world)
    body = (
        Client()
        .get(f"/api/v1/households/{person.household_id}", **bearer(world.user("tracer")))
        .json()
    )
    assert body["members"][0]["given_name_latin"] == MASK


# Issue 9, section 4: matching and the fields beside a masked name.

SEES_NAMES = {"registrar": False, "tracer": False, "civilregistrar": False, "protection": True}


def salwa(world):
    return register(
        world,
        world.amc_block,
        person_fields(
            given_name_latin="Salwa",
            father_name_latin="Ahmad",
            family_name_latin="Karimi",
            given_name="سلوى",
            father_name="أحمد",
            family_name="كريمي",
            sex="F",
            phone="+962790000123",
            origin_place="Qaryatayn",
            origin_admin1="Rif Dimashq",
            specific_needs=["SV-VA"],
        ),
    ).members.get()


def test_the_match_api_holds_survivors_back_from_roles_that_may_not_see_them(world):
    person = salwa(world)
    query = {"full_name": "Salwa Ahmad Karimi", "sex": "F"}
    for name, sees in SEES_NAMES.items():
        answer = Client().post(
            "/api/v1/persons/match",
            query,
            content_type="application/json",
            **bearer(world.user(name)),
        )
        assert answer.status_code == 200, name
        text = answer.content.decode()
        if sees:
            assert answer.json()[0]["person"]["id"] == str(person.pk)
            continue
        for secret in (str(person.pk), person.registration_number, "Salwa", "SV-VA", "0000123"):
            assert secret not in text, (name, secret)
        held = answer.json()[0]
        assert held["held_by_protection"] is True and held["person"] is None
        assert held["explanation"] == [] and held["probability"] is None
        assert "protection staff" in held["message"]


def test_the_find_and_desk_pages_show_only_a_held_match_and_a_way_to_ask(world):
    person = salwa(world)
    for name in ("registrar", "tracer", "civilregistrar"):
        client = signed_in(world.user(name))
        found = client.post(
            "/registry/persons/find/",
            {"q": "Salwa Karimi", "mode": "fuzzy"},
            HTTP_HX_REQUEST="true",
        ).content.decode()
        pages = [found]
        if name == "registrar":
            desk = {"m-0-given_name_latin": "Salwa", "m-0-family_name_latin": "Karimi"}
            pages.append(client.post("/registry/match/0/", desk).content.decode())
        for page in pages:
            assert "A possible match held by protection staff" in page, name
            assert "Ask protection staff" in page
            for secret in (str(person.pk), person.registration_number, "Salwa", "agrees"):
                assert secret not in page, (name, secret)
    page = signed_in(world.user("protection")).post(
        "/registry/persons/find/", {"q": "Salwa Karimi", "mode": "fuzzy"}
    )
    assert person.registration_number in page.content.decode()


def test_asking_protection_staff_tells_the_sites_protection_officers_and_nothing_more(world):
    import re

    from salama.notifications.models import Notification

    person = salwa(world)
    registrar = signed_in(world.user("registrar"))
    page = registrar.post("/registry/persons/find/", {"q": "Salwa Karimi", "mode": "fuzzy"})
    token = re.search(r'name="token" value="([^"]+)"', page.content.decode()).group(1)
    assert str(person.pk) not in token and person.registration_number not in token
    # Another user cannot replay the token.
    tracer = signed_in(world.user("tracer"))
    assert tracer.post("/registry/match/ask/", {"token": token}).status_code == 400
    assert not Notification.objects.exists()
    answer = registrar.post("/registry/match/ask/", {"token": token}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    assert "Protection staff were asked" in answer.content.decode()
    assert person.registration_number not in answer.content.decode()
    # The site's protection officers, of every organisation working there.
    assert {n.recipient.username for n in Notification.objects.all()} == {
        "protection",
        "protection_un",
    }
    told = Notification.objects.get(recipient=world.user("protection"))
    assert told.link == f"/registry/persons/{person.pk}/"
    for secret in ("Salwa", person.registration_number, "SV-VA"):
        assert secret not in f"{told.subject} {told.reference} {told.link}"
    from salama.audit.models import AuditEntry

    asked = AuditEntry.objects.get(action="ask_protection")
    assert (asked.username, asked.record_id) == ("registrar", str(person.pk))
    assert registrar.post("/registry/match/ask/", {"token": "forged"}).status_code == 400
    # Through the API, with the token of its answer.
    api = bearer(world.user("registrar"))
    held = (
        Client()
        .post(
            "/api/v1/persons/match",
            {"full_name": "Salwa Karimi"},
            content_type="application/json",
            **api,
        )
        .json()[0]
    )
    asked = Client().post(
        "/api/v1/persons/match/ask",
        {"token": held["ask_token"]},
        content_type="application/json",
        **api,
    )
    assert asked.status_code == 202 and asked.json()["told"] is True
    # Asked again within the hour: the officers were told already, not twice.
    assert Notification.objects.count() == 2
    bad = Client().post(
        "/api/v1/persons/match/ask", {"token": "x"}, content_type="application/json", **api
    )
    assert bad.status_code == 422


def test_masked_list_entries_hide_specific_needs_phone_and_origin(world):
    person = salwa(world)
    for name, sees in SEES_NAMES.items():
        api = bearer(world.user(name))
        listed = Client().get("/api/v1/persons", **api).json()["items"]
        searched = (
            Client()
            .post(
                "/api/v1/persons/search",
                {"q": person.registration_number},
                content_type="application/json",
                **api,
            )
            .json()["items"]
        )
        household = Client().get(f"/api/v1/households/{person.household_id}", **api).json()
        for item in (
            next(i for i in listed if i["id"] == str(person.pk)),
            searched[0],
            household["members"][0],
        ):
            shown = (item["specific_needs"], item["phone"], item["origin_place"])
            if sees:
                assert shown == (["SV-VA"], "+962790000123", "Qaryatayn"), name
            else:
                assert shown == ([], "", ""), name
                assert item["origin_admin1"] == "" and item["name_masked"] is True
        page = signed_in(world.user(name)).get(f"/registry/households/{person.household_id}/")
        text = page.content.decode()
        assert ("Salwa" in text) is sees and "SV-VA" not in text and "0000123" not in text
    person.refresh_from_db()
    assert person.phone == "+962790000123" and person.specific_needs == ["SV-VA"]


@pytest.mark.parametrize("name, sees", sorted(SEES_NAMES.items()))
def test_lists_link_to_a_survivors_record_only_for_roles_that_see_survivors(world, name, sees):
    """A survivor found by registration number, or listed in their household,
    shows masked and without a link to the record for roles that may not see
    survivors (a reviewer reached the record through those links)."""
    person = salwa(world)
    relative = add_relative(world, person)
    client = signed_in(world.user(name))
    link = f'href="/registry/persons/{person.pk}/"'
    pages = [
        client.post("/registry/persons/find/", {"q": person.registration_number}),
        client.post("/registry/persons/search/", {"q": person.registration_number}),
        client.get(f"/registry/households/{person.household.pk}/"),
        client.get(f"/registry/persons/{relative.pk}/"),
    ]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert (link in html) == sees, page.request["PATH_INFO"]
        assert ("Salwa" in html) == sees


def add_relative(world, person):
    from salama.registry.actions import PersonData, person_add
    from salama.registry.forms import DEFAULT_BASES

    return person_add(
        user=world.user("admin"),
        household=person.household,
        data=PersonData(fields=person_fields(given_name_latin="Nour", relationship="child")),
        bases={k: v for k, v in DEFAULT_BASES.items() if v},
    )

"""PROTECTION.md 8: survivors' names are masked in lists and search results
unless the viewer's role needs them."""

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

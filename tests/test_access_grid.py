"""Role x endpoint x owner: who sees and changes which registry records,
through the pages and through the API. Out of scope is always 404."""

import json

import pytest

from tests.conftest import bearer, signed_in

# Who may read a person or household of camp AMC (their site).
READERS_AMC = {
    "registrar",
    "tracer",
    "caseworker",
    "civilregistrar",
    "protection",
    "admin",
    # Other organisations at the same camp read its registry too (they do not
    # change it: tests/test_access_grid_organisations.py).
    "caseworker_un",
    "protection_un",
    "registrar_ngo",
    "admin_un",
    "dpo",
}
NON_READERS_AMC = {"registrar_hop", "caseworker_hop", "psea", "analyst", "admin_hop"}
WRITERS_AMC = {"registrar", "admin"}


@pytest.mark.parametrize("name", sorted(READERS_AMC | NON_READERS_AMC))
@pytest.mark.parametrize("via", ["ui", "api"])
def test_person_read(world, amc_person, name, via):
    user = world.user(name)
    if via == "ui":
        response = signed_in(user).get(f"/registry/persons/{amc_person.pk}/")
    else:
        response = signed_in(user).get(f"/api/v1/persons/{amc_person.pk}", **bearer(user))
    assert response.status_code == (200 if name in READERS_AMC else 404)
    if response.status_code == 404 and via == "api":
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("name", sorted(READERS_AMC | NON_READERS_AMC))
@pytest.mark.parametrize("via", ["ui", "api"])
def test_household_read(world, amc_person, name, via):
    user = world.user(name)
    household = amc_person.household
    if via == "ui":
        response = signed_in(user).get(f"/registry/households/{household.pk}/")
    else:
        response = signed_in(user).get(f"/api/v1/households/{household.pk}", **bearer(user))
    assert response.status_code == (200 if name in READERS_AMC else 404)


@pytest.mark.parametrize("name", sorted(READERS_AMC | NON_READERS_AMC))
def test_person_update_via_api(world, amc_person, name):
    user = world.user(name)
    response = signed_in(user).patch(
        f"/api/v1/persons/{amc_person.pk}",
        data=json.dumps({"phone": "+962700000001"}),
        content_type="application/json",
        **bearer(user),
    )
    assert response.status_code == (200 if name in WRITERS_AMC else 404)
    amc_person.refresh_from_db()
    assert (amc_person.phone == "+962700000001") == (name in WRITERS_AMC)


@pytest.mark.parametrize("name", sorted(READERS_AMC | NON_READERS_AMC))
def test_person_edit_page(world, amc_person, name):
    response = signed_in(world.user(name)).get(f"/registry/persons/{amc_person.pk}/edit/")
    assert response.status_code == (200 if name in WRITERS_AMC else 404)


@pytest.mark.parametrize("name", sorted(READERS_AMC | NON_READERS_AMC))
def test_lists_hold_only_scoped_records(world, amc_person, hop_person, name):
    user = world.user(name)
    listed = {
        p["id"]
        for p in signed_in(user).get("/api/v1/persons", **bearer(user)).json().get("items", [])
    }
    page = signed_in(user).get("/registry/persons/")
    expected_amc = name in READERS_AMC
    expected_hop = name in {"registrar_hop", "caseworker_hop", "admin", "admin_hop"}
    assert (str(amc_person.pk) in listed) == expected_amc
    assert (str(hop_person.pk) in listed) == expected_hop
    if page.status_code == 200:
        assert (amc_person.registration_number in page.content.decode()) == expected_amc
    else:
        assert page.status_code == 404 and not expected_amc and not expected_hop


@pytest.mark.parametrize("name", ["registrar", "registrar_hop", "caseworker", "analyst"])
def test_create_household_api_only_in_own_sites(world, name):
    user = world.user(name)
    body = {"site_code": "AMC-Z1A", "members": [{"given_name_latin": "Amina", "sex": "F"}]}
    response = signed_in(user).post(
        "/api/v1/households", data=json.dumps(body), content_type="application/json", **bearer(user)
    )
    if name == "registrar":
        assert response.status_code == 201
    elif name == "registrar_hop":
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "site_code"
    else:
        assert response.status_code == 404


def test_unknown_and_malformed_ids_are_404(world):
    client = signed_in(world.user("admin"))
    assert client.get("/registry/persons/not-a-uuid/").status_code == 404
    assert client.get("/registry/persons/00000000-0000-0000-0000-000000000000/").status_code == 404


@pytest.mark.parametrize("name", sorted(READERS_AMC | NON_READERS_AMC))
def test_every_role_signs_in_and_sees_its_home(world, amc_person, name):
    page = signed_in(world.user(name)).get("/")
    assert page.status_code == 200
    text = page.content.decode()
    assert ("people in your sites" in text) == (name not in {"psea", "analyst"})
    assert amc_person.given_name_latin not in text

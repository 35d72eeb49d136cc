"""The JSON API: one error shape, bearer tokens and verified sessions, the
same validation as the desk."""

import json
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from salama.core.actions import api_token_create, user_deactivate
from salama.registry.models import Household, Person
from tests.conftest import bearer, signed_in


def post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_openapi_schema_and_docs_are_served(world):
    client = Client()
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/persons" in schema["paths"] and "/api/v1/households" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_no_credentials_is_401_in_the_error_shape(world):
    response = Client().get("/api/v1/persons")
    assert response.status_code == 401
    assert (
        set(response.json()) == {"code", "message"} and response.json()["code"] == "unauthenticated"
    )


def test_revoked_expired_or_disabled_tokens_are_refused(world):
    user = world.user("registrar")
    token, raw = api_token_create(user=user, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert Client().get("/api/v1/persons", **auth).status_code == 200
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    assert Client().get("/api/v1/persons", **auth).status_code == 401
    _t2, raw2 = api_token_create(user=user, name="t2")
    user_deactivate(user=user, actor=world.user("admin"))
    assert Client().get("/api/v1/persons", HTTP_AUTHORIZATION=f"Bearer {raw2}").status_code == 401


def test_session_without_second_factor_is_refused(world):
    client = Client()
    client.force_login(world.user("registrar"))
    assert client.get("/api/v1/persons").status_code == 401
    assert signed_in(world.user("registrar")).get("/api/v1/persons").status_code == 200


def test_session_writes_need_csrf(world):
    client = signed_in(world.user("registrar"))
    client.handler.enforce_csrf_checks = True
    response = post(
        client,
        "/api/v1/households",
        {"site_code": "AMC-Z1A", "members": [{"given_name_latin": "A", "sex": "F"}]},
    )
    assert response.status_code in {401, 403}
    assert Household.objects.count() == 0


def test_create_household_then_person_then_update(world):
    user = world.user("registrar")
    client, auth = Client(), bearer(user)
    body = {
        "site_code": "AMC-Z1A",
        "shelter": "D-9",
        "members": [
            {
                "given_name": "خديجة",
                "given_name_latin": "Khadija",
                "family_name_latin": "Haddad",
                "sex": "F",
                "stated_age": 29,
                "specific_needs": ["WR-SF"],
                "document_type": "passport",
                "document_number": "N123",
            },
        ],
    }
    created = post(client, "/api/v1/households", body, **auth)
    assert created.status_code == 201, created.content
    household = created.json()
    assert household["site_code"] == "AMC-Z1A" and len(household["members"]) == 1
    head = household["members"][0]
    assert head["birth_year_max"] - head["birth_year_min"] == 1
    added = post(
        client,
        "/api/v1/persons",
        {
            "household_id": household["id"],
            "given_name_latin": "Sami",
            "sex": "M",
            "relationship": "child",
            "birth_date": "2020-02-02",
        },
        **auth,
    )
    assert added.status_code == 201 and added.json()["household_id"] == household["id"]
    patched = client.patch(
        f"/api/v1/persons/{head['id']}",
        data=json.dumps({"phone": "+962700000000"}),
        content_type="application/json",
        **auth,
    )
    assert patched.status_code == 200 and patched.json()["phone"] == "+962700000000"
    assert patched.json()["given_name_latin"] == "Khadija"  # untouched fields stay
    assert Person.objects.get(pk=head["id"]).revisions.get().changed_fields == ["phone"]
    got = client.get(f"/api/v1/households/{household['id']}", **auth).json()
    assert len(got["members"]) == 2
    shelter = client.patch(
        f"/api/v1/households/{household['id']}",
        data=json.dumps({"shelter": "E-1"}),
        content_type="application/json",
        **auth,
    )
    assert shelter.json()["shelter"] == "E-1"


def test_bad_input_names_the_field_and_writes_nothing(world):
    auth = bearer(world.user("registrar"))
    body = {
        "site_code": "AMC-Z1A",
        "members": [
            {"given_name_latin": "Good", "sex": "M"},
            {"given_name_latin": "Bad", "sex": "M", "specific_needs": ["XX-00"]},
        ],
    }
    response = post(Client(), "/api/v1/households", body, **auth)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"][0]["field"] == "members.1.specific_needs"
    assert Household.objects.count() == 0 and Person.objects.count() == 0


def test_schema_errors_use_the_same_shape(world):
    auth = bearer(world.user("registrar"))
    response = post(
        Client(), "/api/v1/households", {"site_code": "AMC-Z1A", "members": "no"}, **auth
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid" and response.json()["errors"][0][
        "field"
    ].startswith("members")
    bad_basis = post(
        Client(),
        "/api/v1/households",
        {
            "site_code": "AMC-Z1A",
            "legal_bases": {"registration": "whim"},
            "members": [{"given_name_latin": "A", "sex": "F"}],
        },
        **auth,
    )
    assert (
        bad_basis.status_code == 422
        and bad_basis.json()["errors"][0]["field"] == "legal_bases.basis_registration"
    )


def test_search_by_post_is_paginated(world, amc_person):
    from tests.conftest import person_fields, register

    register(
        world,
        world.amc_block,
        *[person_fields(given_name_latin=f"Kid{i}", relationship="child") for i in range(7)],
    )
    auth = bearer(world.user("tracer"))
    page = post(
        Client(), "/api/v1/persons/search", {"q": "Al-Hassan", "page": 2, "page_size": 5}, **auth
    ).json()
    assert (page["count"], page["page"], page["pages"], len(page["items"])) == (8, 2, 2, 3)


def test_households_list_and_search(world, amc_person, hop_person):
    auth = bearer(world.user("admin"))
    everything = Client().get("/api/v1/households", **auth).json()
    assert everything["count"] == 2
    found = (
        Client()
        .get(f"/api/v1/households?q={amc_person.household.registration_number}", **auth)
        .json()
    )
    assert [h["id"] for h in found["items"]] == [str(amc_person.household_id)]
    scoped = Client().get("/api/v1/households", **bearer(world.user("registrar_hop"))).json()
    assert [h["id"] for h in scoped["items"]] == [str(hop_person.household_id)]

"""The JSON API: one error shape, bearer tokens and verified sessions, the
same validation as the desk."""

import json
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from salama.core.actions import api_token_create, user_deactivate
from salama.registry.models import Household, Person
from tests.conftest import bearer, signed_in, with_two_factor


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
    token, raw = api_token_create(user=with_two_factor(user), name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert Client().get("/api/v1/persons", **auth).status_code == 200
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    assert Client().get("/api/v1/persons", **auth).status_code == 401
    _t2, raw2 = api_token_create(user=with_two_factor(user), name="t2")
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
    number = amc_person.household.registration_number
    found = Client().post(
        "/api/v1/households/search", {"q": number}, content_type="application/json", **auth
    )
    assert [h["id"] for h in found.json()["items"]] == [str(amc_person.household_id)]
    # A shelter can be an address: no search in a URL.
    in_url = Client().get(f"/api/v1/households?q={number}", **auth)
    assert in_url.status_code == 400 and in_url.json()["errors"][0]["field"] == "q"
    assert number not in in_url.content.decode()
    scoped = Client().get("/api/v1/households", **bearer(world.user("registrar_hop"))).json()
    assert [h["id"] for h in scoped["items"]] == [str(hop_person.household_id)]


# --- retries with an Idempotency-Key, token scopes (issue 9, section 6) ---

HOUSEHOLD = {
    "site_code": "AMC-Z1A",
    "shelter": "R-1",
    "members": [{"given_name_latin": "Rania", "family_name_latin": "Saleh", "sex": "F"}],
}


def test_three_identical_posts_with_one_idempotency_key_make_one_household(world):
    auth = bearer(world.user("registrar"))
    key = {"HTTP_IDEMPOTENCY_KEY": "7d3c1c52-3a43-4f0e-9a3b-1f6a0f1e0c11"}
    answers = [post(Client(), "/api/v1/households", HOUSEHOLD, **auth, **key) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert "Idempotent-Replayed" not in answers[0] and answers[2]["Idempotent-Replayed"] == "true"
    assert Household.objects.count() == 1 and Person.objects.count() == 1
    # The same key with another body is refused and creates nothing.
    other = {**HOUSEHOLD, "shelter": "R-2"}
    reused = post(Client(), "/api/v1/households", other, **auth, **key)
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    # Another user's same key is theirs alone.
    theirs = post(Client(), "/api/v1/households", HOUSEHOLD, **bearer(world.user("admin")), **key)
    assert theirs.status_code == 201 and Household.objects.count() == 2
    # Without a key every call creates, as before.
    assert post(Client(), "/api/v1/households", HOUSEHOLD, **auth).status_code == 201
    assert Household.objects.count() == 3


def test_a_refused_call_keeps_its_key_free_and_keys_are_pruned(world):
    from salama.core.models import IdempotencyKey
    from salama.jobs.api import run_job_now
    from salama.jobs.housekeeping import prune_idempotency_keys

    auth = bearer(world.user("registrar"))
    key = {"HTTP_IDEMPOTENCY_KEY": "k-1"}
    bad = {**HOUSEHOLD, "site_code": "NOPE"}
    assert post(Client(), "/api/v1/households", bad, **auth, **key).status_code == 422
    assert not IdempotencyKey.objects.exists()
    assert post(Client(), "/api/v1/households", HOUSEHOLD, **auth, **key).status_code == 201
    stored = IdempotencyKey.objects.get()
    assert "Rania" in stored.body  # the first answer, held encrypted:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM core_idempotencykey")
        assert "Rania" not in cursor.fetchone()[0]
    assert (stored.expires_at - stored.created_at) == timedelta(hours=24)
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert run_job_now(prune_idempotency_keys).result == {"deleted": 1}
    assert post(Client(), "/api/v1/households", HOUSEHOLD, **auth, **key).status_code == 201
    assert Household.objects.count() == 2


def test_the_idempotency_key_is_documented_in_the_schema(world):
    schema = Client().get("/api/v1/openapi.json").json()
    creating = schema["paths"]["/api/v1/households"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in creating["parameters"]]
    assert "Idempotency-Key" in schema["info"]["description"]


def test_a_token_opens_only_the_endpoints_of_its_scopes(world):
    user = world.user("registrar")
    reader, writer = bearer(user, scopes=("read",)), bearer(user, scopes=("write",))
    assert Client().get("/api/v1/persons", **reader).status_code == 200
    refused = post(Client(), "/api/v1/households", HOUSEHOLD, **reader)
    assert refused.status_code == 403 and "'write' scope" in refused.json()["message"]
    assert Household.objects.count() == 0
    assert post(Client(), "/api/v1/households", HOUSEHOLD, **writer).status_code == 201
    assert Client().get("/api/v1/persons", **writer).status_code == 403
    # Searching by POST reads: the read scope.
    assert post(Client(), "/api/v1/persons/search", {"q": "Rania"}, **reader).status_code == 200


def test_a_token_expires_after_the_default_lifetime(world):
    user = with_two_factor(world.user("registrar"))
    token, raw = api_token_create(user=user, name="t")
    assert token.scopes == ["read"]
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    response = Client().get("/api/v1/persons", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401


def test_tokens_made_before_expiry_existed_get_one_by_migration(transactional_db):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from salama.core.models import ApiToken

    before = [("core", "0002_site_names_and_token_last_use")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    owner = old.get_model("auth", "User").objects.create(username="sync-owner")
    OldToken = old.get_model("core", "ApiToken")
    OldToken.objects.create(user=owner, name="forever", digest="a" * 64, prefix="a")
    far = timezone.now() + timedelta(days=3000)
    OldToken.objects.create(user=owner, name="far", digest="b" * 64, prefix="b", expires_at=far)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    forever, capped = ApiToken.objects.get(name="forever"), ApiToken.objects.get(name="far")
    assert timedelta(days=89) < forever.expires_at - timezone.now() <= timedelta(days=90)
    assert timedelta(days=364) < capped.expires_at - timezone.now() <= timedelta(days=365)
    assert forever.scopes == ["read", "write"] == capped.scopes


def test_concurrent_retries_with_one_key_make_one_household(world, flushable_audit):
    """Two requests with the same key at the same moment, each on its own
    database connection (as in two server processes): one creates, the other
    waits on the key's row and replays the answer."""
    import threading

    from django.db import connection

    auth = bearer(world.user("registrar"))
    key = {"HTTP_IDEMPOTENCY_KEY": "same-moment"}
    start, answers = threading.Barrier(2), []

    def send() -> None:
        try:
            start.wait(timeout=10)
            answers.append(post(Client(), "/api/v1/households", HOUSEHOLD, **auth, **key))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(a.status_code for a in answers) == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert Household.objects.count() == 1

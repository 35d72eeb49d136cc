"""The tracing API (issue 10 section 6): the same access rules as the pages."""

import json

from tests.conftest import bearer, person_fields, register
from tests.test_tracing_reports import GIRL

URL = "/api/v1/tracing/reports"


def body(**extra):
    person = {k: v for k, v in GIRL.items()}
    data = {
        "site": "AMC",
        "kind": "missing",
        "person": person,
        "description": "green dress",
        "last_seen": {"date": "2026-11-30", "place": "water point", "with_whom": "alone"},
        "circumstances": ["taken"],
        "reporter": {"name": "Mother", "relationship": "mother", "contact": "+000"},
    }
    data.update(extra)
    return data


def post(client, user, data, **headers):
    return client.post(
        URL, json.dumps(data), content_type="application/json", **bearer(user), **headers
    )


def test_a_report_answers_201_with_the_case_and_ranked_candidates(client, world, desk):
    from datetime import date

    girl = person_fields(
        given_name="أمينة",
        father_name="يوسف",
        family_name="حداد",
        given_name_latin="Amina",
        father_name_latin="Yusuf",
        family_name_latin="Haddad",
        sex="F",
        birth_date=date(2014, 5, 2),
        relationship="child",
    )
    registered = register(world, world.amc_block, person_fields(), girl).members.get(sex="F")
    response = post(client, world.user("tracer"), body())
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["status"] == "investigating" and answer["urgent"] is True
    assert answer["reference"].startswith("MR-") and len(answer["pin"]) == 6
    top = answer["candidates"][0]
    assert top["person_id"] == str(registered.pk)
    assert top["registration_number"] == registered.registration_number
    assert top["probability"] > 0.9 and top["explanation"]

    cases = client.get("/api/v1/tracing/cases?urgent=true", **bearer(world.user("tracer")))
    assert cases.status_code == 200 and cases.json()["count"] == 1
    case_id = cases.json()["items"][0]["id"]
    case = client.get(f"/api/v1/tracing/cases/{case_id}", **bearer(world.user("tracer"))).json()
    assert case["first_action_due"] and case["actions"][0]["kind"] == "opened"
    assert case["candidates"][0]["person_id"] == str(registered.pk)


def test_another_organisation_gets_404_for_the_case_and_cannot_report(client, world, desk):
    response = post(client, world.user("tracer"), body())
    case_id = response.json()["case_id"]
    for name in ("protection", "caseworker_un", "registrar", "analyst"):
        got = client.get(f"/api/v1/tracing/cases/{case_id}", **bearer(world.user(name)))
        assert got.status_code == 404, name
    assert client.get("/api/v1/tracing/cases", **bearer(world.user("protection"))).json() == {
        "items": [],
        "count": 0,
        "page": 1,
        "pages": 1,
    }
    assert post(client, world.user("protection"), body()).status_code == 422  # no desk of its own
    assert post(client, world.user("registrar"), body()).status_code == 404


def test_bad_input_is_422_naming_the_fields_and_writes_nothing(client, world, desk):
    from salama.tracing.models import TracingCase

    bad = body(circumstances=["aliens"], person={"sex": "Q", "birth_date": "2999-01-01"})
    response = post(client, world.user("tracer"), bad)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields & {"circumstances.0", "circumstances"} and "person.sex" in fields
    unknown_site = post(client, world.user("tracer"), body(site="NOPE"))
    assert unknown_site.status_code == 422 and unknown_site.json()["errors"][0]["field"] == "site"
    future = post(client, world.user("tracer"), body(person={**GIRL, "birth_date": "2999-01-01"}))
    assert future.status_code == 422
    assert {e["field"] for e in future.json()["errors"]} == {"person.birth_date"}
    assert TracingCase.objects.count() == 0


def test_a_retried_report_is_not_duplicated(client, world, desk):
    from salama.tracing.models import TracingCase

    first = post(client, world.user("tracer"), body(), HTTP_IDEMPOTENCY_KEY="k-1")
    again = post(client, world.user("tracer"), body(), HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and TracingCase.objects.count() == 1

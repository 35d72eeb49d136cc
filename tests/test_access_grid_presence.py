"""Presence pages and API in the access grid: every persona x every page,
with a check and an absence alert at Amal. Out of scope is 404; absence
alerts are seen by the site's tracing and protection officers of any
organisation, resolved by protection officers and administrators."""

import json
from datetime import date

import pytest

from salama.presence import actions
from tests.conftest import PERSONAS, bearer, person_fields, register, signed_in

ADMINS_AMC = {"admin", "admin_un"}
RECORDERS_AMC = {"registrar", "registrar_ngo", "tracer", "protection", "protection_un"} | ADMINS_AMC
RECORDERS_ANYWHERE = RECORDERS_AMC | {"registrar_hop", "admin_hop"}
VIEWERS_AMC = {"tracer", "protection", "protection_un"} | ADMINS_AMC
VIEWERS_ANYWHERE = VIEWERS_AMC | {"admin_hop"}
RESOLVERS_AMC = {"protection", "protection_un"} | ADMINS_AMC


@pytest.fixture
def amal_alert(world):
    child = person_fields(
        given_name_latin="Yusuf", birth_date=date(2013, 2, 1), specific_needs=["SC-UC"]
    )
    register(world, world.amc_block, child)
    check, raised = actions.check_record(
        user=world.user("registrar"), site=world.amc, kind="roll_call", held_at=None, persons=[]
    )
    open_check = actions.check_open(user=world.user("registrar"), site=world.amc, kind="roll_call")
    return {"alert": raised[0], "check": open_check}


def _pages(records):
    check, alert = records["check"].pk, records["alert"].pk
    return {
        "/presence/": RECORDERS_ANYWHERE,
        f"/presence/checks/{check}/": RECORDERS_AMC,
        f"/presence/checks/{check}/scan/": RECORDERS_AMC,
        f"/presence/checks/{check}/finish/": RECORDERS_AMC,
        "/presence/cards/": RECORDERS_ANYWHERE,
        "/presence/cards/AMC-Z1A/": RECORDERS_AMC,
        "/presence/alerts/": VIEWERS_ANYWHERE,
        f"/presence/alerts/{alert}/": VIEWERS_AMC,
        f"/presence/alerts/{alert}/dismiss/": RESOLVERS_AMC,
    }


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_every_persona_reaches_only_its_presence_pages(world, amal_alert, name):
    client = signed_in(world.user(name))
    pages = _pages(amal_alert)
    statuses = {path: client.get(path).status_code for path in pages}
    assert {p for p, s in statuses.items() if s == 200} == {
        p for p, allowed in pages.items() if name in allowed
    }
    assert {s for p, s in statuses.items() if name not in pages[p]} <= {404}


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_every_persona_writes_only_where_it_may(world, amal_alert, name):
    client = signed_in(world.user(name))
    check, alert = amal_alert["check"], amal_alert["alert"]
    finished = client.post(f"/presence/checks/{check.pk}/finish/")
    assert finished.status_code == (302 if name in RECORDERS_AMC else 404)
    safe = client.post(f"/presence/alerts/{alert.pk}/safe/")
    assert safe.status_code == (302 if name in RESOLVERS_AMC else 404)
    alert.refresh_from_db()
    assert (alert.status == "safe") == (name in RESOLVERS_AMC)


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_every_persona_in_the_presence_api(world, amal_alert, name):
    user = world.user(name)
    client, auth = signed_in(user), bearer(user)
    body = {"site": "AMC", "kind": "distribution", "seen": []}
    created = client.post(
        "/api/v1/presence/checks", data=json.dumps(body), content_type="application/json", **auth
    )
    expected = 201 if name in RECORDERS_AMC else 422 if name in RECORDERS_ANYWHERE else 404
    assert created.status_code == expected
    listed = client.get("/api/v1/presence/alerts", **auth)
    assert listed.status_code == (200 if name in VIEWERS_ANYWHERE else 404)
    if listed.status_code == 200:
        ids = {item["id"] for item in listed.json()["items"]}
        assert (amal_alert["alert"].pk in ids) == (name in VIEWERS_AMC)

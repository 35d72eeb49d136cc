"""Alleged exploiters and networks in the access grid: every persona x every
page x organisation. A case's exploiters are case data of its organisation
(the NGO's cases and the UN agency's, both at Amal); the clusters page opens
to holders of network.view and shows their own organisations' cases only.
Everyone else gets 404, never 403; a visitor is sent to sign in."""

import pytest
from django.test import Client

from salama.cases.models import AllegedExploiter
from tests.conftest import PERSONAS, signed_in
from tests.test_cases_networks import open_case, record

ADMINISTRATORS = {"admin", "admin_hop", "admin_un"}
NETWORK_VIEWERS = {"protection", "protection_un"} | ADMINISTRATORS
# CASE_VIEW / CASE_WORK at Amal, per organisation.
NGO_CASE_STAFF = {"caseworker", "protection"}
UN_CASE_STAFF = {"caseworker_un", "protection_un", "admin_un"}


@pytest.fixture
def cases(world):
    ngo = [open_case(world) for _ in range(2)]
    un = [open_case(world, organisation=world.un) for _ in range(2)]
    for case in ngo:
        record(world, case, names=["Abu Karim"], phones=["0912345678"])
    for case in un:
        record(world, case, user="caseworker_un", names=["Abu Karim"], phones=["0912345678"])
    return {"ngo": ngo, "un": un}


def pages(cases):
    ngo, un = cases["ngo"][0], cases["un"][0]
    return {
        "/cases/networks/": NETWORK_VIEWERS,
        f"/cases/networks/case/{ngo.pk}/": NGO_CASE_STAFF,
        f"/cases/networks/case/{un.pk}/": UN_CASE_STAFF,
    }


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_every_persona_reaches_only_its_network_pages(world, cases, name):
    client = signed_in(world.user(name))
    grid = pages(cases)
    answers = {path: client.get(path).status_code for path in grid}
    assert {p for p, status in answers.items() if status == 200} == {
        p for p, allowed in grid.items() if name in allowed
    }
    assert {status for p, status in answers.items() if name not in grid[p]} <= {404}


@pytest.mark.parametrize("name", sorted(NETWORK_VIEWERS))
def test_the_clusters_page_shows_only_the_viewers_organisations_cases(world, cases, name):
    page = signed_in(world.user(name)).get("/cases/networks/").content.decode()
    shown = {org: {c.reference in page for c in org_cases} for org, org_cases in cases.items()}
    organisation = PERSONAS[name][1]
    # The NGO's protection officer is at Amal; its administrator at Hope only.
    sees = {"ngo": name == "protection", "un": organisation == "un"}
    assert shown == {org: {sees[org]} for org in cases}


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_only_the_cases_staff_record_and_remove_exploiters(world, cases, name):
    client = signed_in(world.user(name))
    for org, staff in (("ngo", NGO_CASE_STAFF), ("un", UN_CASE_STAFF)):
        case = cases[org][1]
        before = AllegedExploiter.objects.filter(case=case).count()
        response = client.post(
            f"/cases/networks/case/{case.pk}/add/", {"part": "recruiter", "names": "Abu Salem"}
        )
        assert response.status_code == (302 if name in staff else 404), org
        after = AllegedExploiter.objects.filter(case=case).count()
        assert after == before + (1 if name in staff else 0)
        first = AllegedExploiter.objects.filter(case=case).order_by("pk").first()
        response = client.post(f"/cases/networks/case/{case.pk}/remove/{first.pk}/")
        assert response.status_code == (302 if name in staff else 404), org
        assert AllegedExploiter.objects.filter(pk=first.pk).exists() == (name not in staff)


def test_a_visitor_without_an_account_is_sent_to_sign_in(world, cases):
    client = Client()
    case = cases["ngo"][0]
    exploiter = AllegedExploiter.objects.filter(case=case).first()
    for method, path in [
        *(("get", p) for p in pages(cases)),
        ("post", f"/cases/networks/case/{case.pk}/add/"),
        ("post", f"/cases/networks/case/{case.pk}/remove/{exploiter.pk}/"),
    ]:
        response = getattr(client, method)(path, {"part": "recruiter", "names": "Abu Salem"})
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/"), path
    assert AllegedExploiter.objects.count() == 4


def test_a_case_id_that_is_not_one_is_not_found(world, cases):
    client = signed_in(world.user("protection"))
    assert client.get("/cases/networks/case/not-a-uuid/").status_code == 404
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/cases/networks/case/{missing}/").status_code == 404
    assert client.post(f"/cases/networks/case/{missing}/add/", {}).status_code == 404

"""Relief and recovery and the referral figures in the access grid: every
persona x every page. A protection case is case data of its organisation at
its site: the same role in another organisation, or at another camp, gets
404, never 403. Analysts see the figures and never a record (PROTECTION.md
7, 10); a visitor without an account is sent to sign in."""

import pytest
from django.test import Client

from salama.cases.models import Eligibility, PlanItem
from tests.conftest import PERSONAS, signed_in
from tests.test_cases_recovery import make_case, make_referral, make_service

ADMINISTRATORS = {"admin", "admin_hop", "admin_un"}
# CASE_VIEW / CASE_WORK in the Protection NGO at Amal.
AMC_CASE_STAFF = {"caseworker", "protection"}
# ... and at Hope (the NGO's administrator there holds every permission).
HOP_CASE_STAFF = {"caseworker_hop", "admin_hop"}
# AGGREGATE_VIEW anywhere: protection officers, analysts, administrators.
FIGURES = {"protection", "protection_un", "analyst"} | ADMINISTRATORS


@pytest.fixture
def cases(world):
    amc = make_case(world, assigned=world.user("caseworker"))
    hop = make_case(world, block=world.hop_block, assigned=world.user("caseworker_hop"))
    make_referral(amc, make_service(world, "health"), status="accepted")
    return amc, hop


def pages(amc, hop):
    return {
        f"/cases/recovery/{amc.pk}/": AMC_CASE_STAFF,
        f"/cases/recovery/{hop.pk}/": HOP_CASE_STAFF,
        "/cases/recovery/figures/": FIGURES,
    }


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_every_persona_reaches_only_its_recovery_pages(world, cases, name):
    client = signed_in(world.user(name))
    grid = pages(*cases)
    answers = {path: client.get(path).status_code for path in grid}
    assert {p for p, status in answers.items() if status == 200} == {
        p for p, allowed in grid.items() if name in allowed
    }
    assert {status for p, status in answers.items() if name not in grid[p]} <= {404}


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_only_the_cases_own_staff_record_eligibility_and_follow_ups(world, cases, name):
    amc, hop = cases
    client = signed_in(world.user(name))
    for case, staff in ((amc, AMC_CASE_STAFF), (hop, HOP_CASE_STAFF)):
        flag = client.post(
            f"/cases/recovery/{case.pk}/eligibility/",
            {"programme": "reparations", "status": "assessing", "evidence": "On the list"},
        )
        follow = client.post(
            f"/cases/recovery/{case.pk}/follow-ups/", {"due_on": "2099-01-01", "note": "Call"}
        )
        allowed = name in staff
        assert (flag.status_code, follow.status_code) == ((302, 302) if allowed else (404, 404))
        assert Eligibility.objects.filter(case=case).exists() == allowed
        assert PlanItem.objects.filter(case=case).exists() == allowed


def test_an_analyst_sees_the_figures_and_never_a_record(world, cases):
    amc, _hop = cases
    client = signed_in(world.user("analyst"))
    figures = client.get("/cases/recovery/figures/")
    assert figures.status_code == 200
    text = figures.content.decode()
    assert amc.reference not in text and str(amc.pk) not in text
    for path in (f"/cases/recovery/{amc.pk}/", "/cases/", "/cases/recovery/not-a-case/"):
        assert client.get(path).status_code == 404, path


def test_get_is_not_a_write(world, cases):
    amc, _hop = cases
    client = signed_in(world.user("caseworker"))
    for action in ("eligibility", "follow-ups"):
        assert client.get(f"/cases/recovery/{amc.pk}/{action}/").status_code == 405


def test_a_visitor_without_an_account_is_sent_to_sign_in(world, cases):
    amc, hop = cases
    client = Client()
    for path in pages(amc, hop):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(
            "/accounts/login/"
        ), path
    response = client.post(
        f"/cases/recovery/{amc.pk}/eligibility/",
        {"programme": "ddr", "status": "eligible", "evidence": "x"},
    )
    assert response.status_code == 302 and not Eligibility.objects.exists()

"""Cases and referrals in the access grid: every persona x every page and API
operation. The case is the NGO's at Amal; its referral goes to a service of the
UN agency at Amal. The same role in another organisation, or at another camp,
gets 404 (never 403) on the case; the receiving organisation reads the
referral and nothing of the case; a visitor is sent to sign in."""

import pytest
from django.test import Client

from salama.cases.models import CaseEvent, Referral
from tests.conftest import PERSONAS, bearer, signed_in
from tests.test_cases import open_case, refer

ADMINISTRATORS = {"admin", "admin_hop", "admin_un"}
# Hold CASE_VIEW / CASE_WORK somewhere: the list and the opening form.
CASE_STAFF = {"caseworker", "caseworker_hop", "protection", "caseworker_un", "protection_un"}
CASE_STAFF |= ADMINISTRATORS
# The NGO's staff at Amal: the case itself (the NGO's administrator is at Hope).
OWNERS = {"caseworker", "protection"}
# The UN agency's staff at Amal who answer referrals to its services.
RECEIVERS = {"caseworker_un", "protection_un", "admin_un"}


@pytest.fixture
def referred(world, amc_person, un_service, referral_agreement):
    case = open_case(world, amc_person)
    return case, refer(world, case, un_service)


def pages(case, referral):
    return {
        "/cases/": CASE_STAFF,
        "/cases/new/": CASE_STAFF,
        "/cases/referrals/": CASE_STAFF,
        "/cases/referrals/?direction=outgoing": CASE_STAFF,
        f"/cases/{case.pk}/": OWNERS,
        f"/cases/{case.pk}/refer/": OWNERS,
        f"/cases/{case.pk}/close/": OWNERS,
        f"/cases/{case.pk}/withdraw/": OWNERS,
        f"/cases/referrals/{referral.pk}/": OWNERS | RECEIVERS,
    }


def api(case, referral):
    return {
        f"/api/v1/cases/{case.pk}": OWNERS,
        f"/api/v1/referrals/{referral.pk}": OWNERS | RECEIVERS,
    }


def test_every_persona_reaches_only_its_pages_and_api_records(world, referred):
    case, referral = referred
    for name in sorted(PERSONAS):
        client = signed_in(world.user(name))
        for path, allowed in pages(case, referral).items():
            status = client.get(path).status_code
            assert status == (200 if name in allowed else 404), (name, path, status)
        auth = bearer(world.user(name))
        for path, allowed in api(case, referral).items():
            status = Client().get(path, **auth).status_code
            assert status == (200 if name in allowed else 404), (name, path, status)


def test_only_the_owners_write_on_the_case_and_only_receivers_answer(world, referred):
    case, referral = referred
    for name in sorted(PERSONAS):
        client = signed_in(world.user(name))
        before = CaseEvent.objects.filter(kind="note").count()
        answer = client.post(f"/cases/{case.pk}/note/", {"note": f"Seen by {name}"})
        assert answer.status_code == (302 if name in OWNERS else 404), name
        assert CaseEvent.objects.filter(kind="note").count() == before + (name in OWNERS)
        if name in RECEIVERS:
            continue
        answer = client.post(f"/cases/referrals/{referral.pk}/accept/", {"note": ""})
        assert answer.status_code == 404, name
    referral.refresh_from_db()
    assert referral.status == "pending"
    answer = signed_in(world.user("caseworker_un")).post(f"/cases/referrals/{referral.pk}/accept/")
    assert answer.status_code == 302
    assert Referral.objects.get().status == "accepted"


def test_a_visitor_without_an_account_is_sent_to_sign_in(world, referred):
    case, referral = referred
    client = Client()
    for path in pages(case, referral):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert Client().get(f"/api/v1/cases/{case.pk}").status_code == 401

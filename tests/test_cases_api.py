"""The cases and referrals API: the issue's contract (201, 409 codes, 404
across organisations), and bad input answering a clear error that writes nothing."""

import pytest
from django.test import Client

from salama.cases.models import ProtectionCase, Referral
from tests.conftest import bearer


def post(user, path, body):
    return Client().post(path, body, content_type="application/json", **_auth(user))


def get(user, path):
    return Client().get(path, **_auth(user))


def _auth(user):
    return bearer(user)


CONSENT = {
    "given": True,
    "explained_by": "Caseworker with interpreter",
    "language": "ar",
    "share": ["name", "sex", "reason"],
}


@pytest.fixture
def case_id(world, amc_person):
    made = post(
        world.user("caseworker"),
        "/api/v1/cases",
        {
            "person_id": str(amc_person.pk),
            "case_type": "trafficking",
            "risk": "high",
            "source": {"kind": "direct"},
        },
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (
        body["organisation"] == "PNGO"
        and body["assigned_to"] == "caseworker"
        and body["status"] == "open"
    )
    return body["id"]


def test_a_case_is_read_by_its_organisation_and_404_for_others(world, case_id):
    assert get(world.user("caseworker"), f"/api/v1/cases/{case_id}").status_code == 200
    for name in ("caseworker_un", "protection_un", "registrar", "caseworker_hop"):
        assert get(world.user(name), f"/api/v1/cases/{case_id}").status_code == 404, name


def test_bad_input_names_the_problem_and_writes_nothing(world, amc_person):
    cw = world.user("caseworker")
    for body, field in (
        ({"person_id": "not-a-uuid", "case_type": "trafficking"}, "person_id"),
        ({"person_id": str(amc_person.pk), "case_type": "smuggling"}, "case_type"),
        ({"person_id": str(amc_person.pk), "case_type": "gbv", "risk": "extreme"}, "risk"),
        (
            {"person_id": str(amc_person.pk), "case_type": "gbv", "source": {"kind": "screening"}},
            "source.id",
        ),
    ):
        answer = post(cw, "/api/v1/cases", body)
        assert answer.status_code in (400, 422), body
        assert field.split(".")[0] in answer.content.decode()
    assert not ProtectionCase.objects.exists()


def test_referral_contract(world, case_id, un_service, referral_agreement):
    cw = world.user("caseworker")
    base = {"case_id": case_id, "service_id": str(un_service.pk), "reason": "Counselling"}
    refused = post(cw, "/api/v1/referrals", base)
    assert refused.status_code == 409 and refused.json()["code"] == "consent_required"
    assert not Referral.objects.exists()
    made = post(cw, "/api/v1/referrals", {**base, "consent": CONSENT})
    assert made.status_code == 201, made.content
    referral = made.json()
    assert set(referral["shared"]) == {"name", "sex", "reason"} and referral["status"] == "pending"
    receiver = world.user("caseworker_un")
    incoming = get(receiver, "/api/v1/referrals?direction=incoming").json()
    assert [r["id"] for r in incoming["items"]] == [referral["id"]]
    assert "case_id" not in incoming["items"][0] or incoming["items"][0]["case_id"] is None
    assert get(receiver, f"/api/v1/cases/{case_id}").status_code == 404
    assert get(world.user("registrar"), f"/api/v1/referrals/{referral['id']}").status_code == 404
    assert get(world.user("registrar"), "/api/v1/referrals?direction=incoming").json()["count"] == 0
    accepted = post(receiver, f"/api/v1/referrals/{referral['id']}/accept", {"note": ""})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = post(
        receiver, f"/api/v1/referrals/{referral['id']}/decline", {"note": "No places left"}
    )
    assert again.status_code == 409 and again.json()["code"] == "already_answered"
    # The referrer cannot answer its own referral to another organisation.
    assert post(cw, f"/api/v1/referrals/{referral['id']}/accept", {"note": ""}).status_code == 404
    outgoing = get(cw, "/api/v1/referrals?direction=outgoing").json()
    assert (
        outgoing["items"][0]["status"] == "accepted" and outgoing["items"][0]["case_id"] == case_id
    )


def test_no_agreement_answers_409(world, case_id, un_service):
    answer = post(
        world.user("caseworker"),
        "/api/v1/referrals",
        {"case_id": case_id, "service_id": str(un_service.pk), "consent": CONSENT},
    )
    assert answer.status_code == 409 and answer.json()["code"] == "no_sharing_agreement"
    assert not Referral.objects.exists()


def test_an_override_with_its_reason_is_accepted(world, case_id, un_service, referral_agreement):
    answer = post(
        world.user("caseworker"),
        "/api/v1/referrals",
        {
            "case_id": case_id,
            "service_id": str(un_service.pk),
            "override": {"reason": "Unconscious; life at risk"},
        },
    )
    assert answer.status_code == 201 and answer.json()["consent_given"] is False


def test_withdrawn_consent_through_the_api_stops_the_receivers_reading(
    world, case_id, un_service, referral_agreement
):
    made = post(
        world.user("caseworker"),
        "/api/v1/referrals",
        {"case_id": case_id, "service_id": str(un_service.pk), "consent": CONSENT},
    ).json()
    withdrawn = post(
        world.user("caseworker"),
        f"/api/v1/referrals/{made['id']}/withdraw",
        {"note": "Asked by phone"},
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    seen = get(world.user("caseworker_un"), f"/api/v1/referrals/{made['id']}").json()
    assert seen["shared"] == {}
    refused = post(
        world.user("caseworker_un"), f"/api/v1/referrals/{made['id']}/accept", {"note": ""}
    )
    assert refused.status_code == 409 and refused.json()["code"] == "consent_withdrawn"

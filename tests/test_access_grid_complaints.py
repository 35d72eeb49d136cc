"""Complaints in the access grid: every persona (the world's and the complaint
roles') x every complaint page, write and API operation. The complaint is the
UN agency's at Amal: its two PSEA focal points read it; once referred, the
NGO's investigation focal point; nobody else, administrators included (404,
never 403). A user linked as subject gets 404 on everything, even as a
focal point. The public pages need no account."""

import pytest
from django.test import Client

from salama.complaints import actions, tracks
from salama.complaints.models import AssistanceReferral, Custody
from tests.conftest import EXTRA, PERSONAS, bearer, signed_in
from tests.test_complaints import receive

FOCAL = {"psea", "psea_two"}
RECEIVERS = FOCAL | {"psea_ngo"}
ADMINISTRATORS = {"admin", "admin_hop", "admin_un"}
# Who answers referrals somewhere (the page lists only their own organisation's);
# never an administrator, whose role holds every permission but reads no complaint.
REFERRAL_RECEIVERS = {
    "caseworker",
    "caseworker_hop",
    "caseworker_un",
    "protection",
    "protection_un",
}
EVERYONE = set(PERSONAS) | set(EXTRA)


@pytest.fixture
def complaint(wall, support):
    found = receive(wall, subject_name="", files=[("a.txt", "text/plain", b"letter")]).complaint
    referral = tracks.assistance_refer(
        user=wall.user("psea"),
        complaint=found,
        service=support,
        consent_by="survivor",
        agreed=True,
        language="ar",
        needs=["medical"],
    )
    return found, referral


def pages(complaint, referral, referred):
    readers = FOCAL | ({"investigator"} if referred else set())
    return {
        "/complaints/new": EVERYONE,
        "/complaints/status/": EVERYONE,
        "/complaints/": RECEIVERS | {"investigator"},
        "/complaints/desk/": RECEIVERS,
        "/complaints/vetting/": RECEIVERS,
        "/complaints/figures/": {"coordinator"},
        "/complaints/break-glass/": ADMINISTRATORS,
        "/complaints/assistance/": REFERRAL_RECEIVERS,
        f"/complaints/assistance/{referral.pk}/": {"caseworker", "protection"},
        f"/complaints/{complaint.pk}/": readers,
        f"/complaints/{complaint.pk}/evidence/1/": readers,
    }


def test_every_persona_reaches_only_its_complaint_pages(wall, complaint):
    found, referral = complaint
    # Before the referral for investigation, its investigator does not reach it either.
    before = signed_in(wall.user("investigator"))
    assert before.get(f"/complaints/{found.pk}/").status_code == 404
    assert before.get(f"/complaints/{found.pk}/evidence/1/").status_code == 404
    tracks.investigation_refer(user=wall.user("psea"), complaint=found, organisation=wall.ngo)
    referred = True
    readers = FOCAL | {"investigator"}
    for name in sorted(EVERYONE):
        client = signed_in(wall.user(name))
        for path, allowed in pages(found, referral, referred).items():
            status = client.get(path).status_code
            assert status == (200 if name in allowed else 404), (name, path, status)
        answer = Client().get(f"/api/v1/complaints/{found.pk}", **bearer(wall.user(name)))
        assert answer.status_code == (200 if name in readers else 404), name
    assert Client().get("/complaints/new").status_code == 200
    assert Client().get(f"/complaints/{found.pk}/").status_code == 302  # to the login


def test_only_the_focal_points_write_on_a_complaint(wall, complaint):
    found, referral = complaint
    writes = {
        "acknowledge/": {},
        "feedback/": {"text": "We are following it up."},
        "subject/": {"username": "registrar"},
        "close/": {"note": "Tried by someone", "confirm": "yes"},
        "identity/": {"note": "Someone says she agreed"},
        "recuse/": {"reason": "Not mine to see"},
        "assistance/": {"needs": ["medical"], "consent_by": "survivor", "agreed": "on"},
        "investigation/": {"organisation": "1"},
        "outcome/": {"status": "closed"},
        "evidence/": {},
        "evidence/check/": {},
        "bundle/": {"password": "a long password!"},
    }
    for name in sorted(EVERYONE - FOCAL):
        client = signed_in(wall.user(name))
        before = Custody.objects.filter(complaint=found).count()
        for path, data in writes.items():
            status = client.post(f"/complaints/{found.pk}/{path}", data).status_code
            assert status == 404, (name, path, status)
        assert Custody.objects.filter(complaint=found).count() == before, name
        for path, allowed in (
            ("/complaints/desk/", RECEIVERS),
            ("/complaints/vetting/", RECEIVERS),
            ("/complaints/break-glass/", ADMINISTRATORS),
        ):
            if name not in allowed:
                assert client.post(path, {}).status_code == 404, (name, path)
        if name not in {"caseworker", "protection"}:
            answer = client.post(
                f"/complaints/assistance/{referral.pk}/answer/", {"step": "accept"}
            )
            assert answer.status_code == 404, name
    answer = signed_in(wall.user("psea")).post(f"/complaints/{found.pk}/acknowledge/")
    assert answer.status_code == 302
    assert AssistanceReferral.objects.get().state == "waiting"


def test_a_user_linked_as_subject_gets_404_everywhere(wall, complaint):
    found, referral = complaint
    for name in ("psea_two", "protection"):
        actions.subject_link(user=wall.user("psea"), complaint=found, username=name)
        client = signed_in(wall.user(name))
        for path in (
            f"/complaints/{found.pk}/",
            f"/complaints/{found.pk}/evidence/1/",
            f"/complaints/assistance/{referral.pk}/",
        ):
            assert client.get(path).status_code == 404, (name, path)
        listed = client.get("/complaints/")
        assert listed.status_code == (200 if name == "psea_two" else 404)
        assert found.reference not in listed.content.decode()
        assert referral.reference not in client.get("/complaints/assistance/").content.decode()
        answer = Client().get(f"/api/v1/complaints/{found.pk}", **bearer(wall.user(name)))
        assert answer.status_code == 404

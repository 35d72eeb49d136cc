"""Civil registration in the access grid: every persona x every page, write
and API operation. The record is the camp management agency's registration
office's at Amal: its civil registrar and the agency's administrator (whose
role holds every permission, at the country) reach it; the same role in
another organisation or at another camp gets 404, never 403. The case a
stopped marriage opens is read only by the child-protection organisation's
staff; the verification page needs no account."""

import pytest
from django.test import Client

from salama.cases.models import ProtectionCase
from salama.civil import actions, certificates
from salama.civil.models import Action, CivilEvent
from tests.conftest import PERSONAS, bearer, signed_in
from tests.test_civil import girl, marriage, years_ago  # noqa: F401

ADMINISTRATORS = {"admin", "admin_hop", "admin_un"}
DESK = {"civilregistrar"} | ADMINISTRATORS
OWNERS = {"civilregistrar", "admin"}
FIGURES = {"protection", "protection_un", "analyst"} | ADMINISTRATORS


@pytest.fixture
def record(world, couple):
    event = actions.event_declare(
        user=world.user("civilregistrar"), declaration=marriage(*couple)
    ).event
    event = actions.event_register(user=world.user("civilregistrar"), event=event)
    return event, certificates.certificate_issue(user=world.user("civilregistrar"), event=event)


def pages(event, certificate):
    return {
        "/civil/": DESK,
        "/civil/new/birth/": DESK,
        "/civil/new/marriage/": DESK,
        "/civil/people/new/": DESK,
        "/civil/figures/": FIGURES,
        f"/civil/{event.pk}/": OWNERS,
        f"/civil/{event.pk}/correct/": OWNERS,
        f"/civil/{event.pk}/archive/": OWNERS,
        f"/civil/{event.pk}/documents/{certificate.serial}.pdf": OWNERS,
        f"/civil/{event.pk}/documents/{certificate.serial}/revoke/": OWNERS,
    }


def test_every_persona_reaches_only_its_pages_and_api_records(world, record):
    event, certificate = record
    api = {
        f"/api/v1/civil/events/{event.pk}": OWNERS,
        f"/api/v1/civil/events/{event.pk}/certificate.pdf": OWNERS,
    }
    for name in sorted(PERSONAS):
        client = signed_in(world.user(name))
        for path, allowed in pages(event, certificate).items():
            status = client.get(path).status_code
            assert status == (200 if name in allowed else 404), (name, path, status)
        # The refusal page shows what the desk's last refusal left in the session:
        # with none, the desk is sent back to its list; everyone else gets 404.
        refused = client.get("/civil/refused/").status_code
        assert refused == (302 if name in DESK else 404), (name, "/civil/refused/", refused)
        auth = bearer(world.user(name))
        for path, allowed in api.items():
            status = Client().get(path, **auth).status_code
            assert status == (200 if name in allowed else 404), (name, path, status)


def test_only_the_owners_write_on_the_record(world, record):
    event, certificate = record
    for name in sorted(PERSONAS):
        client = signed_in(world.user(name))
        before = Action.objects.filter(event=event, kind="correction_requested").count()
        answer = client.post(f"/civil/{event.pk}/correction/", {"note": f"Seen by {name}"})
        assert answer.status_code == (302 if name in OWNERS else 404), name
        assert Action.objects.filter(event=event, kind="correction_requested").count() == before + (
            name in OWNERS
        )
        if name not in OWNERS:
            answer = client.post(f"/civil/{event.pk}/state-number/", {"number": "X-1"})
            assert answer.status_code == 404, name
    event.refresh_from_db()
    assert event.state_certificate_number == ""


def test_declaring_through_the_api_needs_the_registrars_role(world, couple):
    bride, groom = couple
    payload = {
        "type": "marriage",
        "parties": [
            {"person_id": str(bride.pk), "role": "spouse"},
            {"person_id": str(groom.pk), "role": "spouse"},
        ],
        "date": "2026-01-10",
        "place": "Court",
    }
    for name in sorted(PERSONAS):
        if name in DESK:
            continue
        answer = Client().post(
            "/api/v1/civil/events",
            payload,
            content_type="application/json",
            **bearer(world.user(name)),
        )
        assert answer.status_code == 404, name
    assert not CivilEvent.objects.exists()


def test_the_case_of_a_stopped_marriage_is_read_only_by_child_protection_staff(
    world, couple, cp_service
):
    child = girl(world, birth_date=years_ago(16))
    actions.event_declare(user=world.user("civilregistrar"), declaration=marriage(child, couple[1]))
    case = ProtectionCase.objects.get()
    for name in sorted(PERSONAS):
        status = signed_in(world.user(name)).get(f"/cases/{case.pk}/").status_code
        assert status == (200 if name in {"caseworker", "protection"} else 404), (name, status)


def test_the_verification_pages_need_no_account_and_others_send_visitors_to_sign_in(world, record):
    event, certificate = record
    for path in ("/verify/", f"/verify/{certificate.serial}", "/verify/key.pem"):
        assert Client().get(path).status_code == 200, path
    for path in pages(event, certificate):
        answer = Client().get(path)
        assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
    assert Client().get(f"/api/v1/civil/events/{event.pk}").status_code == 401


def test_the_finder_and_the_attachments_follow_the_grid(world, record):
    import io

    event, _certificate = record
    for name in sorted(PERSONAS):
        client = signed_in(world.user(name))
        found = client.post("/civil/people/find/", {"q": "Salma"}, HTTP_HX_REQUEST="true")
        assert found.status_code == (200 if name in DESK else 404), name
        upload = io.BytesIO(b"%PDF-1.4\n%decree\n")
        upload.name = "decree.pdf"
        answer = client.post(f"/civil/{event.pk}/attachments/", {"kind": "court", "file": upload})
        assert answer.status_code == (302 if name in OWNERS else 404), name
    attachment = event.attachments.first()
    assert event.attachments.count() == len(OWNERS)
    for name in sorted(PERSONAS):
        answer = signed_in(world.user(name)).get(f"/civil/{event.pk}/attachments/{attachment.pk}/")
        assert answer.status_code == (200 if name in OWNERS else 404), name

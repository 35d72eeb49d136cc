"""Complaints of sexual exploitation and abuse: intake, the wall, the two
tracks, evidence and its chain of custody, deadlines, figures and the API.

The world: the UN agency's PSEA focal point at Amal ("psea") receives; the NGO
has its own focal point ("psea_ngo") and investigation focal point
("investigator"); the network's coordinator works at the country level. The
NGO caseworker "Karim Haddad" is the subject of the complaints here."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from salama.cases.models import Service
from salama.complaints import access, actions, custody, deadlines, tracks
from salama.complaints.actions import Intake
from salama.complaints.bundles import bundle_export
from salama.complaints.common import ComplaintError
from salama.complaints.models import (
    AssistanceReferral,
    BreakGlass,
    Complaint,
    Custody,
    Evidence,
    SubjectLink,
)
from salama.lib import sealed
from salama.lib.civil.statement import load_public_key
from salama.lib.complaints import bundle, chain, receipt
from salama.notifications.models import Notification
from tests.conftest import bearer, signed_in

NARRATIVE = "He promised food rations in exchange for sex at the distribution point."


def intake(world: Any, **overrides: Any) -> Intake:
    fields: dict[str, Any] = {
        "organisation": world.un,
        "site": world.amc,
        "language": "ar",
        "relationship": "self",
        "contact_preference": "none",
        "consent_assistance": "yes",
        "consent_identity": "no",
        "survivor_age": "adult",
        "survivor_sex": "female",
        "survivor_disability": "no",
        "safety_risk": "no",
        "category": "sexual_exploitation",
        "narrative": NARRATIVE,
        "subject_type": "ngo_staff",
        "subject_in_contact": "yes",
        "subject_organisation": None,
        "subject_name": "Karim Haddad",
    }
    fields.update(overrides)
    return Intake(**fields)


def refer(wall: Any, complaint: Complaint, service: Service) -> AssistanceReferral:
    """The receiving focal point refers the survivor, with her consent, for medical care."""
    return tracks.assistance_refer(
        user=wall.user("psea"),
        complaint=complaint,
        service=service,
        consent_by="survivor",
        agreed=True,
        language="ar",
        needs=["medical"],
    )


def receive(world: Any, **overrides: Any) -> actions.Received:
    files = overrides.pop("files", [])
    given = intake(world, **overrides)
    given.files = files
    return actions.complaint_receive(intake=given, channel="online")


# ---- the plain-Python parts ----


def test_receipt_codes_are_16_digits_and_hash_with_the_pepper():
    code = receipt.new_code()
    assert len(code.replace(" ", "")) == 16 and code.replace(" ", "").isdigit()
    assert receipt.normal("٠١٢٣-4567 8901 2345") == "0123456789012345"
    assert receipt.normal("1234") is None
    assert receipt.digest(code, "a") == receipt.digest(code.replace(" ", "-"), "a")
    assert receipt.digest(code, "a") != receipt.digest(code, "b")


def test_a_changed_link_breaks_the_chain_from_there():
    links, previous = [], chain.GENESIS
    for seq in (1, 2, 3):
        content = {"kind": f"step{seq}"}
        digest = chain.link_hash("k", previous, seq, content)
        links.append(chain.Link(seq, content, digest))
        previous = digest
    assert chain.first_break({"": "k"}, links) is None
    links[1] = chain.Link(2, {"kind": "edited"}, links[1].hash)
    assert chain.first_break({"": "k"}, links) == 2
    assert chain.first_break({"": "other key"}, links[:1]) == 1
    assert chain.first_break({"": "k"}, [links[0], links[2]]) == 3  # one taken out
    noted = chain.Link(1, {"kind": "step1", "note_sha256": chain.file_sha256(b"n")}, "x", "", "m")
    assert chain.first_break({"": "k"}, [noted]) == 1  # the note was changed


def test_a_bundle_verifies_and_a_tampered_file_or_manifest_fails():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    files = {"evidence/01-a.jpg": b"photo"}
    manifest = {"evidence": [{"file": "evidence/01-a.jpg", "sha256": chain.file_sha256(b"photo")}]}
    contents = bundle.members(manifest, files, key)
    assert bundle.verify(contents, key.public_key()).ok
    tampered = {**contents, "evidence/01-a.jpg": b"photo!"}
    assert bundle.verify(tampered, key.public_key()).files_failed == ["evidence/01-a.jpg"]
    forged = {**contents, bundle.MANIFEST: contents[bundle.MANIFEST].replace(b"01-a", b"01-b")}
    assert not bundle.verify(forged, key.public_key()).signature_ok
    slipped_in = {**contents, "evidence/02-b.jpg": b"planted"}
    assert bundle.verify(slipped_in, key.public_key()).files_unlisted == ["evidence/02-b.jpg"]
    assert not bundle.verify({bundle.MANIFEST: b"[1, 2]"}, key.public_key()).ok


# ---- intake ----


def test_a_complaint_is_stored_routed_and_its_code_kept_only_as_a_hash(wall):
    received = receive(wall)
    complaint = received.complaint
    digits = received.code.replace(" ", "")
    assert digits not in complaint.receipt_hash and len(complaint.receipt_hash) == 64
    assert actions.receipt_lookup(received.code) == complaint
    assert actions.receipt_lookup("0000 0000 0000 0000") is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT narrative, subject_name FROM complaints_complaint")
        raw = " ".join(cursor.fetchone())
    assert "rations" not in raw and "Karim" not in raw
    told = Notification.objects.filter(reference=complaint.reference)
    assert {n.recipient.username for n in told} == {"psea", "psea_two"}
    assert all("rations" not in n.subject and "Karim" not in n.subject for n in told)
    # The user named as subject is linked at once.
    assert SubjectLink.objects.get(complaint=complaint).user == wall.user("caseworker")
    assert Custody.objects.filter(complaint=complaint, kind="received").count() == 1


def test_bad_input_names_every_field_and_writes_nothing(wall):
    bad = intake(
        wall, category="rape", narrative="short", incident_year=1800, organisation=wall.cma
    )
    with pytest.raises(ComplaintError) as raised:
        actions.complaint_receive(intake=bad, channel="online")
    assert {"category", "narrative", "incident_year", "organisation"} <= set(raised.value.errors)
    assert Complaint.objects.count() == 0 and Custody.objects.count() == 0


def test_a_child_survivor_always_opens_the_child_protection_path(wall, cp_service):
    complaint = receive(wall, survivor_age="child", subject_organisation=None).complaint
    referral = AssistanceReferral.objects.get(complaint=complaint)
    assert referral.service == cp_service
    assert referral.consent_by == "best_interests"
    assert "child" in Complaint.objects.get(pk=complaint.pk).flags
    assert "rations" not in str(referral.shared)


def test_without_a_child_protection_service_the_coordinator_is_told(wall):
    complaint = receive(wall, survivor_age="child").complaint
    assert "no_child_protection_service" in Complaint.objects.get(pk=complaint.pk).flags
    told = Notification.objects.get(
        reference=complaint.reference, recipient__username="coordinator"
    )
    assert told.link == "/complaints/figures/"


# ---- the wall ----


def test_only_the_receiving_focal_points_read_it(wall):
    receive(wall)
    readers = {name for name, user in wall.users.items() if access.complaints_for(user).exists()}
    assert readers == {"psea", "psea_two"}


def test_a_focal_point_named_as_subject_never_sees_it_nor_is_told(wall):
    wall.user("psea_two").first_name = "Omar"
    wall.user("psea_two").last_name = "Said"
    wall.user("psea_two").save()
    complaint = receive(wall, subject_name="Omar Said").complaint
    assert not access.complaints_for(wall.user("psea_two")).exists()
    assert not Notification.objects.filter(recipient=wall.user("psea_two")).exists()
    client = signed_in(wall.user("psea_two"))
    assert client.get(f"/complaints/{complaint.pk}/").status_code == 404
    assert client.get("/complaints/").status_code == 200
    assert complaint.reference not in client.get("/complaints/").content.decode()


def test_linking_a_subject_takes_back_what_they_were_told(wall):
    complaint = receive(wall, subject_name="").complaint
    assert Notification.objects.filter(recipient=wall.user("psea_two")).exists()
    actions.subject_link(user=wall.user("psea"), complaint=complaint, username="psea_two")
    assert not Notification.objects.filter(recipient=wall.user("psea_two")).exists()
    assert not access.complaints_for(wall.user("psea_two")).exists()


def test_a_recipient_who_recuses_no_longer_sees_it(wall):
    complaint = receive(wall).complaint
    actions.recuse(user=wall.user("psea_two"), complaint=complaint, reason="My brother works there")
    assert not access.complaints_for(wall.user("psea_two")).exists()
    assert access.focal_points(complaint) == [wall.user("psea")]


def test_breaking_the_glass_is_recorded_and_the_coordinator_told(wall):
    complaint = receive(wall).complaint
    admin = wall.user("admin_un")
    assert not access.complaints_for(admin).exists()
    with pytest.raises(ComplaintError):
        actions.break_glass(user=admin, reference=complaint.reference, reason="too short")
    actions.break_glass(
        user=admin, reference=complaint.reference, reason="A court order of 1 December, case 12"
    )
    assert access.complaints_for(admin).get() == complaint
    assert Notification.objects.filter(
        recipient=wall.user("coordinator"), kind="complaints.break_glass"
    ).exists()
    assert Custody.objects.filter(complaint=complaint, kind="break_glass").exists()
    BreakGlass.objects.update(until=timezone.now() - timedelta(minutes=1))
    assert not access.complaints_for(admin).exists()
    # Nobody but an administrator breaks the glass.
    with pytest.raises(ComplaintError):
        actions.break_glass(
            user=wall.user("registrar"), reference=complaint.reference, reason="x" * 30
        )


def test_an_administrator_who_is_the_subject_cannot_break_the_glass(wall):
    admin = wall.user("admin_un")
    admin.first_name, admin.last_name = "Sami", "Nasser"
    admin.save()
    complaint = receive(wall, subject_name="sami nasser").complaint
    with pytest.raises(ComplaintError, match="No complaint"):
        actions.break_glass(user=admin, reference=complaint.reference, reason="x" * 30)


# ---- the assistance track ----


def test_assistance_needs_the_survivors_consent_and_never_police(wall, support):
    complaint = receive(wall).complaint
    psea = wall.user("psea")
    with pytest.raises(ComplaintError) as raised:
        tracks.assistance_refer(
            user=psea,
            complaint=complaint,
            service=support,
            consent_by="survivor",
            agreed=False,
            language="ar",
            needs=["psychosocial"],
        )
    assert "agreed" in raised.value.errors
    with pytest.raises(ComplaintError):
        tracks.assistance_refer(
            user=psea,
            complaint=complaint,
            service=support,
            consent_by="best_interests",
            agreed=True,
            language="ar",
            needs=["psychosocial"],
        )
    police = Service.objects.create(
        site=wall.amc,
        site_path=wall.amc.path,
        organisation=wall.ngo,
        name="Police",
        service_type="law_enforcement",
    )
    with pytest.raises(ComplaintError):
        tracks.assistance_refer(
            user=psea,
            complaint=complaint,
            service=police,
            consent_by="survivor",
            agreed=True,
            language="ar",
            needs=["safety"],
        )
    assert not AssistanceReferral.objects.exists()


def test_the_service_reads_only_what_is_shared_and_its_answer_comes_back(wall, support):
    complaint = receive(wall).complaint
    referral = tracks.assistance_refer(
        user=wall.user("psea"),
        complaint=complaint,
        service=support,
        consent_by="survivor",
        agreed=True,
        language="ar",
        needs=["psychosocial", "child_born_of_sea"],
        wishes="A woman caseworker, mornings only",
    )
    caseworker = wall.user("caseworker_hop")  # the NGO's, at the other camp: not here
    assert not access.assistance_for(caseworker).exists()
    receiver = wall.user("protection")  # NGO protection officer at Amal
    page = signed_in(receiver).get(f"/complaints/assistance/{referral.pk}/").content.decode()
    assert "mornings only" in page and "rations" not in page and complaint.reference not in page
    assert signed_in(receiver).get(f"/complaints/{complaint.pk}/").status_code == 404
    tracks.assistance_answer(user=receiver, referral=referral, accept=True)
    referral.refresh_from_db()
    assert referral.case_manager == receiver
    assert Notification.objects.filter(
        recipient=wall.user("psea"), kind="complaints.assistance_answered"
    ).exists()


# ---- the investigation track ----


def test_routing_lists_only_who_investigates_that_kind_of_personnel(wall):
    ngo_staff = receive(wall).complaint  # the employer is not named: who investigates NGO staff
    assert tracks.investigation_targets(ngo_staff) == [wall.ngo]
    named = receive(wall, subject_organisation=wall.ngo, subject_name="").complaint
    assert tracks.investigation_targets(named) == [wall.ngo]
    # The employer is named and has no investigation focal point: nobody else instead.
    elsewhere = receive(wall, subject_organisation=wall.cma, subject_name="").complaint
    assert tracks.investigation_targets(elsewhere) == []
    peacekeeper = receive(wall, subject_type="peacekeeper_military", subject_name="").complaint
    assert tracks.investigation_targets(peacekeeper) == []
    with pytest.raises(ComplaintError):
        tracks.investigation_refer(
            user=wall.user("psea"), complaint=peacekeeper, organisation=wall.ngo
        )
    army = receive(wall, subject_type="armed_group", subject_name="").complaint
    assert tracks.investigation_targets(army) == []


def test_the_investigator_reads_it_once_referred_without_the_complainants_identity(wall):
    complaint = receive(wall, complainant_name="Amina", consent_identity="no").complaint
    investigator = wall.user("investigator")
    client = signed_in(investigator)
    assert client.get(f"/complaints/{complaint.pk}/").status_code == 404
    tracks.investigation_refer(user=wall.user("psea"), complaint=complaint, organisation=wall.ngo)
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert "rations" in page and "Amina" not in page
    tracks.investigation_status_set(user=investigator, complaint=complaint, status="substantiated")
    complaint.refresh_from_db()
    assert complaint.investigation_status == "substantiated"
    assert complaint.investigation_outcome_at is not None
    with pytest.raises(ComplaintError):
        tracks.investigation_status_set(
            user=wall.user("psea"), complaint=complaint, status="closed"
        )


# ---- evidence ----


def test_evidence_hashes_verify_and_a_tampered_file_fails(wall):
    photo = b"\x89PNG original photo bytes"
    complaint = receive(wall, files=[("photo.png", "image/png", photo)]).complaint
    item = Evidence.objects.get(complaint=complaint)
    assert item.sha256 == chain.file_sha256(photo)
    psea = wall.user("psea")
    assert custody.evidence_check(user=psea, complaint=complaint, data=photo) == [item]
    assert custody.evidence_check(user=psea, complaint=complaint, data=photo + b"x") == []
    assert custody.custody_verify(complaint).ok
    # Someone with database access swaps the stored file: the check sees it.
    Evidence.objects.filter(pk=item.pk).update(data="dGFtcGVyZWQ=")
    assert custody.custody_verify(complaint).files_failed == [1]


def test_an_edited_link_of_the_chain_is_found(wall):
    complaint = receive(wall).complaint
    actions.complaint_acknowledge(user=wall.user("psea"), complaint=complaint)
    assert custody.custody_verify(complaint).ok
    Custody.objects.filter(complaint=complaint, seq=1).update(content={"kind": "nothing"})
    assert custody.custody_verify(complaint).broken_at == 1


def test_the_sealed_bundle_holds_the_files_as_received_and_verifies(wall):
    from salama.civil import keys

    complaint = receive(wall, files=[("a.txt", "text/plain", b"letter")]).complaint
    data = bundle_export(user=wall.user("psea"), complaint=complaint, password="a long password!")
    contents = sealed.unseal(data, "a long password!")
    verdict = bundle.verify(contents, load_public_key(keys.public_pem()))
    assert verdict.ok and verdict.files_ok == ["evidence/01-a.txt"]
    assert b"letter" in contents.values()
    assert Custody.objects.filter(complaint=complaint, kind="bundle_exported").exists()


# ---- deadlines ----


def test_each_missed_deadline_is_escalated_once(wall):
    complaint = receive(wall).complaint
    later = timezone.now() + timedelta(days=2)
    assert deadlines.complaint_escalations(later) == {"escalated": 1}  # acknowledgement
    assert deadlines.complaint_escalations(later) == {"escalated": 0}
    much_later = timezone.now() + timedelta(days=40)
    # assistance, investigation and feedback are now late too
    assert deadlines.complaint_escalations(much_later) == {"escalated": 3}
    told = Notification.objects.filter(reference=complaint.reference, kind="complaints.deadline")
    assert {n.recipient.username for n in told} == {"psea", "psea_two", "coordinator"}


# ---- public pages ----


def _public_post(client: Client, wall: Any, **overrides: Any) -> Any:
    import time

    from salama.tracing.views_public import form_stamp

    data = {
        "stamp": form_stamp(time.time() - 30),
        "receiver": f"{wall.un.pk}:{wall.amc.pk}",
        "relationship": "witness",
        "category": "sexual_abuse",
        "narrative": NARRATIVE,
        "survivor_age": "adult",
        "survivor_sex": "female",
        "survivor_disability": "unknown",
        "safety_risk": "no",
        "subject_type": "ngo_staff",
        "subject_organisation": str(wall.ngo.pk),
        "subject_in_contact": "unknown",
        "contact_preference": "none",
        "consent_assistance": "yes",
        "consent_identity": "no",
    }
    data.update(overrides)
    return client.post("/complaints/new", data)


def test_the_public_page_takes_an_anonymous_complaint_and_the_code_opens_its_status(wall):
    client = Client()
    assert client.get("/complaints/new").status_code == 200
    answer = _public_post(client, wall)
    assert answer.status_code == 200, answer.content.decode()[:2000]
    page = answer.content.decode()
    assert "UN agency" in page
    code = page.split('id="receipt" dir="ltr">')[1].split("<")[0]
    complaint = Complaint.objects.get()
    assert complaint.channel == "online" and complaint.received_by is None
    actions.feedback_give(
        user=wall.user("psea"), complaint=complaint, text="We met the survivor; a service helps."
    )
    other = Client()
    assert (
        "This code opens nothing"
        in other.post("/complaints/status/", {"code": "1111 2222 3333 4444"}).content.decode()
    )
    other.post("/complaints/status/", {"code": code})
    status = other.get("/complaints/status/").content.decode()
    assert "a service helps" in status and "UN agency" in status
    assert "rations" not in status  # the narrative is not shown back
    other.post("/complaints/status/", {"step": "add", "text": "He is still at the school."})
    assert complaint.additions.get().text == "He is still at the school."


def test_the_public_page_refuses_bad_input_and_robots_and_writes_nothing(wall):
    client = Client()
    assert _public_post(client, wall, category="").status_code == 400
    assert _public_post(client, wall, website="http://spam").status_code == 400
    assert _public_post(client, wall, stamp="forged").status_code == 400
    assert Complaint.objects.count() == 0


def test_the_same_public_form_is_stored_once(wall):
    import time

    from salama.tracing.views_public import form_stamp

    stamp = form_stamp(time.time() - 30)
    assert _public_post(Client(), wall, stamp=stamp).status_code == 200
    assert _public_post(Client(), wall, stamp=stamp).status_code == 409
    assert Complaint.objects.count() == 1


# ---- the API ----


def _api_body(wall: Any, **overrides: Any) -> dict[str, Any]:
    body = {
        "site": "AMC",
        "channel": "hotline",
        "relationship": "relative",
        "consent_assistance": "yes",
        "survivor_age": "adult",
        "survivor_sex": "female",
        "category": "sexual_exploitation",
        "narrative": NARRATIVE,
        "subject_type": "ngo_staff",
        "subject_organisation": "PNGO",
    }
    body.update(overrides)
    return body


def test_the_api_takes_a_complaint_once_with_its_code_and_walls_it(wall):
    auth = bearer(wall.user("psea"))
    answer = Client().post(
        "/api/v1/complaints", _api_body(wall), content_type="application/json", **auth
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert len(body["receipt_code"].replace(" ", "")) == 16 and body["organisation"] == "UNA"
    complaint_id = body["id"]
    assert (
        Client().get(f"/api/v1/complaints/{complaint_id}", **auth).json()["reference"]
        == (body["reference"])
    )
    for name in ("admin", "psea_ngo", "caseworker", "investigator", "coordinator"):
        status = Client().get(f"/api/v1/complaints/{complaint_id}", **bearer(wall.user(name)))
        assert status.status_code == 404, name


def test_the_api_refuses_bad_input_with_the_field_and_writes_nothing(wall):
    auth = bearer(wall.user("psea"))
    answer = Client().post(
        "/api/v1/complaints",
        _api_body(wall, site="NOPE"),
        content_type="application/json",
        **auth,
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "site"
    answer = Client().post(
        "/api/v1/complaints",
        _api_body(wall, narrative="x"),
        content_type="application/json",
        **auth,
    )
    assert answer.status_code == 422
    not_mine = Client().post(
        "/api/v1/complaints",
        _api_body(wall),
        content_type="application/json",
        **bearer(wall.user("admin")),
    )
    assert not_mine.status_code == 404
    assert Complaint.objects.count() == 0


def test_no_search_or_list_returns_a_complaint(wall, amc_person):
    receive(wall)
    subject = wall.user("caseworker")
    auth = bearer(subject)
    for path in (
        "/api/v1/persons/search?q=Karim",
        "/api/v1/persons/search?q=rations",
    ):
        answer = Client().get(path, **auth)
        assert "SEA-" not in answer.content.decode() and "rations" not in answer.content.decode()
    client = signed_in(subject)
    assert client.get("/complaints/").status_code == 404
    assert "SEA-" not in client.get("/notifications/").content.decode()
    assert "SEA-" not in client.get("/registry/persons/?q=rations").content.decode()


# ---- figures ----


def test_figures_are_for_the_coordinator_with_small_cells_hidden(wall, settings):
    settings.SALAMA_SUPPRESSION_K = 5
    for _ in range(6):
        receive(wall, subject_name="")
    receive(wall, subject_name="", subject_type="peacekeeper_military")
    client = signed_in(wall.user("coordinator"))
    page = client.get("/complaints/figures/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "rations" not in text and "SEA-" not in text
    rows = client.get("/complaints/figures/?format=csv").content.decode().splitlines()
    assert "allegations,entity,peacekeeping," in rows  # 1 allegation: hidden
    assert "allegations,total,,7" in rows
    for name in ("admin", "psea", "analyst", "protection"):
        assert signed_in(wall.user(name)).get("/complaints/figures/").status_code == 404


def test_vetting_records_only_the_date_of_a_check(wall):
    client = signed_in(wall.user("psea"))
    client.post("/complaints/vetting/", {"staff_name": "Layla Aziz", "checked_on": "2026-11-02"})
    from salama.complaints.models import VettingCheck

    check = VettingCheck.objects.get()
    assert check.checked_on.isoformat() == "2026-11-02"
    assert {f.name for f in VettingCheck._meta.get_fields()} == {
        "id",
        "organisation",
        "staff_name",
        "checked_on",
        "recorded_by",
        "recorded_at",
    }


def test_a_raw_read_of_evidence_is_ciphertext(wall):
    receive(wall, files=[("a.txt", "text/plain", b"plain letter text")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, data FROM complaints_evidence")
        name, data = cursor.fetchone()
    assert "a.txt" not in name
    import base64

    assert base64.b64encode(b"plain letter text").decode() not in data


# ---- what the review of the wall found ----


def test_a_coordinator_named_as_subject_is_not_told_of_it(wall):
    coordinator = wall.user("coordinator")
    coordinator.first_name, coordinator.last_name = "Rana", "Khoury"
    coordinator.save()
    complaint = receive(wall, subject_name="Rana Khoury").complaint
    actions.break_glass(
        user=wall.user("admin_un"),
        reference=complaint.reference,
        reason="A court order, case 12/26",
    )
    deadlines.complaint_escalations(timezone.now() + timedelta(days=40))
    assert not Notification.objects.filter(recipient=coordinator).exists()


def test_a_broken_glass_reads_but_does_not_write_or_export(wall):
    complaint = receive(wall).complaint
    admin = wall.user("admin_un")
    with pytest.raises(ComplaintError):
        actions.break_glass(user=admin, reference="SEA-NOSUCH00", reason="x" * 30)
    from salama.audit.models import AuditEntry

    assert AuditEntry.objects.filter(user_id=admin.pk, action="break_glass_refused").exists()
    actions.break_glass(user=admin, reference=complaint.reference, reason="x" * 30)
    with pytest.raises(ComplaintError):
        custody.evidence_add(
            user=admin, complaint=complaint, name="a.txt", content_type="text/plain", data=b"x"
        )
    with pytest.raises(ComplaintError):
        bundle_export(user=admin, complaint=complaint, password="a long password!")
    assert signed_in(admin).get(f"/complaints/{complaint.pk}/").status_code == 200


def test_the_employer_of_the_accused_is_never_chosen_without_the_survivor(wall, cp_service):
    # The NGO runs the only child-protection service, and its staff is complained about.
    complaint = receive(wall, survivor_age="child", subject_organisation=wall.ngo).complaint
    assert not AssistanceReferral.objects.filter(complaint=complaint).exists()
    assert "child_service_of_subject_organisation" in Complaint.objects.get(pk=complaint.pk).flags
    adult = receive(wall, subject_organisation=wall.ngo).complaint
    refer = {
        "user": wall.user("psea"),
        "complaint": adult,
        "service": cp_service,
        "consent_by": "survivor",
        "agreed": True,
        "language": "ar",
        "needs": ["medical"],
    }
    with pytest.raises(ComplaintError) as raised:
        tracks.assistance_refer(**refer)
    assert "subject_organisation_chosen" in raised.value.errors
    assert tracks.assistance_refer(**refer, subject_organisation_chosen=True).service == cp_service


def test_administrators_never_answer_an_assistance_referral(wall, support):
    complaint = receive(wall, subject_name="").complaint
    refer(wall, complaint, support)
    assert access.assistance_for(wall.user("protection")).exists()
    for name in ("admin", "admin_hop", "admin_un"):
        assert not access.assistance_for(wall.user(name)).exists()


def test_a_readers_audit_trail_does_not_list_complaint_reads(wall):
    complaint = receive(wall).complaint
    psea = wall.user("psea")
    signed_in(psea).get(f"/complaints/{complaint.pk}/")
    page = signed_in(wall.user("admin_un")).get(f"/privacy/readers/{psea.pk}/")
    assert page.status_code == 200
    main = page.content.decode().split("<main", 1)[1]
    assert "omplaint" not in main
    from salama.privacy.access import get_reader

    _reader, trail = get_reader(wall.user("admin_un"), psea.pk)
    assert not trail.filter(model__startswith="complaints.").exists()


def test_every_category_is_listed_so_presence_tells_nothing(wall):
    receive(wall, subject_name="")
    rows = signed_in(wall.user("coordinator")).get("/complaints/figures/?format=csv")
    lines = rows.content.decode().splitlines()
    for group in ("peacekeeping", "non_un_forces", "sexual_abuse", "male", "child"):
        assert any(f",{group}," in line for line in lines), group


def test_the_focal_point_keeps_the_identity_until_the_complainant_agrees(wall):
    complaint = receive(wall, complainant_name="Amina", consent_identity="no").complaint
    tracks.investigation_refer(user=wall.user("psea"), complaint=complaint, organisation=wall.ngo)
    investigator = signed_in(wall.user("investigator"))
    assert "Amina" not in investigator.get(f"/complaints/{complaint.pk}/").content.decode()
    with pytest.raises(ComplaintError):
        actions.identity_share(user=wall.user("psea"), complaint=complaint, note="yes")
    with pytest.raises(ComplaintError):
        actions.identity_share(
            user=wall.user("investigator"), complaint=complaint, note="She said so on the phone"
        )
    actions.identity_share(
        user=wall.user("psea"), complaint=complaint, note="In person on 2 December, with a witness"
    )
    assert "Amina" in investigator.get(f"/complaints/{complaint.pk}/").content.decode()
    assert Custody.objects.filter(complaint=complaint, kind="identity_shared").exists()


def test_closed_complaints_past_retention_are_deleted_with_their_evidence(wall, settings):
    settings.SALAMA_RETENTION_COMPLAINTS_DAYS = 30
    old = receive(wall, files=[("a.txt", "text/plain", b"x")]).complaint
    kept = receive(wall).complaint
    actions.complaint_close(user=wall.user("psea"), complaint=old, note="Outcome given, closed")
    Complaint.objects.filter(pk=old.pk).update(closed_at=timezone.now() - timedelta(days=31))
    assert deadlines.complaints_retention() == {"deleted": 1, "public_counts_pruned": 0}
    assert list(Complaint.objects.all()) == [kept]
    assert not Evidence.objects.exists() and not Custody.objects.filter(complaint_id=old.pk)
    assert not Notification.objects.filter(reference=old.reference).exists()
    assert Notification.objects.filter(reference=kept.reference).exists()
    from salama.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="delete", record_id=str(old.pk)).exists()


def test_only_an_administrator_of_the_receiving_organisation_breaks_the_glass(wall):
    complaint = receive(wall, subject_organisation=wall.un, subject_name="").complaint
    reason = "A life at risk tonight, the focal points unreachable"
    # The CMA's administrator does not administer the UN agency, which received it; the
    # UN agency's is an administrator of the organisation complained about.
    for name in ("admin", "admin_hop", "admin_un"):
        with pytest.raises(ComplaintError, match="No complaint"):
            actions.break_glass(user=wall.user(name), reference=complaint.reference, reason=reason)
    other = receive(wall, subject_name="").complaint
    actions.break_glass(user=wall.user("admin_un"), reference=other.reference, reason=reason)
    system = wall.user("admin")
    system.is_superuser = True
    system.save()
    actions.break_glass(user=system, reference=complaint.reference, reason=reason)


# ---- what the review of the code found ----


def test_an_api_retry_makes_no_second_complaint_and_keeps_no_code(wall):
    from salama.core.models import IdempotencyKey

    auth = {**bearer(wall.user("psea")), "HTTP_IDEMPOTENCY_KEY": "desk-42"}
    first = Client().post(
        "/api/v1/complaints", _api_body(wall), content_type="application/json", **auth
    )
    again = Client().post(
        "/api/v1/complaints", _api_body(wall), content_type="application/json", **auth
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["receipt_code"] and again.json()["receipt_code"] is None
    assert again.json()["id"] == first.json()["id"] and Complaint.objects.count() == 1
    code = first.json()["receipt_code"]
    assert not any(code in k.body for k in IdempotencyKey.objects.all())


def test_a_linked_subject_loses_the_referrals_notifications_too(wall, support):
    complaint = receive(wall, subject_name="").complaint
    refer(wall, complaint, support)
    told = Notification.objects.filter(recipient=wall.user("protection"))
    assert told.exists()
    actions.subject_link(user=wall.user("psea"), complaint=complaint, username="protection")
    assert not told.exists()


def test_only_the_case_manager_completes_and_a_service_nobody_answers_is_refused(wall, support):
    complaint = receive(wall, subject_name="").complaint
    referral = refer(wall, complaint, support)
    tracks.assistance_answer(user=wall.user("protection"), referral=referral, accept=True)
    with pytest.raises(ComplaintError):
        tracks.assistance_complete(user=wall.user("caseworker"), referral=referral)
    tracks.assistance_complete(user=wall.user("protection"), referral=referral)
    far = Service.objects.create(
        site=wall.hop,
        site_path=wall.hop.path,
        organisation=wall.cma,
        name="Far clinic",
        service_type="health",
    )
    with pytest.raises(ComplaintError) as raised:
        refer(wall, complaint, far)
    assert "service" in raised.value.errors


def test_investigators_do_not_read_the_assistance_or_the_complainants_additions(wall, support):
    complaint = receive(wall, subject_name="").complaint
    refer(wall, complaint, support)
    actions.complainant_adds(complaint=complaint, text="My name is Amina, call me", files=[])
    tracks.investigation_refer(user=wall.user("psea"), complaint=complaint, organisation=wall.ngo)
    page = signed_in(wall.user("investigator")).get(f"/complaints/{complaint.pk}/")
    text = page.content.decode()
    assert "Women's centre" not in text and "Amina" not in text
    assert (
        "Amina" in signed_in(wall.user("psea")).get(f"/complaints/{complaint.pk}/").content.decode()
    )


def test_one_complaint_shows_no_profile_in_the_figures(wall):
    receive(wall, subject_name="")
    lines = signed_in(wall.user("coordinator")).get("/complaints/figures/?format=csv")
    rows = [r.split(",") for r in lines.content.decode().splitlines()[2:]]
    breakdowns = [r for r in rows if r[0] in ("allegations", "victims") and r[1] != "total"]
    assert breakdowns and all(r[3] == "" for r in breakdowns)


def test_a_broken_glass_checks_no_file(wall):
    complaint = receive(wall, subject_name="").complaint
    admin = wall.user("admin_un")
    actions.break_glass(user=admin, reference=complaint.reference, reason="x" * 30)
    with pytest.raises(ComplaintError):
        custody.evidence_check(user=admin, complaint=complaint, data=b"x")


def test_retention_keeps_a_complaint_whose_investigation_is_open(wall, settings):
    settings.SALAMA_RETENTION_COMPLAINTS_DAYS = 30
    complaint = receive(wall, subject_name="").complaint
    tracks.investigation_refer(user=wall.user("psea"), complaint=complaint, organisation=wall.ngo)
    actions.complaint_close(user=wall.user("psea"), complaint=complaint, note="Closed by the desk")
    Complaint.objects.filter(pk=complaint.pk).update(closed_at=timezone.now() - timedelta(days=60))
    assert deadlines.complaints_retention()["deleted"] == 0


def test_when_the_last_investigator_recuses_the_focal_points_may_refer_again(wall):
    complaint = receive(wall, subject_name="").complaint
    tracks.investigation_refer(user=wall.user("psea"), complaint=complaint, organisation=wall.ngo)
    actions.recuse(user=wall.user("investigator"), complaint=complaint, reason="I know him well")
    assert Notification.objects.filter(
        recipient=wall.user("psea"), kind="complaints.uninvestigated"
    ).exists()
    assert (
        signed_in(wall.user("psea"))
        .get(f"/complaints/{complaint.pk}/")
        .context["can_refer_investigation"]
    )


def test_small_rules_of_the_record(wall):
    assert actions.receipt_lookup("0000 0000 0000 000") is None
    unknown = receive(wall, survivor_age="unknown", subject_name="").complaint
    assert "possibly_child" in Complaint.objects.get(pk=unknown.pk).flags
    tracks.investigation_refer(user=wall.user("psea"), complaint=unknown, organisation=wall.ngo)
    investigator = wall.user("investigator")
    tracks.investigation_status_set(user=investigator, complaint=unknown, status="substantiated")
    tracks.investigation_status_set(
        user=investigator, complaint=unknown, status="under_investigation"
    )
    assert Complaint.objects.get(pk=unknown.pk).investigation_outcome_at is None

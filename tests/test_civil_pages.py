"""The civil registration desk's pages, its API, the certificates and the
public verification page."""

import io
from typing import Any

import pypdfium2
import pytest
import zxingcpp
from django.test import Client
from django.utils import timezone

from salama.civil import actions, certificates, keys
from salama.civil.models import Action, Certificate, CivilEvent, StoppedMarriage, Verification
from salama.lib.civil import statement
from tests.conftest import bearer, signed_in
from tests.test_civil import TODAY, birth, girl, marriage, years_ago  # noqa: F401


def registered_marriage(world: Any, bride: Any, groom: Any) -> CivilEvent:
    event = actions.event_declare(
        user=world.user("civilregistrar"), declaration=marriage(bride, groom)
    ).event
    return actions.event_register(user=world.user("civilregistrar"), event=event)


def pdf_text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def qr_of(pdf: bytes) -> str:
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=200 / 72).to_pil()
    found = zxingcpp.read_barcodes(image)
    assert found, "no QR code found on the rendered page"
    return found[0].text


# ---- the desk in the browser's terms ----


def test_the_desk_declares_a_marriage_by_registration_numbers(world, couple):
    bride, groom = couple
    client = signed_in(world.user("civilregistrar"))
    answer = client.post(
        "/civil/new/marriage/",
        {
            "event_date": TODAY.isoformat(),
            "place": "Sharia court, Amal",
            "officiant_kind": "religious_court",
            "spouse_1_number": bride.registration_number.lower(),
            "spouse_2_number": groom.registration_number,
            "witness_1": "Ali Hassan",
        },
    )
    assert answer.status_code == 302
    event = CivilEvent.objects.get()
    page = client.get(answer["Location"])
    assert page.status_code == 200 and event.reference in page.content.decode()
    client.post(f"/civil/{event.pk}/register/")
    event.refresh_from_db()
    assert event.number and event.status == "registered"


def test_an_unknown_registration_number_is_named_and_nothing_is_written(world, couple):
    client = signed_in(world.user("civilregistrar"))
    answer = client.post(
        "/civil/new/marriage/",
        {
            "event_date": TODAY.isoformat(),
            "place": "Court",
            "spouse_1_number": couple[0].registration_number,
            "spouse_2_number": "AMC-PNOSUCH1",
        },
    )
    assert answer.status_code == 400
    assert "No person with this registration number" in answer.content.decode()
    assert not CivilEvent.objects.exists()


def test_the_refusal_page_says_why_in_arabic(world, couple, cp_service):
    child = girl(world, birth_date=years_ago(16))
    client = signed_in(world.user("civilregistrar"))
    client.cookies["django_language"] = "ar"
    answer = client.post(
        "/civil/new/marriage/",
        {
            "event_date": TODAY.isoformat(),
            "place": "Court",
            "spouse_1_number": child.registration_number,
            "spouse_2_number": couple[1].registration_number,
        },
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert answer.status_code == 302 and answer["Location"] == "/civil/refused/"
    body = client.get("/civil/refused/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    # Reloading the page shows it again; it does not count the attempt twice.
    client.get("/civil/refused/")
    assert 'dir="rtl"' in body
    assert "18" in body and "PC-" in body
    assert StoppedMarriage.objects.count() == 1


def test_a_minimal_person_is_added_for_the_declaration(world):
    client = signed_in(world.user("civilregistrar"))
    answer = client.post(
        "/civil/people/new/",
        {
            "given_name": "Yusuf",
            "family_name": "Haddad",
            "sex": "M",
            "stated_age": "30",
            "site": str(world.amc_block.pk),
            "next": "https://evil.example/",
        },
    )
    assert answer.status_code == 302 and answer["Location"] == "/civil/"
    from salama.registry.models import Person

    added = Person.objects.get(given_name="Yusuf")
    assert added.site_path == world.amc_block.path
    assert set(added.legal_bases.values_list("purpose", flat=True)) == {
        "registration",
        "civil_registration",
    }


# ---- certificates ----


def test_a_certificate_carries_arabic_names_intact_and_a_qr_that_verifies_offline(
    world, couple, settings
):
    settings.SALAMA_CIVIL_REGISTRAR = "state"
    bride, groom = couple
    event = registered_marriage(world, bride, groom)
    client = signed_in(world.user("civilregistrar"))
    client.post(f"/civil/{event.pk}/documents/")
    certificate = Certificate.objects.get()
    assert certificate.kind == "certificate"
    answer = client.get(f"/civil/{event.pk}/documents/{certificate.serial}.pdf")
    assert answer["Content-Type"] == "application/pdf"
    pdf = answer.content
    text = pdf_text(pdf)
    for name in ("سلمى علي الحسن", "محمد علي الحسن", "Salma Ali Al-Hassan", certificate.serial):
        assert name in text, name
    assert event.number in text
    # The print is journaled: who, when, which template.
    printed = event.actions.get(kind=Action.Kind.PRINTED)
    assert printed.user == world.user("civilregistrar") and printed.changes["template"] == "a4"
    qr = qr_of(pdf)
    assert qr == certificate.statement
    assert qr.startswith(f"{certificates.base_url()}/verify/{certificate.serial}#")
    public = statement.load_public_key(keys.public_pem())
    checked = statement.decode(qr, public)
    assert "سلمى علي الحسن / Salma Ali Al-Hassan" in checked.names
    assert checked.number == event.number


def test_changing_one_printed_character_breaks_the_statement(world, couple):
    import base64
    import json

    event = registered_marriage(world, *couple)
    certificate = certificates.certificate_issue(user=world.user("civilregistrar"), event=event)
    url, fragment = certificate.statement.split("#")
    payload, signature = fragment.split(".")
    padded = payload + "=" * (-len(payload) % 4)
    data = json.loads(base64.urlsafe_b64decode(padded))
    text = json.dumps(data, ensure_ascii=False)
    forged = text.replace("سلمى", "سلمي", 1)
    assert forged != text
    forged_payload = base64.urlsafe_b64encode(forged.encode()).decode().rstrip("=")
    public = statement.load_public_key(keys.public_pem())
    with pytest.raises(statement.StatementError):
        statement.decode(f"{url}#{forged_payload}.{signature}", public)
    assert statement.decode(certificate.statement, public).serial == certificate.serial


def test_a_notification_prints_as_a_notification_never_a_certificate(world, couple):
    declaration = birth(couple[0])
    declaration.status = "notified"
    declaration.parties = declaration.parties[:1]
    event = actions.event_declare(user=world.user("civilregistrar"), declaration=declaration).event
    certificate = certificates.certificate_issue(user=world.user("civilregistrar"), event=event)
    assert certificate.kind == "notification"
    pdf = certificates.certificate_pdf(user=world.user("civilregistrar"), certificate=certificate)
    text = pdf_text(pdf)
    assert "NOT A CERTIFICATE" in text.upper() or "ليس" in text
    assert "Birth certificate" not in text


def test_a_declared_record_has_no_certificate(world, couple):
    event = actions.event_declare(
        user=world.user("civilregistrar"), declaration=marriage(*couple)
    ).event
    with pytest.raises(certificates.CertificateError):
        certificates.certificate_issue(user=world.user("civilregistrar"), event=event)


def test_a_correction_revokes_the_documents_and_a_new_one_is_issued(world, couple):
    event = registered_marriage(world, *couple)
    first = certificates.certificate_issue(user=world.user("civilregistrar"), event=event)
    actions.event_correct(
        user=world.user("civilregistrar"),
        event=event,
        changes={"place": "Sharia court of Amal, block C"},
        reason="Place written incompletely",
    )
    first.refresh_from_db()
    assert first.revoked_at is not None and "Corrected" in first.revoked_reason
    second = certificates.certificate_issue(user=world.user("civilregistrar"), event=event)
    assert second.serial != first.serial
    assert second.printed["rows"] != first.printed["rows"]


# ---- the public verification page ----


def test_the_verification_page_accepts_a_real_certificate_and_shows_only_what_is_printed(
    world, couple
):
    event = registered_marriage(world, *couple)
    certificate = certificates.certificate_issue(user=world.user("civilregistrar"), event=event)
    answer = Client().get(f"/verify/{certificate.serial}")
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "سلمى علي الحسن" in body and event.number in body
    # Nothing that is not printed: not the registry numbers of the parties.
    assert couple[0].registration_number not in body
    assert Verification.objects.get().outcome == "valid"


def test_a_forged_serial_is_404_and_a_revoked_one_410_with_its_date(world, couple):
    event = registered_marriage(world, *couple)
    certificate = certificates.certificate_issue(user=world.user("civilregistrar"), event=event)
    assert Client().get("/verify/ABCDEFGHJKLM").status_code == 404
    certificates.certificate_revoke(
        user=world.user("civilregistrar"), certificate=certificate, reason="Issued in error"
    )
    answer = Client().get(f"/verify/{certificate.serial}")
    assert answer.status_code == 410
    assert timezone.localdate().isoformat() in answer.content.decode()
    assert "Issued in error" not in answer.content.decode()


def test_verification_is_rate_limited_and_counted(world, settings):
    settings.SALAMA_CIVIL_VERIFICATIONS_PER_CLIENT = 3
    client = Client()
    codes = [client.get(f"/verify/NOSUCHSERIAL{i}").status_code for i in range(5)]
    assert codes == [404, 404, 404, 429, 429]
    assert Verification.objects.filter(outcome="unknown").count() == 3


def test_the_public_key_is_published(world):
    answer = Client().get("/verify/key.pem")
    assert answer.status_code == 200
    assert "BEGIN PUBLIC KEY" in answer.content.decode()


def test_the_serial_form_goes_to_the_verification_page(world):
    answer = Client().get("/verify/?serial=abcd efgh")
    assert answer.status_code == 302 and answer["Location"] == "/verify/ABCDEFGH"


# ---- the API ----


def test_the_api_declares_and_registers_with_a_number(world, couple):
    bride, groom = couple
    auth = bearer(world.user("civilregistrar"))
    answer = Client().post(
        "/api/v1/civil/events",
        {
            "type": "marriage",
            "parties": [
                {"person_id": str(bride.pk), "role": "spouse"},
                {"person_id": str(groom.pk), "role": "spouse"},
            ],
            "date": TODAY.isoformat(),
            "place": "Sharia court, Amal",
            "officiant": {"kind": "religious_court", "name": "Amal court"},
            "witnesses": ["Ali Hassan", "Omar Said"],
            "register_now": True,
        },
        content_type="application/json",
        **auth,
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == "registered" and body["number"].startswith("MA-")
    read = Client().get(f"/api/v1/civil/events/{body['id']}", **auth)
    assert read.status_code == 200 and read.json()["reference"] == body["reference"]
    pdf = Client().get(f"/api/v1/civil/events/{body['id']}/certificate.pdf", **auth)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_the_api_refuses_a_child_marriage_with_409(world, couple, cp_service):
    child = girl(world, birth_date=years_ago(16))
    answer = Client().post(
        "/api/v1/civil/events",
        {
            "type": "marriage",
            "parties": [
                {"person_id": str(child.pk), "role": "spouse"},
                {"person_id": str(couple[1].pk), "role": "spouse"},
            ],
            "date": TODAY.isoformat(),
            "place": "Court",
        },
        content_type="application/json",
        **bearer(world.user("civilregistrar")),
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "party_under_18"
    assert "18" in answer.json()["message"]
    assert not CivilEvent.objects.exists() and StoppedMarriage.objects.count() == 1


def test_the_api_names_bad_input_and_writes_nothing(world, couple):
    auth = bearer(world.user("civilregistrar"))
    answer = Client().post(
        "/api/v1/civil/events",
        {
            "type": "death",
            "parties": [{"person_id": str(couple[1].pk), "role": "deceased"}],
            "date": TODAY.isoformat(),
            "place": "Clinic",
            "details": {"manner": "poison", "cause_source": "lay_report"},
        },
        content_type="application/json",
        **auth,
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "details.manner"
    assert not CivilEvent.objects.exists()


def test_a_record_of_another_organisation_is_404_in_the_api(world, couple):
    event = registered_marriage(world, *couple)
    for name in ("caseworker", "registrar", "admin_un"):
        answer = Client().get(f"/api/v1/civil/events/{event.pk}", **bearer(world.user(name)))
        assert answer.status_code == 404, name


def test_figures_count_registrations_and_stopped_marriages_with_suppression(
    world, couple, cp_service, settings
):
    from salama.civil import figures

    settings.SALAMA_SUPPRESSION_K = 5
    bride, groom = couple
    for i in range(6):
        child = girl(world, given_name_latin=f"Girl{i}", birth_date=years_ago(15))
        actions.event_declare(user=world.user("civilregistrar"), declaration=marriage(child, groom))
    registered_marriage(world, bride, groom)
    tables, counted = figures.civil_figures(world.user("protection"))
    by_key = {t.key: t for t in tables}
    assert by_key["stopped"].total == 6
    assert by_key["marriage"].total is None  # one registration: hidden
    assert counted.hidden_small >= 1
    page = signed_in(world.user("analyst")).get("/civil/figures/")
    assert page.status_code == 200
    assert signed_in(world.user("civilregistrar")).get("/civil/figures/").status_code == 404


def test_the_page_lists_and_finds_by_number(world, couple):
    event = registered_marriage(world, *couple)
    client = signed_in(world.user("civilregistrar"))
    page = client.get("/civil/", {"q": event.number.lower()})
    assert event.reference in page.content.decode()
    other = client.get("/civil/", {"q": "MA-1999-000001"})
    assert event.reference not in other.content.decode()


def test_a_scan_is_attached_encrypted_and_a_photo_loses_its_metadata(world, couple):
    from PIL import Image

    from salama.civil.models import Attachment

    event = registered_marriage(world, *couple)
    client = signed_in(world.user("civilregistrar"))
    pdf = io.BytesIO(b"%PDF-1.4\n% a court decree\n")
    pdf.name = "decree.pdf"
    answer = client.post(f"/civil/{event.pk}/attachments/", {"kind": "court", "file": pdf})
    assert answer.status_code == 302
    photo = io.BytesIO()
    image = Image.new("RGB", (40, 30), "white")
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    image.save(photo, format="JPEG", exif=exif)
    photo.seek(0)
    photo.name = "notice.jpg"
    client.post(f"/civil/{event.pk}/attachments/", {"kind": "birth_notice", "file": photo})
    first, second = Attachment.objects.order_by("pk")
    assert first.content_type == "application/pdf" and second.content_type == "image/jpeg"
    assert b"CameraMaker" not in client.get(f"/civil/{event.pk}/attachments/{second.pk}/").content
    bad = io.BytesIO(b"MZ\x90\x00 not a document")
    bad.name = "x.exe"
    answer = client.post(f"/civil/{event.pk}/attachments/", {"kind": "other", "file": bad})
    assert Attachment.objects.count() == 2
    assert event.actions.filter(kind="attached").count() == 2
    other = signed_in(world.user("registrar"))
    assert other.get(f"/civil/{event.pk}/attachments/{first.pk}/").status_code == 404


def test_the_declaration_page_finds_parties_with_the_matching_engine(world, couple):
    client = signed_in(world.user("civilregistrar"))
    page = client.get("/civil/new/marriage/")
    assert 'action="/civil/people/find/"' in page.content.decode()
    found = client.post("/civil/people/find/", {"q": "Salma Alhasan"}, HTTP_HX_REQUEST="true")
    assert found.status_code == 200
    assert couple[0].registration_number in found.content.decode()
    assert (
        signed_in(world.user("caseworker")).post("/civil/people/find/", {"q": "Salma"}).status_code
        == 404
    )


def test_the_person_page_shows_their_civil_records_and_a_registered_death(world, couple):
    bride, groom = couple
    event = registered_marriage(world, bride, groom)
    page = signed_in(world.user("civilregistrar")).get(f"/registry/persons/{bride.pk}/")
    assert event.number in page.content.decode()
    other = signed_in(world.user("registrar")).get(f"/registry/persons/{bride.pk}/")
    assert event.number not in other.content.decode()
    from salama.civil.actions import Declaration, PartyInput

    death = actions.event_declare(
        user=world.user("civilregistrar"),
        declaration=Declaration(
            event_type="death",
            event_date=TODAY,
            place="Amal clinic",
            parties=[PartyInput("deceased", groom)],
            details={"manner": "natural", "cause_source": "lay_report"},
        ),
    ).event
    actions.event_register(user=world.user("civilregistrar"), event=death)
    page = signed_in(world.user("registrar")).get(f"/registry/persons/{groom.pk}/")
    assert "Date of death" in page.content.decode() and TODAY.isoformat() in page.content.decode()


def test_no_document_is_issued_without_the_deployments_address(world, couple, settings):
    settings.SALAMA_BASE_URL = ""
    event = registered_marriage(world, *couple)
    with pytest.raises(certificates.CertificateError) as refused:
        certificates.certificate_issue(user=world.user("civilregistrar"), event=event)
    assert refused.value.code == "no_base_url" and not Certificate.objects.exists()


def test_the_record_page_shows_labels_and_words_not_field_names(world, couple):
    declaration = birth(couple[0], place_type="facility")
    event = actions.event_declare(user=world.user("civilregistrar"), declaration=declaration).event
    body = signed_in(world.user("civilregistrar")).get(f"/civil/{event.pk}/").content.decode()
    assert "Child&#x27;s sex" in body or "Child's sex" in body
    assert "Health facility" in body and "child_sex" not in body and "place type" not in body


def test_the_death_form_keeps_the_underlying_cause_as_line_d(world, couple):
    client = signed_in(world.user("civilregistrar"))
    answer = client.post(
        "/civil/new/death/",
        {
            "deceased_number": couple[1].registration_number,
            "event_date": TODAY.isoformat(),
            "place": "Amal clinic",
            "manner": "natural",
            "cause_source": "physician",
            "cause_a": "Respiratory failure",
            "cause_d": "Tuberculosis",
            "icd_d": "a15",
        },
    )
    assert answer.status_code == 302
    causes = CivilEvent.objects.get().details["causes"]
    assert [(c["line"], c.get("icd", "")) for c in causes] == [("a", ""), ("d", "A15")]


def test_who_checked_a_document_is_forgotten_after_a_day(world):
    from datetime import timedelta as days

    Client().get("/verify/NOSUCHSERIAL1")
    later = timezone.now() + days(hours=25)
    assert actions.verifications_prune(now=later) == {"clients_forgotten": 1, "deleted": 0}
    assert Verification.objects.get().client == ""
    assert actions.verifications_prune(now=later + days(days=366))["deleted"] == 1


def test_a_serial_with_odd_characters_is_cleaned_not_a_server_error(world):
    answer = Client().get("/verify/?serial=ab/cd-ef")
    assert answer.status_code == 302 and answer["Location"] == "/verify/ABCDEF"


def test_a_statement_behind_another_address_does_not_check(world, couple):
    event = registered_marriage(world, *couple)
    certificate = certificates.certificate_issue(user=world.user("civilregistrar"), event=event)
    forged = certificate.statement.replace("http://testserver", "https://evil.example", 1)
    public = statement.load_public_key(keys.public_pem())
    with pytest.raises(statement.StatementError):
        statement.decode(forged, public)

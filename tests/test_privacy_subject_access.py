"""Subject access (PROTECTION.md 18): a data protection officer finds a person
and, in one action, gets all data about them in their language, as a job
producing an encrypted file like exports; audited."""

import io
import json
from typing import Any

import pytest
import pyzipper
from django.core.files.uploadedfile import SimpleUploadedFile

from salama.audit.models import AuditEntry
from salama.core.actions import user_create
from salama.core.roles import Role
from salama.jobs.api import Job, run_pending_jobs
from salama.privacy.models import ExportFile
from salama.registry.actions import PersonData, person_update
from salama.screening.actions import field_credential_set, screening_record
from tests.conftest import PASSWORD, person_fields, register, signed_in
from tests.test_openrosa import FIELD_PASSWORD, ilo11, submit
from tests.test_screening_app import TRAFFICKED

FILE_PASSWORD = "olive lantern harbour 7"


@pytest.fixture
def dpo(world: Any) -> Any:
    # The NGO's data protection officer for the Amal camp.
    return user_create(
        username="dpo_ngo",
        password=PASSWORD,
        organisation=world.ngo,
        role=Role.DATA_PROTECTION_OFFICER,
        sites=[world.amc],
    )


def open_file(user: Any, export: ExportFile) -> dict[str, bytes]:
    response = signed_in(user).get(f"/privacy/exports/{export.pk}/download/")
    assert response.status_code == 200
    with pyzipper.AESZipFile(io.BytesIO(response.getvalue())) as archive:
        archive.setpassword(FILE_PASSWORD.encode())
        return {name: archive.read(name) for name in archive.namelist()}


def request_file(client: Any, person: Any, language: str = "") -> Any:
    data = {"password1": FILE_PASSWORD, "password2": FILE_PASSWORD}
    if language:
        data["language"] = language
    return client.post(f"/privacy/subjects/{person.pk}/", data)


def test_one_action_gives_all_data_about_a_person_in_their_language(
    world: Any, dpo: Any, client: Any
) -> None:
    person = register(world, world.amc_block).members.get()  # languages: Arabic
    caseworker = world.user("caseworker")
    person_update(user=world.user("admin"), person=person, data=PersonData({"phone": "0791234567"}))
    signed_in(caseworker).get(f"/registry/persons/{person.pk}/")  # a read, audited
    screening = screening_record(
        user=caseworker,
        person=person,
        instrument_id="ilo-ec-delphi-labour",
        profile="adult",
        answers=TRAFFICKED,
    )
    # Another organisation's screening stays that organisation's (issue 9, section 1).
    other = screening_record(
        user=world.user("protection_un"),
        person=person,
        instrument_id="ilo-ec-delphi-labour",
        profile="adult",
        answers={},
    )
    field_credential_set(user=caseworker, password=FIELD_PASSWORD)
    photo = SimpleUploadedFile("photo.jpg", b"\xff\xd8 one", "image/jpeg")
    assert submit(client, ilo11(person, deception="yes"), photo).status_code == 201

    officer = signed_in(dpo)
    record = officer.get(f"/registry/persons/{person.pk}/").content.decode()
    assert f"/privacy/subjects/{person.pk}/" in record  # from the registry, too
    found = officer.post("/privacy/subjects/", {"registration_number": person.registration_number})
    assert found.status_code == 302 and found["Location"] == f"/privacy/subjects/{person.pk}/"
    page = officer.get(found["Location"]).content.decode()
    assert 'value="ar" selected' in page  # the person's own language, from their record
    response = request_file(officer, person, "ar")
    export = ExportFile.objects.get(kind="subject_access")
    assert response["Location"].startswith(f"/jobs/{export.job_id}/")
    assert FILE_PASSWORD not in str(Job.objects.get(pk=export.job_id).kwargs)
    run_pending_jobs()
    export.refresh_from_db()
    assert export.status == "ready", Job.objects.get(pk=export.job_id).error_message

    files = open_file(dpo, export)
    data = json.loads(files["salama-own-data.json"])
    html = files["salama-own-data.html"].decode()
    fields = {f["field"]: f for f in data["person"]}
    assert fields["registration_number"]["value"] == person.registration_number
    assert (
        fields["given_name"]["label"] == "الاسم الأول" and fields["phone"]["value"] == "0791234567"
    )
    assert data["household"]["registration_number"] == person.household.registration_number
    assert data["legal_bases"] and data["revisions"][0]["changed_fields"] == ["phone"]
    assert data["revisions"][0]["changed"] == "الهاتف" and data["revisions"][0]["by"] == "CMA"
    screenings = {s["id"]: s for s in data["screenings"]}
    assert str(screening.pk) in screenings and str(other.pk) not in screenings
    mine = screenings[str(screening.pk)]
    assert mine["answers"]["d1_wages"] == "yes"  # decrypted
    assert mine["result"]["outcome"] == screening.outcome and mine["level"] == "positive"
    assert mine["alert"] is not None
    assert "مؤشر على الاتجار لغرض الاستغلال في العمل" in mine["outcome_label"]  # in Arabic
    (submission,) = data["submissions"]
    assert submission["attachments"][0]["name"] == "photo.jpg" and "<" in submission["xml"]
    # Who read or changed it, by organisation (staff are not named to the person).
    readers = {(e["organisation"], e["action"]) for e in data["access_log"]}
    assert ("PNGO", "read") in readers and ("CMA", "change") in readers
    assert "caseworker" not in json.dumps(data["access_log"]) + json.dumps(data["revisions"])
    assert mine["screened_by"] == "PNGO"
    read = next(e for e in data["access_log"] if e["action"] == "read")
    assert read["action_label"] == "فتح السجل" and read["action_label"] in html  # in words
    assert "False" not in html and "['ar']" not in html  # values in words, not codes
    assert fields["nationality"]["shown"] == "سوريا" and fields["sex"]["shown"] == "ذكر"
    assert 'lang="ar" dir="rtl"' in html and "الاسم الأول" in html and "photo.jpg" in html

    assert AuditEntry.objects.filter(
        action="subject_access", record_id=str(person.pk), username="dpo_ngo"
    ).exists()
    assert AuditEntry.objects.filter(
        action="export", record_id=str(person.pk), purpose="subject_access"
    ).exists()
    assert AuditEntry.objects.filter(action="download", record_id=str(export.pk)).exists()


def test_without_a_language_on_the_record_the_officer_chooses_one(world: Any, dpo: Any) -> None:
    person = register(world, world.amc_block, person_fields(languages=[])).members.get()
    officer = signed_in(dpo)
    assert request_file(officer, person).status_code == 400  # no language: choose one
    assert request_file(officer, person, "fr").status_code == 302
    run_pending_jobs()
    export = ExportFile.objects.get()
    data = json.loads(open_file(dpo, export)["salama-own-data.json"])
    assert data["language"] == "fr"
    assert {f["field"]: f["label"] for f in data["person"]}["given_name"] == "prénom"


def test_only_subject_access_officers_within_their_sites(
    world: Any, dpo: Any, amc_person: Any, hop_person: Any
) -> None:
    officer = signed_in(dpo)
    missing = officer.post(
        "/privacy/subjects/", {"registration_number": hop_person.registration_number}
    )
    assert missing.status_code == 404  # another camp: not found
    assert officer.get(f"/privacy/subjects/{hop_person.pk}/").status_code == 404
    for name in ("registrar", "caseworker", "protection", "analyst"):
        client = signed_in(world.user(name))
        assert client.get("/privacy/subjects/").status_code == 404
        assert request_file(client, amc_person, "en").status_code == 404
    assert not ExportFile.objects.exists()
    assert (
        signed_in(world.user("admin")).get(f"/privacy/subjects/{amc_person.pk}/").status_code == 200
    )


def test_the_file_holds_the_desks_cases_and_roll_calls_but_not_who_reported(
    world: Any, desk: Any
) -> None:
    from django.utils import translation

    from salama.presence.actions import check_record
    from salama.privacy.selectors import subject_data
    from salama.tracing.actions import report_take
    from salama.tracing.reports import clean_report

    person = register(world, world.amc_block).members.get()
    check_record(
        user=world.user("registrar"),
        site=world.amc,
        kind="roll_call",
        held_at=None,
        persons=[person],
    )
    report = {
        "kind": "missing",
        "person": {"given_name_latin": "Mohammed"},
        "reporter": {"name": "Zuhair Reporter", "contact": "+000 111"},
    }
    taken = report_take(
        user=world.user("tracer"),
        desk=desk,
        data=clean_report(report),
        channel="desk",
        registry_person=person,
    )
    with translation.override("en"):
        mine = subject_data(person, language="en", organisation_ids={world.un.pk})
        others = subject_data(person, language="en", organisation_ids={world.ngo.pk})
    sections = {s["title"]: s for s in mine["more"]}
    assert sections["Missing-persons desk"]["rows"][0][0] == taken.case.reference
    assert len(sections["Roll calls and distributions"]["rows"]) == 1
    assert "Zuhair" not in json.dumps(mine) and "+000 111" not in json.dumps(mine)
    # another organisation's case stays that organisation's
    assert {s["title"]: s for s in others["more"]}["Missing-persons desk"]["rows"] == []

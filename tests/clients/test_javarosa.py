"""JavaRosa, the form engine of ODK Collect, downloads a Salama form, fills
it (JavaRosa evaluates relevance, required and constraints) and submits it
in chunks; the submission is stored, scored and on the person's page."""

import subprocess
from pathlib import Path

import pytest
import pyxform

from salama.screening.models import Screening, Submission
from tests.clients.conftest import FIELD_PASSWORD, require
from tests.conftest import person_fields, register, signed_in

HERE = Path(__file__).parent / "javarosa"
JAR = Path(pyxform.__file__).parent / "validators/odk_validate/bin/ODK_Validate.jar"


@pytest.fixture(scope="module")
def collect(tmp_path_factory) -> list[str]:
    javac, java = require("javac"), require("java")
    classes = tmp_path_factory.mktemp("javarosa")
    subprocess.run(
        [javac, "-d", str(classes), "-cp", str(JAR), str(HERE / "SalamaCollect.java")],
        check=True,
        capture_output=True,
    )
    return [java, "-cp", f"{classes}:{JAR}", "SalamaCollect"]


def run(collect, url, form_id, answers, tmp_path):
    answers_file = tmp_path / "answers.txt"
    answers_file.write_text("\n".join(f"{k}={v}" for k, v in answers.items()), encoding="utf-8")
    done = subprocess.run(
        [*collect, url, "caseworker", FIELD_PASSWORD, form_id, str(answers_file)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    status, version, body = done.stdout.split("\n", 2)
    return int(status), version, body, done.stderr


def test_odk_collect_engine_submits_a_delphi_screening(
    collect, waitress_url, world, field_user, tmp_path
):
    person = register(world, world.amc_block).members.get()
    answers = {
        "registry_id": person.registration_number,
        "profile": "adult",
        "d1_nature_job": "yes",
        "d1_wages": "yes",
        "d4_hours": "yes",
        "d4_low_pay": "yes",
        "d5_documents": "yes",
        "d5_isolation": "yes",
    }
    status, version, body, log = run(
        collect, waitress_url, "ilo-ec-delphi-labour", answers, tmp_path
    )
    assert status == 201, body
    assert version == "1.0" and "submit_success" in body and "scored" in body
    submission = Submission.objects.get()
    screening = Screening.objects.get()
    assert submission.screening == screening and submission.instance_id.startswith("uuid:")
    assert (screening.source, screening.person, screening.outcome) == (
        "field",
        person,
        "indicative_adult",
    )
    page = signed_in(world.user("caseworker")).get(f"/registry/persons/{person.pk}/")
    assert f"/screening/{screening.pk}/" in page.content.decode()


def test_odk_collect_engine_screens_a_child_with_a_caregiver(
    collect, waitress_url, world, field_user, tmp_path
):
    from datetime import date

    child = register(
        world,
        world.amc_block,
        person_fields(sex="F", birth_date=date(date.today().year - 14, 1, 1)),
    ).members.get()
    answers = {
        "registry_id": child.registration_number,
        "profile": "child",
        "administered_with": "caregiver",
        "age": "14",
        "sex": "female",
        "unaccompanied": "no",
        "child_works": "yes",
        "child_hazardous_work": "yes",
    }
    status, _, body, _ = run(collect, waitress_url, "salama-vulnerability", answers, tmp_path)
    assert status == 201, body
    screening = Screening.objects.get()
    assert screening.profile == "child" and screening.administered_with == "caregiver"
    assert screening.level == "high" and "CR-LW" in screening.result["specific_needs"]


def test_every_served_form_passes_odk_validate(tmp_path, world):
    """ODK Validate (JavaRosa's parser, as ODK Collect loads forms) accepts
    every form the server offers, the HTCDS intake and complaint forms included."""
    from salama.screening.field_forms import offered

    java = require("java")
    forms = offered(world.user("caseworker"))
    assert "sea_complaint" in forms
    for form in forms.values():
        path = tmp_path / f"{form.form_id}.xml"
        path.write_bytes(form.xml)
        done = subprocess.run(
            [java, "-jar", str(JAR), str(path)], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0 and "Xform is valid" in done.stdout + done.stderr, (
            form.form_id,
            done.stdout[-2000:],
            done.stderr[-2000:],
        )


def test_odk_collect_engine_sends_a_complaint_straight_behind_the_wall(
    collect, waitress_url, world, field_user, tmp_path
):
    """An outreach worker's complaint: the device's answer holds the receipt
    code; the complaint is the UN agency's, never a screening submission, and
    the worker who sent it cannot read it."""
    from salama.complaints.actions import receipt_lookup
    from salama.complaints.models import Complaint

    answers = {
        "receiver": f"v_{world.un.pk}_{world.amc.pk}",
        "relationship": "v_witness",
        "category": "v_sexual_abuse",
        "narrative": "A guard at the water point forced a girl into his car.",
        "survivor_age": "v_adult",
        "survivor_sex": "v_female",
        "survivor_disability": "v_unknown",
        "safety_risk": "v_yes",
        "subject_type": "v_other",
        "subject_in_contact": "v_yes",
        "contact_preference": "v_none",
        "consent_assistance": "v_yes",
        "consent_identity": "v_no",
    }
    status, _, body, _ = run(collect, waitress_url, "sea_complaint", answers, tmp_path)
    assert status == 201, body
    assert "UN agency" in body and "receipt code" in body
    code = body.split("written down: ")[1][:19]
    complaint = Complaint.objects.get()
    assert receipt_lookup(code) == complaint
    assert (complaint.channel, complaint.received_by, complaint.safety_risk) == (
        "outreach",
        field_user,
        "yes",
    )
    assert not Submission.objects.exists()
    page = signed_in(field_user).get(f"/complaints/{complaint.pk}/")
    assert page.status_code == 404

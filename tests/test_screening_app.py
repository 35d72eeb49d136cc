"""Screening in the application: the web form, the result, alerts, specific
needs, access, consent, audit, encryption and counts."""

import re
from datetime import date

import pytest
from django.db import connection

from salama.audit.models import AuditEntry
from salama.lib.suppression import suppress, suppress_with_total
from salama.registry.access import NoLegalBasis
from salama.registry.models import LegalBasis, Person
from salama.screening import actions, selectors
from salama.screening.models import Alert, Screening
from tests.conftest import person_fields, register, signed_in

TRAFFICKED = {
    "d1_nature_job": "yes",
    "d1_wages": "yes",
    "d4_hours": "yes",
    "d4_low_pay": "yes",
    "d5_documents": "yes",
    "d5_isolation": "yes",
}


def draft_of(response) -> str:
    return re.search(r'name="draft" value="([^"]+)"', response.content.decode()).group(1)


def fill(client, person, instrument, profile, answers, administered_with=""):
    """Walk the web form page by page, answering what each page asks."""
    url = f"/screening/person/{person.pk}/"
    response = client.post(
        url,
        {"instrument": instrument, "profile": profile, "administered_with": administered_with},
    )
    pages = 0
    while response.status_code == 200 and b'name="draft"' in response.content:
        html = response.content.decode()
        asked = set(re.findall(r'name="q_([a-z0-9_]+)"', html))
        # What the page already holds (prefilled from the registry), as a browser sends it.
        data = {f"q_{k}": v for k, v in re.findall(r'name="q_(\w+)" value="([^"]*)" checked', html)}
        data |= {
            f"q_{k}": v for k, v in re.findall(r'type="number" name="q_(\w+)" value="(\d+)"', html)
        }
        data |= {f"q_{k}": v for k, v in answers.items() if k in asked}
        response = client.post(url + "step/", {"draft": draft_of(response), **data})
        pages += 1
    return response, pages


def test_a_caseworker_screens_a_person_and_the_result_explains_itself(world, amc_person):
    client = signed_in(world.user("caseworker"))
    response, pages = fill(client, amc_person, "ilo-ec-delphi-labour", "adult", TRAFFICKED)
    assert pages == 6  # one page per dimension; the child-only page is skipped
    screening = Screening.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/screening/{screening.pk}/"
    assert (screening.outcome, screening.level) == ("indicative_adult", "positive")
    page = client.get(response["Location"]).content.decode()
    for text in ["Indicative of trafficking", "not a legal determination", "D5", "positive"]:
        assert text in page
    assert "(D1 or D2 or D3) and D4" not in page  # rules are shown as the instrument wrote them
    assert "recruitment and D4 and means_at_destination" in page
    # The person's page lists the screening in their history.
    assert str(screening.pk) in client.get(f"/registry/persons/{amc_person.pk}/").content.decode()


def test_a_positive_result_raises_an_alert_adds_needs_and_masks_the_name(world, amc_person):
    screening = actions.screening_record(
        user=world.user("caseworker"),
        person=amc_person,
        instrument_id="ilo-ec-delphi-labour",
        profile="adult",
        answers=TRAFFICKED,
    )
    alert = Alert.objects.get()
    assert alert.screening == screening and "counter_trafficking" in alert.referrals
    assert (
        "Counter-trafficking assistance"
        in signed_in(world.user("caseworker")).get("/screening/alerts/").content.decode()
    )
    person = Person.objects.get(pk=amc_person.pk)
    assert person.specific_needs == ["SL-HT"] and person.mask_name
    revision = person.revisions.get()
    assert revision.changed_fields == ["specific_needs"] and revision.before["specific_needs"] == []
    assert screening.legal_basis == "vital_interest"
    # The caseworker and the protection officer of the site and organisation see the alert...
    for name in ("caseworker", "protection"):
        assert "SL-HT" not in signed_in(world.user(name)).get("/screening/alerts/").content.decode()
        page = signed_in(world.user(name)).get("/screening/alerts/").content.decode()
        assert person.registration_number in page
    # ...those of another camp or another organisation at the site do not.
    for name in ("caseworker_hop", "protection_un", "caseworker_un"):
        page = signed_in(world.user(name)).get("/screening/alerts/").content.decode()
        assert person.registration_number not in page
        assert signed_in(world.user(name)).get(f"/screening/{screening.pk}/").status_code == 404
    assert signed_in(world.user("registrar")).get("/screening/alerts/").status_code == 404
    # Acknowledging takes it off the list.
    client = signed_in(world.user("protection"))
    assert client.post(f"/screening/alerts/{alert.pk}/acknowledge/").status_code == 302
    assert Alert.objects.get().status == "acknowledged"
    assert person.registration_number not in client.get("/screening/alerts/").content.decode()


def test_a_vulnerability_screening_adds_unhcr_codes(world):
    girl = register(
        world,
        world.amc_block,
        person_fields(sex="F", birth_date=date.today().replace(year=date.today().year - 15)),
    ).members.get()
    client = signed_in(world.user("caseworker"))
    answers = {"child_married": "yes", "not_in_school": "yes", "unaccompanied": "no"}
    response, _ = fill(client, girl, "salama-vulnerability", "child", answers, "caregiver")
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert screening.level == "high" and screening.age_group == "15-17"
    assert screening.answers["sex"] == "female" and screening.answers["age"] == 15  # prefilled
    assert Person.objects.get(pk=girl.pk).specific_needs == ["CR-NE", "SV-FM", "CR-CS"]


def test_a_child_is_not_screened_without_a_caregiver_or_caseworker(world, amc_person):
    client = signed_in(world.user("caseworker"))
    response = client.post(
        f"/screening/person/{amc_person.pk}/",
        {"instrument": "ilo-ec-delphi-labour", "profile": "child", "administered_with": ""},
    )
    assert response.status_code == 200 and b"caregiver present" in response.content
    assert not Screening.objects.exists()


def test_required_answers_and_a_tampered_draft(world, amc_person):
    client = signed_in(world.user("caseworker"))
    first = client.post(
        f"/screening/person/{amc_person.pk}/",
        {"instrument": "salama-vulnerability", "profile": "adult"},
    )
    # The first page asks age and sex, prefilled from the registry; clearing age is refused.
    response = client.post(
        f"/screening/person/{amc_person.pk}/step/",
        {"draft": draft_of(first), "q_age": "", "q_sex": "male"},
    )
    assert response.status_code == 422 and b"An answer is needed" in response.content
    response = client.post(
        f"/screening/person/{amc_person.pk}/step/", {"draft": draft_of(first) + "x"}
    )
    assert response.status_code == 302 and not Screening.objects.exists()


def test_no_screening_without_a_legal_basis_for_protection(world, amc_person):
    LegalBasis.objects.filter(person=amc_person, purpose="protection").delete()
    client = signed_in(world.user("caseworker"))
    assert client.get(f"/screening/person/{amc_person.pk}/").status_code == 403
    with pytest.raises(NoLegalBasis):
        actions.screening_record(
            user=world.user("caseworker"),
            person=amc_person,
            instrument_id="ilo-forced-labour-11",
            profile="adult",
            answers={"deception": "yes"},
        )
    assert not Screening.objects.exists()


def test_other_roles_and_sites_cannot_screen_or_read(world, amc_person):
    screening = actions.screening_record(
        user=world.user("caseworker"),
        person=amc_person,
        instrument_id="ilo-forced-labour-11",
        profile="adult",
        answers={"deception": "yes"},
    )
    for name in ("registrar", "analyst", "caseworker_hop", "tracer"):
        client = signed_in(world.user(name))
        assert client.get(f"/screening/{screening.pk}/").status_code == 404, name
        assert client.get(f"/screening/person/{amc_person.pk}/").status_code == 404, name
    # Another organisation's caseworker at the site may screen the person, but
    # not read this organisation's screening.
    other = signed_in(world.user("caseworker_un"))
    assert other.get(f"/screening/{screening.pk}/").status_code == 404
    assert signed_in(world.user("protection")).get(f"/screening/{screening.pk}/").status_code == 200
    reads = AuditEntry.objects.filter(model="screening.Screening", action="read")
    assert reads.count() == 1 and reads.get().username == "protection"


def test_answers_and_results_are_encrypted_in_the_database(world, amc_person):
    actions.screening_record(
        user=world.user("caseworker"),
        person=amc_person,
        instrument_id="ilo-forced-labour-11",
        profile="adult",
        answers={"deception": "yes", "observations": "PLANTED-CANARY"},
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers, result FROM screening_screening")
        answers, result = cursor.fetchone()
    assert "PLANTED-CANARY" not in answers and "deception" not in result
    assert answers.startswith("gAAAAA")  # a Fernet token
    assert Screening.objects.get().answers["observations"] == "PLANTED-CANARY"


def test_counts_only_consented_people_and_hide_small_cells(world, settings):
    settings.SALAMA_SUPPRESSION_K = 5
    people = [
        register(world, world.amc_block, person_fields(given_name_latin=f"P{n}")).members.get()
        for n in range(7)
    ]
    LegalBasis.objects.filter(person=people[6], purpose="statistics").delete()
    for n, person in enumerate(people):
        answers = {"deception": "yes"} | ({"debt_bondage": "yes"} if n < 2 else {})
        actions.screening_record(
            user=world.user("caseworker"),
            person=person,
            instrument_id="ilo-forced-labour-11",
            profile="adult",
            answers=answers,
        )
    rows = {r.indicator: r for r in selectors.indicator_counts(world.user("analyst"))}
    assert rows["deception"].count == 6  # the seventh has no basis for statistics
    assert rows["deception"].site == "Amal" and rows["deception"].sex == "M"
    assert rows["debt_bondage"].count is None  # 2 < k: hidden
    assert selectors.indicator_counts(world.user("caseworker_hop")) == []
    page = signed_in(world.user("analyst")).get("/screening/figures/").content.decode()
    assert ">6<" in page and "Deception" in page  # the indicator's label


def test_deleting_a_person_deletes_their_screenings_and_submissions(world, amc_person):
    from salama.registry.actions import person_delete
    from salama.screening.models import Submission

    screening = actions.screening_record(
        user=world.user("caseworker"),
        person=amc_person,
        instrument_id="ilo-forced-labour-11",
        profile="adult",
        answers={"deception": "yes"},
    )
    Submission.objects.create(
        instance_id="uuid:x",
        form_id="ilo-forced-labour-11",
        form_version="1",
        xml="<d/>",
        xml_sha256="0",
        organisation=world.ngo,
        site_path=amc_person.site_path,
        status="scored",
        person=amc_person,
        screening=screening,
    )
    person_delete(user=world.user("admin"), person=amc_person)
    assert not Screening.objects.exists() and not Alert.objects.exists()
    assert not Submission.objects.exists()


def test_suppression_rules():
    assert [suppress(n, 11) for n in (0, 1, 10, 11)] == [0, None, None, 11]
    with pytest.raises(ValueError):
        suppress(3, 4)
    # With a published total, one hidden cell takes the next smallest with it.
    assert suppress_with_total([3, 20, 15, 0], 11) == [None, 20, None, 0]
    assert suppress_with_total([3, 4, 20], 11) == [None, None, 20]


def test_the_form_speaks_arabic_right_to_left(world, amc_person):
    client = signed_in(world.user("caseworker"))
    client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    page = client.post(
        f"/screening/person/{amc_person.pk}/",
        {"instrument": "ilo-forced-labour-11", "profile": "adult"},
    ).content.decode()
    assert 'dir="rtl"' in page
    assert "الخداع" in page and "نعم" in page  # the item and the yes/no labels


def test_field_keys_rotate(world, amc_person, settings):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    from salama.screening.models import Attachment, Submission

    old = settings.SALAMA_FIELD_KEYS[0]
    actions.screening_record(
        user=world.user("caseworker"),
        person=amc_person,
        instrument_id="ilo-forced-labour-11",
        profile="adult",
        answers={"deception": "yes"},
    )
    actions.field_credential_set(user=world.user("caseworker"), password="field devices only 4821")
    submission = Submission.objects.create(
        instance_id="uuid:k",
        form_id="f",
        form_version="1",
        xml="<d>secret</d>",
        xml_sha256="0",
        organisation=world.ngo,
        site_path=amc_person.site_path,
        status="review",
    )
    from salama.core.fields import encrypt_bytes

    Attachment.objects.create(
        submission=submission,
        name="a.jpg",
        content_type="image/jpeg",
        size=3,
        sha256="0",
        data=encrypt_bytes(b"img"),
    )
    new = Fernet.generate_key().decode()
    settings.SALAMA_FIELD_KEYS = [new, old]
    call_command("fieldkeys", "rotate")
    settings.SALAMA_FIELD_KEYS = [new]  # the old key is gone: everything still reads
    assert Screening.objects.get().answers == {"deception": "yes"}
    assert Submission.objects.get().xml == "<d>secret</d>"
    from salama.core.fields import decrypt_bytes

    assert decrypt_bytes(Attachment.objects.get().data) == b"img"

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
    assert Screening.objects.get().indicators.get().item == "deception"
    assert Screening.objects.get().level and Person.objects.get().specific_needs == []
    assert Submission.objects.get().xml == "<d>secret</d>"
    from salama.core.fields import decrypt_bytes

    assert decrypt_bytes(Attachment.objects.get().data) == b"img"


# --- issue 9, section 4: trafficking details encrypted, figures counted at write time


def raw_columns(table: str, columns: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table}")  # noqa: S608 (constants)
        return cursor.fetchall()


def test_outcomes_levels_indicators_referrals_and_needs_are_ciphertext_in_the_database(
    world, amc_person
):
    from salama.registry.sensitivity import ENCRYPTED_FIELDS

    actions.screening_record(
        user=world.user("caseworker"),
        person=amc_person,
        instrument_id="ilo-ec-delphi-labour",
        profile="adult",
        answers=TRAFFICKED,
    )
    plain = ("indicative", "positive", "d1_wages", "self", "counter_trafficking", "SL-HT")
    for label, fields in ENCRYPTED_FIELDS.items():
        from django.apps import apps

        model = apps.get_model(label)
        columns = ", ".join(model._meta.get_field(f).column for f in fields)
        for row in raw_columns(model._meta.db_table, columns):
            for value in row:
                text = bytes(value).decode() if isinstance(value, bytes | memoryview) else value
                assert text.startswith("gAAAAA"), (label, text)  # a Fernet token
                assert not any(word in text for word in plain), (label, text)
    assert {"Alert", "FiredIndicator", "Person", "Screening"} <= {
        label.split(".")[1] for label in ENCRYPTED_FIELDS
    }
    # Read through the models, everything is as it was.
    screening = Screening.objects.get()
    assert (screening.outcome, screening.level) == ("indicative_adult", "positive")
    assert "d1_wages" in {i.item for i in screening.indicators.all()}
    assert {i.scope for i in screening.indicators.all()} == {"self"}
    assert Alert.objects.get().level == "positive"
    assert "counter_trafficking" in Alert.objects.get().referrals
    assert Person.objects.get(pk=amc_person.pk).specific_needs == ["SL-HT"]
    person_page = signed_in(world.user("caseworker")).get(f"/registry/persons/{amc_person.pk}/")
    assert "SL-HT" in person_page.content.decode()


def test_figures_come_from_counts_made_at_write_time_over_consented_people_only(world, settings):
    from salama.screening.models import IndicatorCount, ScreeningCount

    settings.SALAMA_SUPPRESSION_K = 5
    people = [
        register(world, world.amc_block, person_fields(given_name_latin=f"P{n}")).members.get()
        for n in range(8)
    ]
    LegalBasis.objects.filter(person__in=people[6:], purpose="statistics").delete()
    for n, person in enumerate(people):
        actions.screening_record(
            user=world.user("caseworker"),
            person=person,
            instrument_id="ilo-forced-labour-11",
            profile="adult",
            answers={"deception": "yes"} | ({"debt_bondage": "yes"} if n >= 6 else {}),
        )
    # The counts hold no link to anyone: no person, screening or date of screening.
    assert {f.name for f in IndicatorCount._meta.get_fields()} == {
        "id",
        "site_path",
        "week",
        "sex",
        "age_group",
        "instrument",
        "indicator",
        "count",
    }
    cells = {(c.indicator, c.site_path): c.count for c in IndicatorCount.objects.all()}
    assert cells == {
        ("deception", world.amc.path): 6
    }  # by camp, not by block  # the two without a basis for statistics add nothing
    assert sum(ScreeningCount.objects.values_list("count", flat=True)) == 6
    found = selectors.indicator_figures(world.user("analyst"))
    assert [(i.indicator, i.total) for i in found.indicators] == [("deception", 6)]
    (everyone,), _counted = selectors.screening_figures(world.user("analyst"))
    assert everyone.total == 6
    page = signed_in(world.user("analyst")).get("/screening/figures/").content.decode()
    assert ">6<" in page and "Debt bondage" not in page
    # The figures read no screening: with every screening gone, the counts stay.
    Screening.objects.all().delete()
    assert selectors.indicator_figures(world.user("analyst")).indicators[0].total == 6


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_rows_and_counts_consented_screenings():
    """Rows written in plaintext before the migration are encrypted in place
    and the figures' counts are filled from consented people's screenings."""
    from django.db.migrations.executor import MigrationExecutor

    before = [("screening", "0001_initial"), ("registry", "0003_matching")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    executor = MigrationExecutor(connection)
    old = executor._create_project_state(with_applied_migrations=True).apps
    site = old.get_model("core", "Site").objects.create(
        name="Amal", name_ar="", name_fr="", code="AMC", level="site", kind="camp", path="/1/"
    )
    organisation = old.get_model("core", "Organisation").objects.create(
        name="CMA", short_name="CMA", kind="camp_management"
    )
    household = old.get_model("registry", "Household").objects.create(
        registration_number="AMC-H0000001",
        site=site,
        site_path="/1/",
        registered_by=organisation,
    )
    Person = old.get_model("registry", "Person")
    LegalBasis = old.get_model("registry", "LegalBasis")
    Screening = old.get_model("screening", "Screening")
    for n, consented in enumerate((True, False)):
        person = Person.objects.create(
            household=household,
            registration_number=f"AMC-P000000{n}",
            site_path="/1/",
            sex="F",
            specific_needs=["SV-VA"],
        )
        LegalBasis.objects.create(person=person, purpose="protection", basis="consent")
        old.get_model("registry", "PersonRevision").objects.create(
            person=person, changed_fields=["specific_needs"], before={"specific_needs": ["SV-VA"]}
        )
        if consented:
            LegalBasis.objects.create(person=person, purpose="statistics", basis="consent")
        screening = Screening.objects.create(
            person=person,
            site_path="/1/",
            instrument="salama-vulnerability",
            instrument_version="1",
            profile="adult",
            answers={},
            result={},
            outcome="at_risk",
            level="high",
            sex="F",
            age_group="18-24",
            legal_basis="consent",
        )
        old.get_model("screening", "FiredIndicator").objects.create(
            screening=screening, item="offer_work", scope="self"
        )
        old.get_model("screening", "Alert").objects.create(
            screening=screening,
            person=person,
            site_path="/1/",
            level="high",
            referrals=["counter_trafficking"],
        )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    for table, columns in (
        ("screening_screening", "outcome, level"),
        ("screening_firedindicator", "item, scope"),
        ("screening_alert", "level, referrals"),
        ("registry_person", "specific_needs"),
        ("registry_personrevision", "before"),
    ):
        for row in raw_columns(table, columns):
            assert all(v.startswith("gAAAAA") for v in row), (table, row)
    new = MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps
    assert new.get_model("registry", "Person").objects.first().specific_needs == ["SV-VA"]
    assert {a.referrals[0] for a in new.get_model("screening", "Alert").objects.all()} == {
        "counter_trafficking"
    }
    counts = new.get_model("screening", "IndicatorCount").objects.get()
    assert (counts.indicator, counts.count, counts.sex) == ("offer_work", 1, "F")
    assert new.get_model("screening", "ScreeningCount").objects.get().level == "high"

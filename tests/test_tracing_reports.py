"""A report starts the search at once (issue 10 section 2): the case opens,
the on-duty officers and the protection officer are told, and the registry
and the other open reports are searched, in the one transaction."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from salama.notifications.models import Notification
from salama.tracing import actions
from salama.tracing.models import CaseAction, TracingCase, TracingReport
from salama.tracing.reports import ReportError, clean_report
from tests.conftest import person_fields, register

GIRL = {
    "given_name_latin": "Amina",
    "father_name_latin": "Yusuf",
    "family_name_latin": "Haddad",
    "given_name": "أمينة",
    "father_name": "يوسف",
    "family_name": "حداد",
    "sex": "F",
    "birth_date": "2014-05-02",
}


def missing(**extra):
    data = {
        "kind": "missing",
        "person": dict(GIRL),
        "last_seen": {"date": "2026-11-30", "place": "water point", "with_whom": "alone"},
        "circumstances": [],
        "reporter": {"name": "Mother", "relationship": "mother", "contact": "+000"},
    }
    data.update(extra)
    return clean_report(data)


def register_girl(world):
    fields = person_fields(
        given_name="أمينة",
        father_name="يوسف",
        family_name="حداد",
        given_name_latin="Amina",
        father_name_latin="Yusuf",
        family_name_latin="Haddad",
        sex="F",
        birth_date=date(2014, 5, 2),
        relationship="child",
    )
    head = person_fields()
    return register(world, world.amc_block, head, fields).members.get(sex="F")


def test_a_missing_girl_opens_an_urgent_case_with_her_registry_record_first(world, desk):
    girl = register_girl(world)
    taken = actions.report_take(
        user=world.user("tracer"), desk=desk, data=missing(), channel="desk"
    )
    case = taken.case
    assert case.status == "investigating" and case.urgent and case.urgency == "urgent"
    assert "child" in case.urgency_reasons
    assert case.first_action_due == case.opened_at  # at once: no waiting period
    assert case.organisation == world.un
    assert taken.candidates and taken.candidates[0].person == girl
    assert taken.candidates[0].probability > 0.9
    assert taken.report.reference.startswith("MR-") and len(taken.pin) == 6
    # the PIN is kept only as a hash
    assert taken.pin not in TracingReport.objects.get().pin_hash
    told = {n.recipient.username for n in Notification.objects.filter(reference=case.reference)}
    assert told == {"tracer", "protection_un"}  # the desk's organisation only


def test_an_adult_without_risk_is_due_within_the_hour(world, desk):
    data = missing(person={**GIRL, "birth_date": "1980-01-01"})
    case = actions.report_take(user=world.user("tracer"), desk=desk, data=data, channel="desk").case
    assert not case.urgent and case.urgency == "high"
    assert case.first_action_due - case.opened_at == timedelta(hours=1)


@pytest.mark.parametrize(
    "extra",
    [
        {"circumstances": ["offered_marriage"]},
        {"circumstances": ["military_base"]},
        {"woman_at_risk": True},
        {"unaccompanied": True},
    ],
)
def test_circumstances_and_risk_make_an_adults_case_urgent(world, desk, extra):
    data = missing(person={**GIRL, "birth_date": "1995-01-01"}, **extra)
    case = actions.report_take(user=world.user("tracer"), desk=desk, data=data, channel="desk").case
    assert case.urgent


def test_a_second_report_of_the_same_person_is_linked_with_a_warning_not_refused(world, desk):
    first = actions.report_take(
        user=world.user("tracer"), desk=desk, data=missing(), channel="desk"
    )
    second = actions.report_take(user=None, desk=desk, data=missing(), channel="public")
    assert second.duplicate_of == first.report
    assert TracingCase.objects.count() == 2
    assert CaseAction.objects.filter(case=first.case, kind="duplicate").exists()


def test_a_found_report_meets_the_open_missing_report(world, desk):
    lost = actions.report_take(user=world.user("tracer"), desk=desk, data=missing(), channel="desk")
    found = actions.report_take(
        user=world.user("tracer"),
        desk=desk,
        data=missing(kind="found", person={**GIRL, "birth_date": "", "stated_age": 12}),
        channel="desk",
    )
    assert found.candidates and found.candidates[0].report == lost.report


def test_bad_input_names_every_field_and_writes_nothing(world, desk):
    with pytest.raises(ReportError) as error:
        clean_report(
            {
                "kind": "lost",
                "person": {"sex": "Q", "birth_date": "2999-01-01", "stated_age": "x"},
                "circumstances": ["aliens"],
            }
        )
    assert set(error.value.errors) >= {
        "kind",
        "person.sex",
        "person.birth_date",
        "person.stated_age",
        "circumstances",
    }
    assert TracingCase.objects.count() == 0


def test_another_organisations_tracing_officer_cannot_take_the_desks_reports(world, desk):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.report_take(
            user=world.user("caseworker"), desk=desk, data=missing(), channel="desk"
        )
    assert TracingCase.objects.count() == 0


def test_five_wrong_pins_lock_the_report(world, desk):
    taken = actions.report_take(user=None, desk=desk, data=missing(), channel="public")
    for _ in range(5):
        assert not actions.pin_matches(taken.report, "000000" if taken.pin != "000000" else "1")
    assert not actions.pin_matches(taken.report, taken.pin)  # locked, even with the right PIN
    TracingReport.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert actions.pin_matches(taken.report, taken.pin)


def test_a_case_closed_past_its_retention_period_is_deleted_with_its_reports(world, desk):
    from salama.audit.models import AuditEntry

    taken = actions.report_take(
        user=world.user("tracer"), desk=desk, data=missing(), channel="desk"
    )
    keep = actions.report_take(user=None, desk=desk, data=missing(), channel="public")
    actions.case_status_set(user=world.user("tracer"), case=taken.case, status="closed", note="dup")
    assert actions.tracing_retention(timezone.now() + timedelta(days=729)) == 0
    assert actions.tracing_retention(timezone.now() + timedelta(days=731)) == 1
    assert list(TracingCase.objects.all()) == [keep.case]
    assert TracingReport.objects.filter(case_id=taken.case.pk).count() == 0
    assert AuditEntry.objects.filter(action="delete", record_id=str(taken.case.pk)).exists()


def test_who_is_described_the_reporter_and_notes_are_ciphertext_in_the_database(world, desk):
    from django.apps import apps
    from django.db import connection

    from salama.registry.sensitivity import ENCRYPTED_FIELDS

    taken = actions.report_take(
        user=world.user("tracer"), desk=desk, data=missing(), channel="desk"
    )
    actions.case_act(user=world.user("tracer"), case=taken.case, kind="note", note="Spoke to Amina")
    plain = ("Amina", "Haddad", "water point", "Mother", "Spoke", "child")
    for label in [k for k in ENCRYPTED_FIELDS if k.startswith("tracing.")]:
        model = apps.get_model(label)
        columns = ", ".join(model._meta.get_field(f).column for f in ENCRYPTED_FIELDS[label])
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {model._meta.db_table}")  # noqa: S608
            rows = cursor.fetchall()
        for row in rows:
            for value in row:
                text = bytes(value).decode() if isinstance(value, bytes | memoryview) else value
                assert text.startswith("gAAAAA"), (label, text)
                assert not any(word in text for word in plain), (label, text)
    assert TracingReport.objects.get().person["given_name_latin"] == "Amina"


def test_a_photo_loses_its_gps_position_and_other_metadata(world, desk):
    import io

    from PIL import Image

    from salama.core.fields import decrypt_bytes

    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (36.0, 20.0, 0.0)}  # GPSInfo: where the photo was taken
    exif[0x0110] = "Phone model X"
    original = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(original, format="JPEG", exif=exif)
    assert Image.open(io.BytesIO(original.getvalue())).getexif()
    taken = actions.report_take(
        user=world.user("tracer"),
        desk=desk,
        data=missing(),
        channel="desk",
        photo=(original.getvalue(), "image/jpeg"),
    )
    stored = decrypt_bytes(bytes(taken.report.photo.data))
    kept = Image.open(io.BytesIO(stored))
    assert kept.size == (40, 30) and not kept.getexif() and b"Phone model" not in stored


def test_a_file_that_says_it_is_a_photo_but_is_not_is_refused(world, desk):
    with pytest.raises(ReportError) as error:
        actions.report_take(
            user=world.user("tracer"),
            desk=desk,
            data=missing(),
            channel="desk",
            photo=(b"\xff\xd8\xff" + b"not really", "image/jpeg"),
        )
    assert "photo" in error.value.errors and TracingCase.objects.count() == 0

"""The public report page (issue 10 section 1): anyone reports a missing or
found person at /missing/ without an account, gets a reference and a PIN,
and with both sees what the desk can tell them, never anything about anyone.
Spam and guessing are refused without writing anything."""

import io
import re
import time
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from salama.lib.tracing import public as rules
from salama.notifications.models import Notification
from salama.tracing import actions
from salama.tracing.models import (
    CaseAction,
    CaseCandidate,
    DutyShift,
    PublicLimitHit,
    ReportPhoto,
    TracingCase,
    TracingReport,
)
from salama.tracing.views_public import SESSION_KEY, form_stamp
from tests.conftest import person_fields, register


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (4, 4), (0, 128, 0, 128)).save(out, format="PNG")
    return out.getvalue()


PNG = _png()
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def stamp(seconds_ago: float = 10) -> str:
    """A form shown `seconds_ago` (a person takes a few seconds to fill it)."""
    return form_stamp(time.time() - seconds_ago)


def form(desk, /, **overrides):
    data = {
        "desk": str(desk.pk),
        "kind": "missing",
        "given_name": "Amina",
        "father_name": "Yusuf",
        "family_name": "Haddad",
        "sex": "F",
        "age": "",
        "birth_date": "2014-05-02",
        "description": "Red dress, short hair",
        "marks": "",
        "last_seen_date": "2026-11-30",
        "last_seen_time": "14:30",
        "last_seen_place": "water point",
        "last_seen_with": "alone",
        "circumstances": [],
        "circumstances_detail": "",
        "reporter_name": "Mother",
        "reporter_relationship": "mother",
        "reporter_contact": "+000",
        "website": "",
        "stamp": stamp(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def send(client, data, address="10.0.0.1"):
    return client.post("/missing/", data, REMOTE_ADDR=address)


def codes(response) -> tuple[str, str]:
    html = response.content.decode()
    reference = re.search(r'id="reference"[^>]*>([^<]+)<', html)
    pin = re.search(r'id="pin"[^>]*>([^<]+)<', html)
    assert reference and pin, html
    return reference.group(1), pin.group(1)


def normal(html: str) -> str:
    """A page without what changes on every answer (tokens, codes)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", html)
    html = re.sub(r'name="stamp" value="[^"]+"', "stamp", html)
    html = re.sub(r"\b[MF]R-[A-Z0-9]{8}\b", "REF", html)
    return re.sub(r'id="pin"([^>]*)>\d{6}<', r'id="pin"\1>PIN<', html)


def nothing_written():
    assert TracingCase.objects.count() == 0
    assert TracingReport.objects.count() == 0
    assert PublicLimitHit.objects.count() == 0
    assert Notification.objects.count() == 0


def register_girl(world, **names):
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
    fields.update(names)
    return register(world, world.amc_block, person_fields(), fields).members.get(sex="F")


# --- Reporting ---


def test_an_anonymous_report_gives_a_reference_and_pin_and_the_officer_on_duty_is_told(
    world, desk, caplog
):
    now = timezone.now()
    DutyShift.objects.create(
        desk=desk, user=world.user("tracer"), starts_at=now, ends_at=now + timedelta(hours=8)
    )
    response = send(Client(), form(desk, circumstances=["taken"]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    reference, pin = codes(response)
    html = response.content.decode()
    assert "Write these down." in html and "/missing/status/" in html
    report = TracingReport.objects.get()
    assert report.reference == reference and report.channel == "public"
    assert report.created_by is None and pin not in report.pin_hash
    assert report.person["given_name_latin"] == "Amina"  # Latin letters go to the Latin part
    assert report.circumstances == ["taken"] and report.last_seen["time"] == "14:30"
    case = report.case
    assert case.status == "investigating" and case.urgent and case.site == world.amc
    # In the same request: the officer on duty (and the protection officer) is told.
    told = {n.recipient.username for n in Notification.objects.filter(reference=case.reference)}
    assert "tracer" in told
    # The PIN is in no log and no URL.
    assert pin not in caplog.text and not response.get("Location")


def test_names_in_arabic_letters_are_kept_as_the_original_script(world, desk):
    send(Client(), form(desk, given_name="أمينة", father_name="Yusuf", family_name="حداد"))
    person = TracingReport.objects.get().person
    assert person["given_name"] == "أمينة" and person["family_name"] == "حداد"
    assert person["father_name_latin"] == "Yusuf"


def test_the_answer_is_the_same_whether_or_not_the_person_is_registered(world, desk):
    register_girl(world)
    registered = send(Client(), form(desk), address="10.0.0.1")
    unknown = send(
        Client(),
        form(desk, given_name="Zzyzx", father_name="Qqvb", family_name="Wwxj", birth_date=""),
        address="10.0.0.2",
    )
    assert registered.status_code == unknown.status_code == 200
    cases = {c.reports.get().reference: c for c in TracingCase.objects.all()}
    assert CaseCandidate.objects.filter(case=cases[codes(registered)[0]]).exists()
    assert not CaseCandidate.objects.filter(case=cases[codes(unknown)[0]], person__isnull=False)
    assert normal(registered.content.decode()) == normal(unknown.content.decode())
    assert set(registered.headers) == set(unknown.headers)


def test_a_photo_is_stored_with_the_type_its_bytes_say(world, desk):
    upload = io.BytesIO(PNG)
    upload.name = "face.jpg"  # the name and the browser's type are not trusted
    assert send(Client(), form(desk, photo=upload)).status_code == 200
    assert ReportPhoto.objects.get().content_type == "image/png"


def test_a_found_child_is_a_report_too(world, desk):
    response = send(
        Client(),
        form(
            desk,
            kind="found",
            given_name="",
            father_name="",
            family_name="",
            birth_date="",
            age="6",
            description="A boy of about six, blue shirt",
        ),
    )
    assert response.status_code == 200
    assert TracingCase.objects.get().kind == "found"


# --- Bad input: the error beside its field, nothing written ---


def _big_jpeg():
    upload = io.BytesIO(JPEG + b"\x00" * (5 * 1024 * 1024))
    upload.name = "big.jpg"
    return upload


def _pdf():
    upload = io.BytesIO(b"%PDF-1.4\n" + b"\x00" * 64)
    upload.name = "photo.jpg"
    return upload


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"birth_date": "2014-13-45"}, "birth_date"),
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"last_seen_date": "yesterday"}, "last_seen_date"),
        ({"age": "ten"}, "age"),
        ({"age": "300"}, "age"),
        ({"circumstances": ["aliens"]}, "circumstances"),
        ({"kind": "lost"}, "kind"),
        ({"desk": "99999"}, "desk"),
        ({"sex": "Q"}, "sex"),
        ({"given_name": "", "father_name": "", "family_name": "", "description": ""}, "given_name"),
        ({"reporter_contact": "x" * 300}, "reporter_contact"),
        ({"photo": "big"}, "photo"),
        ({"photo": "pdf"}, "photo"),
    ],
)
def test_bad_input_is_named_beside_its_field_and_nothing_is_written(world, desk, overrides, field):
    if overrides.get("photo") == "big":
        overrides["photo"] = _big_jpeg()
    elif overrides.get("photo") == "pdf":
        overrides["photo"] = _pdf()
    response = send(Client(), form(desk, **overrides))
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(
        rf'<div class="field has-error">(?:(?!<div class="field).)*id="id_{field}_error"',
        html,
        re.S,
    )
    assert error, html
    nothing_written()
    assert "Amina" in html or field == "given_name"  # what was typed is kept in the form


def test_a_form_that_is_not_one_of_ours_is_refused(world, desk):
    for bad in ("", "forged", stamp().replace(":", ";")):
        assert send(Client(), form(desk, stamp=bad)).status_code == 400
    nothing_written()


# --- Spam ---


def test_the_field_people_never_see_refuses_a_robot(world, desk):
    response = send(Client(), form(desk, website="http://spam.example"))
    assert response.status_code == 400
    nothing_written()


def test_a_form_sent_within_seconds_is_refused_and_kept_for_a_second_try(world, desk):
    response = send(Client(), form(desk, stamp=form_stamp()))
    assert response.status_code == 400
    html = response.content.decode()
    assert "very fast" in html and 'value="Amina"' in html
    nothing_written()


def test_a_form_open_for_hours_is_refused(world, desk):
    response = send(Client(), form(desk, stamp=stamp(seconds_ago=3 * 3600)))
    assert response.status_code == 400 and "long time" in response.content.decode()
    nothing_written()


def test_the_same_form_sent_twice_is_stored_once(world, desk):
    data = form(desk)
    assert send(Client(), data).status_code == 200
    again = send(Client(), data)
    assert again.status_code == 409 and "already sent" in again.content.decode()
    assert TracingCase.objects.count() == 1


def test_six_reports_in_an_hour_from_one_client_are_refused_in_the_readers_language(world, desk):
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    for n in range(5):
        assert send(client, form(desk, given_name=f"Amina{n}")).status_code == 200
    refused = send(client, form(desk, given_name="Amina6"))
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert 'lang="fr"' in refused.content.decode()
    assert TracingCase.objects.count() == 5
    assert send(Client(), form(desk), address="10.9.9.9").status_code == 200  # another client
    # An hour later the client may report again.
    PublicLimitHit.objects.update(at=timezone.now() - timedelta(minutes=61))
    assert send(client, form(desk, given_name="Amina7")).status_code == 200


def test_a_client_is_stored_only_as_a_keyed_hash(world, desk):
    send(Client(), form(desk), address="203.0.113.77")
    keys = list(PublicLimitHit.objects.values_list("key", flat=True))
    assert keys and all(len(k) == 64 and "203.0.113" not in k for k in keys)


def test_a_desk_flooded_within_the_hour_refuses_more(world, desk, settings):
    settings.SALAMA_TRACING_PUBLIC_REPORTS_PER_DESK = 2
    for n in range(2):
        assert (
            send(Client(), form(desk, given_name=f"A{n}"), address=f"10.1.0.{n}").status_code == 200
        )
    refused = send(Client(), form(desk), address="10.1.0.9")
    assert refused.status_code == 429 and "Block C, by the clinic" in refused.content.decode()
    assert TracingCase.objects.count() == 2


def test_old_rate_limit_rows_are_pruned_by_a_periodic_job(world, desk):
    from salama.jobs.schedule import SCHEDULE

    send(Client(), form(desk))
    assert PublicLimitHit.objects.count() == 2  # the form, and the client's report
    assert actions.public_hits_prune() == 0
    assert actions.public_hits_prune(timezone.now() + timedelta(hours=4)) == 2
    entry = next(e for e in SCHEDULE if e.name == "tracing.public_limits_prune")
    assert entry.handler == "salama.tracing.jobs.public_limits_prune"


# --- The status page ---


def _reported(desk):
    client = Client()
    reference, pin = codes(send(client, form(desk)))
    return client, reference, pin, TracingReport.objects.get(reference=reference)


def _open(client, reference, pin, address="10.0.0.1"):
    return client.post(
        "/missing/status/", {"reference": reference, "pin": pin}, REMOTE_ADDR=address
    )


def test_the_reference_and_pin_open_the_status_and_nothing_else(world, desk):
    client, reference, pin, report = _reported(desk)
    opened = _open(client, reference.lower().replace("-", " "), pin)
    assert opened.status_code == 302 and pin not in opened["Location"]
    page = client.get("/missing/status/")
    html = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert reference in html and "We are looking into your report." in html
    assert "Amal" in html and "Missing person" in html
    assert "Amina" not in html and "Mother" not in html  # not even what the reporter typed


@pytest.mark.parametrize(
    ("status", "disclosure", "told"),
    [
        ("located", "not_asked", "We are looking into your report."),
        ("located", "refused", "We are looking into your report."),
        ("located", "agreed", "The desk has news for you."),
        ("reunified", "agreed", "The desk has news for you."),
        ("closed", "not_asked", "The desk has closed this report."),
        ("deceased", "not_asked", "The desk has closed this report."),
        ("detained", "refused", "The desk has closed this report."),
        ("referred", "agreed", "The desk has closed this report."),
    ],
)
def test_the_status_never_names_the_located_person(world, desk, status, disclosure, told):
    client, reference, pin, report = _reported(desk)
    located = register_girl(world, given_name_latin="Zaynab", family_name_latin="Qasimova")
    TracingCase.objects.filter(pk=report.case_id).update(
        person=located, status=status, disclosure=disclosure
    )
    _open(client, reference, pin)
    html = client.get("/missing/status/").content.decode()
    assert told in html
    for secret in (
        "Zaynab",
        "Qasimova",
        "أمينة",
        located.household.registration_number,
        "Amal Z1A",
        "AMC-Z1A",
        str(located.pk),
    ):
        assert secret not in html


def test_a_wrong_pin_gets_the_same_answer_as_an_unknown_reference(world, desk):
    client, reference, pin, report = _reported(desk)
    wrong = "000000" if pin != "000000" else "111111"
    bad_pin = _open(Client(), reference, wrong)
    unknown = _open(Client(), "MR-ZZZZZZZZ", wrong)
    assert bad_pin.status_code == unknown.status_code == 200
    assert normal(bad_pin.content.decode()) == normal(unknown.content.decode())
    assert "No report matches this reference and PIN." in unknown.content.decode()


def test_the_status_is_never_opened_from_the_address_bar(world, desk):
    client, reference, pin, report = _reported(desk)
    page = client.get(f"/missing/status/?reference={reference}&pin={pin}")
    assert "We are looking" not in page.content.decode()
    assert SESSION_KEY not in client.session


def test_a_pin_typed_in_arabic_digits_opens_the_report(world, desk):
    client, reference, pin, report = _reported(desk)
    arabic = pin.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert _open(client, reference, arabic).status_code == 302


def test_the_reporter_adds_information_for_fifteen_minutes_without_the_pin(world, desk):
    client, reference, pin, report = _reported(desk)
    _open(client, reference, pin)
    added = client.post("/missing/status/", {"step": "add", "text": "She has a red bag"})
    assert added.status_code == 302
    entry = CaseAction.objects.get(case=report.case, kind="reporter_info")
    assert entry.note == "She has a red bag" and entry.user is None
    assert Notification.objects.filter(kind="tracing.reporter_info").exists()
    # Fifteen minutes later the report is closed on this phone.
    session = client.session
    session[SESSION_KEY] = {**session[SESSION_KEY], "until": time.time() - 1}
    session.save()
    late = client.post("/missing/status/", {"step": "add", "text": "More"}, follow=True)
    assert "Enter the reference and PIN again" in late.content.decode()
    assert CaseAction.objects.filter(kind="reporter_info").count() == 1


def test_empty_information_is_refused_beside_the_box(world, desk):
    client, reference, pin, report = _reported(desk)
    _open(client, reference, pin)
    response = client.post("/missing/status/", {"step": "add", "text": "  "})
    assert response.status_code == 400 and 'id="id_text_error"' in response.content.decode()
    assert not CaseAction.objects.filter(kind="reporter_info").exists()


def test_closing_the_report_on_the_phone_ends_it(world, desk):
    client, reference, pin, report = _reported(desk)
    _open(client, reference, pin)
    client.post("/missing/status/", {"step": "leave"})
    assert "We are looking" not in client.get("/missing/status/").content.decode()


def test_twenty_wrong_lookups_in_an_hour_are_refused_even_with_the_right_pin(world, desk):
    client, reference, pin, report = _reported(desk)
    for n in range(20):
        assert (
            _open(
                Client(),
                f"MR-ZZZZZZ{n:02d}".replace("0", "A").replace("1", "B"),
                "123456",
                address="10.5.5.5",
            ).status_code
            == 200
        )
    refused = _open(Client(), reference, pin, address="10.5.5.5")
    assert refused.status_code == 429
    assert _open(Client(), reference, pin, address="10.5.5.6").status_code == 302


# --- Languages, no script, phone ---


def test_the_arabic_page_is_right_to_left_with_the_camps_arabic_name(world, desk):
    world.amc.name_ar = "مخيم الأمل"
    world.amc.save()
    client = Client()
    switched = client.post("/i18n/setlang/", {"language": "ar", "next": "/missing/"})
    assert switched["Location"] == "/missing/"
    html = client.get("/missing/").content.decode()
    assert 'lang="ar" dir="rtl"' in html
    assert "مخيم الأمل" in html and "الجنس" in html and "أنثى" in html
    from django.utils import translation

    with translation.override("ar"):
        heading = translation.gettext("Report a missing or found person")
    if heading != "Report a missing or found person":  # once the catalogue has it
        assert heading in html


def test_the_french_page_names_the_camp_in_french(world, desk):
    world.amc.name_fr = "Camp Espoir"
    world.amc.save()
    html = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/missing/").content.decode()
    assert 'lang="fr" dir="ltr"' in html and "Camp Espoir" in html


def test_the_public_pages_need_no_script(world, desk):
    client, reference, pin, report = _reported(desk)
    _open(client, reference, pin)
    for page in (
        Client().get("/missing/"),
        Client().get("/missing/status/"),
        client.get("/missing/status/"),
    ):
        html = page.content.decode()
        assert "<script" not in html and "hx-" not in html
        assert re.search(r'<form method="post"', html)


def test_every_field_has_help_and_the_consent_box_starts_unticked(world, desk):
    from salama.tracing.forms_public import PublicReportForm

    fields = PublicReportForm(desks=[desk]).fields
    assert all(f.help_text for name, f in fields.items() if name not in {"website", "stamp"})
    html = Client().get("/missing/").content.decode()
    assert re.search(r'<input type="checkbox" name="counted"(?![^>]*checked)', html)
    send(Client(), form(desk, counted="on"))
    assert TracingCase.objects.get().counted


def test_a_desk_not_listed_is_not_offered(world, desk):
    desk.public = False
    desk.save()
    html = Client().get("/missing/").content.decode()
    assert "No desk takes reports on this page yet" in html


# --- The rules in plain Python ---


def test_public_states():
    assert rules.public_state("investigating", "not_asked") == rules.LOOKING
    assert rules.public_state("located", "refused") == rules.LOOKING
    assert rules.public_state("located", "agreed") == rules.NEWS
    assert rules.public_state("reunified", "not_asked") == rules.NEWS
    assert rules.public_state("detained", "agreed") == rules.CLOSED


def test_photo_types_by_their_bytes():
    assert rules.photo_type(JPEG) == "image/jpeg"
    assert rules.photo_type(PNG) == "image/png"
    assert rules.photo_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert rules.photo_type(b"GIF89a") is None and rules.photo_type(b"") is None


def test_clients_are_counted_by_address_and_ipv6_network():
    assert rules.client_network("203.0.113.7") == "203.0.113.7"
    assert rules.client_network("2001:db8:1:2:3:4:5:6") == rules.client_network("2001:db8:1:2::9")
    assert rules.client_network("::ffff:203.0.113.7") == "203.0.113.7"
    assert rules.form_age_verdict(1, 3, 7200) == rules.TOO_FAST
    assert rules.form_age_verdict(-5, 3, 7200) == rules.TOO_FAST
    assert rules.form_age_verdict(8000, 3, 7200) == rules.TOO_OLD
    assert rules.form_age_verdict(30, 3, 7200) == rules.FRESH


def test_the_public_pages_are_light(world, desk):
    """Under 100 KB with what they load, for phones on poor connections (and
    no script at all)."""
    import gzip
    from pathlib import Path

    from django.contrib.staticfiles import finders

    client = Client()
    for html in (
        client.get("/missing/").content.decode(),
        codes_page := send(client, form(desk)).content.decode(),
        client.get("/missing/status/").content.decode(),
    ):
        assets = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
        sent = [len(gzip.compress(Path(finders.find(a)).read_bytes())) for a in assets]
        assert assets and len(html.encode()) + sum(sent) < 100_000
    assert 'id="pin"' in codes_page

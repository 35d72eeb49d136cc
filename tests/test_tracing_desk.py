"""The missing-persons desk's staff pages (issue 10): taking a report at the
desk, the case page and its actions, the desk's settings and roster, and the
response timers escalating when the clock moves on."""

import io
from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from salama.audit.models import AuditEntry
from salama.notifications.models import Notification
from salama.tracing import actions
from salama.tracing.models import (
    CaseAction,
    CaseCandidate,
    Desk,
    DutyShift,
    TracingCase,
    TracingReport,
)
from tests.conftest import person_fields, register, signed_in
from tests.test_tracing_reports import GIRL, missing, register_girl


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (3, 2), (200, 0, 0, 100)).save(out, format="PNG")
    return out.getvalue()


PNG = _png()


def form(**extra):
    data = {
        "kind": "missing",
        "given_name_latin": "Amina",
        "father_name_latin": "Yusuf",
        "family_name_latin": "Haddad",
        "given_name": "أمينة",
        "family_name": "حداد",
        "sex": "F",
        "birth_date": "2014-05-02",
        "description": "green dress",
        "last_seen_date": "2026-01-10",
        "last_seen_time": "14:30",
        "last_seen_place": "water point",
        "last_seen_with_whom": "alone",
        "reporter_name": "Mother",
        "reporter_relationship": "mother",
        "reporter_contact": "shelter C-12",
    }
    data.update(extra)
    return data


def take(world, desk, user="tracer", **extra):
    return actions.report_take(
        user=world.user(user), desk=desk, data=missing(**extra), channel="desk"
    )


# ---- Taking a report ----


def test_a_report_taken_at_the_desk_opens_a_case_and_shows_reference_and_pin_once(world, desk):
    girl = register_girl(world)
    client = signed_in(world.user("tracer"))
    assert client.get("/tracing/reports/new/").status_code == 200
    response = client.post("/tracing/reports/new/", form(circumstances=["taken"]))
    case = TracingCase.objects.get()
    report = TracingReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tracing/cases/{case.pk}/"
    assert report.reference not in response["Location"]  # never in a URL
    assert case.urgent and report.channel == "desk" and report.created_by == world.user("tracer")
    assert report.circumstances == ["taken"]
    assert report.last_seen == {
        "date": "2026-01-10",
        "time": "14:30",
        "place": "water point",
        "with_whom": "alone",
    }
    page = client.get(response["Location"]).content.decode()
    assert report.reference in page and "shown only this once" in page
    assert "Taken by someone" in page and "a child" in page  # circumstances, reasons in words
    assert girl.registration_number in page  # the registry candidate
    again = client.get(response["Location"]).content.decode()
    assert "shown only this once" not in again


def test_the_pin_shown_opens_the_report(world, desk):
    client = signed_in(world.user("tracer"))
    response = client.post("/tracing/reports/new/", form())
    page = client.get(response["Location"]).context
    taken = page["taken"]
    report = TracingReport.objects.get(reference=taken["reference"])
    assert actions.pin_matches(report, taken["pin"])


def test_a_likely_duplicate_is_linked_with_a_warning(world, desk):
    first = take(world, desk)
    client = signed_in(world.user("tracer"))
    response = client.post("/tracing/reports/new/", form())
    page = client.get(response["Location"]).content.decode()
    assert "probably about the same person" in page and first.report.reference in page
    assert TracingCase.objects.count() == 2


def test_bad_input_at_the_desk_names_the_field_and_writes_nothing(world, desk):
    client = signed_in(world.user("tracer"))
    empty = {k: "" for k in form()} | {"kind": "missing", "sex": "U"}
    response = client.post("/tracing/reports/new/", empty)
    assert response.status_code == 422
    assert "Give a name (in either script) or a description." in response.content.decode()
    response = client.post("/tracing/reports/new/", form(birth_date="2999-01-01"))
    assert response.status_code == 422
    assert response.context["form"].errors["birth_date"] == ["Cannot be in the future."]
    response = client.post("/tracing/reports/new/", form(circumstances=["aliens"]))
    assert response.status_code == 422 and "circumstances" in response.context["form"].errors
    fake = io.BytesIO(b"MZ this is not an image")
    fake.name = "photo.png"
    response = client.post("/tracing/reports/new/", form(photo=fake))
    assert response.status_code == 422
    assert response.context["form"].errors["photo"] == ["A photo is a JPEG, PNG or WebP image."]
    assert TracingCase.objects.count() == 0 and TracingReport.objects.count() == 0


def test_a_photo_is_streamed_decrypted_and_never_cached(world, desk):
    client = signed_in(world.user("tracer"))
    photo = io.BytesIO(PNG)
    photo.name = "a.png"
    client.post("/tracing/reports/new/", form(photo=photo))
    report = TracingReport.objects.get()
    assert bytes(report.photo.data) != PNG  # encrypted at rest
    url = f"/tracing/cases/{report.case_id}/reports/{report.pk}/photo/"
    response = client.get(url)
    from PIL import Image

    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.content)).size == (3, 2)  # re-encoded, the same picture
    assert response["Content-Type"] == "image/png" and response["Cache-Control"] == "no-store"
    assert signed_in(world.user("protection")).get(url).status_code == 404


def test_a_report_made_from_the_registry_is_prefilled_and_linked(world, desk):
    girl = register_girl(world)
    client = signed_in(world.user("tracer"))
    page = client.get(f"/tracing/reports/new/?person={girl.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="Amina"' in html and girl.registration_number in html
    data = form(person=str(girl.pk))
    response = client.post("/tracing/reports/new/", data)
    assert response.status_code == 302
    case = TracingCase.objects.get()
    assert case.person == girl and TracingReport.objects.get().registry_person == girl


def test_a_report_opened_from_an_absence_alert_answers_the_alert(world, desk):
    from salama.presence.actions import check_record
    from salama.presence.models import AbsenceAlert

    girl = register_girl(world)
    for _ in range(2):  # a child is looked for after two roll calls without her
        check_record(
            user=world.user("protection_un"),
            site=world.amc,
            kind="roll_call",
            held_at=None,
            persons=[],
        )
    alert = AbsenceAlert.objects.get(person=girl, status="open")
    client = signed_in(world.user("protection_un"))
    url = f"/tracing/reports/new/?person={girl.pk}&alert={alert.pk}"
    page = client.get(url)
    assert page.status_code == 200 and f'name="alert" value="{alert.pk}"' in page.content.decode()
    response = client.post("/tracing/reports/new/", form(person=str(girl.pk), alert=str(alert.pk)))
    assert response.status_code == 302, response.content[:2000]
    case = TracingCase.objects.get()
    alert.refresh_from_db()
    assert alert.status == "reported" and alert.case_reference == case.reference
    # an alert about someone else, or one the user may not resolve, is not found
    assert client.get(f"/tracing/reports/new/?person={girl.pk}&alert=999999").status_code == 404
    tracer = signed_in(world.user("tracer"))  # sees alerts, does not resolve them
    assert tracer.get(url).status_code == 404


def test_someone_outside_the_registry_persons_scope_cannot_report_from_it(world, desk):
    hop = register(world, world.hop_block, person_fields(given_name_latin="Omar")).members.get()
    client = signed_in(world.user("tracer"))
    assert client.get(f"/tracing/reports/new/?person={hop.pk}").status_code == 404


def test_an_officer_of_several_desks_chooses_one_and_cannot_pick_another_orgs(world, desk):
    from salama.core.models import Membership

    Membership.objects.get(user=world.user("tracer")).sites.add(world.hop)
    hope = Desk.objects.create(site=world.hop, organisation=world.un)
    ngo_desk = Desk.objects.create(site=world.amc_block, organisation=world.ngo)
    client = signed_in(world.user("tracer"))
    choices = dict(client.get("/tracing/reports/new/").context["form"].fields["desk"].choices)
    assert set(choices) == {desk.pk, hope.pk}
    assert client.post("/tracing/reports/new/", form(desk=ngo_desk.pk)).status_code == 422
    assert client.post("/tracing/reports/new/", form(desk=hope.pk)).status_code == 302
    assert TracingCase.objects.get().site == world.hop


def test_without_a_desk_the_page_says_so(world):
    page = signed_in(world.user("tracer")).get("/tracing/reports/new/")
    assert page.status_code == 200 and "desk settings" in page.content.decode()


# ---- The case list ----


def test_the_case_list_puts_urgent_first_filters_and_audits_the_list(world, desk):
    adult = take(world, desk, person={**GIRL, "birth_date": "1980-01-01"}).case
    child = take(world, desk, person={**GIRL, "given_name_latin": "Salma"}).case
    client = signed_in(world.user("tracer"))
    response = client.get("/tracing/cases/")
    rows = [c for c, _t in response.context["rows"]]
    assert rows == [child, adult]
    html = response.content.decode()
    assert "due now: act at once" in html  # the urgent case was due at once
    entry = AuditEntry.objects.filter(action="list", model="tracing.TracingCase").latest("pk")
    assert entry.record_ids == [str(child.pk), str(adult.pk)]
    urgent = client.get("/tracing/cases/?urgent=1").context["rows"]
    assert [c for c, _t in urgent] == [child]
    actions.case_status_set(user=world.user("tracer"), case=adult, status="closed", note="found")
    assert [c for c, _t in client.get("/tracing/cases/").context["rows"]] == [child]
    everything = client.get("/tracing/cases/?status=all").context["rows"]
    assert {c for c, _t in everything} == {child, adult}
    assert "done" in client.get("/tracing/cases/?status=closed").content.decode()


def test_the_case_list_is_paginated_and_partial_for_htmx(world, desk):
    for i in range(27):
        take(world, desk, person={"given_name_latin": f"Person{i}", "sex": "M"})
    client = signed_in(world.user("tracer"))
    first = client.get("/tracing/cases/")
    assert len(first.context["rows"]) == 25 and "Page 1 of 2" in first.content.decode()
    assert len(client.get("/tracing/cases/?page=2").context["rows"]) == 2
    partial = client.get("/tracing/cases/?urgent=1", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "<table" in partial


def test_the_navigation_counts_open_urgent_cases(world, desk):
    take(world, desk)
    html = signed_in(world.user("tracer")).get("/").content.decode()
    assert "/tracing/cases/" in html and "open urgent cases" in html
    assert "/tracing/cases/" not in signed_in(world.user("registrar")).get("/").content.decode()


# ---- The case page ----


def test_a_survivors_record_is_held_back_from_the_tracer_and_shown_to_protection(world, desk):
    girl = register_girl(world)
    from salama.registry.models import Person

    Person.objects.filter(pk=girl.pk).update(mask_name=True, specific_needs=["SV-VA"])
    case = take(world, desk).case
    assert CaseCandidate.objects.filter(case=case, person=girl).exists()
    tracer = signed_in(world.user("tracer")).get(f"/tracing/cases/{case.pk}/").content.decode()
    assert "held by protection staff" in tracer and girl.registration_number not in tracer
    protection = signed_in(world.user("protection_un")).get(f"/tracing/cases/{case.pk}/")
    assert girl.registration_number in protection.content.decode()


def test_a_candidate_outside_the_viewers_sites_is_not_shown(world, desk):
    hop_girl = register(
        world, world.hop_block, person_fields(**{**_registry_girl(), "relationship": "head"})
    ).members.get()
    desk.searches.add(world.hop)
    case = take(world, desk).case
    assert CaseCandidate.objects.filter(case=case, person=hop_girl).exists()
    page = signed_in(world.user("tracer")).get(f"/tracing/cases/{case.pk}/")
    assert hop_girl.registration_number not in page.content.decode()
    assert page.context["candidates"].hidden == 1
    # A tracer may not decide on it either.
    candidate = CaseCandidate.objects.get(case=case, person=hop_girl)
    response = signed_in(world.user("tracer")).post(
        f"/tracing/cases/{case.pk}/candidates/{candidate.pk}/",
        {"decision": "confirm", "confirmed": "1"},
    )
    assert response.status_code == 404
    candidate.refresh_from_db()
    assert candidate.decision == "pending"


def _registry_girl():
    return {
        "given_name": "أمينة",
        "father_name": "يوسف",
        "family_name": "حداد",
        "given_name_latin": "Amina",
        "father_name_latin": "Yusuf",
        "family_name_latin": "Haddad",
        "sex": "F",
        "birth_date": date(2014, 5, 2),
    }


def test_confirming_a_candidate_asks_first_then_locates_the_person(world, desk):
    girl = register_girl(world)
    case = take(world, desk).case
    candidate = CaseCandidate.objects.get(case=case, person=girl)
    client = signed_in(world.user("tracer"))
    url = f"/tracing/cases/{case.pk}/candidates/{candidate.pk}/"
    asked = client.post(url, {"decision": "confirm"})
    assert asked.status_code == 200 and 'name="confirmed" value="1"' in asked.content.decode()
    candidate.refresh_from_db()
    assert candidate.decision == "pending"  # nothing yet
    done = client.post(url, {"decision": "confirm", "confirmed": "1"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == "located" and case.person == girl and case.first_action_at
    again = client.post(url, {"decision": "reject", "confirmed": "1"})
    assert again.status_code == 422 and "already checked" in again.content.decode()


def test_the_log_takes_notes_and_sightings_and_refuses_empty_ones(world, desk):
    case = take(world, desk).case
    client = signed_in(world.user("tracer"))
    url = f"/tracing/cases/{case.pk}/act/"
    assert client.post(url, {"kind": "note", "note": "Called the school"}).status_code == 302
    partial = client.post(
        url,
        {"kind": "sighting", "place": "Market, block D", "seen_at": "2026-01-10T16:00"},
        HTTP_HX_REQUEST="true",
    )
    html = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in html
    assert "Market, block D" in html and "2026-01-10 16:00" in html and "Called the school" in html
    refused = client.post(url, {"kind": "note", "note": "  "})
    assert refused.status_code == 422 and "Say what was done." in refused.content.decode()
    refused = client.post(url, {"kind": "escalated", "note": "x"})
    assert refused.status_code == 422
    kinds = list(CaseAction.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["opened", "note", "sighting"]
    case.refresh_from_db()
    assert case.first_action_at is not None
    page = client.get(f"/tracing/cases/{case.pk}/").content.decode()
    assert "Market, block D" in page and "tracer" in page


def test_status_assign_disclosure_and_their_errors(world, desk):
    case = take(world, desk).case
    client = signed_in(world.user("tracer"))
    status = f"/tracing/cases/{case.pk}/status/"
    bad = client.post(status, {"status": "reunified", "confirmed": "1"})
    assert bad.status_code == 422 and "cannot become" in bad.content.decode()
    no_note = client.post(status, {"status": "closed", "confirmed": "1"})
    assert no_note.status_code == 422 and "Give the reason in a note." in no_note.content.decode()
    assert client.post(status, {"status": "located", "note": "at the clinic"}).status_code == 200
    case.refresh_from_db()
    assert case.status == "investigating"  # asked, not done
    ok = client.post(status, {"status": "located", "note": "at the clinic", "confirmed": "1"})
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.status == "located"
    assign = f"/tracing/cases/{case.pk}/assign/"
    assert client.post(assign, {"assignee": world.user("caseworker").pk}).status_code == 422
    assert client.post(assign, {"assignee": world.user("tracer").pk}).status_code == 302
    case.refresh_from_db()
    assert case.assigned_to == world.user("tracer")
    disclosure = f"/tracing/cases/{case.pk}/disclosure/"
    assert client.post(disclosure, {"agreed": "maybe", "confirmed": "1"}).status_code == 422
    done = client.post(disclosure, {"agreed": "no", "note": "She is an adult", "confirmed": "1"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.disclosure == "refused"
    refused = client.post(status, {"status": "reunified", "note": "x", "confirmed": "1"})
    assert refused.status_code == 422 and "does not want" in refused.content.decode()


def test_a_handover_is_a_recorded_decision_after_a_confirmation(world, desk):
    case = take(world, desk).case
    client = signed_in(world.user("protection_un"))
    url = f"/tracing/cases/{case.pk}/handover/"
    incomplete = client.post(url, {"authority": "Police post", "consent": "given"})
    assert incomplete.status_code == 422
    data = {
        "authority": "Police post",
        "consent": "not_possible",
        "safety": "The family fears no one there",
        "reason": "Abduction suspected",
    }
    asked = client.post(url, data)
    assert asked.status_code == 200 and "Police post" in asked.content.decode()
    assert not CaseAction.objects.filter(kind="handover").exists()
    assert client.post(url, {**data, "confirmed": "1"}).status_code == 302
    entry = CaseAction.objects.get(kind="handover")
    assert entry.data["authority"] == "Police post" and entry.data["consent"] == "not_possible"
    assert entry.user == world.user("protection_un") and entry.note == "Abduction suspected"
    page = client.get(f"/tracing/cases/{case.pk}/").content.decode()
    assert "could not be asked" in page and "The family fears no one there" in page


def test_another_organisations_officer_cannot_act_on_the_case(world, desk):
    case = take(world, desk).case
    client = signed_in(world.user("protection"))
    for path, data in [
        ("act/", {"kind": "note", "note": "x"}),
        ("status/", {"status": "closed", "note": "x", "confirmed": "1"}),
        ("handover/", {"authority": "a", "consent": "given", "safety": "s", "reason": "r"}),
        ("disclosure/", {"agreed": "yes", "confirmed": "1"}),
    ]:
        assert client.post(f"/tracing/cases/{case.pk}/{path}", data).status_code == 404
    assert list(CaseAction.objects.values_list("kind", flat=True)) == ["opened"]


# ---- Desk settings and the roster ----


def test_a_protection_officer_changes_the_desk_and_the_searched_sites(world, desk):
    from salama.core.models import Membership

    # A desk searches the registries of sites its keeper keeps desks for.
    Membership.objects.get(user=world.user("protection_un")).sites.add(world.hop)
    client = signed_in(world.user("protection_un"))
    assert client.get("/tracing/desks/").status_code == 200
    response = client.post(
        f"/tracing/desks/{desk.pk}/",
        {
            "site": world.amc.pk,
            "organisation": world.un.pk,
            "place": "Block D, by the school",
            "hours": "07:00-19:00",
            "searches": [world.hop.pk],
            "public": "on",
        },
    )
    assert response.status_code == 302
    desk.refresh_from_db()
    assert desk.place == "Block D, by the school" and list(desk.searches.all()) == [world.hop]


def test_another_organisation_cannot_take_over_a_sites_desk(world, desk):
    client = signed_in(world.user("protection"))  # the NGO, also at Amal
    response = client.post(
        "/tracing/desks/new/",
        {"site": world.amc.pk, "organisation": world.ngo.pk, "place": "x", "public": "on"},
    )
    assert response.status_code == 422
    assert "kept by another organisation" in response.content.decode()
    desk.refresh_from_db()
    assert desk.organisation == world.un and desk.place == "Block C, by the clinic"


def test_opening_a_desk_for_a_site(world):
    client = signed_in(world.user("admin_hop"))
    response = client.post(
        "/tracing/desks/new/",
        {"site": world.hop.pk, "organisation": world.ngo.pk, "place": "Gate 2", "hours": "24/7"},
    )
    assert response.status_code == 302
    opened = Desk.objects.get()
    assert opened.site == world.hop and opened.organisation == world.ngo and not opened.public


def test_the_duty_roster_adds_and_ends_shifts_and_refuses_bad_ones(world, desk):
    client = signed_in(world.user("protection_un"))
    page = client.get(f"/tracing/desks/{desk.pk}/")
    initial = page.context["shift_form"].initial
    assert initial["ends_at"] - initial["starts_at"] == timedelta(hours=8)
    officers = dict(page.context["shift_form"].fields["officer"].choices)
    assert set(officers) == {world.user("tracer").pk}
    now = timezone.localtime()
    add = f"/tracing/desks/{desk.pk}/shifts/"
    later = (now + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")
    bad = client.post(
        add,
        {"officer": world.user("tracer").pk, "starts_at": later, "ends_at": later},
    )
    assert bad.status_code == 422 and "ends after it starts" in bad.content.decode()
    not_staff = client.post(
        add,
        {
            "officer": world.user("caseworker").pk,
            "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": later,
        },
    )
    assert not_staff.status_code == 422
    assert DutyShift.objects.count() == 0
    ok = client.post(
        add,
        {
            "officer": world.user("tracer").pk,
            "starts_at": (now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": later,
        },
    )
    assert ok.status_code == 302
    shift = DutyShift.objects.get()
    page = client.get(f"/tracing/desks/{desk.pk}/")
    assert page.context["current"] == [shift]
    end = f"/tracing/desks/{desk.pk}/shifts/{shift.pk}/end/"
    assert client.post(end).status_code == 200  # asked first
    shift.refresh_from_db()
    assert shift.ends_at > timezone.now()
    assert client.post(end, {"confirmed": "1"}).status_code == 302
    shift.refresh_from_db()
    assert shift.ends_at <= timezone.now()


# ---- Response timers, with the clock moved ----


@pytest.mark.parametrize("acted", [False, True])
def test_an_urgent_case_without_action_escalates_to_protection_then_the_site_manager(
    world, desk, acted
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        case = take(world, desk).case
        if acted:
            signed_in(world.user("tracer")).post(
                f"/tracing/cases/{case.pk}/act/", {"kind": "note", "note": "Searching"}
            )
    Notification.objects.all().delete()

    def told():
        return {
            n.recipient.username
            for n in Notification.objects.filter(
                kind="tracing.case_overdue", reference=case.reference
            )
        }

    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        actions.escalate_overdue()
    assert told() == set()
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        actions.escalate_overdue()
    assert told() == (set() if acted else {"protection_un"})
    with time_machine.travel(start + timedelta(minutes=46), tick=False):
        actions.escalate_overdue()
        page = signed_in(world.user("tracer")).get(f"/tracing/cases/{case.pk}/")
    assert told() == (set() if acted else {"protection_un", "admin_un"})
    case.refresh_from_db()
    assert case.escalation == (0 if acted else 2)
    html = page.content.decode()
    if acted:
        assert "taken at" in html
    else:
        assert "Escalated to the protection officer and the site manager." in html
        assert "overdue by" in html


# ---- The printed notice ----

ARABIC_TITLE = "مكتب الإبلاغ عن المفقودين"


def _mo(messages: dict[str, str]) -> bytes:
    """A GNU gettext catalogue (.mo) holding `messages` (for a test's own language pack)."""
    import struct

    keys = sorted(messages)
    ids = b"".join(k.encode() + b"\0" for k in keys)
    strs = b"".join(messages[k].encode() + b"\0" for k in keys)
    start = 7 * 4 + 16 * len(keys)
    table_ids, table_strs, offset = [], [], 0
    for k in keys:
        table_ids += [len(k.encode()), start + offset]
        offset += len(k.encode()) + 1
    base, offset = start + len(ids), 0
    for k in keys:
        table_strs += [len(messages[k].encode()), base + offset]
        offset += len(messages[k].encode()) + 1
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0)
    return (
        header
        + struct.pack(f"{2 * len(keys)}i", *table_ids)
        + struct.pack(f"{2 * len(keys)}i", *table_strs)
        + ids
        + strs
    )


@pytest.fixture
def arabic_title(settings, tmp_path):
    """The notice's title in an Arabic language pack of the test's own (the
    project's catalogues get it when the translations are merged)."""
    folder = tmp_path / "ar" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    header = "Content-Type: text/plain; charset=UTF-8\n"
    (folder / "django.mo").write_bytes(_mo({"": header, "Missing persons desk": ARABIC_TITLE}))
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]
    return ARABIC_TITLE


def test_the_desk_notice_holds_the_arabic_title_in_logical_order_and_the_url(
    world, desk, arabic_title
):
    import pypdfium2

    response = signed_in(world.user("protection_un")).get(f"/tracing/desks/{desk.pk}/notice.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    document = pypdfium2.PdfDocument(response.content)
    (text,) = [p.get_textpage().get_text_range().replace("\r\n", "\n") for p in document]
    lines = text.split("\n")
    assert arabic_title in lines and arabic_title[::-1] not in text
    assert "http://testserver/missing/" in text
    assert "Missing persons desk" in lines  # the English section
    assert "Block C, by the clinic" in text and "08:00-17:00" in text


def test_a_notice_that_cannot_be_printed_says_why(world, desk):
    Desk.objects.filter(pk=desk.pk).update(place="診療所の隣")
    response = signed_in(world.user("protection_un")).get(f"/tracing/desks/{desk.pk}/notice.pdf")
    assert response.status_code == 302 and response["Location"] == f"/tracing/desks/{desk.pk}/"


def test_the_desks_place_and_hours_in_arabic_go_on_the_notice_and_the_arabic_public_page(
    world, desk
):
    import pypdfium2
    from django.test import Client

    client = signed_in(world.user("protection_un"))
    response = client.post(
        f"/tracing/desks/{desk.pk}/",
        {
            "site": world.amc.pk,
            "organisation": world.un.pk,
            "place": "Block C, by the clinic",
            "hours": "08:00-17:00",
            "place_ar": "المربع ج قرب العيادة",
            "hours_ar": "كل يوم",
            "public": "on",
        },
    )
    assert response.status_code == 302
    desk.refresh_from_db()
    assert desk.place_in("ar") == "المربع ج قرب العيادة" and desk.place_in("fr") == desk.place
    pdf = client.get(f"/tracing/desks/{desk.pk}/notice.pdf").content
    (text,) = [
        p.get_textpage().get_text_range().replace("\r\n", "\n") for p in pypdfium2.PdfDocument(pdf)
    ]
    assert "المربع ج قرب العيادة" in text and "Block C, by the clinic" in text
    from tests.test_tracing_public import codes, form, send

    public = Client()
    public.post("/i18n/setlang/", {"language": "ar", "next": "/missing/"})
    answer = send(public, form(desk), "10.1.2.3")
    html = answer.content.decode()
    assert answer.status_code == 200 and 'lang="ar" dir="rtl"' in html and codes(answer)
    assert "المربع ج قرب العيادة" in html and "Block C, by the clinic" not in html

"""The missing-persons desk end to end, in Chromium on a 390 px phone: a girl
is not seen at two roll calls, the absence alert this raises is opened as a
missing report, the registry search finds her registered again with another
family, she is confirmed, located, and reunified (issue 10, "Done when")."""

from datetime import date

import pytest
from playwright.sync_api import expect

from salama.notifications.models import Notification
from salama.presence.models import AbsenceAlert
from salama.tracing.models import TracingCase
from tests.browser.test_desk_in_browser import sign_in
from tests.browser.test_presence_in_browser import PHONE, _fits, _roll_call_by_search
from tests.conftest import person_fields, register

pytestmark = [pytest.mark.browser]

GIRL = {
    "given_name": "أمينة",
    "father_name": "يوسف",
    "family_name": "حداد",
    "given_name_latin": "Amina",
    "father_name_latin": "Yusuf",
    "family_name_latin": "Haddad",
    "sex": "F",
    "relationship": "child",
    "birth_date": date(date.today().year - 11, 5, 2),
}


def test_a_girl_missed_at_two_roll_calls_is_found_and_reunified(
    page, live_server, world, desk, flushable_audit
):
    family = register(world, world.amc_block, person_fields(), person_fields(**GIRL))
    head = family.members.get(relationship="head")
    girl = family.members.get(relationship="child")
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, world.user("protection_un"))

    # Two roll calls at which only her father is seen: a child is looked for after two.
    _roll_call_by_search(page, live_server, head.registration_number)
    _roll_call_by_search(page, live_server, head.registration_number)
    alert = AbsenceAlert.objects.get(person=girl, status="open")

    # Meanwhile another family took her in, and she was registered with them.
    host = person_fields(
        given_name="سعاد",
        family_name="الخطيب",
        given_name_latin="Suad",
        family_name_latin="Al-Khatib",
        father_name="",
        father_name_latin="",
        sex="F",
    )
    again = register(world, world.amc_block, host, person_fields(**GIRL))
    again_record = again.members.get(relationship="child")

    page.goto(f"{live_server.url}/presence/alerts/{alert.pk}/")
    expect(page.locator("dl.facts")).to_contain_text(girl.registration_number)
    _fits(page)
    page.click("#open-missing-report")
    expect(page.locator("#id_given_name_latin")).to_have_value("Amina")  # from the registry
    _fits(page)
    page.fill("#id_last_seen_place", "Water point, block C")
    page.fill("#id_reporter_name", "Her father")
    page.fill("#id_reporter_relationship", "father")
    page.click("button.primary")

    expect(page.locator(".taken")).to_contain_text("shown only this once")
    case = TracingCase.objects.get()
    assert case.urgent and case.status == "investigating" and case.person == girl
    alert.refresh_from_db()
    assert alert.status == "reported" and alert.case_reference == case.reference
    told = Notification.objects.filter(reference=case.reference, kind="tracing.case_opened")
    assert {n.recipient.username for n in told} == {"tracer", "protection_un"}
    candidate = page.locator("table.candidates tbody tr").first
    expect(candidate).to_contain_text(again_record.registration_number)
    _fits(page)

    candidate.locator("button[value=confirm]").click()
    page.click("button:has-text('Confirm')")
    expect(page.locator(".messages")).to_contain_text("Candidate confirmed.")
    case.refresh_from_db()
    assert case.status == "located" and case.person == again_record

    page.check("input[name=agreed][value=yes]")
    page.fill("#id_disclosure_note", "She asked to go back to her father")
    page.click("button:has-text('Record the choice')")
    page.click("button:has-text('Confirm')")  # each recorded decision is confirmed first
    page.select_option("#id_status", "reunified")
    page.fill("#id_status_note", "Reunified with her father at the desk")
    page.click("button:has-text('Change the status')")
    page.click("button:has-text('Confirm')")
    expect(page.locator("body")).to_contain_text("Reunified")
    case.refresh_from_db()
    assert case.status == "reunified" and case.closed_at is not None
    _fits(page)
    kinds = list(case.actions.values_list("kind", flat=True))
    assert kinds[0] == "opened" and {"candidate", "disclosure", "status"} <= set(kinds)

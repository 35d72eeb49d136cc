"""The missing-persons desk on a 390 px phone, in Chromium: a tracing
officer takes a report of a missing girl, is given the reference and PIN for
the mother, and sees the girl's registry record among the candidates."""

import pytest
from playwright.sync_api import expect

from salama.tracing.models import TracingCase
from tests.browser.test_desk_in_browser import sign_in
from tests.browser.test_registry_phone import PHONE, _fits
from tests.test_tracing_reports import register_girl

pytestmark = [pytest.mark.browser]


def test_a_tracer_takes_a_report_at_the_desk_on_a_phone(
    page, live_server, world, desk, flushable_audit
):
    girl = register_girl(world)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, world.user("tracer"))
    page.goto(f"{live_server.url}/tracing/reports/new/")
    _fits(page)
    page.fill("#id_given_name_latin", "Amina")
    page.fill("#id_father_name_latin", "Yusuf")
    page.fill("#id_family_name_latin", "Haddad")
    page.select_option("#id_sex", "F")
    page.fill("#id_stated_age", "12")
    page.fill("#id_last_seen_place", "Water point, block C")
    page.check("input[name=circumstances][value=taken]")
    page.fill("#id_reporter_name", "Fatima")
    page.fill("#id_reporter_relationship", "mother")
    page.click("button.primary")
    expect(page.locator(".taken")).to_contain_text("shown only this once")
    case = TracingCase.objects.get()
    assert case.urgent
    report = case.reports.get()
    expect(page.locator(".taken")).to_contain_text(report.reference)
    candidate = page.locator("table.candidates tbody tr").first
    expect(candidate).to_contain_text(girl.registration_number)
    expect(candidate).to_contain_text("Amina Yusuf Haddad")
    _fits(page)
    # A note goes into the log without leaving the page (htmx).
    page.select_option("#id_kind", "search")
    page.fill("#id_note", "Searched the water point and the market")
    page.fill("#id_place", "Market")
    page.click(".case-act button[type=submit]")
    expect(page.locator("#case-log")).to_contain_text("Searched the water point")
    case.refresh_from_db()
    assert case.first_action_at is not None
    # The candidate is confirmed after the confirmation page.
    candidate.locator("button[value=confirm]").click()
    page.click("button:has-text('Confirm')")
    expect(page.locator(".messages")).to_contain_text("Candidate confirmed.")
    case.refresh_from_db()
    assert case.status == "located" and case.person == girl
    _fits(page)

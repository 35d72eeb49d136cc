"""The public report page in Chromium on a 390 px phone, in Arabic, with
JavaScript switched off: a family reports a missing girl, writes down the
reference and PIN, then opens the status page with them and adds something."""

import pytest
from playwright.sync_api import expect

from salama.notifications.models import Notification
from salama.tracing.models import CaseAction, TracingReport

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="en-GB", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_a_family_reports_on_a_phone_in_arabic_without_javascript(
    phone, live_server, world, desk, settings, flushable_audit
):
    # A person needs a few seconds to fill the form; a test fills it at once.
    settings.SALAMA_TRACING_PUBLIC_FORM_MIN_SECONDS = 0
    world.amc.name_ar = "مخيم الأمل"
    world.amc.save()
    page = phone
    page.goto(f"{live_server.url}/missing/")
    page.click("button[name=language][value=ar]")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#id_desk")).to_contain_text("مخيم الأمل")
    _fits(page)
    page.check("#id_kind_0")
    page.fill("#id_given_name", "أمينة")
    page.fill("#id_father_name", "يوسف")
    page.fill("#id_family_name", "حداد")
    page.check("input[name=sex][value=F]")
    page.fill("#id_age", "١٢")
    page.fill("#id_description", "فستان أحمر، شعر قصير")
    page.fill("#id_last_seen_date", "2026-11-30")
    page.fill("#id_last_seen_place", "نقطة المياه")
    page.check("input[name=circumstances][value=taken]")
    page.fill("#id_reporter_name", "أم أمينة")
    page.fill("#id_reporter_relationship", "أمها")
    page.fill("#id_reporter_contact", "+000")
    page.click("button.public-send")
    reference = page.locator("#reference").inner_text().strip()
    pin = page.locator("#pin").inner_text().strip()
    assert reference.startswith("MR-") and len(pin) == 6 and pin.isdigit()
    assert pin not in page.url and reference not in page.url
    _fits(page)
    report = TracingReport.objects.get(reference=reference)
    assert report.person["stated_age"] == 12 and report.case.urgent
    assert Notification.objects.filter(
        recipient=world.user("tracer"), reference=report.case.reference
    ).exists()

    page.goto(f"{live_server.url}/missing/status/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.fill("#id_reference", reference.lower())
    page.fill("#id_pin", pin)
    page.click("button.public-send")
    expect(page.locator(".public-state")).to_be_visible()
    assert pin not in page.url
    expect(page.locator("h1")).to_contain_text(reference)
    assert "حداد" not in page.content()  # not even the name the family typed
    _fits(page)
    page.fill("#id_text", "كانت تحمل حقيبة حمراء")
    page.click("button.public-send")
    expect(page.locator(".messages")).to_be_visible()
    assert CaseAction.objects.filter(case=report.case, kind="reporter_info").exists()

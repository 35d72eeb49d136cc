"""Civil registration in Chromium on a 390 px phone (issue 12, "Done when"):
the civil registrar declares a marriage of a 16-year-old girl; it is refused,
the reason is shown in plain words, and a child-protection case is opened for
the NGO's caseworker, who finds it with the proposed specific-needs codes. Then
an adult couple's marriage is registered, its document printed and checked on
the public verification page, in Arabic."""

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from salama.cases.models import ProtectionCase
from salama.civil.models import Certificate, CivilEvent, StoppedMarriage
from tests.browser.test_desk_in_browser import sign_in
from tests.browser.test_presence_in_browser import PHONE, _fits
from tests.conftest import person_fields, register

pytestmark = [pytest.mark.browser]


def _years_ago(years: int) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years)


def _declare_marriage(page, live_server, first, second) -> None:
    page.goto(f"{live_server.url}/civil/")
    page.click("text=Declare: Marriage")
    page.fill("#id_event_date", timezone.localdate().isoformat())
    page.fill("#id_place", "Sharia court, Amal")
    page.select_option("#id_officiant_kind", "religious_court")
    page.fill("#id_spouse_1_number", first.registration_number)
    page.fill("#id_spouse_2_number", second.registration_number)
    page.fill("#id_witness_1", "Ali Hassan")
    _fits(page)
    page.click("button:has-text('Record the declaration')")


def test_a_child_marriage_is_refused_and_a_child_protection_case_opened(
    page, browser, live_server, world, flushable_audit
):
    from salama.cases.models import Service

    Service.objects.create(
        site=world.amc,
        site_path=world.amc.path,
        organisation=world.ngo,
        name="Child protection unit",
        service_type="child_protection",
    )
    girl = register(
        world,
        world.amc_block,
        person_fields(given_name_latin="Nour", sex="F", birth_date=_years_ago(16)),
    ).members.get()
    man = register(world, world.amc_block, person_fields(birth_date=_years_ago(34))).members.get()
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, world.user("civilregistrar"))
    _declare_marriage(page, live_server, girl, man)
    expect(page.locator("h1")).to_contain_text("This marriage cannot be registered")
    expect(page.locator("#refusal")).to_contain_text(
        "The first spouse is 16 years old on the day of the marriage"
    )
    expect(page.locator("#refusal")).to_contain_text("under the minimum age of 18")
    case = ProtectionCase.objects.get()
    expect(page.locator("#case-opened")).to_contain_text(case.reference)
    expect(page.locator("#case-opened")).to_contain_text("Nothing was sent to the police")
    _fits(page)
    assert not CivilEvent.objects.exists() and StoppedMarriage.objects.count() == 1
    # The registrar cannot open the case; the NGO's caseworker finds it.
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.locator("h1")).not_to_contain_text(case.reference)
    page.context.clear_cookies()
    sign_in(page, live_server, world.user("caseworker"))
    page.goto(f"{live_server.url}/cases/")
    page.click(f"text={case.reference}")
    expect(page.locator("h1")).to_contain_text("Child protection")
    expect(page.locator("#proposed-needs")).to_contain_text("SV-FM")
    expect(page.locator("#proposed-needs")).to_contain_text("CR-CS")
    expect(page.locator("#plan")).to_be_visible()
    _fits(page)


def test_a_marriage_is_registered_printed_and_verified_in_arabic(
    page, browser, live_server, world, flushable_audit
):
    bride = register(
        world,
        world.amc_block,
        person_fields(
            given_name="سلمى", given_name_latin="Salma", sex="F", birth_date=_years_ago(23)
        ),
    ).members.get()
    groom = register(world, world.amc_block, person_fields(birth_date=_years_ago(27))).members.get()
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, world.user("civilregistrar"))
    _declare_marriage(page, live_server, bride, groom)
    expect(page.locator("#status")).to_contain_text("Declared")
    page.click("button:has-text('Register')")
    expect(page.locator("#status")).to_contain_text("Registered")
    page.click("button:has-text('Issue the registration record')")
    certificate = Certificate.objects.get()
    with page.expect_response(lambda r: r.url.endswith(".pdf")) as pdf:
        page.evaluate(
            "url => fetch(url)", f"/civil/{certificate.event_id}/documents/{certificate.serial}.pdf"
        )
    assert pdf.value.status == 200
    _fits(page)
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    page.goto(f"{live_server.url}/verify/")
    page.fill("input[name=serial]", certificate.serial.lower())
    page.click("button[type=submit]")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("dl.facts")).to_contain_text("سلمى علي الحسن")
    _fits(page)
    response = page.goto(f"{live_server.url}/verify/ABCDEFGHJKLM")
    assert response is not None and response.status == 404

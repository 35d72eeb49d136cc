"""In Chromium: a caseworker screens a person page by page, reads the
explained result, and finds the alert it raised."""

import pytest
from playwright.sync_api import expect

from salama.screening.models import Alert
from tests.browser.test_desk_in_browser import sign_in
from tests.conftest import register

pytestmark = [pytest.mark.browser]


def test_screen_a_person_and_see_the_alert(page, live_server, world, flushable_audit):
    person = register(world, world.amc_block).members.get()
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    sign_in(page, live_server, world.user("caseworker"))
    page.goto(f"{live_server.url}/registry/persons/{person.pk}/")
    expect(page.locator("table.screenings")).to_contain_text("Not screened yet.")
    page.click("text=Screen this person")
    page.check("input[name=instrument][value=ilo-ec-delphi-labour]")
    page.click("button:has-text('Start')")
    answers = {
        "D1": ["d1_nature_job", "d1_wages"],
        "D4": ["d4_hours", "d4_low_pay"],
        "D5": ["d5_documents", "d5_violence"],
    }
    for page_number in range(1, 7):
        expect(page.locator("h1")).to_contain_text(f"page {page_number} of 6")
        dimension = f"D{page_number}"
        for item in answers.get(dimension, []):
            page.check(f"input[name=q_{item}][value=yes]")
        page.click("button[type=submit]:not([name=back])")
    expect(page.locator(".result h2")).to_have_text(
        "Indicative of trafficking for labour exploitation"
    )
    expect(page.locator(".disclaimer")).to_contain_text("not a legal determination")
    expect(page.locator("ol.path")).to_contain_text("recruitment and D4 and means_at_destination")
    expect(page.locator(".banner-inline")).to_contain_text("An alert was raised")
    expect(page.locator("dl.facts")).to_contain_text("Counter-trafficking assistance")
    page.click("header summary")  # the menu is folded on a phone-sized screen
    page.click("nav >> text=Alerts")
    expect(page.locator("table")).to_contain_text(person.registration_number)
    assert Alert.objects.get().person_id == person.pk


def test_a_question_appears_when_an_answer_on_the_same_page_calls_for_it(
    page, live_server, world, flushable_audit
):
    from datetime import date

    from tests.conftest import person_fields

    child = register(
        world, world.amc_block, person_fields(birth_date=date(date.today().year - 12, 1, 1))
    ).members.get()
    sign_in(page, live_server, world.user("caseworker"))
    page.goto(f"{live_server.url}/screening/person/{child.pk}/")
    page.check("input[name=instrument][value=salama-vulnerability]")
    expect(page.locator("input[name=profile][value=child]")).to_be_checked()  # from the age
    page.select_option("#administered_with", "caregiver")
    page.click("button:has-text('Start')")
    while "care and work" not in page.locator("h1").inner_text():
        page.click("button[type=submit]:not([name=back])")
    hazardous = page.locator("#q-child_hazardous_work")
    expect(hazardous).to_be_hidden()
    page.check("input[name=q_child_works][value=yes]")
    expect(hazardous).to_be_visible()
    page.check("input[name=q_child_works][value=no]")
    expect(hazardous).to_be_hidden()

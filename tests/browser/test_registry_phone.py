"""Registry pages on a 390 px phone screen, in Chromium: lists are stacked
cards that fit the screen (the household column was cut off), and the desk
keeps a member to about a screen and a half (it was 2,900 px)."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_desk_in_browser import sign_in
from tests.conftest import person_fields, register

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
MEMBER_MAX_PX = 1300


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391)
        .slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + e.getBoundingClientRect().right)"""
    )
    assert width <= PHONE["width"], f"{page.url} is {width} px wide: {wide}"


def test_people_list_and_search_results_are_cards_on_a_phone(
    page, live_server, world, flushable_audit
):
    long_names = person_fields(
        given_name_latin="Abdulrahman",
        father_name_latin="Mohammedamin",
        grandfather_name_latin="Abdulkarim",
        family_name_latin="Al-Jubouri-Tamimi",
    )
    household = register(world, world.amc_block, long_names)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, world.user("registrar"))
    page.goto(f"{live_server.url}/registry/persons/")
    _fits(page)
    cell = page.locator("table.people tbody tr").first.locator("td[data-label='Household']")
    expect(cell).to_be_visible()
    expect(cell).to_contain_text(household.registration_number)
    box = cell.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    page.fill("#id_q", "Abdulrahman Mohammedamin Al-Jubouri-Tamimi")
    page.click(".person-search button[type=submit]")
    match = page.locator("table.match-list tbody tr").first
    expect(match).to_contain_text(household.registration_number)
    _fits(page)
    page.goto(f"{live_server.url}/registry/households/{household.pk}/")
    _fits(page)


def test_the_desk_is_compact_on_a_phone(page, live_server, world, flushable_audit):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, world.user("registrar"))
    page.goto(f"{live_server.url}/registry/households/new/")
    _fits(page)
    height = page.locator("#member-0").bounding_box()["height"]
    assert height < MEMBER_MAX_PX, f"one member takes {height:.0f} px"
    # The fields folded away are one tap away.
    page.click("#member-0 .desk-more > summary")
    expect(page.locator("#id_m-0-phone")).to_be_visible()
    _fits(page)

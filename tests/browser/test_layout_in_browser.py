"""In Chromium on a 390 px phone: the header is one row with a menu button (that works
without script), no page is wider than the screen, lists become cards, Arabic lays out
right to left, and a household page prints without the banner, menu and buttons."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from salama.registry.models import Person
from salama.screening import actions as screening_actions
from tests.conftest import register, signed_in

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
TRAFFICKED = {
    "d1_nature_job": "yes",
    "d1_wages": "yes",
    "d4_hours": "yes",
    "d4_low_pay": "yes",
    "d5_documents": "yes",
    "d5_isolation": "yes",
}


def open_session(page, live_server, user: User) -> None:
    """Sign the browser in with a session that has passed both factors (the sign-in
    form itself is tested in test_desk_in_browser)."""
    client = signed_in(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def width_overflow(page) -> int:
    """How far the page reaches past the right (or, in Arabic, the left) of the screen."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


def header_height(page) -> float:
    return page.locator("header.top").bounding_box()["height"]


@pytest.fixture
def banner(settings):
    """The banner of a server without two-factor login, as in the demo."""
    settings.SALAMA_ENFORCE_2FA = False


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_header_is_one_row_on_a_phone_and_its_menu_opens(
    page, live_server, world, flushable_audit, language
):
    page.set_viewport_size(PHONE)
    open_session(page, live_server, world.user("admin"))
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert header_height(page) <= 80
    main_top = page.locator("main").bounding_box()["y"]
    assert main_top <= 80
    nav = page.locator("header nav")
    expect(nav).to_be_hidden()
    page.click("header summary")
    expect(nav).to_be_visible()
    expect(page.locator("#lang")).to_be_visible()
    # The open menu lies over the page instead of pushing it down.
    assert page.locator("main").bounding_box()["y"] == main_top
    assert width_overflow(page) <= 0
    brand = page.locator(".brand").bounding_box()
    button = page.locator("header summary").bounding_box()
    if language == "ar":
        assert brand["x"] > button["x"], "in Arabic the brand starts on the right"
    else:
        assert brand["x"] < button["x"]
    page.keyboard.press("Escape")  # closes the menu and returns to its button
    expect(nav).to_be_hidden()
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    expect(nav).to_be_visible()
    nav.locator("a[href='/registry/persons/']").click()
    expect(page).to_have_url(f"{live_server.url}/registry/persons/")
    expect(nav).to_be_hidden()  # a new page starts with the menu closed


def test_the_menu_works_without_javascript(browser, live_server, world, flushable_audit):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        open_session(page, live_server, world.user("registrar"))
        page.goto(f"{live_server.url}/")
        expect(page.locator("header nav")).to_be_hidden()
        page.click("header summary")
        page.click("header nav a[href='/registry/persons/']")
        expect(page).to_have_url(f"{live_server.url}/registry/persons/")
    finally:
        context.close()


def test_on_a_wide_screen_the_menu_is_open_without_a_button(
    page, live_server, world, flushable_audit
):
    page.set_viewport_size({"width": 1280, "height": 800})
    open_session(page, live_server, world.user("registrar"))
    page.goto(f"{live_server.url}/")
    expect(page.locator("header summary")).to_be_hidden()
    expect(page.locator("header nav")).to_be_visible()
    expect(page.locator("#lang")).to_be_visible()


def test_a_browser_without_details_content_gets_the_menu_opened_by_script(
    page, live_server, world, flushable_audit
):
    """Where CSS cannot show a closed <details> (no ::details-content), salama.js opens
    the menu on wide screens and closes it again when the window narrows."""
    page.add_init_script("CSS.supports = function () { return false; };")
    page.set_viewport_size({"width": 1280, "height": 800})
    open_session(page, live_server, world.user("registrar"))
    page.goto(f"{live_server.url}/")
    expect(page.locator("header details.menu")).to_have_attribute("open", "")
    page.set_viewport_size(PHONE)
    expect(page.locator("header details.menu")).not_to_have_attribute("open", "")
    expect(page.locator("header nav")).to_be_hidden()


def test_signed_out_the_header_is_one_row_with_the_language_choice(
    page, live_server, world, flushable_audit, banner
):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator(".banner")).to_be_visible()
    expect(page.locator("#lang")).to_be_visible()
    assert header_height(page) <= 80
    assert width_overflow(page) <= 0
    # Banner and header together leave most of the screen to the page.
    assert page.locator("main").bounding_box()["y"] <= 130


def test_main_pages_fit_a_phone(page, live_server, world, flushable_audit, banner):
    person = alert_raised(world)
    household = person.household
    page.set_viewport_size(PHONE)
    pages = {
        "registrar": [
            "/",
            "/registry/persons/",
            f"/registry/households/{household.pk}/",
            f"/registry/persons/{person.pk}/",
            "/registry/households/new/",
            "/registry/persons/find/",
        ],
        "protection": ["/screening/alerts/"],
        "analyst": ["/screening/figures/"],
    }
    for user, urls in pages.items():
        page.context.clear_cookies()
        open_session(page, live_server, world.user(user))
        for url in urls:
            for language in ("en", "ar"):
                page.context.add_cookies(
                    [{"name": "django_language", "value": language, "url": live_server.url}]
                )
                response = page.goto(f"{live_server.url}{url}")
                assert response.status == 200, url
                assert width_overflow(page) <= 0, (url, language, width_overflow(page))
                assert header_height(page) <= 80, (url, language)
    response = page.goto(f"{live_server.url}/registry/persons/{'0' * 8}-0000-0000-0000-{'0' * 12}/")
    assert response.status == 404 and width_overflow(page) <= 0


def alert_raised(world) -> Person:
    """A person of Amal whose screening raised an alert."""
    person = register(world, world.amc_block).members.get()
    screening_actions.screening_record(
        user=world.user("caseworker"),
        person=person,
        instrument_id="ilo-ec-delphi-labour",
        profile="adult",
        answers=TRAFFICKED,
    )
    return person


def assert_rows_are_cards(page, table) -> None:
    """On a phone each row of a table.cards is a card, and each cell is labelled with its
    column's name (data-label); the column headings are left to screen readers."""
    expect(table.locator("thead")).to_have_css("position", "absolute")
    row = table.locator("tbody tr").first
    expect(row).to_have_css("display", "block")
    cells = row.locator("td[data-label]")
    assert cells.count() >= 3
    for i in range(cells.count()):
        cell = cells.nth(i)
        label = cell.get_attribute("data-label")
        shown = cell.evaluate("td => getComputedStyle(td, '::before').content")
        assert label and shown == f'"{label}"'
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


@pytest.mark.parametrize(
    ("user", "url"),
    [("protection", "/screening/alerts/"), ("registrar", "/registry/persons/")],
)
def test_a_list_becomes_cards_on_a_phone(page, live_server, world, flushable_audit, user, url):
    alert_raised(world)
    open_session(page, live_server, world.user(user))
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{url}")
    table = page.locator("main table.cards")
    expect(table).to_have_count(1)
    assert_rows_are_cards(page, table)
    assert width_overflow(page) <= 0
    # Every button in a card is on the screen (the alerts' Acknowledge was off it).
    for button in table.locator("button").all():
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(table.locator("tbody tr").first).to_have_css("display", "table-row")
    expect(table.locator("thead")).not_to_have_css("position", "absolute")


def test_a_household_page_prints_without_banner_menu_or_buttons(
    page, live_server, world, flushable_audit, banner
):
    household = register(world, world.amc_block)
    open_session(page, live_server, world.user("registrar"))
    page.goto(f"{live_server.url}/registry/households/{household.pk}/")
    on_screen = page.locator(".banner, header.top, main .button, main button, main form")
    assert on_screen.count() >= 3 and page.locator(".banner").is_visible()
    page.emulate_media(media="print")
    for selector in (".banner", "header.top", "nav", ".tools", "button", ".button", "form"):
        for element in page.locator(selector).all():
            expect(element).to_be_hidden()
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("main table")).to_contain_text(household.members.get().registration_number)
    colours = page.evaluate(
        "[getComputedStyle(document.body).color, getComputedStyle(document.body).backgroundColor,"
        " getComputedStyle(document.querySelector('main table a')).color]"
    )
    assert colours == ["rgb(0, 0, 0)", "rgb(255, 255, 255)", "rgb(0, 0, 0)"]
    link_after = page.evaluate(
        "getComputedStyle(document.querySelector('main table a'), '::after').content"
    )
    assert link_after in ("none", "normal")
    pdf = page.pdf()  # Chromium prints it
    assert pdf.startswith(b"%PDF")

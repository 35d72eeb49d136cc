"""In Chromium on a 390 px phone, in English and in Arabic (right to left): a case's
relief-and-recovery page and the referral figures fit the screen, and their lists
become cards."""

import pytest
from playwright.sync_api import expect

from salama.cases import recovery
from tests.browser.test_layout_in_browser import (
    PHONE,
    assert_rows_are_cards,
    open_session,
    width_overflow,
)
from tests.test_cases_recovery import make_case, make_referral, make_service

pytestmark = [pytest.mark.browser]

LONG = "Decision of the reparations commission, file seen at the district office " * 4


def test_recovery_and_figures_fit_a_phone(page, live_server, world, flushable_audit, settings):
    settings.SALAMA_SUPPRESSION_K = 5
    case = make_case(world, assigned=world.user("caseworker"))
    service = make_service(world, "psychosocial")
    for days in range(6):
        make_referral(case, service, status="completed", served_after=days)
    for _ in range(5):
        make_referral(case, service, status="declined")
    recovery.eligibility_record(
        user=world.user("caseworker"),
        case=case,
        programme="reparations",
        status="eligible",
        evidence=LONG,
    )
    page.set_viewport_size(PHONE)
    for user, url in (
        ("caseworker", f"/cases/recovery/{case.pk}/"),
        ("analyst", "/cases/recovery/figures/"),
    ):
        page.context.clear_cookies()
        open_session(page, live_server, world.user(user))
        for language in ("en", "ar"):
            page.context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200, url
            assert width_overflow(page) <= 0, (url, language, width_overflow(page))
            if language == "ar":
                expect(page.locator("html")).to_have_attribute("dir", "rtl")
            table = page.locator("main table.cards").last
            assert_rows_are_cards(page, table)

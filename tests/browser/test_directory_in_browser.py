"""The service directory on a 390 px phone, in English and in Arabic: no page
is wider than the screen, the list becomes cards, and a keeper adds a service
to a pathway and moves it from the phone."""

import pytest
from playwright.sync_api import expect

from salama.cases import directory
from salama.cases.models import PathwayStep
from tests.browser.test_layout_in_browser import (
    PHONE,
    assert_rows_are_cards,
    open_session,
    width_overflow,
)

pytestmark = [pytest.mark.browser]


@pytest.fixture
def services(world):
    made = []
    for name, kind, org in (
        ("Protection Now safe shelter, Block B, open at any hour", "safe_shelter", world.ngo),
        ("Care after rape (clinical management)", "clinical_rape", world.un),
        ("Child protection unit", "child_protection", world.ngo),
    ):
        made.append(
            directory.service_save(
                user=world.user("admin"),
                site=world.amc,
                data={
                    "name": name,
                    "service_type": kind,
                    "organisation": org,
                    "hours": "Sunday-Thursday 08:00-16:00; on call at night",
                    "contact": "Protection office, Block A, phone 1001",
                    "languages": "ar, fr, en",
                    "accepts_children": True,
                },
            )
        )
    directory.pathway_step_add(
        user=world.user("admin"),
        site=world.amc,
        case_type="trafficking",
        for_children=True,
        service=made[2],
    )
    return made


def test_the_directory_pages_fit_a_phone(page, live_server, world, flushable_audit, services):
    page.set_viewport_size(PHONE)
    open_session(page, live_server, world.user("protection"))
    service = services[0]
    urls = [
        "/cases/directory/",
        f"/cases/directory/{service.pk}/",
        f"/cases/directory/{service.pk}/edit/",
        f"/cases/directory/{service.pk}/deactivate/",
        "/cases/directory/new/",
        "/cases/directory/pathways/?site=AMC",
    ]
    for language in ("en", "ar"):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for url in urls:
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200, url
            assert width_overflow(page) <= 0, (url, language, width_overflow(page))
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/cases/directory/")
    assert_rows_are_cards(page, page.locator("main table.cards"))


def test_a_keeper_builds_a_childrens_pathway_on_a_phone(
    page, live_server, world, flushable_audit, services
):
    page.set_viewport_size(PHONE)
    open_session(page, live_server, world.user("protection"))
    page.goto(f"{live_server.url}/cases/directory/pathways/?site=AMC")
    form = page.locator("#add-step")
    form.get_by_label("Case type").select_option("trafficking")
    form.get_by_label("For children").check()
    form.get_by_label("Service").select_option(str(services[0].pk))
    form.get_by_role("button", name="Add to the pathway").click()
    section = page.locator("#trafficking-child")
    expect(section.locator("li")).to_have_count(2)
    section.get_by_role("button", name=f"Call {services[0].name} earlier").click()
    expect(page.locator("#trafficking-child li").first).to_contain_text(services[0].name)
    ranks = PathwayStep.objects.filter(for_children=True).order_by("rank")
    assert [s.service_id for s in ranks] == [services[0].pk, services[2].pk]
    assert width_overflow(page) <= 0

"""In Chromium: the desk shows likely existing people as the clerk types,
and an administrator merges a duplicate pair, then separates it again."""

import pytest
from playwright.sync_api import expect

from salama.jobs.api import run_pending_jobs
from salama.registry.models import DuplicateCandidate, Person
from tests.browser.test_desk_in_browser import sign_in
from tests.conftest import register
from tests.test_matching import make_duplicate

pytestmark = [pytest.mark.browser]


def test_search_before_create_shows_the_existing_person(page, live_server, world, flushable_audit):
    existing = register(world, world.amc_block).members.get()
    sign_in(page, live_server, world.user("registrar"))
    page.goto(f"{live_server.url}/registry/households/new/")
    page.fill("#id_m-0-given_name_latin", "Muhammad")
    page.fill("#id_m-0-family_name_latin", "Al Hasan")
    page.fill("#id_m-0-father_name_latin", "Aly")
    page.press("#id_m-0-father_name_latin", "Tab")
    expect(page.locator("#matches-0")).to_contain_text(existing.registration_number)
    expect(page.locator("#matches-0")).to_contain_text("Already registered?")


def test_merge_then_unmerge(page, live_server, world, flushable_audit):
    first, second, _other = make_duplicate(world)
    sign_in(page, live_server, world.user("admin"))
    page.click("text=Duplicates")
    page.click("text=Scan the registry for duplicates")
    expect(page.locator(".messages")).to_contain_text("The scan runs in the background")
    run_pending_jobs()  # as a worker would; the job's page follows it
    expect(page.locator("#job-progress")).to_contain_text("Finished at")
    page.click("text=Continue")
    candidate = DuplicateCandidate.objects.get()
    pair = page.locator(f"#pair-{candidate.pk}")
    assert pair.locator("button[value=merge]").count() == 0  # no merge in one click
    pair.locator("text=Compare and decide").click()  # both records side by side
    page.check(f"input[name=keep][value='{first.pk}']")
    page.click("button[value=merge]")
    expect(page.locator(".messages")).to_contain_text("Merged.")
    assert Person.objects.get(pk=second.pk).merged_into_id == first.pk
    page.goto(f"{live_server.url}/registry/persons/{second.pk}/")
    expect(page.locator(".banner-inline")).to_contain_text(first.registration_number)
    page.click("text=Separate again (unmerge)")
    expect(page.locator(".messages")).to_contain_text("separate again")
    assert Person.objects.get(pk=second.pk).merged_into_id is None

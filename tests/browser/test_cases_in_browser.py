"""Cases and referrals end to end, in Chromium on a 390 px phone, with two
organisations' users (issue 11, "Done when"): a screening raises an alert, the
NGO's caseworker opens a case from it and refers the woman, with her informed
consent, to the UN agency's counselling service; a referral without consent
is refused; the UN agency's caseworker accepts it, sees only what was shared,
and records the service as delivered; the outcome comes back and the case is
closed."""

import pytest
from playwright.sync_api import expect

from salama.cases.models import ProtectionCase, Referral
from tests.browser.test_desk_in_browser import sign_in
from tests.browser.test_presence_in_browser import PHONE, _fits
from tests.conftest import person_fields, register

pytestmark = [pytest.mark.browser]

ANSWERS = {
    "D1": ["d1_nature_job", "d1_wages"],
    "D4": ["d4_hours", "d4_low_pay"],
    "D5": ["d5_documents", "d5_violence"],
}


def _screen(page, live_server, person) -> None:
    page.goto(f"{live_server.url}/registry/persons/{person.pk}/")
    page.click("text=Screen this person")
    page.check("input[name=instrument][value=ilo-ec-delphi-labour]")
    page.click("button:has-text('Start')")
    for page_number in range(1, 7):
        for item in ANSWERS.get(f"D{page_number}", []):
            page.check(f"input[name=q_{item}][value=yes]")
        page.click("button[type=submit]:not([name=back])")
    expect(page.locator(".banner-inline")).to_contain_text("An alert was raised")


def test_screening_to_case_to_consented_referral_to_service_to_closing(
    page, browser, live_server, world, un_service, referral_agreement, flushable_audit
):
    woman = register(
        world,
        world.amc_block,
        person_fields(
            given_name_latin="Samira", family_name_latin="Haddad", sex="F", phone="0791234567"
        ),
    ).members.get()
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, world.user("caseworker"))
    _screen(page, live_server, woman)

    # The alert has somewhere to go: a case of the NGO.
    page.goto(f"{live_server.url}/screening/alerts/")
    page.click("text=Open a protection case")
    expect(page.locator("#id_case_type")).to_have_value("trafficking")
    _fits(page)
    page.fill("#id_note", "Recruited for work abroad; passport held by the recruiter")
    page.click("button:has-text('Open the case')")
    case = ProtectionCase.objects.get()
    assert case.source_kind == "screening" and case.organisation == world.ngo
    expect(page.locator("h1")).to_contain_text(case.reference)
    _fits(page)

    # Refer: the service, then consent. Without consent or override: refused.
    page.click("text=Refer to a service")
    page.click('tr:has-text("Women\'s centre counselling") >> text=Choose')
    expect(page.locator(".banner-inline")).to_contain_text("active data-sharing agreement")
    _fits(page)
    page.fill("#id_reason", "Counselling after exploitation; prefers a woman counsellor")
    page.click("button:has-text('Send the referral')")
    expect(page.locator(".messages .error")).to_contain_text("Tick that the person agreed")
    assert not Referral.objects.exists()
    page.fill("#id_explained_by", "Caseworker with a female interpreter")
    page.select_option("#id_language", "ar")
    page.uncheck("input[name=share][value=phone]")
    page.check("#id_agreed")
    page.click("button:has-text('Send the referral')")
    referral = Referral.objects.get()
    assert referral.consent_given and "phone" not in referral.shared
    expect(page.locator("h1")).to_contain_text(referral.reference)

    # The UN agency's caseworker, in another browser: the referral, not the case.
    other = browser.new_context(locale="en-GB")
    receiver = other.new_page()
    receiver.set_default_timeout(15_000)
    receiver.set_viewport_size(PHONE)
    sign_in(receiver, live_server, world.user("caseworker_un"))
    receiver.click("header summary")
    receiver.click("nav >> text=Referrals")
    receiver.click(f"text={referral.reference}")
    shared = receiver.locator("dl.shared")
    expect(shared).to_contain_text("Samira")
    expect(shared).to_contain_text("prefers a woman counsellor")
    expect(receiver.locator("main")).not_to_contain_text("0791234567")
    expect(receiver.locator("main")).not_to_contain_text("passport held")
    _fits(receiver)
    receiver.click("button:has-text('Accept')")
    expect(receiver.locator("h1")).to_contain_text("Accepted")
    receiver.select_option("#id_outcome", "done")
    receiver.fill("#id_note", "First counselling session held")
    receiver.click("button:has-text('Record as delivered')")
    expect(receiver.locator("h1")).to_contain_text("Service delivered")
    assert receiver.goto(f"{live_server.url}/cases/{case.pk}/").status == 404
    other.close()

    # The outcome comes back to the referring caseworker, who closes the case.
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.locator("#recovery table")).to_contain_text("UNA")
    expect(page.locator("#referrals + table")).to_contain_text("Service delivered")
    page.click("text=Close the case")
    page.select_option("#id_reason", "goals_met")
    page.check("#id_confirm")
    _fits(page)
    page.click("button:has-text('Close the case')")
    expect(page.locator("h1 + p")).to_contain_text("Closed")
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_at is not None

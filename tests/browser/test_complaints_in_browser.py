"""Complaints of sexual exploitation and abuse in Chromium on a 390 px phone
(issue 13, "Done when"): an anonymous complaint with a photo on the public
page, in Arabic → the receiving organisation's focal point sees it → the user
named as subject gets 404 on it and finds it in no search or list → the
survivor is referred for assistance with consent → the feedback is read with
the receipt code; the evidence hash verifies and a tampered file fails."""

import pytest
from playwright.sync_api import expect

from salama.complaints.models import AssistanceReferral, Complaint
from tests.browser.test_desk_in_browser import sign_in
from tests.browser.test_presence_in_browser import PHONE, _fits

pytestmark = [pytest.mark.browser]

PHOTO = b"\x89PNG\r\n\x1a\n a photo taken at the distribution point"


def _complain(page, live_server, wall, photo_path) -> str:
    """Fill the public form as an anonymous relative, in Arabic; the receipt code."""
    page.goto(f"{live_server.url}/complaints/new")
    page.click("button[lang=ar]")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.select_option("#id_receiver", f"{wall.un.pk}:{wall.amc.pk}")
    page.check("input[name=relationship][value=relative]")
    page.check("input[name=category][value=sexual_exploitation]")
    page.fill(
        "#id_narrative",
        "A distribution worker, Karim Haddad, asked my sister for sex in exchange for rations.",
    )
    page.fill("#id_incident_year", "2026")
    page.check("input[name=survivor_age][value=adult]")
    page.check("input[name=survivor_sex][value=female]")
    page.check("input[name=survivor_disability][value=no]")
    page.check("input[name=safety_risk][value=no]")
    page.select_option("#id_subject_type", "ngo_staff")
    page.select_option("#id_subject_organisation", str(wall.ngo.pk))
    page.fill("#id_subject_name", "Karim Haddad")
    page.check("input[name=subject_in_contact][value=yes]")
    page.check("input[name=consent_assistance][value=yes]")
    page.check("input[name=consent_identity][value=no]")
    page.set_input_files("#id_evidence", str(photo_path))
    _fits(page)
    page.click("button.public-send")
    code = page.locator("#receipt").inner_text()
    assert len(code.replace(" ", "")) == 16
    expect(page.locator("main")).to_contain_text("UN agency")
    _fits(page)
    return code


def test_an_anonymous_complaint_is_walled_off_referred_and_answered(
    page, live_server, wall, support, tmp_path, flushable_audit, settings
):
    # A person needs a few seconds for a form, a robot does not; a test needs none.
    settings.SALAMA_TRACING_PUBLIC_FORM_MIN_SECONDS = 0
    photo = tmp_path / "photo.png"
    photo.write_bytes(PHOTO)
    page.set_viewport_size(PHONE)
    code = _complain(page, live_server, wall, photo)
    complaint = Complaint.objects.get()
    assert complaint.received_by is None and complaint.channel == "online"

    # The receiving organisation's focal point sees it.
    page.context.clear_cookies()
    sign_in(page, live_server, wall.user("psea"))
    page.goto(f"{live_server.url}/complaints/")
    page.click(f"text={complaint.reference}")
    expect(page.locator("#narrative")).to_contain_text("in exchange for rations")
    expect(page.locator("#subjects")).to_be_visible()
    _fits(page)
    page.click("text=Acknowledge: I follow it up")
    expect(page.locator("#status")).to_contain_text("Acknowledged")

    # The evidence hash verifies; a changed copy of the file fails.
    page.set_input_files("form[action$='/evidence/check/'] input[type=file]", str(photo))
    page.click("form[action$='/evidence/check/'] button")
    expect(page.locator(".messages")).to_contain_text("identical to evidence item 1")
    tampered = tmp_path / "photo-edited.png"
    tampered.write_bytes(PHOTO + b"edited")
    page.set_input_files("form[action$='/evidence/check/'] input[type=file]", str(tampered))
    page.click("form[action$='/evidence/check/'] button")
    expect(page.locator(".messages")).to_contain_text("does not match any evidence")
    expect(page.locator("#custody-check")).to_contain_text("The chain of custody holds")

    # The survivor is referred for assistance, with her consent.
    form = page.locator("form[action$='/assistance/']")
    form.locator("select[name=service]").select_option(str(support.pk))
    form.locator("input[name=needs][value=psychosocial]").check()
    form.locator("input[name=consent_by][value=survivor]").check()
    form.locator("input[name=agreed]").check()
    form.locator("textarea[name=wishes]").fill("A woman caseworker, in the morning")
    form.locator("button").click()
    # The women's centre is the NGO's, whose staff member is complained about: the
    # form comes back with what was chosen, and asks.
    expect(form).to_contain_text("organisation of the person complained")
    assert not AssistanceReferral.objects.filter(service=support).exists()
    expect(form.locator("textarea[name=wishes]")).to_have_value(
        "A woman caseworker, in the morning"
    )
    form.locator("input[name=subject_organisation_chosen]").check()
    form.locator("button").click()
    expect(page.locator("#assistance")).to_be_visible()
    expect(page.locator("table").filter(has_text="Women's centre")).to_contain_text("Waiting")
    referral = AssistanceReferral.objects.get(complaint=complaint, service=support)
    assert referral.consent_by == "survivor"

    # Feedback for the complainant, read only through the receipt code.
    page.fill(
        "form[action$='/feedback/'] textarea", "We met your sister; a women's centre helps her."
    )
    page.click("form[action$='/feedback/'] button")
    expect(page.locator(".messages")).to_contain_text("receipt code")

    # The user named as subject: 404 on it, nothing in any search or list.
    page.context.clear_cookies()
    subject = wall.user("caseworker")
    sign_in(page, live_server, subject)
    answer = page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    assert answer is not None and answer.status == 404
    assert page.goto(f"{live_server.url}/complaints/").status == 404
    assert page.goto(f"{live_server.url}/complaints/assistance/{referral.pk}/").status == 404
    for path in ("/registry/persons/?q=Karim", "/notifications/", "/cases/", "/referrals/"):
        page.goto(f"{live_server.url}{path}")
        assert complaint.reference not in page.content(), path
        assert "rations" not in page.content(), path

    # The complainant reads the feedback with the code, on another phone.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/complaints/status/")
    page.fill("#id_code", code)
    page.click("button.public-send")
    expect(page.locator("#feedback")).to_contain_text("a women's centre helps her")
    expect(page.locator("#organisation")).to_contain_text("UN agency")
    expect(page.locator("main")).not_to_contain_text("in exchange for rations")
    _fits(page)
    page.click("text=Leave this page (your complaint stays open)")
    expect(page.locator("#id_code")).to_be_visible()

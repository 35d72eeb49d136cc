"""End to end in Chromium: sign in with two factors, register a household
at the desk (adding a member with htmx), and read the Arabic interface right
to left."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from salama.registry.models import Household
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser]


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Two-factor login")
    assert page.locator(".qr svg").count() == 1
    device = TOTPDevice.objects.get(user=user)
    page.fill("#id_token", f"{totp(device.bin_key):06d}")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Welcome")


def test_register_a_household_at_the_desk(page, live_server, world, flushable_audit):
    sign_in(page, live_server, world.user("registrar"))
    page.click("text=Register household")
    page.select_option("#id_site", label=world.amc_block.name)
    page.fill("#id_shelter", "C-12")
    page.fill("#id_m-0-given_name", "زينب")
    page.fill("#id_m-0-family_name", "التميمي")
    page.fill("#id_m-0-given_name_latin", "Zainab")
    page.fill("#id_m-0-family_name_latin", "Al-Tamimi")
    page.select_option("#id_m-0-sex", "F")
    page.fill("#id_m-0-stated_age", "31")
    page.select_option("#id_m-0-specific_needs", ["WR-SF"])
    page.click("#add-member")
    expect(page.locator("#id_m-1-given_name_latin")).to_be_visible()
    assert page.evaluate("document.activeElement.id").startswith("id_m-1-")
    assert page.input_value("#id_m-TOTAL_FORMS") == "2"
    page.fill("#id_m-1-given_name_latin", "Hamza")
    page.fill("#id_m-1-family_name_latin", "Al-Tamimi")
    page.select_option("#id_m-1-relationship", "child")
    page.select_option("#id_m-1-sex", "M")
    page.fill("#id_m-1-birth_date", "2018-09-14")
    page.click("button.primary")
    expect(page.locator(".messages")).to_contain_text("registered with 2 members")
    expect(page.locator("tbody tr")).to_have_count(2)
    household = Household.objects.get()
    assert household.shelter == "C-12"
    assert sorted(household.members.values_list("given_name_latin", flat=True)) == [
        "Hamza",
        "Zainab",
    ]


def test_a_wrong_field_is_marked_and_nothing_saved(page, live_server, world, flushable_audit):
    sign_in(page, live_server, world.user("registrar"))
    page.goto(f"{live_server.url}/registry/households/new/")
    page.select_option("#id_site", label=world.amc_block.name)
    page.fill("#id_m-0-given_name_latin", "Late")
    page.select_option("#id_m-0-sex", "M")
    page.fill("#id_m-0-birth_date", "2999-01-01")
    page.click("button.primary")
    expect(page.locator("#id_m-0-birth_date_error")).to_have_text(
        "The date of birth is in the future."
    )
    assert Household.objects.count() == 0


def test_arabic_interface_is_laid_out_right_to_left(page, live_server, world, flushable_audit):
    sign_in(page, live_server, world.user("registrar"))
    page.select_option("#lang", "ar")
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    brand = page.locator(".brand").bounding_box()
    tools = page.locator(".tools").bounding_box()
    assert brand["x"] > tools["x"], "the brand should sit at the right-hand start of the header"
    expect(page.locator("nav")).to_contain_text("تسجيل أسرة")
    page.goto(f"{live_server.url}/registry/households/new/")
    expect(page.locator("h1")).to_have_text(re.compile("تسجيل أسرة"))


def test_api_docs_render_under_the_content_security_policy(
    page, live_server, world, flushable_audit
):
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator("#swagger-ui")).to_contain_text("/api/v1/persons")
    assert not [e for e in errors if "Content Security Policy" in e]

"""End to end in Chromium: an administrator creates a block, a caseworker with
a membership on it and the caseworker's field password, all from the browser;
the new caseworker then signs in (enrolling two-factor) and their field
password opens the OpenRosa form list."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from salama.core.actions import api_token_create
from salama.core.models import Site
from salama.screening.models import FieldCredential
from tests.conftest import PASSWORD, signed_in, with_two_factor
from tests.openrosa_util import call

pytestmark = [pytest.mark.browser]

NEW_PASSWORD = "olive trees by the well 7"
FIELD_PASSWORD = "a separate field secret 9"


def sign_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Two-factor login")
    device = TOTPDevice.objects.get(user__username=username)
    page.fill("#id_token", f"{totp(device.bin_key):06d}")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Welcome")


def test_an_administrator_sets_up_a_block_a_user_and_a_field_password(
    page, live_server, world, flushable_audit, settings
):
    settings.SALAMA_ENFORCE_2FA = True
    sign_in(page, live_server, "admin", PASSWORD)
    page.click("header >> text=Administration")
    expect(page.locator("h1")).to_have_text("Administration")

    # A new block below Amal's first zone, with its Arabic name.
    page.click("main nav >> text=Sites")
    page.click("text=Add below Amal Z1")
    expect(page.locator("h1")).to_have_text("New place: Block")
    page.fill("#id_name", "Amal Z1B")
    page.fill("#id_name_ar", "الأمل ١ب")
    page.fill("#id_code", "AMC-Z1B")
    page.click("button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Amal Z1B created.")
    block = Site.objects.get(code="AMC-Z1B")
    assert block.level == "block" and block.parent.code == "AMC-Z1"

    # A caseworker of the agency on that block.
    page.click("main nav >> text=Users")
    page.click("text=Create a user")
    page.fill("#id_username", "nadia")
    page.fill("#id_first_name", "Nadia")
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.select_option("#id_organisation", label="CMA")
    page.select_option("#id_role", "caseworker")
    page.select_option("#id_sites", [str(block.pk)])
    page.click("button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("User nadia created.")
    expect(page.locator("h1")).to_have_text("nadia")
    expect(page.locator("main table").first).to_contain_text("Amal Z1B")
    membership = User.objects.get(username="nadia").memberships.get()
    assert membership.role == "caseworker" and list(membership.sites.all()) == [block]

    # Her field password, from her page.
    page.click("text=Set a field password")
    page.fill("#id_password1", FIELD_PASSWORD)
    page.fill("#id_password2", FIELD_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Field password set for nadia.")
    assert FieldCredential.objects.filter(user__username="nadia").exists()
    page.click("header button:has-text('Sign out')")

    # She signs in (enrolling her authenticator) and her field device connects.
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "nadia")
    page.fill("#id_password", NEW_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Two-factor login")
    assert page.locator(".qr svg").count() == 1
    device = TOTPDevice.objects.get(user__username="nadia")
    page.fill("#id_token", f"{totp(device.bin_key):06d}")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Welcome")
    forms = call(Client(), "get", "/openrosa/formList", "nadia", FIELD_PASSWORD)
    assert forms.status_code == 200
    refused = call(Client(), "get", "/openrosa/formList", "nadia", NEW_PASSWORD)
    assert refused.status_code == 401


def open_session(page, live_server, user) -> None:
    """A browser session that has passed both factors (the sign-in form is
    driven in the test above)."""
    client = signed_in(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.mark.parametrize("language", ["en", "ar"])
def test_administration_pages_fit_a_phone(page, live_server, world, flushable_audit, language):
    api_token_create(
        user=with_two_factor(world.user("registrar")), name="A sync client with a long name"
    )
    page.set_viewport_size({"width": 390, "height": 844})
    open_session(page, live_server, world.user("admin"))
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    registrar = world.user("registrar")
    for path in (
        "/admin/",
        "/admin/organisations/",
        "/admin/sites/",
        "/admin/users/",
        "/admin/users/new/",
        f"/admin/users/{registrar.pk}/",
        f"/admin/sites/{world.amc.pk}/",
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
        overflow = page.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (path, overflow)

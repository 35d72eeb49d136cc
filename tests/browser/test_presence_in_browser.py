"""Presence checks in Chromium on a 390 px phone screen: a protection officer
records two roll calls by search, the child missed at both raises an absence
alert; a household card held before the (fake) camera is read by the scanner
page and its members are marked as seen."""

import io
from datetime import date

import pytest
import qrcode
from playwright.sync_api import expect

from salama.presence import actions
from salama.presence.models import AbsenceAlert, PresenceCheck, Sighting
from tests.browser.conftest import CHROMIUM
from tests.browser.test_desk_in_browser import sign_in
from tests.conftest import person_fields, register

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
CHILD = {
    "given_name_latin": "Amina",
    "sex": "F",
    "relationship": "child",
    "birth_date": date(2016, 5, 2),
}


def _fits(page) -> None:
    page.wait_for_load_state()  # not mid-navigation, when there is no document yet
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def _family(world):
    household = register(world, world.amc_block, person_fields(), person_fields(**CHILD))
    head = household.members.get(relationship="head")
    kid = household.members.get(relationship="child")
    return household, head, kid


def _roll_call_by_search(page, live_server, number):
    page.goto(f"{live_server.url}/presence/")
    _fits(page)
    page.select_option("#id_site", label="Amal")
    page.select_option("#id_kind", "roll_call")
    page.click("#check-new button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Roll call")
    _fits(page)
    page.fill("#id_presence_q", number)
    page.click("#presence-search button[type=submit]")
    page.locator("#found .mark-seen").first.click()
    expect(page.locator("table.seen")).to_contain_text(number)
    _fits(page)
    page.click("#finish-check")
    expect(page.locator("#confirm-finish")).to_be_visible()
    _fits(page)
    page.click("#confirm-finish")
    expect(page.locator(".messages")).to_contain_text("The check is finished")


def test_a_protection_officer_records_roll_calls_by_search_on_a_phone(
    page, live_server, world, flushable_audit
):
    _household, head, kid = _family(world)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, world.user("protection"))
    _roll_call_by_search(page, live_server, head.registration_number)
    assert not AbsenceAlert.objects.exists()
    _roll_call_by_search(page, live_server, head.registration_number)
    alert = AbsenceAlert.objects.get()
    assert alert.person_id == kid.pk and alert.profile == "child"
    page.goto(f"{live_server.url}/presence/alerts/")
    _fits(page)
    page.locator("table.absence-alerts tbody a").first.click()
    expect(page.locator("dl.facts")).to_contain_text(kid.registration_number)
    _fits(page)
    page.fill("#id_note", "Found at the water point")
    page.click("#confirm-safe")
    expect(page.locator("#alert-status")).to_contain_text("Confirmed safe")
    assert PresenceCheck.objects.filter(status="closed").count() == 2


def _y4m(code: str, path) -> None:
    """A few seconds of video of the card's QR code, black on white (Y4M, 4:2:0)."""
    from PIL import Image

    width, height = 640, 480
    qr = qrcode.make(code, box_size=8, border=4).get_image().convert("L")
    frame = Image.new("L", (width, height), 255)
    side = min(360, qr.size[0])
    frame.paste(qr.resize((side, side)), ((width - side) // 2, (height - side) // 2))
    chroma = bytes([128]) * (width * height // 4)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(30):
            out.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)


def test_a_card_before_the_camera_is_read_and_marks_the_ticked_members(
    browser, live_server, world, flushable_audit, tmp_path
):
    household, head, kid = _family(world)
    (card,) = actions.cards_issue(user=world.user("registrar"), households=[household])
    check = actions.check_open(user=world.user("registrar"), site=world.amc, kind="roll_call")
    video = tmp_path / "card.y4m"
    _y4m(card.code, video)
    # A second Chromium, whose fake camera shows the card.
    camera = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    context = camera.new_context(locale="en-GB", viewport=PHONE, permissions=["camera"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, world.user("registrar"))
    page.goto(f"{live_server.url}/presence/checks/{check.pk}/scan/")
    _fits(page)
    page.click("#scan-start")
    form = page.locator("#card-members-form")
    expect(form).to_contain_text(kid.registration_number, timeout=20_000)
    assert page.input_value("#id_code") == card.code
    form.locator(f"input[value='{kid.pk}']").uncheck()  # she is not here
    page.click("#mark-members")
    expect(page.locator(".messages")).to_contain_text("Marked as seen: 1")
    context.close()
    camera.close()
    assert list(Sighting.objects.values_list("person_id", "method")) == [(head.pk, "scan")]


def test_the_vendored_decoder_reads_a_printed_code_under_the_pages_policy(
    page, live_server, world, flushable_audit
):
    """Without a camera: the scanner page's jsQR decodes a QR image drawn on a canvas."""
    import base64

    check = actions.check_open(user=world.user("registrar"), site=world.amc, kind="roll_call")
    buffer = io.BytesIO()
    qrcode.make("HC1-test-code-1234", box_size=6).save(buffer)
    image = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    sign_in(page, live_server, world.user("registrar"))
    page.goto(f"{live_server.url}/presence/checks/{check.pk}/scan/")
    page.wait_for_function("typeof window.jsQR === 'function'")
    decoded = page.evaluate(
        """(src) => new Promise((resolve) => {
          const img = new Image();
          img.onload = () => {
            const c = document.createElement('canvas');
            c.width = img.width; c.height = img.height;
            const g = c.getContext('2d'); g.drawImage(img, 0, 0);
            const d = g.getImageData(0, 0, c.width, c.height);
            const found = window.jsQR(d.data, d.width, d.height);
            resolve(found ? found.data : null);
          };
          img.src = src;
        })""",
        image,
    )
    assert decoded == "HC1-test-code-1234"

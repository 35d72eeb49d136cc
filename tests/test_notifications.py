"""Notifications: notify() writes in-app notifications and queues deliveries on
each user's channels; email carries a fixed phrase, a reference and a link
only; the pages show a user their own notifications and nobody else's."""

import os
import re
import shutil
import threading
from datetime import date

import pytest
from django.core import mail
from django.test import Client
from django.utils.translation import gettext_lazy

from salama.jobs.api import run_pending_jobs
from salama.jobs.models import Job
from salama.notifications.actions import channels_set, notify
from salama.notifications.models import ChannelPreference, Delivery, Notification
from salama.notifications.rules import NotificationError
from tests.conftest import PERSONAS, person_fields, register, signed_in

SUBJECT = gettext_lazy("A child-headed household was registered")
BASE_URL = "https://salama.example.org"
CANARY_NAME = "Qwertzhuber"
CANARY_PHONE = "+962799123456"


@pytest.fixture
def base_url(settings):
    settings.SALAMA_BASE_URL = BASE_URL
    settings.SALAMA_WEBHOOK_URL = ""
    return BASE_URL


@pytest.fixture
def canary_household(world):
    """A household whose head carries a name, birth date and phone that must never leave."""
    fields = person_fields(
        given_name_latin=CANARY_NAME, birth_date=date(1979, 11, 23), phone=CANARY_PHONE
    )
    return register(world, world.amc_block, fields)


def _notify(world, *names, reference="HH-000123", link="/registry/households/1/", **kw):
    return notify(
        recipients=[world.user(n) for n in names],
        kind=kw.pop("kind", "registry.child_headed_household"),
        subject=kw.pop("subject", SUBJECT),
        reference=reference,
        link=link,
        actor=world.user("admin"),
        **kw,
    )


def _with_email(user, address="user@example.org"):
    user.email = address
    user.save(update_fields=["email"])
    return user


# --- notify --------------------------------------------------------------------------


def test_notify_writes_one_unread_notification_per_recipient(world, base_url):
    written = _notify(world, "caseworker", "protection", "caseworker")
    assert [n.recipient.username for n in written] == ["caseworker", "protection"]
    stored = Notification.objects.get(recipient=world.user("caseworker"))
    assert stored.kind == "registry.child_headed_household"
    assert stored.subject == "A child-headed household was registered"
    assert (stored.reference, stored.link, stored.read_at) == (
        "HH-000123",
        "/registry/households/1/",
        None,
    )


def test_the_header_shows_the_unread_count(world, base_url):
    _notify(world, "caseworker")
    _notify(world, "caseworker", reference="HH-000124")
    _notify(world, "protection")
    response = signed_in(world.user("caseworker")).get("/")
    assert response.context["unread_notifications"] == 2
    assert re.search(rb'class="badge"[^>]*>\s*2\s*<', response.content)


def test_the_count_is_one_query(world, base_url, django_assert_num_queries, rf):
    from salama.notifications.context import notifications

    _notify(world, "caseworker")
    request = rf.get("/")
    request.user = world.user("caseworker")
    context = notifications(request)
    with django_assert_num_queries(1):
        assert int(str(context["unread_notifications"])) == 1


def test_no_count_for_anonymous_visitors(world):
    response = Client().get("/accounts/login/")
    assert response.context["unread_notifications"] == 0
    assert b'class="badge"' not in response.content


def test_a_deactivated_user_is_not_notified(world, base_url):
    user = world.user("caseworker")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert _notify(world, "caseworker") == []
    assert not Notification.objects.exists()


def test_notify_is_audited(world, base_url):
    from salama.audit.models import AuditEntry

    (written,) = _notify(world, "caseworker")
    entry = AuditEntry.objects.get(model="notifications.Notification")
    assert (entry.action, entry.record_id, entry.username) == ("notify", str(written.pk), "admin")


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("subject", "A household was registered", "gettext_lazy"),
        ("subject", gettext_lazy("x" * 121), "at most 120"),
        ("subject", gettext_lazy("Born on 1979-11-23"), "without digits"),
        ("subject", gettext_lazy("Call %(phone)s"), "without digits"),
        ("subject", gettext_lazy("Registered\nwith a second line"), "line breaks"),
        ("reference", "Qwertzhuber", "never a name"),
        ("reference", "Al-Hassan", "never a name"),
        ("reference", "HH 000123 Qwertzhuber", "never a name"),
        ("reference", "محمد", "never a name"),
        ("link", "https://elsewhere.example/x/", "path inside Salama"),
        ("link", "/registry/persons/?q=Qwertzhuber", "no query string"),
        ("link", "//elsewhere.example/", "path inside Salama"),
        ("kind", "Child headed household", "app.event"),
    ],
)
def test_notify_refuses_what_could_carry_personal_data(world, base_url, field, value, says):
    _with_email(world.user("caseworker"))
    with pytest.raises(NotificationError, match=says):
        _notify(world, "caseworker", **{field: value})
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()
    assert not Job.objects.exists()


@pytest.mark.parametrize("reference", ["AMC-HXKQMJRT", "AMC-P7KQ2MX", "3f1c2d9e-0b1a-4c5d"])
def test_registration_numbers_and_ids_are_references(world, base_url, reference):
    (notification,) = _notify(world, "caseworker", reference=reference)
    assert notification.reference == reference


def test_a_formatted_subject_is_refused(world, base_url):
    formatted = gettext_lazy("A household of %(name)s was registered") % {"name": CANARY_NAME}
    with pytest.raises(NotificationError, match="gettext_lazy"):
        _notify(world, "caseworker", subject=formatted)


# --- channels ------------------------------------------------------------------------


def test_email_is_on_by_default_for_a_user_with_an_address(world, base_url):
    _with_email(world.user("caseworker"))
    _notify(world, "caseworker", "protection")  # protection has no address
    (delivery,) = Delivery.objects.all()
    assert (delivery.channel, delivery.status) == ("email", "queued")
    assert delivery.notification.recipient.username == "caseworker"
    assert Job.objects.filter(pk=delivery.job_id, status="queued").exists()


def test_a_delivery_job_belongs_to_the_recipients_organisation(world, base_url):
    """Only the recipient's organisation's administrators see the delivery on /jobs/."""
    _with_email(world.user("caseworker"))  # of PNGO, whose administrator is admin_hop
    notify(
        recipients=[world.user("caseworker")],
        kind="registry.child_headed_household",
        subject=SUBJECT,
        reference="HH-000123",
        link="/registry/households/1/",
        actor=world.user("registrar"),  # of CMA, like admin
    )
    (delivery,) = Delivery.objects.all()
    job = Job.objects.get(pk=delivery.job_id)
    assert job.organisation == world.ngo
    assert signed_in(world.user("admin_hop")).get(f"/jobs/{job.pk}/").status_code == 200
    assert signed_in(world.user("admin")).get(f"/jobs/{job.pk}/").status_code == 404


def test_a_user_who_turned_email_off_gets_no_email(world, base_url):
    user = _with_email(world.user("caseworker"))
    channels_set(user=user, email=False, webhook=False)
    _notify(world, "caseworker")
    assert Notification.objects.filter(recipient=user).count() == 1
    assert not Delivery.objects.exists()
    run_pending_jobs()
    assert mail.outbox == []


def test_webhook_only_when_chosen_and_configured(world, base_url, settings):
    settings.SALAMA_WEBHOOK_URL = "https://gateway.example.org/hook"
    chooser = world.user("caseworker")
    channels_set(user=chooser, email=False, webhook=True)
    _notify(world, "caseworker", "protection")
    assert [(d.channel, d.notification.recipient.username) for d in Delivery.objects.all()] == [
        ("webhook", "caseworker")
    ]
    settings.SALAMA_WEBHOOK_URL = ""
    _notify(world, "caseworker", reference="HH-000124")
    assert Delivery.objects.count() == 1


def test_email_carries_only_the_phrase_the_reference_and_the_link(
    world, base_url, canary_household
):
    user = _with_email(world.user("caseworker"), "caseworker@example.org")
    head = canary_household.members.get()
    _notify(
        world,
        "caseworker",
        reference=head.registration_number,
        link=f"/registry/households/{canary_household.pk}/",
    )
    assert run_pending_jobs() == 1
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "A child-headed household was registered"
    assert head.registration_number in message.body
    assert f"{BASE_URL}/registry/households/{canary_household.pk}/" in message.body
    sent = message.subject + message.body + str(message.extra_headers)
    for canary in (CANARY_NAME, "1979", "11-23", CANARY_PHONE, "Al-Hassan", "الحسن"):
        assert canary not in sent
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")


def test_email_is_in_the_deployments_language(world, base_url, settings):
    settings.LANGUAGE_CODE = "fr"
    _with_email(world.user("caseworker"))
    (notification,) = _notify(world, "caseworker", subject=gettext_lazy("Alerts"))
    assert notification.subject == "Alerts"  # stored as the source phrase
    run_pending_jobs()
    assert mail.outbox[0].subject == "Alertes"


def test_email_without_a_base_url_fails_clearly_and_is_not_retried(world, settings):
    settings.SALAMA_BASE_URL = ""
    _with_email(world.user("caseworker"))
    _notify(world, "caseworker")
    run_pending_jobs()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.last_error == "SALAMA_BASE_URL is not set"
    assert mail.outbox == []


def test_a_failing_mail_server_is_retried(world, base_url, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    _with_email(world.user("caseworker"))
    _notify(world, "caseworker")
    run_pending_jobs()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("retrying", 1)
    assert delivery.last_error == "ConnectionRefusedError"
    assert Job.objects.get(pk=delivery.job_id).status == "retrying"


# --- pages ---------------------------------------------------------------------------


def test_the_list_shows_unread_first_in_the_readers_language(world, base_url):
    first, second = _notify(world, "caseworker"), _notify(world, "caseworker", reference="HH-9")
    Notification.objects.filter(pk=second[0].pk).update(read_at="2026-01-01T00:00Z")
    client = signed_in(world.user("caseworker"))
    page = client.get("/notifications/")
    assert [n.pk for n in page.context["page"]] == [first[0].pk, second[0].pk]
    assert b"A child-headed household was registered" in page.content
    unread = client.get("/notifications/?show=unread")
    assert [n.pk for n in unread.context["page"]] == [first[0].pk]


def test_the_list_is_paginated(world, base_url):
    for i in range(30):
        _notify(world, "caseworker", reference=f"HH-{i:06d}")
    client = signed_in(world.user("caseworker"))
    assert len(client.get("/notifications/").context["page"]) == 25
    assert len(client.get("/notifications/?page=2").context["page"]) == 5


def test_mark_read(world, base_url):
    (notification,) = _notify(world, "caseworker")
    _notify(world, "caseworker", reference="HH-000124")
    client = signed_in(world.user("caseworker"))
    response = client.post(f"/notifications/{notification.pk}/read/")
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert client.get("/").context["unread_notifications"] == 1


def test_mark_read_with_htmx_answers_the_list(world, base_url):
    (notification,) = _notify(world, "caseworker")
    client = signed_in(world.user("caseworker"))
    response = client.post(f"/notifications/{notification.pk}/read/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == (
        "notifications/_partials/notification_list.html"
    )
    assert b"<html" not in response.content


def test_mark_all_read(world, base_url):
    _notify(world, "caseworker")
    _notify(world, "caseworker", reference="HH-000124")
    (other,) = _notify(world, "protection")
    signed_in(world.user("caseworker")).post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=world.user("caseworker"), read_at=None)
    other.refresh_from_db()
    assert other.read_at is None


def test_open_marks_read_and_goes_to_the_record(world, base_url):
    (notification,) = _notify(world, "caseworker")
    response = signed_in(world.user("caseworker")).post(f"/notifications/{notification.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/registry/households/1/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_marking_read_needs_post(world, base_url):
    (notification,) = _notify(world, "caseworker")
    response = signed_in(world.user("caseworker")).get(f"/notifications/{notification.pk}/read/")
    assert response.status_code == 405


def test_preferences_say_email_needs_an_address(world, base_url):
    client = signed_in(world.user("caseworker"))
    page = client.get("/notifications/preferences/")
    assert b"Email needs an email address on your account" in page.content
    response = client.post("/notifications/preferences/", {"email": "on"})
    assert response.status_code == 400
    assert not ChannelPreference.objects.exists()


def test_preferences_are_saved_and_respected(world, base_url):
    user = _with_email(world.user("caseworker"))
    client = signed_in(user)
    response = client.post("/notifications/preferences/", {})  # email unticked
    assert response.status_code == 302
    assert ChannelPreference.objects.get(user=user).email is False
    _notify(world, "caseworker")
    assert not Delivery.objects.exists()
    client.post("/notifications/preferences/", {"email": "on"})
    _notify(world, "caseworker", reference="HH-000124")
    assert Delivery.objects.get().channel == "email"


def test_webhook_cannot_be_chosen_when_none_is_configured(world, base_url):
    client = signed_in(world.user("caseworker"))
    response = client.post("/notifications/preferences/", {"webhook": "on"})
    assert response.status_code == 400
    assert b"No SMS gateway or webhook is configured" in response.content


def test_the_delivery_log_shows_failures_of_the_organisations_users(world, settings):
    settings.SALAMA_BASE_URL = ""  # every email fails at once
    _with_email(world.user("registrar"))  # CMA
    _with_email(world.user("caseworker"))  # PNGO
    _notify(world, "registrar", "caseworker")
    run_pending_jobs()
    page = signed_in(world.user("admin")).get("/notifications/deliveries/?failed=1")
    rows = list(page.context["page"])
    assert [d.notification.recipient.username for d in rows] == ["registrar"]
    assert b"SALAMA_BASE_URL is not set" in page.content
    ngo = signed_in(world.user("admin_hop")).get("/notifications/deliveries/")
    assert [d.notification.recipient.username for d in ngo.context["page"]] == ["caseworker"]


# --- access grid ---------------------------------------------------------------------

ADMINISTRATORS = {"admin", "admin_hop", "admin_un"}


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_everyone_sees_their_own_list_and_channels(world, base_url, name):
    (own,) = _notify(world, name, reference="HH-000001")
    (others,) = _notify(world, "registrar" if name != "registrar" else "tracer")
    client = signed_in(world.user(name))
    page = client.get("/notifications/")
    assert page.status_code == 200
    assert [n.pk for n in page.context["page"]] == [own.pk]
    assert client.get("/notifications/preferences/").status_code == 200


@pytest.mark.parametrize("name", sorted(PERSONAS))
@pytest.mark.parametrize("action", ["read", "open"])
def test_another_users_notification_answers_404(world, base_url, name, action):
    owner = "registrar" if name != "registrar" else "tracer"
    (others,) = _notify(world, owner)
    response = signed_in(world.user(name)).post(f"/notifications/{others.pk}/{action}/")
    assert response.status_code == 404
    others.refresh_from_db()
    assert others.read_at is None


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_the_delivery_log_is_for_administrators(world, base_url, name):
    response = signed_in(world.user(name)).get("/notifications/deliveries/")
    assert response.status_code == (200 if name in ADMINISTRATORS else 404)


@pytest.mark.parametrize(
    "path",
    ["/notifications/", "/notifications/preferences/", "/notifications/deliveries/"],
)
def test_pages_need_a_signed_in_user(world, path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_unknown_notification_answers_404(world, base_url):
    response = signed_in(world.user("caseworker")).post("/notifications/999999/read/")
    assert response.status_code == 404


# --- in Chromium ---------------------------------------------------------------------
# Playwright's sync API runs in a thread of its own here, so that these tests do not
# depend on (or collide with) the Chromium that the tests under tests/browser keep open.

PHONE = {"width": 390, "height": 844}


def _in_chromium(live_server, user, steps, language="en"):
    """Run `steps(page)` in Chromium, signed in as `user`; failures are raised here."""
    from tests.browser.conftest import CHROMIUM

    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    session = signed_in(user).cookies["sessionid"].value
    failure: list[BaseException] = []

    def drive():
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                chromium = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
                )
                context = chromium.new_context(locale="en-GB", viewport=PHONE)
                context.add_cookies(
                    [
                        {"name": "sessionid", "value": session, "url": live_server.url},
                        {"name": "django_language", "value": language, "url": live_server.url},
                    ]
                )
                page = context.new_page()
                page.set_default_timeout(15_000)
                steps(page)
                chromium.close()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=drive)
    thread.start()
    thread.join(timeout=120)
    if failure:
        raise failure[0]
    assert not thread.is_alive(), "Chromium did not finish"


def _overflow(page):
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


@pytest.mark.browser
def test_mark_read_in_the_browser_updates_the_list_in_place(
    live_server, world, flushable_audit, base_url
):
    from playwright.sync_api import expect

    _notify(world, "caseworker", reference="HH-000001")
    _notify(world, "caseworker", reference="HH-000002")

    def steps(page):
        page.goto(f"{live_server.url}/notifications/")
        page.evaluate("window.notReloaded = true")
        expect(page.locator("tr.unread")).to_have_count(2)
        page.locator("tr.unread").first.get_by_role("button", name="Mark read").click()
        expect(page.locator("tr.unread")).to_have_count(1)
        page.get_by_role("button", name="Mark all read").click()
        expect(page.locator("tr.unread")).to_have_count(0)
        assert page.evaluate("window.notReloaded") is True  # htmx swapped the list only

    _in_chromium(live_server, world.user("caseworker"), steps)
    assert not Notification.objects.filter(read_at=None).exists()


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "ar"])
def test_notification_pages_fit_a_phone(live_server, world, flushable_audit, settings, language):
    from playwright.sync_api import expect

    settings.SALAMA_BASE_URL = ""  # the email fails and shows in the log
    _with_email(world.user("admin"), "administrator.with.a.long.address@example.org")
    _notify(world, "admin", reference="AMC-HXKQMJRT")
    run_pending_jobs()
    paths = ("/notifications/", "/notifications/preferences/", "/notifications/deliveries/")

    def steps(page):
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            direction = "rtl" if language == "ar" else "ltr"
            expect(page.locator("html")).to_have_attribute("dir", direction)
            assert _overflow(page) <= 0, (path, _overflow(page))

    _in_chromium(live_server, world.user("admin"), steps, language)

"""PROTECTION.md 20-24: passwords, lockout, two-factor login, sessions,
headers, deployment checks, no personal data in URLs or logs."""

import logging
import os
import re
import subprocess
import sys
import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from salama.core.actions import user_deactivate
from salama.core.middleware import SEEN_REFRESH_SECONDS, SESSION_SEEN, SESSION_STARTED
from tests.conftest import PASSWORD, signed_in


def login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def without_tokens(html: str) -> str:
    return re.sub(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+', "", html).replace(
        'value="nobody"', 'value="registrar"'
    )


def test_unknown_user_and_wrong_password_get_identical_answers(world):
    wrong = login(Client(), "registrar", "not the password")
    unknown = login(Client(), "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 200
    assert without_tokens(wrong.content.decode()) == without_tokens(unknown.content.decode())


def test_lockout_after_repeated_failures_even_with_the_right_password(world):
    for _ in range(5):
        login(Client(), "registrar", "wrong password")
    locked = login(Client(), "registrar", PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in locked.client.session
    for _ in range(5):
        login(Client(), "ghost", "wrong password")
    ghost = login(Client(), "ghost", "wrong password")
    assert ghost.status_code == 429
    assert without_tokens(ghost.content.decode()) == without_tokens(locked.content.decode())


def test_two_factor_enrolment_then_verification(world):
    client = Client()
    assert login(client, "caseworker", PASSWORD).status_code == 302
    assert client.get("/")["Location"] == "/accounts/2fa/"
    enrol = client.get("/accounts/2fa/")
    assert "<svg" in enrol.content.decode()
    device = TOTPDevice.objects.get(user=world.user("caseworker"))
    assert (
        client.post(
            "/accounts/2fa/", {"token": "000000" if totp(device.bin_key) != 0 else "111111"}
        ).status_code
        == 200
    )
    assert client.get("/").status_code == 302
    device.refresh_from_db()
    device.throttle_reset()  # wrong codes slow down retries; a person waits a second
    assert (
        client.post("/accounts/2fa/", {"token": f"{totp(device.bin_key):06d}"}).status_code == 302
    )
    assert client.get("/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_analysts_see_no_personal_data_so_need_no_second_factor(world):
    client = Client()
    login(client, "analyst", PASSWORD)
    assert client.get("/").status_code == 200


@override_settings(SALAMA_ENFORCE_2FA=False)
def test_enforcement_can_be_switched_off_with_a_banner(world):
    client = Client()
    login(client, "caseworker", PASSWORD)
    page = client.get("/")
    assert page.status_code == 200 and "Two-factor login is switched off" in page.content.decode()


def test_passwords_rules():
    for bad in ("short1", "password123", "x" * 65):
        with pytest.raises(ValidationError):
            validate_password(bad)
    validate_password("a long pass phrase of my own")


def test_production_hashes_with_argon2():
    import salama.settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_sessions_idle_and_absolute_limits(world, settings):
    assert settings.SESSION_COOKIE_AGE <= 30 * 60
    assert settings.SALAMA_SESSION_ABSOLUTE_SECONDS <= 12 * 3600
    client = signed_in(world.user("registrar"))
    assert client.get("/").status_code == 200
    session = client.session
    session[SESSION_STARTED] = time.time() - 12 * 3600 - 1
    session.save()
    assert client.get("/").status_code == 302


def _session_row(client):
    return Session.objects.get(session_key=client.session.session_key)


def test_reads_do_not_write_the_session_row_but_idle_sessions_end(world, settings):
    client = signed_in(world.user("registrar"))
    assert client.get("/").status_code == 200
    first = _session_row(client)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert not [q for q in queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]]
    assert _session_row(client).expire_date == first.expire_date
    # A minute later the idle stamp is renewed, and with it the row's expiry.
    session = client.session
    session[SESSION_SEEN] = time.time() - SEEN_REFRESH_SECONDS - 1
    session.save()
    saved = _session_row(client).expire_date
    assert client.get("/").status_code == 200
    assert _session_row(client).expire_date > saved
    assert client.session[SESSION_SEEN] > time.time() - 5
    # Idle for longer than the idle timeout: signed out, even if the row lived on.
    session = client.session
    session[SESSION_SEEN] = time.time() - settings.SESSION_COOKIE_AGE - 1
    session.save()
    assert client.get("/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_disabling_a_user_ends_their_session_at_once(world):
    client = signed_in(world.user("registrar"))
    assert client.get("/").status_code == 200
    user_deactivate(user=world.user("registrar"), actor=world.user("admin"))
    assert client.get("/").status_code == 302


def test_personal_pages_are_not_cached_and_carry_security_headers(world, amc_person):
    response = signed_in(world.user("registrar")).get(f"/registry/persons/{amc_person.pk}/")
    assert response["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_check_deploy_is_clean_in_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "salama.settings",
        "SECRET_KEY": "k" * 20 + "production-secret-key-from-the-environment-0123456789",
        "ALLOWED_HOSTS": "salama.example.org",
        "SALAMA_DATA_DIR": str(tmp_path),
        "SALAMA_HTTPS": "true",
        "SALAMA_DEMO": "false",
        "DATABASE_URL": "postgres://salama@db.example.org:5432/salama",
        "SALAMA_FIELD_KEYS": "Yz6oJPzW5rXkqxyhJbTBb3Pjl2pG8z0Qm9V2o2Nq4uI=",
    }
    env.pop("SALAMA_ENFORCE_2FA", None)
    env.pop("SALAMA_TESTING", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SECRET_KEY_FILE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="salama.settings", SALAMA_DATA_DIR=str(tmp_path), SALAMA_DEMO="false"
    )
    result = subprocess.run(
        [sys.executable, "-m", "django", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_field_encryption_keys(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SALAMA_TESTING", "SALAMA_FIELD_KEYS", "SALAMA_FIELD_KEYS_FILE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="salama.settings",
        SALAMA_DATA_DIR=str(tmp_path),
        SALAMA_DEMO="false",
        SECRET_KEY="s" * 60,
    )
    result = subprocess.run(
        [sys.executable, "-m", "django", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "SALAMA_FIELD_KEYS" in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("f" * 60)
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(
        DJANGO_SETTINGS_MODULE="salama.settings",
        SALAMA_DATA_DIR=str(tmp_path),
        SALAMA_DEMO="false",
        SECRET_KEY_FILE=str(key_file),
    )
    code = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.strip() == "f" * 60


CANARY_GIVEN, CANARY_FAMILY = "Zqxcanaryname", "Vwcanaryfamily"


def test_no_personal_data_in_urls_or_logs(world, caplog):
    from tests.test_registry_desk import desk_post

    client = signed_in(world.user("registrar"))
    member = {
        "given_name_latin": CANARY_GIVEN,
        "family_name_latin": CANARY_FAMILY,
        "sex": "F",
        "relationship": "head",
    }
    with caplog.at_level(logging.DEBUG):
        created = client.post("/registry/households/new/", desk_post(world, [member]))
        household_page = client.get(created["Location"])
        search = client.post("/registry/persons/search/", {"q": CANARY_GIVEN})
        client.post(
            "/registry/households/new/", desk_post(world, [{**member, "birth_date": "2999-01-01"}])
        )
    links = re.findall(r'href="([^"]+)"', household_page.content.decode() + search.content.decode())
    assert links and not any(CANARY_GIVEN in link or CANARY_FAMILY in link for link in links)
    assert CANARY_GIVEN not in created["Location"]
    assert CANARY_GIVEN not in caplog.text and CANARY_FAMILY not in caplog.text


def test_a_form_action_opened_as_a_link_says_what_to_do(world):
    """A GET on a POST-only page answered 405 with an empty page."""
    response = signed_in(world.user("registrar")).get("/accounts/preferences/")
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "use the page's button" in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_no_personal_data_in_the_urls_or_logs_of_jobs_notifications_and_administration(
    world, caplog
):
    """The canary test over the pages issue 8 added: a canary resident registered twice,
    scanned for duplicates by a background job, then every new page looked at."""
    from salama.jobs.api import run_pending_jobs
    from salama.jobs.models import Job
    from salama.registry.models import DuplicateCandidate
    from tests.conftest import person_fields, register

    canary = person_fields(given_name_latin=CANARY_GIVEN, family_name_latin=CANARY_FAMILY)
    register(world, world.amc_block, canary)
    register(world, world.amc_block, canary)
    admin = signed_in(world.user("admin"))
    pages = []
    with caplog.at_level(logging.DEBUG):
        started = admin.post("/registry/duplicates/scan/")
        run_pending_jobs()
        pair = DuplicateCandidate.objects.get()
        for url in (
            started["Location"],
            "/jobs/",
            "/registry/duplicates/",
            f"/registry/duplicates/{pair.pk}/",
            "/notifications/",
            "/notifications/deliveries/",
            "/admin/",
            "/admin/users/",
        ):
            response = admin.get(url)
            assert response.status_code == 200, url
            pages.append(response.content.decode())
        pages.append(admin.post("/admin/users/", {"q": "registrar"}).content.decode())
    links = re.findall(r'(?:href|action|hx-get|hx-post)="([^"]+)"', "".join(pages))
    assert links and not any(CANARY_GIVEN in link or CANARY_FAMILY in link for link in links)
    assert CANARY_GIVEN not in caplog.text and CANARY_FAMILY not in caplog.text
    assert CANARY_GIVEN in pages[3]  # the comparison does show the records, to whom may merge
    for job in Job.objects.all():
        assert (
            CANARY_GIVEN
            not in f"{job.kwargs} {job.result} {job.error_message} {job.progress_message}"
        )

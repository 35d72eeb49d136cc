"""The console commands an administrator uses."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from salama.core.models import Membership


def run(*args, stdin=""):
    import sys

    old, sys.stdin = sys.stdin, io.StringIO(stdin)
    out = io.StringIO()
    try:
        call_command(*args, stdout=out)
    finally:
        sys.stdin = old
    return out.getvalue()


def test_createadmin_creates_organisation_country_and_administrator(db):
    out = run(
        "createadmin",
        "alice",
        "--organisation",
        "CMA",
        "--country",
        "JO",
        "--password-stdin",
        stdin="a long pass phrase of mine\n",
    )
    assert "Administrator alice created" in out
    membership = Membership.objects.get(user__username="alice")
    assert membership.role == "administrator" and [s.code for s in membership.sites.all()] == ["JO"]
    # The first administrator of a deployment manages every organisation from the browser.
    assert membership.user.is_superuser


def test_createadmin_refuses_a_weak_password(db):
    with pytest.raises(CommandError, match="too short"):
        run(
            "createadmin",
            "bob",
            "--organisation",
            "CMA",
            "--country",
            "JO",
            "--password-stdin",
            stdin="abc\n",
        )
    assert not User.objects.filter(username="bob").exists()


def test_adduser_and_deactivateuser(world):
    out = run(
        "adduser",
        "dana",
        "--organisation",
        "PNGO",
        "--role",
        "caseworker",
        "--site",
        "AMC",
        "--site",
        "HOP",
        "--password-stdin",
        stdin="another long phrase\n",
    )
    assert "User dana created" in out
    membership = Membership.objects.get(user__username="dana")
    assert sorted(s.code for s in membership.sites.all()) == ["AMC", "HOP"]
    with pytest.raises(CommandError, match="taken"):
        run(
            "adduser",
            "dana",
            "--organisation",
            "PNGO",
            "--role",
            "caseworker",
            "--password-stdin",
            stdin="another long phrase\n",
        )
    with pytest.raises(CommandError, match="Unknown site codes: NOPE"):
        run(
            "adduser",
            "eve",
            "--organisation",
            "PNGO",
            "--role",
            "caseworker",
            "--site",
            "NOPE",
            "--password-stdin",
            stdin="another long phrase\n",
        )
    assert "disabled" in run("deactivateuser", "dana")
    assert not User.objects.get(username="dana").is_active


def test_apitoken_prints_a_working_token_once(world):
    from django.test import Client

    from tests.conftest import with_two_factor

    with_two_factor(world.user("tracer"))
    out = run("apitoken", "tracer", "--name", "tracing-tool")
    raw = out.strip().splitlines()[-1]
    assert raw.startswith("slm_")
    assert Client().get("/api/v1/persons", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    from salama.core.models import ApiToken

    assert raw not in str(list(ApiToken.objects.values()))


def test_createadmin_with_a_refused_password_leaves_nothing_behind(db):
    from salama.core.models import Organisation, Site

    with pytest.raises(CommandError):
        run(
            "createadmin",
            "carol",
            "--organisation",
            "NEW",
            "--country",
            "XX",
            "--password-stdin",
            stdin="abc\n",
        )
    assert not Organisation.objects.filter(short_name="NEW").exists()
    assert not Site.objects.filter(code="XX").exists()

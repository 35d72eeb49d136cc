"""Administration in the browser: each page and each action, with the rules
that hold whoever asks (level follows the parent, nothing half written,
nobody locks themselves out) and the sessions and tokens a deactivation ends."""

import html
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.template import Context, Template
from django.test import Client
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from salama.audit.models import AuditEntry
from salama.core.actions import (
    api_token_create,
    membership_add,
    site_create,
    user_create,
    user_deactivate,
)
from salama.core.models import ApiToken, Membership, Organisation, Site
from salama.core.roles import Role
from salama.lib.screening import digest
from salama.screening.actions import DIGEST_REALM
from salama.screening.models import FieldCredential, Submission
from tests.conftest import PASSWORD, register, signed_in, with_two_factor

NEW_PASSWORD = "a long new password 2026"


def text(response) -> str:
    return html.unescape(response.content.decode())


def can_sign_in(username: str, password: str) -> bool:
    """Through the login page, as a person would (first factor)."""
    client = Client()
    client.post("/accounts/login/", {"username": username, "password": password})
    return "_auth_user_id" in client.session


def admin_client(world):
    return signed_in(world.user("admin"))


def audited(model: str, record_id: object, action: str) -> bool:
    return AuditEntry.objects.filter(
        model=model, record_id=str(record_id), action=action, purpose="administration"
    ).exists()


def make_system_administrator(world) -> User:
    user = world.user("admin")
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


# --- Home and organisations ---


def test_home_counts_what_the_administrator_manages(world):
    response = admin_client(world).get("/admin/")
    assert response.status_code == 200
    assert response.context["organisations"] == 1  # CMA only
    assert response.context["users"] == 5  # admin, registrar, registrar_hop, civilregistrar, dpo
    assert response.context["sites"] == Site.objects.count()  # the country and all below


def test_an_organisations_administrator_sees_and_edits_only_their_own(world):
    client = admin_client(world)
    listed = list(client.get("/admin/organisations/").context["organisations"])
    assert listed == [world.cma]
    assert client.get("/admin/organisations/new/").status_code == 404
    assert client.get(f"/admin/organisations/{world.ngo.pk}/").status_code == 404
    response = client.post(
        f"/admin/organisations/{world.cma.pk}/",
        {"name": "Camp Management Agency", "short_name": "CMA", "kind": "camp_management"},
    )
    assert response.status_code == 302
    world.cma.refresh_from_db()
    assert world.cma.name == "Camp Management Agency"
    assert audited("core.Organisation", world.cma.pk, "change")


def test_a_system_administrator_creates_organisations_and_duplicates_are_refused(world):
    make_system_administrator(world)
    client = admin_client(world)
    assert len(client.get("/admin/organisations/").context["organisations"]) == 3
    response = client.post(
        "/admin/organisations/new/",
        {"name": "Health Partner", "short_name": "HP", "kind": "ngo"},
    )
    assert response.status_code == 302
    created = Organisation.objects.get(short_name="HP")
    assert audited("core.Organisation", created.pk, "create")
    again = client.post(
        "/admin/organisations/new/", {"name": "Another", "short_name": "hp", "kind": "ngo"}
    )
    assert again.status_code == 400
    assert "The short name hp is taken" in text(again)
    assert Organisation.objects.count() == 4


# --- Sites ---


def test_the_site_tree_shows_the_hierarchy_in_scope(world):
    tree = signed_in(world.user("admin_hop")).get("/admin/sites/")
    assert tree.status_code == 200
    roots = tree.context["tree"]
    assert [n.site for n in roots] == [world.hop]
    assert roots[0].children[0].children[0].site == world.hop_block
    assert "Amal" not in text(tree)


def test_a_child_takes_the_level_after_its_parent(world):
    client = admin_client(world)
    zone = Site.objects.get(code="AMC-Z1")
    response = client.post(
        f"/admin/sites/{zone.pk}/new/",
        {"name": "Amal Z1B", "name_ar": "الأمل ١ب", "code": "AMC-Z1B"},
    )
    assert response.status_code == 302
    block = Site.objects.get(code="AMC-Z1B")
    assert block.level == "block" and block.parent == zone
    assert block.path == f"{zone.path}{block.pk}/"
    assert block.latitude is None
    assert audited("core.Site", block.pk, "create")
    assert client.get(f"/admin/sites/{block.pk}/new/").status_code == 404  # nothing below a block


def test_only_a_system_administrator_adds_a_country(world):
    assert admin_client(world).get("/admin/sites/new/").status_code == 404
    make_system_administrator(world)
    response = admin_client(world).post("/admin/sites/new/", {"name": "Jordan", "code": "JO"})
    assert response.status_code == 302
    assert Site.objects.get(code="JO").level == "country"


@pytest.mark.parametrize(
    ("latitude", "longitude", "message"),
    [
        ("95", "36", "Ensure this value is less than or equal to 90"),
        ("31", "-181", "Ensure this value is greater than or equal to -180"),
        ("31.9", "", "Give both latitude and longitude, or neither."),
        ("north", "36", "Enter a number."),
    ],
)
def test_coordinates_are_optional_but_checked(world, latitude, longitude, message):
    response = admin_client(world).post(
        f"/admin/sites/{world.amc.pk}/",
        {
            "name": "Amal",
            "code": "AMC",
            "kind": "camp",
            "latitude": latitude,
            "longitude": longitude,
        },
    )
    assert response.status_code == 400
    assert message in text(response)
    world.amc.refresh_from_db()
    assert world.amc.latitude is None and world.amc.longitude is None


def test_editing_a_site_saves_names_per_language_and_coordinates(world):
    response = admin_client(world).post(
        f"/admin/sites/{world.amc.pk}/",
        {
            "name": "Al Amal Camp",
            "name_ar": "مخيم الأمل",
            "name_fr": "Camp Al Amal",
            "code": "AMC",
            "kind": "settlement",
            "latitude": "32.290001",
            "longitude": "36.320002",
        },
    )
    assert response.status_code == 302
    world.amc.refresh_from_db()
    assert (world.amc.name_ar, world.amc.kind) == ("مخيم الأمل", "settlement")
    assert str(world.amc.latitude) == "32.290001"
    assert audited("core.Site", world.amc.pk, "change")


def test_a_duplicate_site_code_is_refused_and_nothing_is_written(world):
    response = admin_client(world).post(
        f"/admin/sites/{world.amc.pk}/new/", {"name": "Second zone", "code": "hop-z1"}
    )
    assert response.status_code == 400
    assert "The code hop-z1 is used by another site." in text(response)
    assert not Site.objects.filter(name="Second zone").exists()


def test_an_empty_site_is_deleted_after_confirmation(world):
    spare = site_create(name="Spare", code="AMC-Z9", level="zone", parent=world.amc)
    client = admin_client(world)
    confirm = client.get(f"/admin/sites/{spare.pk}/delete/")
    assert confirm.status_code == 200 and Site.objects.filter(pk=spare.pk).exists()
    assert client.post(f"/admin/sites/{spare.pk}/delete/").status_code == 302
    assert not Site.objects.filter(pk=spare.pk).exists()
    assert audited("core.Site", spare.pk, "delete")


@pytest.mark.parametrize("holds", ["children", "household", "membership", "field submission"])
def test_a_site_with_anything_in_it_is_kept(world, holds):
    site = world.amc if holds == "children" else world.amc_block
    if holds == "household":
        register(world, world.amc_block)
    if holds == "membership":
        membership_add(
            user=world.user("registrar"),
            organisation=world.cma,
            role=Role.TRACING_OFFICER,
            sites=[site],
        )
    if holds == "field submission":  # names its site by path, with no foreign key
        Submission.objects.create(
            instance_id="uuid:grid",
            form_id="salama-vulnerability",
            form_version="1",
            xml="<data/>",
            xml_sha256="0" * 64,
            organisation=world.cma,
            site_path=site.path,
            status="review",
        )
    response = admin_client(world).post(f"/admin/sites/{site.pk}/delete/")
    assert response.status_code == 400
    expected = {
        "children": "has places below it",
        "household": "holds records",
        "membership": "is given to users in their memberships",
        "field submission": "holds records",
    }[holds]
    assert expected in text(response)
    assert Site.objects.filter(pk=site.pk).exists()


def test_site_names_follow_the_readers_language(world):
    world.amc.name_ar = "مخيم الأمل"
    world.amc.save()
    template = Template("{% load salama_tags %}{{ site|site_name }}")
    for language, expected in [("ar", "مخيم الأمل"), ("fr", "Amal"), ("en", "Amal")]:
        with translation.override(language):
            assert template.render(Context({"site": world.amc})) == expected
            assert str(world.amc) == expected


# --- Users ---


def test_the_user_list_is_searched_by_post_and_paginated(world):
    for n in range(30):
        user_create(
            username=f"clerk{n:02d}",
            password=PASSWORD,
            organisation=world.cma,
            role=Role.REGISTRATION_OFFICER,
            validate=False,
        )
    client = admin_client(world)
    first = client.get("/admin/users/")
    assert first.context["page"].paginator.count == 35
    assert first.context["page"].has_next()
    found = client.post("/admin/users/", {"q": "clerk2"})
    assert [u.username for u in found.context["page"]] == [f"clerk2{n}" for n in range(10)]
    assert "caseworker" not in text(client.post("/admin/users/", {"q": "case"}))
    partial = client.post("/admin/users/", {"q": "clerk", "page": "2"}, HTTP_HX_REQUEST="true")
    assert partial.context["page"].number == 2
    assert "<h1>" not in text(partial)


def new_user_form(world, **overrides):
    data = {
        "username": "nadia",
        "first_name": "Nadia",
        "last_name": "Haddad",
        "email": "nadia@example.org",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "organisation": world.cma.pk,
        "role": "registration_officer",
        "sites": [world.amc.pk],
    }
    data.update(overrides)
    return data


def test_a_user_is_created_with_a_first_membership_and_can_sign_in(world):
    response = admin_client(world).post("/admin/users/new/", new_user_form(world))
    assert response.status_code == 302
    user = User.objects.get(username="nadia")
    membership = user.memberships.get()
    assert (membership.organisation, membership.role) == (world.cma, "registration_officer")
    assert list(membership.sites.all()) == [world.amc]
    assert audited("auth.User", user.pk, "create")
    assert audited("core.Membership", membership.pk, "create")
    assert can_sign_in("nadia", NEW_PASSWORD)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password1": "short", "password2": "short"}, "This password is too short"),
        ({"password2": "something else entirely"}, "The two passwords differ."),
        ({"username": "Registrar"}, "The user name Registrar is taken."),
        ({"username": "bad name!"}, "Enter a valid username"),
        ({"role": "superuser"}, "Select a valid choice"),
    ],
)
def test_bad_input_for_a_new_user_is_named_and_nothing_is_written(world, overrides, message):
    before = User.objects.count(), Membership.objects.count()
    response = admin_client(world).post("/admin/users/new/", new_user_form(world, **overrides))
    assert response.status_code == 400
    assert message in text(response)
    assert (User.objects.count(), Membership.objects.count()) == before


def test_an_administrator_gives_only_their_own_organisation_and_sites(world):
    client = signed_in(world.user("admin_hop"))  # NGO, sites of Hope
    other_org = client.post(
        "/admin/users/new/", new_user_form(world, organisation=world.cma.pk, sites=[])
    )
    assert other_org.status_code == 400
    other_site = client.post(
        "/admin/users/new/",
        new_user_form(world, organisation=world.ngo.pk, sites=[world.amc.pk]),
    )
    assert other_site.status_code == 400
    assert not User.objects.filter(username="nadia").exists()
    ok = client.post(
        "/admin/users/new/",
        new_user_form(world, organisation=world.ngo.pk, sites=[world.hop_block.pk]),
    )
    assert ok.status_code == 302


def test_a_users_details_are_saved(world):
    registrar = world.user("registrar")
    response = admin_client(world).post(
        f"/admin/users/{registrar.pk}/",
        {"first_name": "Rana", "last_name": "Saleh", "email": "rana@example.org"},
    )
    assert response.status_code == 302
    registrar.refresh_from_db()
    assert registrar.get_full_name() == "Rana Saleh"
    assert audited("auth.User", registrar.pk, "change")


# --- Memberships ---


def test_memberships_are_added_changed_and_removed_with_confirmation(world):
    registrar = world.user("registrar")
    client = admin_client(world)
    added = client.post(
        f"/admin/users/{registrar.pk}/memberships/new/",
        {"organisation": world.cma.pk, "role": "tracing_officer", "sites": [world.hop.pk]},
    )
    assert added.status_code == 302
    membership = registrar.memberships.get(role="tracing_officer")
    changed = client.post(
        f"/admin/users/{registrar.pk}/memberships/{membership.pk}/",
        {"role": "civil_registrar", "sites": [world.amc.pk, world.hop.pk]},
    )
    assert changed.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "civil_registrar"
    assert set(membership.sites.all()) == {world.amc, world.hop}
    assert audited("core.Membership", membership.pk, "change")
    url = f"/admin/users/{registrar.pk}/memberships/{membership.pk}/remove/"
    assert client.get(url).status_code == 200
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert client.post(url).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert audited("core.Membership", membership.pk, "delete")


def test_the_same_role_twice_in_one_organisation_is_refused(world):
    registrar = world.user("registrar")
    response = admin_client(world).post(
        f"/admin/users/{registrar.pk}/memberships/new/",
        {"organisation": world.cma.pk, "role": "registration_officer", "sites": []},
    )
    assert response.status_code == 400
    assert "already has this role in CMA" in text(response)


def test_a_users_only_membership_is_not_removed(world):
    registrar = world.user("registrar")
    membership = registrar.memberships.get()
    response = admin_client(world).post(
        f"/admin/users/{registrar.pk}/memberships/{membership.pk}/remove/"
    )
    assert response.status_code == 400
    assert "Deactivate the user instead" in text(response)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_an_administrator_keeps_their_own_last_administrator_membership(world):
    admin = world.user("admin")
    own = admin.memberships.get()
    membership_add(user=admin, organisation=world.cma, role=Role.REGISTRATION_OFFICER)
    client = admin_client(world)
    removed = client.post(f"/admin/users/{admin.pk}/memberships/{own.pk}/remove/")
    assert removed.status_code == 400
    assert "your last administrator membership" in text(removed)
    demoted = client.post(
        f"/admin/users/{admin.pk}/memberships/{own.pk}/",
        {"role": "analyst", "sites": [world.country.pk]},
    )
    assert demoted.status_code == 400
    own.refresh_from_db()
    assert own.role == "administrator"


def test_changing_a_membership_keeps_sites_another_administrator_gave(world):
    registrar = world.user("registrar")
    membership = registrar.memberships.get()
    membership.sites.add(world.hop)
    outside = site_create(name="Elsewhere", code="XX", level="country")
    membership.sites.add(outside)
    admin_client(world).post(
        f"/admin/users/{registrar.pk}/memberships/{membership.pk}/",
        {"role": "registration_officer", "sites": [world.amc.pk]},
    )
    assert set(membership.sites.all()) == {world.amc, outside}


# --- Deactivation ---


def test_deactivation_ends_an_open_session_and_a_token_at_once(world):
    registrar = world.user("registrar")
    session = signed_in(registrar)
    _token, raw = api_token_create(user=with_two_factor(registrar), name="sync")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert session.get("/registry/persons/").status_code == 200
    assert Client().get("/api/v1/persons", **auth).status_code == 200
    session_key = session.session.session_key
    client = admin_client(world)
    confirm = client.get(f"/admin/users/{registrar.pk}/deactivate/")
    assert confirm.status_code == 200
    assert User.objects.get(pk=registrar.pk).is_active  # asking changes nothing
    assert client.post(f"/admin/users/{registrar.pk}/deactivate/").status_code == 302
    assert not Session.objects.filter(session_key=session_key).exists()
    assert session.get("/registry/persons/").status_code == 302  # to the login page
    assert Client().get("/api/v1/persons", **auth).status_code == 401
    assert ApiToken.objects.get(user=registrar).revoked
    assert audited("auth.User", registrar.pk, "change")
    # The administrator's own session is untouched.
    assert client.get("/admin/").status_code == 200


def test_an_administrator_cannot_deactivate_themselves(world):
    admin = world.user("admin")
    client = admin_client(world)
    page = client.get(f"/admin/users/{admin.pk}/")
    assert f"/admin/users/{admin.pk}/deactivate/" not in text(page)
    response = client.post(f"/admin/users/{admin.pk}/deactivate/")
    assert response.status_code == 400
    assert "You cannot deactivate yourself." in text(response)
    assert User.objects.get(pk=admin.pk).is_active


def test_a_reactivated_user_signs_in_again_but_old_tokens_stay_revoked(world):
    registrar = world.user("registrar")
    _token, raw = api_token_create(user=with_two_factor(registrar), name="sync")
    user_deactivate(user=registrar, actor=world.user("admin"))
    assert not can_sign_in("registrar", PASSWORD)
    client = admin_client(world)
    assert client.get(f"/admin/users/{registrar.pk}/reactivate/").status_code == 405
    assert client.post(f"/admin/users/{registrar.pk}/reactivate/").status_code == 302
    assert can_sign_in("registrar", PASSWORD)
    assert Client().get("/api/v1/persons", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


# --- Two-factor reset ---


def test_resetting_two_factor_makes_the_user_enrol_again(world, settings):
    settings.SALAMA_ENFORCE_2FA = True
    registrar = world.user("registrar")
    session = signed_in(registrar)  # has a confirmed device
    assert TOTPDevice.objects.filter(user=registrar).exists()
    client = admin_client(world)
    url = f"/admin/users/{registrar.pk}/two-factor/"
    assert client.get(url).status_code == 200
    assert TOTPDevice.objects.filter(user=registrar).exists()
    assert client.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=registrar).exists()
    assert session.get("/").status_code == 302  # their session has ended
    fresh = Client()
    fresh.post("/accounts/login/", {"username": "registrar", "password": PASSWORD})
    enrol = fresh.get("/accounts/2fa/")
    assert enrol.context["enrolling"] is True
    assert audited("otp_totp.TOTPDevice", registrar.pk, "delete")


# --- Field password ---


def test_a_field_password_is_set_for_a_role_that_sends_forms(world):
    caseworker = world.user("caseworker_hop")
    client = signed_in(world.user("admin_hop"))  # the caseworker's organisation (NGO) and site
    page = client.get(f"/admin/users/{caseworker.pk}/")
    assert f"/admin/users/{caseworker.pk}/field-password/" in text(page)
    response = client.post(
        f"/admin/users/{caseworker.pk}/field-password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    expected = digest.ha1("caseworker_hop", DIGEST_REALM, NEW_PASSWORD)
    assert FieldCredential.objects.get(user=caseworker).ha1 == expected
    assert audited("screening.FieldCredential", caseworker.pk, "change")


def test_a_field_password_is_refused_for_a_role_without_field_collection(world):
    registrar = world.user("registrar")
    client = admin_client(world)
    assert "field-password" not in text(client.get(f"/admin/users/{registrar.pk}/"))
    response = client.post(
        f"/admin/users/{registrar.pk}/field-password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert "None of this user's roles sends forms from the field." in text(response)
    assert not FieldCredential.objects.filter(user=registrar).exists()


# --- API tokens ---


def test_a_token_is_shown_once_listed_by_prefix_and_revoked(world):
    registrar = with_two_factor(world.user("registrar"))
    client = admin_client(world)
    shown = client.post(
        f"/admin/users/{registrar.pk}/tokens/new/", {"name": "Kobo sync", "scopes": ["read"]}
    )
    assert shown.status_code == 200
    raw = shown.context["raw"]
    assert raw in text(shown) and shown["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=registrar)
    assert token.digest == ApiToken.digest_of(raw) and token.last_used_at is None
    assert audited("core.ApiToken", token.pk, "create")
    assert Client().get("/api/v1/persons", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    detail = text(client.get(f"/admin/users/{registrar.pk}/"))
    assert token.prefix in detail and raw not in detail
    assert timezone.localtime(token.last_used_at).strftime("%Y-%m-%d %H:%M") in detail
    url = f"/admin/users/{registrar.pk}/tokens/{token.pk}/revoke/"
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert Client().get("/api/v1/persons", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert audited("core.ApiToken", token.pk, "change")


def test_reloading_the_shown_token_page_makes_no_second_token(world):
    """The one-time page answers the form's POST: a reload sent it again."""
    import re

    registrar = with_two_factor(world.user("registrar"))
    client = admin_client(world)
    url = f"/admin/users/{registrar.pk}/tokens/new/"
    once = re.search(r'name="once" value="([^"]+)"', text(client.get(url))).group(1)
    first = client.post(url, {"name": "Kobo sync", "once": once, "scopes": ["read"]})
    assert first.status_code == 200 and first.context["raw"]
    again = client.post(url, {"name": "Kobo sync", "once": once, "scopes": ["read"]}, follow=True)
    assert again.redirect_chain[-1][0] == f"/admin/users/{registrar.pk}/"
    assert "already created and shown once" in text(again)
    assert ApiToken.objects.filter(user=registrar).count() == 1


def test_a_token_expiry_must_be_in_the_future(world):
    registrar = world.user("registrar")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = admin_client(world).post(
        f"/admin/users/{registrar.pk}/tokens/new/", {"name": "old", "expires_on": yesterday}
    )
    assert response.status_code == 400
    assert "Choose a day after today." in text(response)
    assert not ApiToken.objects.filter(user=registrar).exists()


def test_a_token_needs_an_owner_with_two_factor_and_expires_by_default(world):
    registrar = world.user("registrar")
    client = admin_client(world)
    url = f"/admin/users/{registrar.pk}/tokens/new/"
    detail = text(client.get(f"/admin/users/{registrar.pk}/"))
    assert "once this user has set up two-factor login" in detail and url not in detail
    refused = client.post(url, {"name": "sync", "scopes": ["read", "write"]})
    assert refused.status_code == 400 and "has no two-factor device" in text(refused)
    assert not ApiToken.objects.filter(user=registrar).exists()
    with_two_factor(registrar)
    too_long = (timezone.localdate() + timedelta(days=400)).isoformat()
    refused = client.post(url, {"name": "sync", "scopes": ["read"], "expires_on": too_long})
    assert refused.status_code == 400 and "at most 365 days" in text(refused)
    made = client.post(url, {"name": "sync", "scopes": ["read", "write"]})
    assert made.status_code == 200
    token = ApiToken.objects.get(user=registrar)
    assert token.scopes == ["read", "write"]
    days = (token.expires_at - timezone.now()).total_seconds() / 86400
    assert 89.9 < days <= 90


def test_the_apitoken_command_needs_two_factor_and_sets_scopes(world):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="two-factor"):
        call_command("apitoken", "registrar", "--name", "sync")
    with_two_factor(world.user("registrar"))
    call_command("apitoken", "registrar", "--name", "sync", "--scope", "write", "--days", "7")
    token = ApiToken.objects.get(user=world.user("registrar"))
    assert token.scopes == ["write"] and (token.expires_at - timezone.now()).days == 6


def test_a_tokens_last_use_is_written_at_most_once_a_minute(world):
    token, raw = api_token_create(user=with_two_factor(world.user("registrar")), name="t")
    recent = timezone.now() - timedelta(seconds=20)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    Client().get("/api/v1/persons", HTTP_AUTHORIZATION=f"Bearer {raw}")
    token.refresh_from_db()
    assert token.last_used_at == recent
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent - timedelta(minutes=1))
    Client().get("/api/v1/persons", HTTP_AUTHORIZATION=f"Bearer {raw}")
    token.refresh_from_db()
    assert token.last_used_at > recent


# --- Users of several organisations ---


def test_another_organisations_staff_cannot_be_locked_out(world):
    """CMA's administrator sees a user who also works for the NGO, and manages
    the CMA membership, but not the account the NGO depends on."""
    caseworker = world.user("caseworker")
    membership_add(user=caseworker, organisation=world.cma, role=Role.TRACING_OFFICER)
    client = admin_client(world)
    page = client.get(f"/admin/users/{caseworker.pk}/")
    assert page.status_code == 200
    assert [m.organisation for m in page.context["memberships"]] == [world.cma]
    assert page.context["manages_account"] is False
    for action in ("deactivate", "two-factor", "field-password", "tokens/new"):
        assert client.post(f"/admin/users/{caseworker.pk}/{action}/").status_code == 404
    ngo_membership = caseworker.memberships.get(organisation=world.ngo)
    url = f"/admin/users/{caseworker.pk}/memberships/{ngo_membership.pk}/remove/"
    assert client.post(url).status_code == 404
    assert User.objects.get(pk=caseworker.pk).is_active


def test_the_household_and_person_pages_name_the_site_in_the_readers_language(world):
    world.amc_block.name_ar = "الأمل ١أ"
    world.amc_block.save()
    household = register(world, world.amc_block)
    client = admin_client(world)
    for url in (
        f"/registry/households/{household.pk}/",
        f"/registry/persons/{household.members.get().pk}/",
    ):
        arabic = text(client.get(url, HTTP_ACCEPT_LANGUAGE="ar"))
        assert "الأمل ١أ" in arabic and "Amal Z1A" not in arabic
        assert "Amal Z1A" in text(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))


def test_a_superuser_needs_an_administrator_membership_to_administer(world):
    system = user_create(
        username="root",
        password=PASSWORD,
        organisation=world.un,
        role=Role.ADMINISTRATOR,
        superuser=True,
    )
    bare = user_create(
        username="flagonly",
        password=PASSWORD,
        organisation=world.un,
        role=Role.ANALYST,
        superuser=True,
    )
    client = signed_in(system)
    assert len(client.get("/admin/organisations/").context["organisations"]) == 3
    assert client.get(f"/admin/users/{world.user('caseworker').pk}/").status_code == 200
    assert audited("auth.User", system.pk, "create")
    assert signed_in(bare).get("/admin/").status_code == 404


def test_an_account_on_sites_beyond_the_administrators_is_not_theirs_to_manage(world):
    """The NGO's administrator of Hope sees the NGO's caseworker of Amal, but
    cannot give them a token or field password (that would reach Amal), nor
    deactivate them."""
    caseworker = world.user("caseworker")
    client = signed_in(world.user("admin_hop"))
    page = client.get(f"/admin/users/{caseworker.pk}/")
    assert page.status_code == 200 and page.context["manages_account"] is False
    for action in ("deactivate", "two-factor", "field-password", "tokens/new"):
        assert client.post(f"/admin/users/{caseworker.pk}/{action}/").status_code == 404
    assert not ApiToken.objects.filter(user=caseworker).exists()


def test_only_a_system_administrator_manages_a_system_administrator(world):
    registrar = world.user("registrar")
    registrar.is_superuser = True
    registrar.save(update_fields=["is_superuser"])
    client = admin_client(world)
    assert client.post(f"/admin/users/{registrar.pk}/deactivate/").status_code == 404
    make_system_administrator(world)
    assert admin_client(world).post(f"/admin/users/{registrar.pk}/deactivate/").status_code == 302

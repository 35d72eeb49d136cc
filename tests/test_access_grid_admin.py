"""The administration pages in the access grid: every persona x every
administration endpoint x a target of their own organisation (and sites) or
of another. Only an administrator reaches their own organisation's
organisation, users, memberships, tokens and sites; everyone else, and every
other target, gets 404, through the pages as a person would use them."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from salama.core.actions import api_token_create, membership_add, site_create
from salama.core.models import ApiToken, Membership, Organisation, Site
from salama.core.roles import Role
from tests.conftest import PERSONAS, signed_in, with_two_factor

ADMINISTRATORS = {"admin", "admin_hop", "admin_un"}

# Whose organisation is "other" for each organisation, and the user and site
# that stand for an organisation's own (its administrators' sites).
OTHER_ORG = {"cma": "ngo", "ngo": "cma", "un": "cma"}
TARGET_USER = {"cma": "civilregistrar", "ngo": "caseworker_hop", "un": "tracer"}
OWN_SITE = {"cma": "amc", "ngo": "hop", "un": "amc"}


@dataclass
class Target:
    organisation: Organisation
    user: User
    membership: Membership
    token: ApiToken
    site: Site


def target(world, org: str, site: Site) -> Target:
    user = world.user(TARGET_USER[org])
    organisation = getattr(world, org)
    # A second membership, so that removing one is allowed for its administrator.
    second = membership_add(user=user, organisation=organisation, role=Role.ANALYST)
    token, _raw = api_token_create(user=with_two_factor(user), name="grid")
    return Target(organisation, user, second, token, site)


def targets(world, persona: str, side: str) -> Target:
    org = PERSONAS[persona][1]
    if side == "own":
        return target(world, org, getattr(world, OWN_SITE[org]))
    # A site outside the persona's scope: Amal for the NGO's, Hope for the UN's,
    # another country for CMA's.
    other_site = (
        site_create(
            name="Elsewhere camp",
            code="XX-1",
            level="site",
            parent=site_create(name="Elsewhere", code="XX", level="country"),
        )
        if org == "cma"
        else world.hop
        if org == "un"
        else world.amc
    )
    return target(world, OTHER_ORG[org], other_site)


def pages(t: Target) -> list[str]:
    u, m = t.user.pk, t.membership.pk
    return [
        f"/admin/organisations/{t.organisation.pk}/",
        f"/admin/sites/{t.site.pk}/",
        f"/admin/sites/{t.site.pk}/new/",
        f"/admin/sites/{t.site.pk}/delete/",
        f"/admin/users/{u}/",
        f"/admin/users/{u}/deactivate/",
        f"/admin/users/{u}/two-factor/",
        f"/admin/users/{u}/field-password/",
        f"/admin/users/{u}/memberships/new/",
        f"/admin/users/{u}/memberships/{m}/",
        f"/admin/users/{u}/memberships/{m}/remove/",
        f"/admin/users/{u}/tokens/new/",
        f"/admin/users/{u}/tokens/{t.token.pk}/revoke/",
    ]


OVERVIEWS = [
    "/admin/",
    "/admin/organisations/",
    "/admin/sites/",
    "/admin/users/",
    "/admin/users/new/",
]


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_overview_pages(world, persona):
    client = signed_in(world.user(persona))
    expected = 200 if persona in ADMINISTRATORS else 404
    assert {url: client.get(url).status_code for url in OVERVIEWS} == dict.fromkeys(
        OVERVIEWS, expected
    )


@pytest.mark.parametrize("side", ["own", "other"])
@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_pages_about_a_target(world, persona, side):
    t = targets(world, persona, side)
    client = signed_in(world.user(persona))
    expected = 200 if persona in ADMINISTRATORS and side == "own" else 404
    urls = pages(t)
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, expected)


@pytest.mark.parametrize("side", ["own", "other"])
@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_writes_about_a_target(world, persona, side):
    """Each destructive write and a plain one: done (redirect) only by the
    target's own administrator; for anyone else 404 and nothing changes."""
    t = targets(world, persona, side)
    client = signed_in(world.user(persona))
    allowed = persona in ADMINISTRATORS and side == "own"
    u = t.user.pk
    writes = {
        f"/admin/organisations/{t.organisation.pk}/": {
            "name": "Renamed",
            "short_name": t.organisation.short_name,
            "kind": t.organisation.kind,
        },
        f"/admin/sites/{t.site.pk}/": {"name": "Renamed site", "code": t.site.code},
        f"/admin/users/{u}/tokens/{t.token.pk}/revoke/": {},
        f"/admin/users/{u}/memberships/{t.membership.pk}/remove/": {},
        f"/admin/users/{u}/two-factor/": {},
        f"/admin/users/{u}/deactivate/": {},
        f"/admin/users/{u}/reactivate/": {},
    }
    statuses = {url: client.post(url, data).status_code for url, data in writes.items()}
    assert statuses == dict.fromkeys(writes, 302 if allowed else 404)
    t.token.refresh_from_db()
    t.organisation.refresh_from_db()
    t.site.refresh_from_db()
    assert t.token.revoked == allowed
    assert Membership.objects.filter(pk=t.membership.pk).exists() != allowed
    assert (t.organisation.name == "Renamed") == allowed
    assert (t.site.name == "Renamed site") == allowed
    assert User.objects.get(pk=u).is_active  # reactivated by the one who deactivated

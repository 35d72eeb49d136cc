"""The service directory's pages and API in the access grid: every persona x
every endpoint. The directory is not personal data: every signed-in user
reads it. Only keepers (Perm.SERVICE_KEEP: protection officers and
administrators) change it, and only at their own sites: anyone else, a keeper
of another site included, gets 404, never 403."""

import pytest
from django.test import Client

from salama.cases import directory
from salama.cases.models import PathwayStep, Service
from tests.conftest import PERSONAS, signed_in

EVERYONE = set(PERSONAS)
# Hold SERVICE_KEEP somewhere.
KEEPERS = {"protection", "protection_un", "admin", "admin_hop", "admin_un"}
# Hold it at Amal (their site, or the country above it).
AMAL_KEEPERS = {"protection", "protection_un", "admin", "admin_un"}
HOPE_KEEPERS = {"admin", "admin_hop"}


def fields(world, **overrides):
    return {
        "name": "Clinic",
        "service_type": "health",
        "organisation": world.un,
        "accepts_children": True,
        **overrides,
    }


@pytest.fixture
def amal(world):
    service = directory.service_save(user=world.user("admin"), site=world.amc, data=fields(world))
    step = directory.pathway_step_add(
        user=world.user("admin"),
        site=world.amc,
        case_type="gbv",
        for_children=False,
        service=service,
    )
    return service, step


@pytest.fixture
def hope(world):
    return directory.service_save(
        user=world.user("admin"), site=world.hop, data=fields(world, name="Hope clinic")
    )


def pages(amal, hope):
    service, _step = amal
    return {
        "/cases/directory/": EVERYONE,
        "/cases/directory/?site=AMC&service_type=health&organisation=UNA&q=cl": EVERYONE,
        f"/cases/directory/{service.pk}/": EVERYONE,
        f"/cases/directory/{hope.pk}/": EVERYONE,
        "/cases/directory/pathways/": EVERYONE,
        "/cases/directory/pathways/?site=AMC": EVERYONE,
        "/cases/directory/pathways/?site=HOP": EVERYONE,
        "/cases/directory/new/": KEEPERS,
        f"/cases/directory/{service.pk}/edit/": AMAL_KEEPERS,
        f"/cases/directory/{service.pk}/deactivate/": AMAL_KEEPERS,
        f"/cases/directory/{hope.pk}/edit/": HOPE_KEEPERS,
        f"/cases/directory/{hope.pk}/deactivate/": HOPE_KEEPERS,
        "/api/v1/services": EVERYONE,
        "/api/v1/services?site=HOP&organisation=UNA&service_type=health": EVERYONE,
    }


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_every_persona_reaches_only_its_directory_pages(world, amal, hope, name):
    client = signed_in(world.user(name))
    grid = pages(amal, hope)
    answers = {path: client.get(path).status_code for path in grid}
    assert {p for p, status in answers.items() if status == 200} == {
        p for p, allowed in grid.items() if name in allowed
    }
    assert {status for p, status in answers.items() if name not in grid[p]} <= {404}


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_only_amals_keepers_change_amals_directory_and_pathways(world, amal, hope, name):
    service, step = amal
    client = signed_in(world.user(name))
    allowed = name in AMAL_KEEPERS
    expected = 302 if allowed else 404
    form = {
        "site": world.amc.pk,
        "organisation": world.un.pk,
        "name": "Renamed",
        "service_type": "health",
        "staff_gender": "mixed",
        "answer_within_hours": 48,
        "accepts_children": "on",
    }
    assert client.post(f"/cases/directory/{service.pk}/edit/", form).status_code == expected
    service.refresh_from_db()
    assert (service.name == "Renamed") == allowed
    add = {"site": "AMC", "case_type": "trafficking", "service": str(service.pk)}
    assert client.post("/cases/directory/pathways/add/", add).status_code == expected
    assert PathwayStep.objects.filter(case_type="trafficking").exists() == allowed
    move = client.post(f"/cases/directory/pathways/{step.pk}/move/", {"direction": "down"})
    assert move.status_code == expected
    assert client.post(f"/cases/directory/pathways/{step.pk}/remove/").status_code == expected
    assert PathwayStep.objects.filter(pk=step.pk).exists() == (not allowed)
    response = client.post(f"/cases/directory/{service.pk}/deactivate/", {"confirmed": "1"})
    assert response.status_code == expected
    service.refresh_from_db()
    assert service.active == (not allowed)


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_a_service_is_added_only_at_a_site_the_keeper_keeps(world, name):
    client = signed_in(world.user(name))
    form = {
        "site": world.hop.pk,
        "organisation": world.cma.pk,
        "name": "Hope food point",
        "service_type": "food",
        "staff_gender": "mixed",
        "answer_within_hours": 48,
    }
    status = client.post("/cases/directory/new/", form).status_code
    # A keeper of Amal only is shown the form again (Hope is not a choice).
    assert status == (302 if name in HOPE_KEEPERS else 422 if name in KEEPERS else 404)
    assert Service.objects.filter(name="Hope food point").exists() == (name in HOPE_KEEPERS)


def test_a_visitor_without_an_account_is_sent_to_sign_in(world, amal, hope):
    client = Client()
    for path in pages(amal, hope):
        response = client.get(path)
        if path.startswith("/api/"):
            assert response.status_code == 401, path
        else:
            assert response.status_code == 302, path
            assert response["Location"].startswith("/accounts/login/"), path
    service, step = amal
    response = client.post(f"/cases/directory/{service.pk}/deactivate/", {"confirmed": "1"})
    assert response.status_code == 302
    response = client.post(f"/cases/directory/pathways/{step.pk}/remove/")
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.active and PathwayStep.objects.filter(pk=step.pk).exists()


def test_unknown_or_malformed_ids_are_not_found(world, amal):
    client = signed_in(world.user("admin"))
    for path in (
        "/cases/directory/not-a-uuid/",
        "/cases/directory/9e0f7d8c-0000-4000-8000-000000000000/edit/",
        "/cases/directory/not-a-uuid/deactivate/",
    ):
        assert client.get(path).status_code == 404, path
    for path in ("/cases/directory/pathways/x/remove/", "/cases/directory/pathways/999/move/"):
        assert client.post(path).status_code == 404, path

"""The service directory and the referral pathways (issue 11, section 1):
keepers' writes and their errors, the pathway lookup, the pages and
GET /api/v1/services."""

from typing import Any

import pytest
from django.test import Client

from salama.audit.models import AuditEntry
from salama.cases import directory
from salama.cases.directory import DirectoryError
from salama.cases.models import PathwayStep, Service
from salama.cases.selectors import pathway_steps
from salama.core.actions import site_create
from tests.conftest import bearer, signed_in


def data(world, **overrides):
    fields = {
        "name": "Women's clinic",
        "service_type": "clinical_rape",
        "organisation": world.un,
        "languages": "ar, FR,en",
        "hours": "08:00-16:00",
        "capacity": 12,
        "contact": "Clinic desk, Block C",
        "accepts_children": True,
        "staff_gender": "female",
        "answer_within_hours": 24,
    }
    fields.update(overrides)
    return fields


def add(world, site=None, user="protection", **overrides):
    return directory.service_save(
        user=world.user(user), site=site or world.amc, data=data(world, **overrides)
    )


def step(world, service, site=None, case_type="trafficking", for_children=False, user="admin"):
    return directory.pathway_step_add(
        user=world.user(user),
        site=site or world.amc,
        case_type=case_type,
        for_children=for_children,
        service=service,
    )


# ---- Writes ----


def test_a_keeper_adds_a_service_of_another_organisation_at_their_site(world):
    service = add(world)
    assert service.site == world.amc and service.site_path == world.amc.path
    assert service.organisation == world.un and service.created_by == world.user("protection")
    assert service.languages == "ar, fr, en"
    entry = AuditEntry.objects.get(model="cases.Service", record_id=str(service.pk))
    assert entry.action == "create" and entry.purpose == "protection"


def test_a_keeper_changes_a_service_and_the_audit_names_the_fields(world):
    service = add(world)
    changed = directory.service_save(
        user=world.user("protection"),
        site=world.amc,
        data=data(world, hours="24 hours", capacity=None),
        service=service,
    )
    assert changed.hours == "24 hours" and changed.capacity is None
    entry = AuditEntry.objects.get(model="cases.Service", action="update")
    assert entry.changed_fields == ["capacity", "hours"]


def test_a_keeper_cannot_put_a_service_at_a_site_they_do_not_keep(world):
    with pytest.raises(DirectoryError, match="do not keep") as caught:
        add(world, site=world.hop)
    assert caught.value.field == "site"
    # A caseworker keeps no directory at all.
    with pytest.raises(DirectoryError):
        add(world, user="caseworker")
    assert not Service.objects.exists()


def test_a_keeper_cannot_change_or_move_a_service_of_another_site(world):
    at_hope = add(world, site=world.hop, user="admin_hop")
    with pytest.raises(DirectoryError, match="do not keep"):
        directory.service_save(
            user=world.user("protection"), site=world.amc, data=data(world), service=at_hope
        )
    with pytest.raises(DirectoryError, match="do not keep"):
        directory.service_deactivate(user=world.user("protection"), service=at_hope)
    at_hope.refresh_from_db()
    assert at_hope.site == world.hop and at_hope.active


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"service_type": "haircut"}, "service_type"),
        ({"organisation": None}, "organisation"),
        ({"staff_gender": "robots"}, "staff_gender"),
        ({"capacity": -1}, "capacity"),
        ({"capacity": "12"}, "capacity"),
        ({"answer_within_hours": 0}, "answer_within_hours"),
        ({"answer_within_hours": 10_000}, "answer_within_hours"),
    ],
)
def test_a_bad_service_is_refused_naming_the_field_and_nothing_is_written(world, overrides, field):
    with pytest.raises(DirectoryError) as caught:
        add(world, **overrides)
    assert caught.value.field == field and str(caught.value)
    assert not Service.objects.exists()
    assert not AuditEntry.objects.filter(model="cases.Service").exists()


def test_a_deactivated_service_leaves_the_directory_and_its_pathways(world):
    first, second = add(world, name="Clinic"), add(world, name="Shelter")
    step(world, first)
    later = step(world, second)
    directory.service_deactivate(user=world.user("protection"), service=first)
    first.refresh_from_db()
    assert not first.active and Service.objects.filter(pk=first.pk).exists()
    later.refresh_from_db()
    assert later.rank == 1 and list(PathwayStep.objects.all()) == [later]
    with pytest.raises(DirectoryError, match="no longer"):
        directory.service_deactivate(user=world.user("protection"), service=first)
    with pytest.raises(DirectoryError, match="no longer"):
        directory.service_save(
            user=world.user("protection"), site=world.amc, data=data(world), service=first
        )


def test_no_longer_accepting_children_is_refused_while_in_a_childrens_pathway(world):
    service = add(world)
    step(world, service, for_children=True)
    with pytest.raises(DirectoryError, match="children") as caught:
        directory.service_save(
            user=world.user("protection"),
            site=world.amc,
            data=data(world, accepts_children=False, hours="changed too"),
            service=service,
        )
    assert caught.value.field == "accepts_children"
    service.refresh_from_db()
    assert service.accepts_children and service.hours == "08:00-16:00"


def test_moving_a_service_away_from_the_pathways_that_call_it_is_refused(world):
    service = add(world, user="admin")
    step(world, service)
    with pytest.raises(DirectoryError, match="pathways of AMC"):
        directory.service_save(
            user=world.user("admin"), site=world.hop, data=data(world), service=service
        )
    service.refresh_from_db()
    assert service.site == world.amc


# ---- Pathways ----


def test_steps_are_added_in_order_moved_and_removed(world):
    a, b, c = (add(world, name=n) for n in "ABC")
    steps = [step(world, s, user="protection") for s in (a, b, c)]
    assert [s.rank for s in steps] == [1, 2, 3]
    directory.pathway_step_move(user=world.user("protection"), step=steps[2], direction="up")
    assert [s.service.name for s in pathway_steps(world.amc.path, "trafficking", False)] == [
        "A",
        "C",
        "B",
    ]
    with pytest.raises(DirectoryError, match="already first"):
        directory.pathway_step_move(user=world.user("protection"), step=steps[0], direction="up")
    with pytest.raises(DirectoryError):
        directory.pathway_step_move(
            user=world.user("protection"), step=steps[0], direction="sideways"
        )
    directory.pathway_step_remove(user=world.user("protection"), step=steps[0])
    found = list(pathway_steps(world.amc.path, "trafficking", False))
    assert [(s.service.name, s.rank) for s in found] == [("C", 1), ("B", 2)]
    assert AuditEntry.objects.filter(model="cases.PathwayStep", action="delete").count() == 1


@pytest.mark.parametrize(
    ("overrides", "for_children", "message"),
    [
        ({"accepts_children": False}, True, "does not accept children"),
        ({"service_type": "law_enforcement"}, False, "police"),
    ],
)
def test_a_step_the_pathway_cannot_have_is_refused(world, overrides, for_children, message):
    service = add(world, **overrides)
    with pytest.raises(DirectoryError, match=message):
        step(world, service, for_children=for_children)
    assert not PathwayStep.objects.exists()


def test_a_service_is_in_a_pathway_once_and_only_a_reachable_one(world):
    service = add(world)
    step(world, service)
    with pytest.raises(DirectoryError, match="already"):
        step(world, service)
    with pytest.raises(DirectoryError, match="above or below"):
        step(world, service, site=world.hop)
    with pytest.raises(DirectoryError, match="case type"):
        step(world, service, case_type="burglary")
    assert PathwayStep.objects.count() == 1


def test_a_keeper_changes_only_the_pathways_of_their_sites(world):
    at_hope = add(world, site=world.hop, user="admin_hop")
    with pytest.raises(DirectoryError, match="do not keep"):
        step(world, at_hope, site=world.hop, user="protection")
    hope_step = step(world, at_hope, site=world.hop, user="admin_hop")
    with pytest.raises(DirectoryError, match="do not keep"):
        directory.pathway_step_remove(user=world.user("protection"), step=hope_step)
    with pytest.raises(DirectoryError, match="do not keep"):
        directory.pathway_step_move(user=world.user("protection"), step=hope_step, direction="up")
    assert PathwayStep.objects.filter(pk=hope_step.pk).exists()


def test_a_child_follows_the_childrens_pathway_and_an_adult_the_general_one(world):
    shelter = add(world, name="Shelter", service_type="safe_shelter")
    cp = add(world, name="Child protection", service_type="child_protection")
    step(world, shelter)
    step(world, cp, for_children=True)
    step(world, shelter, for_children=True)
    adult = [s.service.name for s in pathway_steps(world.amc_block.path, "trafficking", False)]
    child = [s.service.name for s in pathway_steps(world.amc_block.path, "trafficking", True)]
    assert adult == ["Shelter"] and child == ["Child protection", "Shelter"]
    # No children's pathway for GBV: a child follows the general one.
    step(world, shelter, case_type="gbv")
    assert [s.service.name for s in pathway_steps(world.amc.path, "gbv", True)] == ["Shelter"]


def test_the_nearest_sites_pathway_applies(world):
    national = add(world, site=world.country, user="admin", name="National hotline")
    local = add(world, name="Amal clinic")
    step(world, national, site=world.country)
    assert [s.service for s in pathway_steps(world.hop.path, "trafficking", False)] == [national]
    step(world, local)
    assert [s.service for s in pathway_steps(world.amc_block.path, "trafficking", False)] == [local]
    assert [s.service for s in pathway_steps(world.hop_block.path, "trafficking", False)] == [
        national
    ]


# ---- Pages ----


def test_every_signed_in_user_reads_the_directory_filtered(world):
    add(world, name="Women's clinic")
    add(world, name="Legal aid desk", service_type="legal_aid", organisation=world.ngo)
    add(world, site=world.hop, user="admin_hop", name="Hope shelter", service_type="safe_shelter")
    client = signed_in(world.user("registrar"))
    page = client.get("/cases/directory/").content.decode()
    assert "Women&#x27;s clinic" in page and "Hope shelter" in page
    page = client.get("/cases/directory/?site=AMC&organisation=PNGO").content.decode()
    assert (
        "Legal aid desk" in page
        and "Women&#x27;s clinic" not in page
        and "Hope shelter" not in page
    )
    page = client.get("/cases/directory/?q=shel").content.decode()
    assert "Hope shelter" in page and "Legal aid desk" not in page
    rows = client.get("/cases/directory/?service_type=legal_aid", HTTP_HX_REQUEST="true")
    assert b"<html" not in rows.content and b"Legal aid desk" in rows.content
    assert b"Hope shelter" not in rows.content


def test_the_directory_is_paginated(world):
    for n in range(30):
        add(world, name=f"Service {n:02d}")
    client = signed_in(world.user("caseworker"))
    first = client.get("/cases/directory/").content.decode()
    second = client.get("/cases/directory/?page=2").content.decode()
    assert "Service 00" in first and "Service 29" not in first
    assert "Service 29" in second and "Page 2 of 2" in second


def test_a_keeper_adds_and_changes_a_service_through_the_form(world):
    client = signed_in(world.user("protection"))
    form = {
        "site": world.amc.pk,
        "organisation": world.cma.pk,
        "name": "Distribution point",
        "service_type": "food",
        "staff_gender": "mixed",
        "answer_within_hours": 48,
    }
    assert client.get("/cases/directory/new/?site=AMC").status_code == 200
    response = client.post("/cases/directory/new/", form)
    service = Service.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/directory/{service.pk}/"
    response = client.post(f"/cases/directory/{service.pk}/edit/", {**form, "hours": "Mondays"})
    service.refresh_from_db()
    assert response.status_code == 302 and service.hours == "Mondays"
    # A site the keeper does not keep is not a choice.
    response = client.post("/cases/directory/new/", {**form, "site": world.hop.pk})
    assert response.status_code == 422 and Service.objects.count() == 1


def test_a_refused_change_comes_back_with_the_message_on_its_field(world):
    service = add(world)
    step(world, service, for_children=True)
    client = signed_in(world.user("protection"))
    form = {**data(world), "site": world.amc.pk, "organisation": world.un.pk}
    form.pop("accepts_children")
    response = client.post(f"/cases/directory/{service.pk}/edit/", form)
    assert response.status_code == 422
    assert b"pathway for children" in response.content


def test_deactivating_asks_first(world):
    service = add(world)
    client = signed_in(world.user("protection"))
    asked = client.get(f"/cases/directory/{service.pk}/deactivate/")
    assert asked.status_code == 200 and b'name="confirmed"' in asked.content
    client.post(f"/cases/directory/{service.pk}/deactivate/")  # not confirmed
    service.refresh_from_db()
    assert service.active
    response = client.post(f"/cases/directory/{service.pk}/deactivate/", {"confirmed": "1"})
    service.refresh_from_db()
    assert response.status_code == 302 and not service.active
    assert client.get(f"/cases/directory/{service.pk}/").status_code == 404


def test_the_pathways_page_shows_each_case_type_and_keepers_change_it(world):
    a, b = add(world, name="Clinic A"), add(world, name="Shelter B")
    client = signed_in(world.user("protection"))
    response = client.post(
        "/cases/directory/pathways/add/",
        {"site": "AMC", "case_type": "trafficking", "service": str(a.pk), "for_children": "on"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/cases/directory/pathways/?site=AMC#trafficking-child"
    client.post(
        "/cases/directory/pathways/add/",
        {"site": "AMC", "case_type": "trafficking", "service": str(b.pk), "for_children": "on"},
    )
    second = PathwayStep.objects.get(service=b)
    client.post(f"/cases/directory/pathways/{second.pk}/move/", {"direction": "up"})
    child = [s.service for s in pathway_steps(world.amc.path, "trafficking", True)]
    assert child == [b, a]
    page = client.get("/cases/directory/pathways/?site=AMC").content.decode()
    assert 'id="trafficking-child"' in page and 'id="gbv-all"' in page and "add-step" in page
    # Hope follows nothing; a reader sees the page without the keepers' forms.
    reader = signed_in(world.user("caseworker")).get("/cases/directory/pathways/?site=AMC")
    assert reader.status_code == 200 and b"add-step" not in reader.content
    assert b"Shelter B" in reader.content
    client.post(f"/cases/directory/pathways/{second.pk}/remove/")
    assert not PathwayStep.objects.filter(pk=second.pk).exists()


def test_a_refused_step_comes_back_with_its_message(world):
    police = add(world, name="Police post", service_type="law_enforcement")
    client = signed_in(world.user("protection"))
    response = client.post(
        "/cases/directory/pathways/add/",
        {"site": "AMC", "case_type": "gbv", "service": str(police.pk)},
    )
    assert response.status_code == 422 and b"never a step" in response.content
    assert not PathwayStep.objects.exists()


def test_an_unknown_site_on_the_pathways_page_is_not_found(world):
    client = signed_in(world.user("caseworker"))
    assert client.get("/cases/directory/pathways/?site=NOPE").status_code == 404
    assert client.get("/cases/directory/pathways/").status_code == 200


# ---- API ----


@pytest.fixture
def services(world):
    return {
        "clinic": add(world),
        "legal": add(world, name="Legal aid", service_type="legal_aid", organisation=world.ngo),
        "hope": add(world, site=world.hop, user="admin_hop", name="Hope shelter"),
        "national": add(world, site=world.country, user="admin", name="Hotline"),
    }


def api(world, query="", user="caseworker"):
    auth: dict[str, Any] = bearer(world.user(user), ("read",))
    return Client().get(f"/api/v1/services{query}", **auth)


def test_the_api_lists_the_directory_with_ids_and_organisations(world, services):
    response = api(world)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4 and body["pages"] == 1
    clinic = next(i for i in body["items"] if i["id"] == str(services["clinic"].pk))
    assert clinic == {
        "id": str(services["clinic"].pk),
        "name": "Women's clinic",
        "service_type": "clinical_rape",
        "organisation": "UNA",
        "site": "AMC",
        "languages": "ar, fr, en",
        "hours": "08:00-16:00",
        "capacity": 12,
        "contact": "Clinic desk, Block C",
        "accepts_children": True,
        "staff_gender": "female",
        "answer_within_hours": 24,
    }


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("?site=AMC", {"Women's clinic", "Legal aid", "Hotline"}),
        ("?site=hop", {"Hope shelter", "Hotline"}),
        ("?site=AMC-Z1A", {"Women's clinic", "Legal aid", "Hotline"}),
        ("?service_type=legal_aid", {"Legal aid"}),
        ("?organisation=PNGO", {"Legal aid"}),
        ("?site=HOP&organisation=UNA&service_type=clinical_rape", {"Hope shelter", "Hotline"}),
    ],
)
def test_the_api_filters(world, services, query, names):
    assert {i["name"] for i in api(world, query).json()["items"]} == names


def test_the_api_pages(world, services):
    body = api(world, "?page_size=3&page=2").json()
    assert body["count"] == 4 and body["pages"] == 2 and len(body["items"]) == 1


def test_a_deactivated_service_is_not_listed(world, services):
    directory.service_deactivate(user=world.user("admin"), service=services["hope"])
    assert "Hope shelter" not in {i["name"] for i in api(world).json()["items"]}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?site=Zqvbad", "site"),
        ("?organisation=Zqvbad", "organisation"),
        ("?service_type=Zqvbad", "service_type"),
    ],
)
def test_a_bad_filter_answers_422_naming_it_without_repeating_it(world, services, query, field):
    response = api(world, query)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["errors"][0]["field"] == field
    assert "Zqvbad" not in response.content.decode()


@pytest.mark.parametrize("query", ["?page=0", "?page_size=1000", "?page=x", f"?site={'A' * 30}"])
def test_out_of_range_paging_or_long_values_answer_422(world, services, query):
    assert api(world, query).status_code == 422


def test_the_api_needs_a_token_or_a_session(world, services):
    assert Client().get("/api/v1/services").status_code == 401
    assert signed_in(world.user("analyst")).get("/api/v1/services").status_code == 200


def test_a_country_level_service_shows_on_a_camp_that_was_added_later(world, services):
    new_camp = site_create(name="Later", code="LTR", level="site", parent=world.country)
    assert {i["name"] for i in api(world, f"?site={new_camp.code}").json()["items"]} == {"Hotline"}


def test_the_apis_service_types_are_the_models():
    from salama.cases.api_directory import SERVICE_TYPE_CODES
    from salama.cases.models import ServiceType

    assert list(SERVICE_TYPE_CODES) == list(ServiceType.values)

"""The organisation axis of the access grid (role x endpoint x site x
organisation), through the pages and the API.

Case data (screenings, alerts, field submissions) belongs to the organisation
that made it: another organisation's members at the same site, whatever their
role, get 404 (PROTECTION.md 7). The camp registry is read by every member of
the site whose role allows it, but changed only by the organisation that
registered the household or the one keeping the camp's registry, and deleted
only by the registering organisation's administrator."""

import json

import pytest

from salama.core.models import Site
from salama.registry.models import Person
from salama.screening import actions as screening_actions
from salama.screening.models import Alert, Submission
from tests.conftest import bearer, signed_in

# At Amal, the NGO's caseworker screens; these are the NGO's own.
CASE_DATA_READERS = {"caseworker", "protection"}
# Same site, a role that may read screenings, another organisation.
CASE_DATA_OTHERS = {"caseworker_un", "protection_un", "admin", "admin_un"}
# The household is registered by CMA (tests.conftest.register).
REGISTRY_CHANGERS = {"registrar", "admin"}
REGISTRY_OTHERS = {"registrar_ngo", "admin_un"}


@pytest.fixture
def screening(world, amc_person):
    return screening_actions.screening_record(
        user=world.user("caseworker"),
        person=amc_person,
        instrument_id="ilo-forced-labour-11",
        profile="adult",
        answers={"deception": "yes"},
    )


@pytest.mark.parametrize("name", sorted(CASE_DATA_READERS | CASE_DATA_OTHERS))
def test_a_screening_and_its_alert_stay_in_their_organisation(world, screening, name):
    client = signed_in(world.user(name))
    ours = name in CASE_DATA_READERS
    assert client.get(f"/screening/{screening.pk}/").status_code == (200 if ours else 404)
    alerts = client.get("/screening/alerts/").content.decode()
    assert (screening.person.registration_number in alerts) == ours
    # The person's page lists the screening only for its organisation.
    person_page = client.get(f"/registry/persons/{screening.person.pk}/").content.decode()
    assert (str(screening.pk) in person_page) == ours
    alert = Alert.objects.get()
    if not ours:
        response = client.post(f"/screening/alerts/{alert.pk}/acknowledge/")
        assert response.status_code == 404
        assert Alert.objects.get().status == Alert.Status.OPEN


@pytest.mark.parametrize("name", ["caseworker", "caseworker_un", "protection_un", "admin"])
def test_a_field_submission_waits_for_review_only_in_its_organisation(world, name):
    submission = Submission.objects.create(
        instance_id="uuid:org-grid",
        form_id="salama-vulnerability",
        form_version="1",
        xml=(
            '<data id="salama-vulnerability" version="1">'
            "<meta><instanceID>uuid:org-grid</instanceID></meta></data>"
        ),
        xml_sha256="0" * 64,
        organisation=world.ngo,
        site_path=world.amc_block.path,
        status=Submission.Status.REVIEW,
    )
    client = signed_in(world.user(name))
    ours = name == "caseworker"
    assert client.get(f"/screening/review/{submission.pk}/").status_code == (200 if ours else 404)
    queue = client.get("/screening/review/")
    assert (str(submission.pk) in queue.content.decode()) == ours


def test_a_screening_is_owned_by_the_screeners_organisation(world, screening):
    assert screening.organisation == world.ngo
    assert screening.alert.organisation == world.ngo


@pytest.mark.parametrize("name", sorted(REGISTRY_CHANGERS | REGISTRY_OTHERS))
@pytest.mark.parametrize("via", ["ui", "api"])
def test_only_the_registering_organisation_changes_a_person(world, amc_person, name, via):
    user = world.user(name)
    client = signed_in(user)
    changer = name in REGISTRY_CHANGERS
    # Everyone here reads the person...
    assert client.get(f"/registry/persons/{amc_person.pk}/").status_code == 200
    if via == "ui":
        assert client.get(f"/registry/persons/{amc_person.pk}/edit/").status_code == (
            200 if changer else 404
        )
        response = client.post(
            f"/registry/persons/{amc_person.pk}/consent/",
            {"purpose": "tracing", "basis": "consent"},
        )
        assert response.status_code == (302 if changer else 404)
        changed = amc_person.legal_bases.filter(purpose="tracing", basis="consent").exists()
    else:
        response = client.patch(
            f"/api/v1/persons/{amc_person.pk}",
            data=json.dumps({"phone": "+962700000009"}),
            content_type="application/json",
            **bearer(user),
        )
        assert response.status_code == (200 if changer else 404)
        changed = Person.objects.get(pk=amc_person.pk).phone == "+962700000009"
    # ...but only the registering organisation changes them.
    assert changed == changer


@pytest.mark.parametrize("name", sorted(REGISTRY_CHANGERS | REGISTRY_OTHERS))
@pytest.mark.parametrize("via", ["ui", "api"])
def test_only_the_registering_organisation_changes_a_household(world, amc_person, name, via):
    user = world.user(name)
    household = amc_person.household
    client = signed_in(user)
    changer = name in REGISTRY_CHANGERS
    if via == "ui":
        page = client.get(f"/registry/households/{household.pk}/add/")
        assert page.status_code == (200 if changer else 404)
        detail = client.get(f"/registry/households/{household.pk}/").content.decode()
        assert (f"/registry/households/{household.pk}/add/" in detail) == changer
    else:
        response = client.patch(
            f"/api/v1/households/{household.pk}",
            data=json.dumps({"shelter": "B-777"}),
            content_type="application/json",
            **bearer(user),
        )
        assert response.status_code == (200 if changer else 404)
        household.refresh_from_db()
        assert (household.shelter == "B-777") == changer


@pytest.mark.parametrize("name", ["admin", "admin_un", "registrar"])
def test_only_the_registering_organisations_administrator_deletes(world, amc_person, name):
    client = signed_in(world.user(name))
    allowed = name == "admin"
    page = client.get(f"/registry/persons/{amc_person.pk}/delete/")
    assert page.status_code == (200 if allowed else 404)
    detail = client.get(f"/registry/persons/{amc_person.pk}/").content.decode()
    assert (f"/registry/persons/{amc_person.pk}/delete/" in detail) == allowed
    response = client.post(
        f"/registry/persons/{amc_person.pk}/delete/", {"confirm": amc_person.registration_number}
    )
    assert response.status_code == (302 if allowed else 404)
    assert Person.objects.filter(pk=amc_person.pk).exists() == (not allowed)


def test_the_camps_registry_owner_changes_what_others_registered(world, amc_person):
    """Amal's registry kept by the NGO: its registration officer may correct a
    household CMA registered there, but not one at Hope; its administrator
    still may not delete CMA's registrations."""
    Site.objects.filter(pk=world.amc.pk).update(registry_owner=world.ngo)
    ngo = world.user("registrar_ngo")
    response = signed_in(ngo).patch(
        f"/api/v1/persons/{amc_person.pk}",
        data=json.dumps({"phone": "+962700000010"}),
        content_type="application/json",
        **bearer(ngo),
    )
    assert response.status_code == 200
    assert Person.objects.get(pk=amc_person.pk).phone == "+962700000010"
    # The UN is not the owner: still refused.
    un = world.user("admin_un")
    assert signed_in(un).get(f"/registry/persons/{amc_person.pk}/edit/").status_code == 404
    # Ownership of Amal gives nothing at Hope.
    Site.objects.filter(pk=world.hop.pk).update(registry_owner=None)
    admin_hop = signed_in(world.user("admin_hop"))
    assert admin_hop.get(f"/registry/persons/{amc_person.pk}/edit/").status_code == 404


def test_only_a_system_administrator_chooses_who_keeps_a_camps_registry(world):
    amc = {"name": "Amal", "code": "AMC", "kind": "camp", "registry_owner": str(world.ngo.pk)}
    # An organisation's administrator is not offered the choice, and cannot force it.
    admin_hop = signed_in(world.user("admin_hop"))
    hop = {**amc, "name": "Hope", "code": "HOP"}
    assert "registry_owner" not in admin_hop.get(f"/admin/sites/{world.hop.pk}/").content.decode()
    admin_hop.post(f"/admin/sites/{world.hop.pk}/", hop)
    assert Site.objects.get(pk=world.hop.pk).registry_owner is None
    # A system administrator gives Amal's registry to the NGO.
    admin = world.user("admin")
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    client = signed_in(admin)
    assert "registry_owner" in client.get(f"/admin/sites/{world.amc.pk}/").content.decode()
    assert client.post(f"/admin/sites/{world.amc.pk}/", amc).status_code == 302
    assert Site.objects.get(pk=world.amc.pk).registry_owner == world.ngo
    # Zones and blocks take no owner of their own: the camp's applies below it.
    zone = world.amc_block.parent
    assert "registry_owner" not in client.get(f"/admin/sites/{zone.pk}/").content.decode()

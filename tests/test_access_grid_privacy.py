"""The data-protection pages in the access grid: every persona x every page,
and a person's own data, by site and organisation. Out of scope is 404."""

import pytest

from tests.conftest import PERSONAS, signed_in

ADMINISTRATORS = {"admin", "admin_hop", "admin_un"}
EXPORTERS = {"protection", "protection_un"} | ADMINISTRATORS
SUBJECT_ACCESS = {"dpo"} | ADMINISTRATORS

# Everyone has a list of their own files (empty for most); asking for a registry
# export is for the exporters (test below).
EVERYONE = set(PERSONAS)
PAGES = {
    "/privacy/": EXPORTERS | SUBJECT_ACCESS,
    "/privacy/exports/": EVERYONE,
    "/privacy/subjects/": SUBJECT_ACCESS,
    "/privacy/agreements/": ADMINISTRATORS,
    "/privacy/agreements/new/": ADMINISTRATORS,
}


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_every_persona_reaches_only_its_data_protection_pages(world, name):
    client = signed_in(world.user(name))
    reached = {path for path in PAGES if client.get(path).status_code == 200}
    assert reached == {path for path, allowed in PAGES.items() if name in allowed}
    refused = {client.get(path).status_code for path in PAGES if name not in PAGES[path]}
    assert refused <= {404}


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_only_exporters_ask_for_a_registry_export(world, name):
    from salama.privacy.models import ExportFile

    password = "a long export password 7391"
    response = signed_in(world.user(name)).post(
        "/privacy/exports/", {"password1": password, "password2": password}
    )
    assert response.status_code == (302 if name in EXPORTERS else 403)
    assert ExportFile.objects.exists() == (name in EXPORTERS)


# Amal's person: the data protection officer and the administrators at Amal (or
# above it) find them; the NGO's administrator, at Hope only, does not.
SUBJECT_AT_AMAL = {"dpo", "admin", "admin_un"}


@pytest.mark.parametrize("name", sorted(SUBJECT_ACCESS))
def test_a_persons_own_data_is_reached_only_within_the_officers_sites(world, amc_person, name):
    client = signed_in(world.user(name))
    found = client.post(
        "/privacy/subjects/", {"registration_number": amc_person.registration_number}
    )
    page = client.get(f"/privacy/subjects/{amc_person.pk}/")
    if name in SUBJECT_AT_AMAL:
        assert found.status_code == 302 and page.status_code == 200
    else:
        # "Not found" on the form, as for a number that does not exist.
        assert "Location" not in found and page.status_code == 404

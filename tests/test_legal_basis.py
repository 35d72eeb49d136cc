"""PROTECTION.md 1-3: a legal basis per purpose; sharing consent separate
and off by default; withdrawal takes effect at once."""

import json

from django.test import Client

from salama.audit.models import AuditEntry
from salama.registry.models import LegalBasis
from tests.conftest import bearer, person_fields, register, signed_in


def test_no_basis_for_the_purpose_refuses_the_read(world):
    person = register(
        world, world.amc_block, person_fields(), bases={"registration": "consent"}
    ).members.get()
    # the caseworker's purpose is protection, for which nothing is recorded
    page = signed_in(world.user("caseworker")).get(f"/registry/persons/{person.pk}/")
    assert page.status_code == 403
    api = Client().get(f"/api/v1/persons/{person.pk}", **bearer(world.user("caseworker")))
    assert api.status_code == 403 and api.json()["code"] == "forbidden"
    assert "protection" in api.json()["message"]
    # the registrar's purpose (registration) has a basis
    assert (
        signed_in(world.user("registrar")).get(f"/registry/persons/{person.pk}/").status_code == 200
    )


def test_sharing_consent_is_separate_and_defaults_to_no(world):
    body = {"site_code": "AMC-Z1A", "members": [{"given_name_latin": "Rana", "sex": "F"}]}
    created = (
        Client()
        .post(
            "/api/v1/households",
            data=json.dumps(body),
            content_type="application/json",
            **bearer(world.user("registrar")),
        )
        .json()
    )
    purposes = set(
        LegalBasis.objects.filter(person_id=created["members"][0]["id"]).values_list(
            "purpose", flat=True
        )
    )
    assert "sharing" not in purposes
    assert {"registration", "protection", "tracing"} <= purposes


def test_withdrawal_takes_effect_at_once(world, amc_person):
    caseworker = signed_in(world.user("caseworker"))
    assert caseworker.get(f"/registry/persons/{amc_person.pk}/").status_code == 200
    admin = signed_in(world.user("admin"))
    response = admin.post(
        f"/registry/persons/{amc_person.pk}/consent/", {"purpose": "protection", "basis": ""}
    )
    assert response.status_code == 302
    assert caseworker.get(f"/registry/persons/{amc_person.pk}/").status_code == 403
    assert AuditEntry.objects.filter(
        action="consent", changed_fields=["legal_basis.protection"]
    ).exists()
    admin.post(
        f"/registry/persons/{amc_person.pk}/consent/", {"purpose": "protection", "basis": "consent"}
    )
    assert caseworker.get(f"/registry/persons/{amc_person.pk}/").status_code == 200


def test_registration_basis_cannot_be_removed_and_bad_values_are_refused(world, amc_person):
    admin = signed_in(world.user("admin"))
    admin.post(
        f"/registry/persons/{amc_person.pk}/consent/", {"purpose": "registration", "basis": ""}
    )
    admin.post(
        f"/registry/persons/{amc_person.pk}/consent/", {"purpose": "protection", "basis": "whim"}
    )
    admin.post(
        f"/registry/persons/{amc_person.pk}/consent/", {"purpose": "marketing", "basis": "consent"}
    )
    bases = dict(LegalBasis.objects.filter(person=amc_person).values_list("purpose", "basis"))
    assert bases["registration"] == "public_interest" and bases["protection"] == "vital_interest"
    assert "marketing" not in bases

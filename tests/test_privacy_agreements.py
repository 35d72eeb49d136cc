"""Data-sharing agreements (PROTECTION.md 15): recorded and ended by
administrators; `active_agreement` gates every transfer, and transfers to the
authorities of the country of origin are refused by default."""

from datetime import date, timedelta
from typing import Any

from django.test import override_settings
from django.utils import timezone

from salama.audit.models import AuditEntry
from salama.privacy import actions
from salama.privacy.models import RecipientKind, SharingAgreement
from salama.privacy.selectors import active_agreement
from tests.conftest import signed_in

TODAY = date(2026, 6, 1)


def agreement(world: Any, **overrides: Any) -> SharingAgreement:
    fields: dict[str, Any] = {
        "user": world.user("admin"),
        "from_organisation": world.cma,
        "recipient_kind": RecipientKind.ORGANISATION,
        "to_organisation": world.ngo,
        "recipient_name": "",
        "purposes": ["protection", "referral"],
        "sensitivity_classes": ["personal"],
        "fields": [],
        "starts_on": date(2026, 1, 1),
        "ends_on": date(2026, 12, 31),
        "signatory": "Director, Camp Management",
    }
    fields.update(overrides)
    return actions.agreement_create(**fields)


def test_a_transfer_needs_an_active_agreement_for_its_purpose_and_date(world: Any) -> None:
    assert active_agreement(world.cma, world.ngo, "referral", on=TODAY) is None
    signed = agreement(world)
    assert active_agreement(world.cma, world.ngo, "referral", on=TODAY) == signed
    assert active_agreement(world.cma, world.ngo, "tracing", on=TODAY) is None  # purpose
    assert active_agreement(world.ngo, world.cma, "referral", on=TODAY) is None  # direction
    assert active_agreement(world.cma, world.un, "referral", on=TODAY) is None  # recipient
    assert active_agreement(world.cma, world.ngo, "referral", on=date(2025, 12, 31)) is None
    assert active_agreement(world.cma, world.ngo, "referral", on=date(2027, 1, 1)) is None
    assert AuditEntry.objects.filter(action="create", model="privacy.SharingAgreement").exists()


def test_an_ended_agreement_gates_nothing(world: Any) -> None:
    signed = agreement(world, starts_on=date(2020, 1, 1), ends_on=date(2099, 1, 1))
    assert active_agreement(world.cma, world.ngo, "referral") == signed
    actions.agreement_end(user=world.user("admin"), agreement=signed)
    assert active_agreement(world.cma, world.ngo, "referral") is None
    signed.refresh_from_db()
    assert signed.status == "ended" and signed.ended_on == timezone.localdate()
    assert (signed.starts_on, signed.ends_on) == (date(2020, 1, 1), date(2099, 1, 1))


def test_an_outside_recipient_is_named_with_its_kind(world: Any) -> None:
    signed = agreement(
        world,
        to_organisation=None,
        recipient_name="Ministry of Social Affairs",
        recipient_kind=RecipientKind.HOST_AUTHORITIES,
    )
    assert active_agreement(world.cma, "ministry of social affairs", "referral", on=TODAY) == signed
    assert active_agreement(world.cma, "Another ministry", "referral", on=TODAY) is None


def test_transfers_to_the_authorities_of_the_country_of_origin_are_refused_by_default(
    world: Any,
) -> None:
    with override_settings(SALAMA_ALLOW_TRANSFER_TO_ORIGIN_AUTHORITIES=True):
        agreement(
            world,
            to_organisation=None,
            recipient_name="Embassy of the country of origin",
            recipient_kind=RecipientKind.ORIGIN_AUTHORITIES,
        )
    # Recorded while a deployment allowed it, then the setting was removed.
    assert (
        active_agreement(world.cma, "Embassy of the country of origin", "referral", on=TODAY)
        is None
    )
    with override_settings(SALAMA_ALLOW_TRANSFER_TO_ORIGIN_AUTHORITIES=True):
        found = active_agreement(
            world.cma, "Embassy of the country of origin", "referral", on=TODAY
        )
        assert found is not None


def test_an_agreement_says_who_what_and_when_or_is_refused(world: Any) -> None:
    for bad in (
        {"to_organisation": None},  # no recipient
        {"recipient_name": "Someone else"},  # two recipients
        {"purposes": []},
        {"purposes": ["marketing"]},
        {"sensitivity_classes": [], "fields": []},
        {"ends_on": date(2025, 1, 1)},
        {"signatory": "  "},
        {"to_organisation": world.cma},  # with itself
    ):
        try:
            agreement(world, **bad)
        except actions.AgreementError:
            continue
        raise AssertionError(f"accepted {bad}")
    assert not SharingAgreement.objects.exists()


def test_administrators_manage_agreements_on_their_page(world: Any) -> None:
    admin = signed_in(world.user("admin"))
    assert admin.get("/privacy/agreements/new/").status_code == 200
    today = timezone.localdate()
    response = admin.post(
        "/privacy/agreements/new/",
        {
            "from_organisation": world.cma.pk,
            "recipient_kind": "organisation",
            "to_organisation": world.un.pk,
            "purposes": ["tracing"],
            "sensitivity_classes": ["personal", "sensitive"],
            "field_list": "given_name\nfamily_name",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=365)).isoformat(),
            "signatory": "Head of office",
        },
    )
    assert response.status_code == 302
    signed = SharingAgreement.objects.get()
    assert signed.fields == ["given_name", "family_name"] and signed.to_organisation == world.un
    page = admin.get("/privacy/agreements/").content.decode()
    assert "Head of office" in page and "UNA" in page
    assert active_agreement(world.cma, world.un, "tracing") == signed
    # Another organisation's administrator neither sees nor ends it.
    other = signed_in(world.user("admin_hop"))
    assert "Head of office" not in other.get("/privacy/agreements/").content.decode()
    assert other.post(f"/privacy/agreements/{signed.pk}/end/").status_code == 404
    assert (
        admin.post(f"/privacy/agreements/{signed.pk}/end/", {"confirm": "yes"}).status_code == 302
    )
    assert active_agreement(world.cma, world.un, "tracing") is None
    bad = admin.post("/privacy/agreements/new/", {"from_organisation": world.cma.pk})
    assert bad.status_code == 400 and SharingAgreement.objects.count() == 1
    for name in ("registrar", "caseworker", "protection", "analyst"):
        assert signed_in(world.user(name)).get("/privacy/agreements/").status_code == 404

"""What a reviewer found on the data-protection pages (agreements, exports,
a person's own data, a reader's page), fixed: confirmations before ending an
agreement or closing a file, agreements that say what they share in words,
the country of origin's authorities refused at save, codes shown in words,
and the pages leading to one another."""

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone, translation

from salama.audit.actions import audit_record
from salama.core.actions import user_create
from salama.core.models import ApiToken
from salama.core.roles import Role
from salama.jobs.api import run_pending_jobs
from salama.notifications.models import Notification
from salama.privacy import actions
from salama.privacy.models import FileClosure, RecipientKind, SharingAgreement
from salama.privacy.selectors import active_agreement
from salama.registry import audit_text
from tests.conftest import PASSWORD, signed_in

FILE_PASSWORD = "tulip river copper 42"


def agreement_form(world: Any, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "from_organisation": world.cma.pk,
        "recipient_kind": "organisation",
        "to_organisation": world.un.pk,
        "purposes": ["tracing", "referral"],
        "sensitivity_classes": ["personal"],
        "field_list": "",
        "starts_on": "2026-12-01",
        "ends_on": "2027-12-01",
        "signatory": "Head of office",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def signed(world: Any, **overrides: Any) -> SharingAgreement:
    fields: dict[str, Any] = {
        "user": world.user("admin"),
        "from_organisation": world.cma,
        "recipient_kind": RecipientKind.ORGANISATION,
        "to_organisation": world.un,
        "recipient_name": "",
        "purposes": ["referral"],
        "sensitivity_classes": ["personal"],
        "fields": [],
        "starts_on": date(2026, 12, 1),
        "ends_on": date(2027, 12, 1),
        "signatory": "Head of office",
    }
    fields.update(overrides)
    return actions.agreement_create(**fields)


# 1. Ending an agreement: confirmed first, its signed period kept.


def test_ending_an_agreement_asks_first_and_keeps_its_period(world: Any) -> None:
    agreement = signed(world)
    admin = signed_in(world.user("admin"))
    url = f"/privacy/agreements/{agreement.pk}/end/"
    page = admin.get(url)
    assert page.status_code == 200 and 'name="confirm"' in page.content.decode()
    # A POST without the explicit confirmation ends nothing.
    assert admin.post(url).status_code == 400
    agreement.refresh_from_db()
    assert agreement.status == "active"
    with time_machine.travel(datetime(2026, 11, 30, 12, tzinfo=UTC), tick=False):
        assert admin.post(url, {"confirm": "yes"}).status_code == 302
    agreement.refresh_from_db()
    assert (agreement.starts_on, agreement.ends_on) == (date(2026, 12, 1), date(2027, 12, 1))
    assert agreement.ended_on == date(2026, 11, 30)
    assert agreement.ended_by == world.user("admin")
    listing = admin.get("/privacy/agreements/").content.decode()
    assert "2026-12-01 – 2027-12-01" in listing
    assert "Ended on 2026-11-30 by admin" in listing
    assert active_agreement(world.cma, world.un, "referral", on=date(2027, 1, 1)) is None


def test_an_agreement_ended_early_is_in_force_until_its_end_day(world: Any) -> None:
    agreement = signed(world, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    ended = datetime(2026, 6, 1, 9, tzinfo=UTC)
    actions.agreement_end(user=world.user("admin"), agreement=agreement, now=ended)
    assert active_agreement(world.cma, world.un, "referral", on=date(2026, 5, 31)) == agreement
    assert active_agreement(world.cma, world.un, "referral", on=date(2026, 6, 1)) is None
    assert active_agreement(world.cma, world.un, "referral", on=date(2026, 7, 1)) is None


# 2. The authorities of the country of origin.


def test_an_agreement_with_the_authorities_of_origin_is_refused_at_save(world: Any) -> None:
    admin = signed_in(world.user("admin"))
    data = agreement_form(
        world,
        recipient_kind="origin_authorities",
        to_organisation=None,
        recipient_name="Embassy",
    )
    refused = admin.post("/privacy/agreements/new/", data)
    assert refused.status_code == 400 and not SharingAgreement.objects.exists()
    assert "refused on this server" in refused.context["form"].errors["recipient_kind"][0]
    with pytest.raises(actions.AgreementError):
        signed(world, recipient_kind="origin_authorities", to_organisation=None, recipient_name="E")
    with override_settings(SALAMA_ALLOW_TRANSFER_TO_ORIGIN_AUTHORITIES=True):
        saved = admin.post("/privacy/agreements/new/", data, follow=True)
        assert SharingAgreement.objects.count() == 1
        page = saved.content.decode()
        assert "can put people who fled at risk" in page  # the warning, after saving
        assert (
            "can put people who fled at risk"
            in admin.get("/privacy/agreements/new/").content.decode()
        )


# 3. What is shared: real fields, at least one class or field, in words.


def test_shared_fields_are_real_fields_and_something_is_shared(world: Any) -> None:
    admin = signed_in(world.user("admin"))
    made_up = admin.post("/privacy/agreements/new/", agreement_form(world, field_list="shoe_size"))
    assert made_up.status_code == 400
    assert "shoe_size" in made_up.context["form"].errors["field_list"][0]
    nothing = admin.post(
        "/privacy/agreements/new/", agreement_form(world, sensitivity_classes=None, field_list="  ")
    )
    assert nothing.status_code == 400
    assert "sensitivity_classes" in nothing.context["form"].errors
    assert not SharingAgreement.objects.exists()
    with pytest.raises(actions.AgreementError):
        signed(world, fields=["shoe_size"])
    form = admin.get("/privacy/agreements/new/").content.decode()
    assert "Highly sensitive: specific needs" in form  # the classes explained
    saved = admin.post(
        "/privacy/agreements/new/",
        agreement_form(
            world,
            sensitivity_classes=["sensitive"],
            field_list="given_name\nregistry.Household.shelter",
        ),
    )
    assert saved.status_code == 302
    listing = admin.get("/privacy/agreements/").content.decode()
    assert "Sensitive" in listing and "given name" in listing and "shelter" in listing
    rows = listing.split("<tbody>")[1]
    assert "Referral for services" in rows and "referral," not in rows  # purposes in words


# 4. The file password's messages in the page's language.


def test_the_file_password_length_message_is_salamas_own(world: Any) -> None:
    # Django 5.2's wording has no Arabic translation; Salama's own has (once the
    # fragments are merged into salama/locale).
    with pytest.raises(ValidationError) as refused:
        actions.check_file_password("short")
    assert refused.value.messages == [
        "This password is too short: it must have at least 12 characters."
    ]


def test_password_messages_are_in_the_page_language(world: Any) -> None:
    client = signed_in(world.user("admin"))
    client.cookies["django_language"] = "ar"
    page = client.post("/privacy/exports/", {"password1": "short", "password2": "short"})
    assert page.status_code == 400
    assert "too short" not in page.content.decode()


# 5. Codes in words.


def test_a_readers_page_shows_actions_and_records_in_words(world: Any) -> None:
    reader = world.user("protection")
    audit_record(
        user=reader,
        action="notify",
        purpose="system",
        model="notifications.Notification",
        record_id="1",
    )
    page = signed_in(world.user("admin_hop")).get(f"/privacy/readers/{reader.pk}/")
    text = page.content.decode()
    assert "Sent a notification" in text and ">notify<" not in text
    assert "notifications.Notification" not in text and "notification" in text


def test_the_exported_fields_and_token_scopes_are_in_words(world: Any, amc_person: Any) -> None:

    with translation.override("fr"):
        assert audit_text.field_label("household") != "household"
    assert audit_text.field_labels(["access_log", "legal_bases"]) == (
        "who read or changed the record, legal bases"
    )
    admin = world.user("admin")
    ApiToken.objects.create(
        user=world.user("registrar"),
        name="sync",
        digest="d" * 64,
        prefix="abcd1234",
        expires_at=timezone.now(),
        scopes=["read", "field"],
    )
    page = signed_in(admin).get(f"/admin/users/{world.user('registrar').pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Read records, Field collection (OpenRosa)" in text


# 6. The subject page: the language, and closing a file.


@pytest.fixture
def dpo(world: Any) -> Any:
    return user_create(
        username="dpo_ngo",
        password=PASSWORD,
        organisation=world.ngo,
        role=Role.DATA_PROTECTION_OFFICER,
        sites=[world.amc],
    )


def test_closing_a_file_says_what_it_does_and_asks_first(
    world: Any, dpo: Any, amc_person: Any, settings: Any
) -> None:
    settings.SALAMA_RETENTION_CLOSED_PERSON_DAYS = 365
    client = signed_in(dpo)
    page = client.get(f"/privacy/subjects/{amc_person.pk}/").content.decode()
    assert "365 days later" in page and "retention period" in page
    assert "The language of the file is the person's own" not in page
    assert "choose another" in page
    url = f"/privacy/subjects/{amc_person.pk}/close/"
    asked = client.post(url, {"reason": "departed"})
    assert asked.status_code == 200 and 'name="confirm"' in asked.content.decode()
    assert "365 days from now" in asked.content.decode()
    assert not FileClosure.objects.filter(person=amc_person).exists()
    assert client.post(url, {"reason": "departed", "confirm": "yes"}).status_code == 302
    assert FileClosure.objects.get(person=amc_person).reason == "departed"


# 7. Exports page for a role that cannot export.


def test_the_exports_page_says_who_asks_for_files(world: Any) -> None:
    page = signed_in(world.user("caseworker")).get("/privacy/exports/").content.decode()
    assert "protection officers and administrators" in page
    assert "data protection officer" in page


# 8. The pages lead to a reader's page.


def test_the_access_log_links_each_reader_the_viewer_may_open(world: Any, amc_person: Any) -> None:
    dpo = world.user("dpo")  # CMA's data protection officer at Amal
    reader = world.user("registrar")  # a CMA user, like the officer
    outsider = world.user("protection")  # another organisation's user
    for user in (reader, outsider):
        audit_record(
            user=user,
            action="read",
            purpose="protection",
            model="registry.Person",
            record_id=amc_person.pk,
        )
    page = signed_in(dpo).get(f"/registry/persons/{amc_person.pk}/access/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f'href="/privacy/readers/{reader.pk}/"' in text
    assert f'href="/privacy/readers/{outsider.pk}/"' not in text
    home = signed_in(dpo).get("/privacy/").content.decode()
    assert "alert" in home and "everything that user did" in home


# 9. The file-ready notification.


def test_the_file_ready_notification_has_a_short_reference_and_an_open_button(
    world: Any, amc_person: Any
) -> None:
    user = world.user("protection")
    client = signed_in(user)
    response = client.post(
        "/privacy/exports/", {"password1": FILE_PASSWORD, "password2": FILE_PASSWORD}
    )
    assert response.status_code == 302
    run_pending_jobs()
    note = Notification.objects.get(recipient=user, kind="privacy.export_ready")
    assert note.reference.startswith("EX-") and len(note.reference) == 11
    page = client.get("/notifications/").content.decode()
    assert note.reference in page and "Open the record" not in page


def test_login_password_messages_are_in_the_page_language_too(world: Any) -> None:
    """The same Django wording had no Arabic for login passwords (field
    passwords and new users in administration)."""
    from django.contrib.auth.password_validation import validate_password
    from django.utils import translation

    with translation.override("ar"), pytest.raises(ValidationError) as refused:
        validate_password("Ab1!x")
    assert not any("too short" in m for m in refused.value.messages)

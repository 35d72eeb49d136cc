"""The page a bulk-access alert links to: what one user did, for the data
protection officers and administrators of that user's organisation only."""

import pytest

from salama.audit.actions import record_list_read
from salama.audit.models import AuditEntry
from salama.core.actions import user_create
from salama.core.roles import Role
from salama.notifications.bulk_access import raise_bulk_access_alerts
from salama.notifications.models import Notification
from tests.conftest import PASSWORD, signed_in


@pytest.fixture
def officer(world):
    """The NGO's data protection officer (the organisation of "protection")."""
    return user_create(
        username="dpo_ngo",
        password=PASSWORD,
        organisation=world.ngo,
        role=Role.DATA_PROTECTION_OFFICER,
        sites=[world.amc],
    )


def test_the_alert_links_to_what_the_reader_did(world, officer, settings):
    settings.SALAMA_BULK_ACCESS_LIMIT = 5
    reader = world.user("protection")
    record_list_read(reader, range(1, 9), model="registry.Person")
    assert raise_bulk_access_alerts() == [reader.pk]
    alert = Notification.objects.get(kind="audit.bulk_access", recipient=officer)
    page = signed_in(officer).get(alert.link)
    assert page.status_code == 200
    assert "8 records" in page.content.decode()
    assert AuditEntry.objects.filter(
        action="read_audit", model="auth.User", record_id=str(reader.pk), username="dpo_ngo"
    ).exists()


@pytest.mark.parametrize(
    "name, status",
    [
        ("dpo", 404),  # a data protection officer of another organisation (CMA)
        ("admin_hop", 200),  # the NGO's administrator
        ("admin", 404),  # CMA's administrator
        ("caseworker", 404),  # same organisation, no audit permission
        ("protection", 404),  # same organisation, no audit permission
    ],
)
def test_only_the_readers_organisation_sees_it(world, officer, name, status):
    reader = world.user("caseworker_hop")  # an NGO caseworker
    response = signed_in(world.user(name)).get(f"/privacy/readers/{reader.pk}/")
    assert response.status_code == status
    assert signed_in(officer).get(f"/privacy/readers/{reader.pk}/").status_code == 200
    assert signed_in(officer).get("/privacy/readers/not-a-number/").status_code == 404

"""Early-warning pages in the access grid: every persona x every page, with an
alert at Amal. Alerts are aggregates: whoever sees figures at the site sees
them (analysts included); protection officers and administrators of the site
verify them; everyone else gets 404."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from salama.warning.models import Alert
from tests.conftest import PERSONAS, signed_in

VIEWERS_AMC = {"protection", "protection_un", "analyst", "admin", "admin_un"}
VIEWERS_ANYWHERE = VIEWERS_AMC | {"admin_hop"}
VERIFIERS_AMC = {"protection", "protection_un", "admin", "admin_un"}
VERIFIERS_ANYWHERE = VERIFIERS_AMC | {"admin_hop"}


@pytest.fixture
def amal_alert(world):
    now = timezone.now()
    return Alert.objects.create(
        site=world.amc,
        site_path=world.amc.path,
        signal="survival_sex",
        week=date(2026, 11, 23),
        observed=9,
        expected=0.4,
        upper=3.0,
        score=5.2,
        method="rolling-nb",
        raised_at=now,
        verify_by=now + timedelta(hours=48),
    )


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_every_persona_reaches_only_its_warning_pages(world, amal_alert, name):
    client = signed_in(world.user(name))
    pages = {
        "/warning/": VIEWERS_ANYWHERE,
        "/warning/?signal=survival_sex&status=waiting": VIEWERS_ANYWHERE,
        f"/warning/{amal_alert.pk}/": VIEWERS_AMC,
        "/warning/risk/": VIEWERS_ANYWHERE,
    }
    statuses = {path: client.get(path).status_code for path in pages}
    assert {p for p, s in statuses.items() if s == 200} == {
        p for p, allowed in pages.items() if name in allowed
    }
    assert {s for p, s in statuses.items() if name not in pages[p]} <= {404}
    listing = client.get("/warning/").content.decode()
    assert (f"/warning/{amal_alert.pk}/" in listing) == (name in VIEWERS_AMC)


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_only_the_sites_verifiers_write(world, amal_alert, name):
    client = signed_in(world.user(name))
    verify = client.post(f"/warning/{amal_alert.pk}/verify/", {"outcome": "confirmed"})
    assert verify.status_code == (302 if name in VERIFIERS_AMC else 404)
    amal_alert.refresh_from_db()
    assert (amal_alert.outcome == "confirmed") == (name in VERIFIERS_AMC)
    # An empty risk factor: the form's errors for a keeper, 404 for anyone else.
    risk = client.post("/warning/risk/", {"kind": "border"})
    expected = 200 if name in VERIFIERS_ANYWHERE else 404
    assert risk.status_code == expected

"""Report pages in the access grid: every persona x every page. Figures are
aggregates: whoever sees figures at a site reads them (analysts included);
participation records are kept by protection officers and administrators;
the case-level export needs Perm.CASES_SHARE; everyone else gets 404."""

import pytest
from django.utils import timezone

from salama.reports.models import Consultation
from tests.conftest import PERSONAS, signed_in

FIGURE_READERS = {"protection", "protection_un", "analyst", "admin", "admin_un", "admin_hop"}
AMC_READERS = FIGURE_READERS - {"admin_hop"}
KEEPERS = {"protection", "protection_un", "admin", "admin_un", "admin_hop"}


@pytest.fixture
def ngo_session(world):
    return Consultation.objects.create(
        site=world.amc,
        site_path=world.amc.path,
        organisation=world.ngo,
        kind="consultation",
        held_on=timezone.localdate(),
        women=12,
        topics="Lighting at the latrines",
        recorded_at=timezone.now(),
    )


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_every_persona_reaches_only_its_report_pages(world, ngo_session, name):
    client = signed_in(world.user(name))
    amc = f"site={world.amc.pk}"
    pages = {
        "/reports/": FIGURE_READERS,
        f"/reports/?{amc}": AMC_READERS,
        f"/reports/pdf/?{amc}&lang=fr": AMC_READERS,
        f"/reports/hxl/?{amc}": AMC_READERS,
        "/reports/wps/": FIGURE_READERS,
        "/reports/releases/": FIGURE_READERS,
        "/reports/participation/": KEEPERS,
        f"/api/v1/reports/figures?site={world.amc.code}": AMC_READERS,
    }
    statuses = {path: client.get(path).status_code for path in pages}
    allowed = {p for p, who in pages.items() if name in who}
    assert {p for p, s in statuses.items() if s == 200} == allowed, statuses
    # A site outside the user's scope: the page's form refuses it (400), the API 422.
    assert {s for p, s in statuses.items() if p not in allowed} <= {400, 404, 422}
    session_seen = (
        "Lighting at the latrines" in client.get("/reports/participation/").content.decode()
    )
    assert session_seen == (name == "protection")  # the NGO's own officer at Amal


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_only_keepers_and_sharers_write(world, name):
    client = signed_in(world.user(name))
    record = client.post("/reports/participation/", {"record": "committee"})
    assert record.status_code == (400 if name in KEEPERS else 404)
    share = client.post("/reports/releases/", {"agreement": "x"})
    assert share.status_code == (400 if name in KEEPERS else 404)
    wps = client.post("/reports/wps/", {})
    assert wps.status_code == (400 if name in KEEPERS else 404)

"""Early warning (issue 14): alerts raised from the weekly counts of a site,
verified by its protection officer, read only at the user's sites."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from salama.core.models import Site
from salama.notifications.models import Notification
from salama.screening.models import IndicatorCount
from salama.warning import actions
from salama.warning.models import Alert, Outcome, RiskFactor
from tests.conftest import signed_in

NOW = timezone.make_aware(datetime(2026, 11, 25, 9, 0))
THIS_MONDAY = date(2026, 11, 23)


def _counts(site: Site, weekly: list[int], indicator: str = "survival_sex") -> None:
    """Weekly counts of an indicator at a site, the last one this week."""
    for back, n in enumerate(reversed(weekly)):
        if n:
            IndicatorCount.objects.create(
                site_path=site.path,
                week=THIS_MONDAY - timedelta(weeks=back),
                sex="f",
                age_group="adult",
                instrument="salama-vulnerability",
                indicator=indicator,
                count=n,
            )


@pytest.fixture
def spike(world: Any, django_capture_on_commit_callbacks: Any) -> Alert:
    _counts(world.amc, [0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 9])
    _counts(world.hop, [1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1])
    with django_capture_on_commit_callbacks(execute=True):
        result = actions.alerts_raise(NOW)
    assert result["raised"] == 1
    return Alert.objects.get()


def test_a_spike_raises_one_alert_and_tells_the_sites_protection_officers(world, spike):
    assert (spike.site, spike.signal, spike.week, spike.observed) == (
        world.amc,
        "survival_sex",
        THIS_MONDAY,
        9,
    )
    assert spike.expected < 1 < spike.upper < 9 and spike.score > 2
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert {"protection", "protection_un"} <= told and "caseworker_hop" not in told
    note = Notification.objects.first()
    assert note.reference == f"EW-{spike.pk:06d}" and "9" not in note.subject
    # Run again: the week's alert is not raised twice.
    assert actions.alerts_raise(NOW)["raised"] == 0


def test_a_flat_series_raises_nothing(world):
    _counts(world.amc, [1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1])
    assert actions.alerts_raise(NOW)["raised"] == 0


def test_the_protection_officer_verifies_and_the_false_alarm_rate_is_shown(world, spike):
    officer = signed_in(world.user("protection"))
    page = officer.get(f"/warning/{spike.pk}/")
    assert page.status_code == 200 and b'id="observed">9<' in page.content
    answer = officer.post(
        f"/warning/{spike.pk}/verify/",
        {"outcome": Outcome.FALSE_ALARM, "finding": "A screening campaign that week."},
    )
    assert answer.status_code == 302
    spike.refresh_from_db()
    assert spike.outcome == "false_alarm" and spike.verified_by == world.user("protection")
    listing = officer.get("/warning/").content.decode()
    assert "False alarms among those verified: 100%" in listing
    again = officer.post(f"/warning/{spike.pk}/verify/", {"outcome": Outcome.CONFIRMED})
    assert again.status_code == 302
    spike.refresh_from_db()
    assert spike.outcome == "false_alarm"


def test_analysts_see_the_alert_with_its_small_count_hidden_and_cannot_verify(world, spike):
    analyst = signed_in(world.user("analyst"))
    page = analyst.get(f"/warning/{spike.pk}/")
    assert page.status_code == 200 and b'id="observed">\xc2\xb7<' in page.content
    assert b"Record the verification" not in page.content
    post = analyst.post(f"/warning/{spike.pk}/verify/", {"outcome": Outcome.CONFIRMED})
    assert post.status_code == 404
    spike.refresh_from_db()
    assert spike.outcome == ""


@pytest.mark.parametrize("name", ["caseworker_hop", "registrar", "psea", "tracer"])
def test_others_get_404(world, spike, name):
    client = signed_in(world.user(name))
    assert client.get(f"/warning/{spike.pk}/").status_code == 404
    assert client.post(f"/warning/{spike.pk}/verify/", {"outcome": "confirmed"}).status_code == 404


def test_an_abduction_report_alone_raises_an_alert(world, django_capture_on_commit_callbacks):
    from salama.lib.tracing import urgency
    from salama.tracing.models import TracingCase

    TracingCase.objects.create(
        reference="TR-ABDUCT1",
        kind="missing",
        site=world.amc_block,
        site_path=world.amc_block.path,
        organisation=world.un,
        urgency="urgent",
        urgent=True,
        urgency_reasons=[urgency.ABDUCTION],
        opened_at=NOW - timedelta(days=1),
        first_action_due=NOW,
        counted=True,
    )
    actions.alerts_raise(NOW)
    alert = Alert.objects.get(signal="abduction")
    assert alert.site == world.amc and alert.observed == 1 and alert.method == "single-event"


def test_a_risk_factor_from_coordinates_gets_its_distance(world):
    world.amc.latitude, world.amc.longitude = Decimal("12.000000"), Decimal("15.000000")
    world.amc.save()
    officer = signed_in(world.user("protection"))
    answer = officer.post(
        "/warning/risk/",
        {"site": world.amc.pk, "kind": "peacekeeping", "latitude": "12.1", "longitude": "15.0"},
    )
    assert answer.status_code == 302
    factor = RiskFactor.objects.get()
    assert factor.distance_km == Decimal("11.1")
    missing = officer.post("/warning/risk/", {"site": world.amc.pk, "kind": "border"})
    assert "Give the distance" in missing.content.decode() and RiskFactor.objects.count() == 1
    analyst = signed_in(world.user("analyst"))
    assert (
        analyst.post("/warning/risk/", {"site": world.amc.pk, "kind": "border"}).status_code == 404
    )

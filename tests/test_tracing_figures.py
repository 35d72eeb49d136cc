"""The desk's figures: counted reports only, small cells hidden."""

from datetime import timedelta

from salama.tracing import actions, figures
from salama.tracing.models import TracingCase
from salama.tracing.reports import clean_report
from tests.conftest import signed_in


def report(desk, counted=True, **person):
    data = clean_report(
        {
            "kind": "missing",
            "person": {"given_name_latin": "Amina", "sex": "F", "stated_age": 9, **person},
            "counted": counted,
        }
    )
    return actions.report_take(user=None, desk=desk, data=data, channel="public").case


def test_only_counted_reports_are_in_the_figures_and_small_counts_are_hidden(world, desk):
    for _ in range(12):
        report(desk)
    for _ in range(4):
        report(desk, counted=False)
    found, counted = figures.tracing_figures(world.user("analyst"))
    (missing,) = found
    assert missing.kind == "missing" and missing.total == 12
    by = {b.by: dict(b.rows) for b in missing.breakdowns}
    assert by["sex"] == {"F": 12}
    assert by["first_action"] == {"none_yet": 12}
    # one case acted on within the hour: a group of 1 is hidden, and so is
    # another beside it, so that it cannot be recomputed from the total
    case = TracingCase.objects.filter(counted=True).first()
    TracingCase.objects.filter(pk=case.pk).update(
        first_action_at=case.opened_at + timedelta(minutes=5)
    )
    found, counted = figures.tracing_figures(world.user("analyst"))
    by = {b.by: dict(b.rows) for b in found[0].breakdowns}
    assert by["first_action"] == {"none_yet": None, "within_1h": None}
    assert counted.hidden_small >= 1 and counted.hidden_secondary >= 1


def test_figures_are_only_at_the_analysts_sites(world, desk):
    for _ in range(12):
        report(desk)
    found, _counted = figures.tracing_figures(world.user("caseworker_hop"))
    assert found == []


def test_first_action_groups():
    from datetime import datetime

    t = datetime(2026, 1, 1, 8)
    assert figures.first_action_group(t, None) == "none_yet"
    assert figures.first_action_group(t, t + timedelta(minutes=59)) == "within_1h"
    assert figures.first_action_group(t, t + timedelta(hours=2)) == "1_3h"
    assert figures.first_action_group(t, t + timedelta(hours=5)) == "3_24h"
    assert figures.first_action_group(t, t + timedelta(days=2)) == "over_24h"


def test_the_figures_page_is_for_aggregate_roles_only(world, desk):
    for _ in range(12):
        report(desk)
    page = signed_in(world.user("analyst")).get("/tracing/figures/")
    assert page.status_code == 200 and b"12" in page.content
    for name in ("tracer", "registrar", "caseworker"):
        assert signed_in(world.user(name)).get("/tracing/figures/").status_code == 404, name


def test_a_week_counts_in_the_month_of_its_thursday():
    from salama.screening.selectors import COARSER

    (month,) = COARSER["week"]
    assert month("2026-11-30") == "2026-12"  # Monday 30 November: Thursday 3 December
    assert month("2026-11-23") == "2026-11"

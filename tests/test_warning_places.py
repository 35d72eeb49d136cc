"""Early warning below the camp (issue 14, section 1): series per zone and
block, screenings and the registered population as denominators, and the
space-time scan of a camp's blocks run by the job."""

from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from salama.audit.models import AuditEntry
from salama.civil.models import StoppedMarriage
from salama.core.actions import site_create
from salama.core.models import Site
from salama.registry.models import Person
from salama.screening.models import IndicatorCount, ScreeningCount
from salama.warning import actions, signals
from salama.warning.models import Alert
from tests.conftest import person_fields, register, signed_in

NOW = timezone.make_aware(datetime(2026, 11, 25, 9, 0))
THIS_MONDAY = date(2026, 11, 23)
CALM = [0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0]


def _weekly(site: Site, weekly: list[int], model: Any = IndicatorCount, **cell: str) -> None:
    """Weekly counts at a place, the last one this week."""
    fields = {"indicator": "survival_sex"} if model is IndicatorCount else {"level": "low"}
    for back, n in enumerate(reversed(weekly)):
        if n:
            model.objects.create(
                site_path=site.path,
                week=THIS_MONDAY - timedelta(weeks=back),
                sex="f",
                age_group="adult",
                instrument="salama-vulnerability",
                count=n,
                **{**fields, **cell},
            )


def _stopped(world: Any, site: Site, weekly: list[int]) -> None:
    """Child marriages stopped at a place each week (a record signal, kept where the
    desk records it), the last one this week."""
    rows = [
        StoppedMarriage(
            at=NOW - timedelta(weeks=back, hours=1 + i),
            site=site,
            site_path=site.path,
            organisation=world.cma,
            minimum_age=18,
        )
        for back, n in enumerate(reversed(weekly))
        for i in range(n)
    ]
    StoppedMarriage.objects.bulk_create(rows)


def _blocks(world: Any, n: int) -> list[Site]:
    zone = world.amc_block.parent
    made = [
        site_create(name=f"Amal Z1{c}", code=f"AMC-Z1{c}", level="block", parent=zone)
        for c in "BCDEFGHIJKL"[: n - 1]
    ]
    return [world.amc_block, *made]


def test_a_rise_in_one_block_is_raised_once_at_the_block_naming_its_zone_and_camp(world):
    _stopped(world, world.amc_block, [*CALM, 9])
    actions.alerts_raise(NOW)
    rise = Alert.objects.get()
    assert (rise.kind, rise.site, rise.observed) == ("rise", world.amc_block, 9)
    assert set(rise.places) == {world.amc.pk, world.amc_block.parent_id}
    # The officer sees where; an analyst sees neither the block's alert nor its places.
    officer = signed_in(world.user("protection")).get(f"/warning/{rise.pk}/")
    assert 'id="places">' in officer.content.decode()
    analyst = signed_in(world.user("analyst"))
    assert analyst.get(f"/warning/{rise.pk}/").status_code == 404
    assert f"EW-{rise.pk:06d}" not in analyst.get("/warning/").content.decode()


def test_a_later_run_finding_the_rise_deeper_adds_to_the_same_alert(world):
    _stopped(world, world.amc_block, [*CALM, 0])
    _stopped(world, world.amc, [4])  # this week, recorded at the camp's desk
    actions.alerts_raise(NOW)
    camp = Alert.objects.get()
    assert camp.site == world.amc
    _stopped(world, world.amc_block, [5])  # later that week, in one block
    assert actions.alerts_raise(NOW + timedelta(hours=6))["raised"] == 0
    camp.refresh_from_db()
    assert Alert.objects.count() == 1 and world.amc_block.pk in camp.places
    changed = AuditEntry.objects.filter(model="warning.alert", record_id=str(camp.pk))
    assert changed.filter(action="change").count() == 1


def test_one_case_in_a_quiet_block_is_no_alert(world):
    _stopped(world, world.amc_block, [*([0] * 40), 2])
    actions.alerts_raise(NOW)
    assert not Alert.objects.filter(site=world.amc_block).exists()


def test_a_screening_drive_is_not_a_rise_when_the_screenings_are_known(world):
    counts = [*CALM, 9]
    _weekly(world.amc, counts)
    actions.alerts_raise(NOW)
    assert Alert.objects.filter(signal="survival_sex").count() == 1  # the count alone alarms
    Alert.objects.all().delete()
    # The same counts out of ten times as many screenings that week: the same share.
    _weekly(world.amc, [10] * len(CALM) + [100], ScreeningCount)
    actions.alerts_raise(NOW)
    assert not Alert.objects.filter(signal="survival_sex").exists()
    # A real rise in the share alarms, with the screenings as its denominator.
    IndicatorCount.objects.filter(week=THIS_MONDAY).update(count=40)
    actions.alerts_raise(NOW)
    rise = Alert.objects.get(signal="survival_sex")
    assert (rise.observed, rise.denominator, rise.method) == (40, 100, "beta-binomial")
    page = signed_in(world.user("protection")).get(f"/warning/{rise.pk}/").content.decode()
    assert "100 people screened that week" in page


def test_the_registered_population_counts_arrivals_and_deaths_by_week(world):
    people = [register(world, world.amc_block).members.get() for _ in range(3)]
    Person.objects.filter(pk=people[0].pk).update(
        created_at=timezone.make_aware(datetime(2026, 11, 4, 10))
    )
    Person.objects.filter(pk=people[1].pk).update(
        created_at=timezone.make_aware(datetime(2026, 11, 11, 10)), died_on=date(2026, 11, 18)
    )
    Person.objects.filter(pk=people[2].pk).update(
        created_at=timezone.make_aware(datetime(2026, 11, 18, 10))
    )
    no_statistics = register(
        world, world.amc_block, person_fields(), bases={"registration": "public_interest"}
    )
    assert no_statistics.members.count() == 1
    weeks = [date(2026, 11, 2) + timedelta(weeks=i) for i in range(4)]
    population = signals.population_weekly(weeks, signals.Sites())
    # Registered by the week's end and alive at its start (one dies on 18 Nov);
    # the person who allows no statistics is never counted.
    assert population[world.amc_block.path] == [1, 2, 3, 2]
    assert population[world.amc.path] == population[world.amc_block.path]


STEADY = [1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1]


def test_a_cluster_of_blocks_is_raised_at_the_camp_naming_its_blocks(world, settings):
    settings.SALAMA_WARNING_SCAN_REPLICATES = 199
    blocks = _blocks(world, 10)
    for block in blocks[2:]:
        _stopped(world, block, STEADY)
    # One block rises sharply, its neighbour a little: the scan sees them together.
    _stopped(world, blocks[0], [*STEADY[:-2], 5, 6])
    _stopped(world, blocks[1], [*STEADY[:-2], 2, 3])
    actions.alerts_raise(NOW)
    cluster = Alert.objects.get(kind="cluster")
    assert cluster.site == world.amc and cluster.method == "space-time-scan"
    assert set(cluster.places) == {blocks[0].pk, blocks[1].pk} and cluster.score >= 2
    # The sharp block has its own rise; the cluster adds its neighbour, not a repeat.
    assert set(Alert.objects.filter(kind="rise").values_list("site", flat=True)) == {blocks[0].pk}
    page = signed_in(world.user("protection")).get(f"/warning/{cluster.pk}/").content.decode()
    assert "Amal Z1A" in page and "space-time permutation scan" in page
    analyst = signed_in(world.user("analyst")).get(f"/warning/{cluster.pk}/").content.decode()
    assert "space-time permutation scan" in analyst and "Amal Z1A" not in analyst
    # Next week, with nothing new, the same cluster is not raised again.
    actions.alerts_raise(NOW + timedelta(weeks=1))
    assert Alert.objects.filter(kind="cluster").count() == 1


def test_a_block_rising_alone_is_its_rise_not_also_a_cluster(world, settings):
    settings.SALAMA_WARNING_SCAN_REPLICATES = 199
    blocks = _blocks(world, 6)
    for block in blocks[1:]:
        _stopped(world, block, STEADY)
    _stopped(world, blocks[0], [*STEADY[:-2], 5, 6])
    actions.alerts_raise(NOW)
    assert Alert.objects.filter(kind="rise", site=blocks[0]).exists()
    assert not Alert.objects.filter(kind="cluster").exists()


def test_blocks_rising_together_are_no_cluster(world, settings):
    settings.SALAMA_WARNING_SCAN_REPLICATES = 199
    steady = [1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 3, 3]
    for block in _blocks(world, 6):
        _stopped(world, block, steady)
    actions.alerts_raise(NOW)
    assert not Alert.objects.filter(kind="cluster").exists()


def test_a_camp_with_one_block_is_not_scanned(world):
    _stopped(world, world.amc_block, [*CALM, 9])
    actions.alerts_raise(NOW)
    assert not Alert.objects.filter(kind="cluster").exists()


def test_a_rise_is_scored_out_of_a_stable_registered_population(world):
    people = [register(world, world.amc_block).members.get() for _ in range(4)]
    long_ago = timezone.make_aware(datetime(2025, 1, 6, 10))
    Person.objects.filter(pk__in=[p.pk for p in people]).update(created_at=long_ago)
    _stopped(world, world.amc_block, [*CALM, 9])
    actions.alerts_raise(NOW)
    rise = Alert.objects.get()
    assert (rise.site, rise.denominator) == (world.amc_block, 4)
    # A registry still being filled in is no denominator: the count is scored alone.
    Alert.objects.all().delete()
    Person.objects.filter(pk=people[0].pk).update(created_at=NOW - timedelta(days=2))
    Person.objects.filter(pk=people[1].pk).update(created_at=NOW - timedelta(days=9))
    actions.alerts_raise(NOW)
    assert Alert.objects.get().denominator is None

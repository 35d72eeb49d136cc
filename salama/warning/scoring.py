"""What the early-warning job finds in the weekly counts, before anything is
written: rises in a camp's, zone's or block's series (salama.lib.ews.detect,
with screenings or the registered population as denominator where they are
known), and clusters of blocks (the space-time permutation scan). Counts only."""

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from django.conf import settings

from salama.core.models import Site
from salama.lib.ews.detect import detect
from salama.lib.ews.scan import space_time_scan
from salama.warning import signals
from salama.warning.signals import Sites, Weekly

HISTORY_WEEKS = 104  # enough for the Noufaily model's 78 weeks and more
SCAN_WEEKS, SCAN_MAX_WEEKS, SCAN_ZONE_BLOCKS = 26, 3, 3
SCAN_MIN_RECENT = 3  # fewer recent cases than this cannot make a cluster worth a look
# A zone's or block's series is sparse: one case in a quiet block passes any model's
# threshold about a third of the time, so a rise below the camp needs this many.
LOCAL_MIN_COUNT = 3
# The registered population is an offset only while it is stable: a registry being
# filled in would look like arrivals and hide real rises.
POPULATION_MAX_RATIO = 1.5
ALPHA = 0.01


@dataclass
class Finding:
    signal: str
    site: Site
    week: date
    observed: int
    expected: float
    upper: float
    score: float
    method: str
    denominator: int | None = None
    places: list[int] = field(default_factory=list)


def weeks_between(first: date, last: date) -> list[date]:
    return [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]


@dataclass
class Counts:
    """Everything the job reads, once: the series and their denominators."""

    sites: Sites
    this_week: date
    series: signals.Series
    screened: dict[str, Weekly]
    population: dict[str, list[int]]
    weeks: list[date]

    @classmethod
    def read(cls, this_week: date) -> "Counts":
        sites = Sites()
        weeks = weeks_between(this_week - timedelta(weeks=HISTORY_WEEKS), this_week)
        return cls(
            sites,
            this_week,
            signals.weekly_series(weeks[0], sites),
            signals.screenings_weekly(weeks[0], sites),
            signals.population_weekly(weeks, sites),
            weeks,
        )


def _denominators(counts: Counts, signal: str, path: str, weeks: list[date]) -> list[int] | None:
    """Screenings done for an indicator signal, the population for the others,
    used only where known for every week scored (else the count is scored alone).
    Several indicators can map to one signal, so a count above the screenings
    that week means the screenings are not the right trials: none are used."""
    observed = counts.series[(signal, path)]
    if signal in signals.INDICATORS:
        done = counts.screened.get(path)
        if done is None:
            return None
        trials = [done.get(w, 0) for w in weeks]
        fits = all(n >= observed.get(w, 0) for w, n in zip(weeks, trials, strict=True))
        return trials if fits and any(trials) else None
    people = counts.population.get(path)
    if people is None or not weeks:
        return None
    known = people[len(counts.weeks) - len(weeks) :]
    if not known or min(known) <= 0 or max(known) > POPULATION_MAX_RATIO * min(known):
        return None
    return known


def rises(counts: Counts) -> list[Finding]:
    """Last week and this week of every series scored from the weeks before only."""
    found = []
    for (signal, path), weekly in counts.series.items():
        weeks = weeks_between(min(weekly), counts.this_week)
        denominators = _denominators(counts, signal, path, weeks)
        scores = detect(
            [weekly.get(w, 0) for w in weeks],
            denominators,
            start=max(len(weeks) - 2, 0),
            trials=denominators is not None and signal in signals.INDICATORS,
        )
        place = counts.sites.places_of(path)[-1]
        local = not place.kind
        for score in scores:
            week = weeks[score.week]
            if score.alarm and not (local and weekly[week] < LOCAL_MIN_COUNT):
                found.append(
                    Finding(
                        signal,
                        place,
                        week,
                        weekly[week],
                        float(score.expected),
                        float(score.upper) if np.isfinite(score.upper) else 0.0,
                        float(score.score),
                        score.method,
                        None if denominators is None else denominators[score.week],
                    )
                )
    return deepest(found)


def deepest(found: list[Finding]) -> list[Finding]:
    """One alert per rise: where a block alarms, its zone and camp usually alarm
    because of it, so the deepest place alarming keeps the alert and names the
    larger ones; a camp-wide rise no zone or block shows stays at the camp."""
    kept = []
    for f in found:
        inside = [
            g
            for g in found
            if (g.signal, g.week) == (f.signal, f.week)
            and g.site.path != f.site.path
            and g.site.path.startswith(f.site.path)
        ]
        if not inside:
            f.places = [
                g.site.pk
                for g in found
                if (g.signal, g.week) == (f.signal, f.week)
                and g.site.path != f.site.path
                and f.site.path.startswith(g.site.path)
            ]
            kept.append(f)
    return kept


def clusters(counts: Counts) -> list[Finding]:
    """Each camp's blocks scanned per signal over the last 26 weeks for a zone
    of up to 3 neighbouring blocks whose last 1-3 weeks hold more than their
    share (Kulldorff 2005): a rise too local for the camp's count to show."""
    found = []
    weeks = counts.weeks[-SCAN_WEEKS:]
    camps = {counts.sites.site_of(path) for _, path in counts.series}
    for camp in sorted((c for c in camps if c is not None), key=lambda c: c.path):
        blocks = counts.sites.blocks_of(camp)
        if len(blocks) < 2:
            continue
        for signal in sorted({s for s, p in counts.series if p == camp.path}):
            finding = _scan(counts, signal, camp, blocks, weeks)
            if finding is not None:
                found.append(finding)
    return found


def _scan(
    counts: Counts, signal: str, camp: Site, blocks: list[Site], weeks: list[date]
) -> Finding | None:
    matrix = np.array(
        [[counts.series.get((signal, b.path), Weekly()).get(w, 0) for w in weeks] for b in blocks]
    )
    if matrix[:, -SCAN_MAX_WEEKS:].sum() < SCAN_MIN_RECENT or (matrix.sum(axis=1) > 0).sum() < 2:
        return None
    cluster = space_time_scan(
        matrix,
        k=SCAN_ZONE_BLOCKS,
        max_weeks=SCAN_MAX_WEEKS,
        coords=_coordinates(blocks),
        adjacency=_same_zone(blocks),
        replicates=settings.SALAMA_WARNING_SCAN_REPLICATES,
    )
    if cluster.pvalue > ALPHA:
        return None
    return Finding(
        signal,
        camp,
        counts.this_week,
        cluster.observed,
        cluster.expected,
        0.0,
        float(-np.log10(cluster.pvalue)),
        "space-time-scan",
        places=[blocks[i].pk for i in cluster.blocks],
    )


def _coordinates(blocks: list[Site]) -> np.ndarray | None:
    if any(b.latitude is None or b.longitude is None for b in blocks):
        return None
    return np.array([[float(b.latitude), float(b.longitude)] for b in blocks])  # type: ignore[arg-type]


def _same_zone(blocks: list[Site]) -> list[list[int]]:
    """Blocks of one zone are neighbours (when blocks have no coordinates)."""
    return [
        [j for j, c in enumerate(blocks) if j != i and c.parent_id == b.parent_id]
        for i, b in enumerate(blocks)
    ]

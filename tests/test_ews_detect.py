"""Early-warning detectors (salama.lib.ews): no Django database needed."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from salama.lib.ews import (
    beta_binomial,
    c1,
    c2,
    c3,
    cold_start,
    detect,
    farrington,
    nb_cusum_pvalue,
    nb_window_pvalue,
    noufaily,
    rolling_nb,
    space_time_scan,
)
from salama.lib.ews.cli import SeriesError, detect_file
from salama.lib.ews.detect import SHARES, combine


def _series(n: int = 200, mean: float = 5.0, seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).poisson(mean, n).astype(float)


@pytest.mark.parametrize("method", [noufaily, farrington, rolling_nb])
def test_model_flags_spike_not_baseline(method):
    y = _series()
    t = 180
    assert method(y, t).pvalue > 0.01
    y[t] = 30
    assert method(y, t).pvalue < 0.01


def test_cusum_flags_sustained_rise_only():
    mu, phi = np.full(8, 4.0), np.full(8, 1.0)
    assert nb_cusum_pvalue(np.array([4, 3, 5, 4, 4, 3, 5, 4]), mu, phi) > 0.1
    assert nb_cusum_pvalue(np.array([4, 3, 5, 4, 9, 9, 10, 9]), mu, phi) < 0.01


def test_cold_start_three_weeks():
    base = np.array([1.0, 0.0, 1.0, 1.0])
    assert cold_start(base, 3).pvalue > 0.2
    base[3] = 9
    assert cold_start(base, 3).pvalue < 0.01


def test_beta_binomial_proportion():
    rng = np.random.default_rng(0)
    trials = np.full(60, 100.0)
    pos = rng.binomial(100, 0.1, 60).astype(float)
    assert beta_binomial(pos, trials, 59).pvalue > 0.01
    pos[59] = 35
    assert beta_binomial(pos, trials, 59).pvalue < 0.01


def test_ears_matches_hand_computation():
    y = np.array([2, 4, 3, 5, 1, 2, 4, 3, 6, 10], dtype=float)
    base = y[2:9]  # the 7 weeks before week 9
    assert c1(y, 9) == pytest.approx((10 - base.mean()) / base.std(ddof=1))
    b2 = y[0:7]
    assert c2(y, 9) == pytest.approx((10 - b2.mean()) / b2.std(ddof=1))
    want = sum(max(0.0, c2(y, s) - 1) for s in (7, 8, 9))
    assert c3(y, 9) == pytest.approx(want)


def test_detect_combined_by_history_length():
    y = _series(120)
    scores = detect(y, start=100, cusum_sims=199)
    assert not any(s.alarm for s in scores[:5])
    assert {s.method for s in detect(y[:20], start=0, cusum_sims=99)} == {
        "cold-start",
        "rolling-nb",
    }
    y[110] = 30
    hit = detect(y, start=110, cusum_sims=199)[0]
    assert hit.alarm and hit.score > 2 and hit.method == "noufaily"


def test_scan_finds_planted_cluster():
    rng = np.random.default_rng(1)
    counts = rng.poisson(3, size=(9, 12))
    counts[[4, 5], -2:] += 12
    coords = np.array([[i % 3, i // 3] for i in range(9)], dtype=float)
    cl = space_time_scan(counts, k=3, max_weeks=3, coords=coords, replicates=99)
    assert cl.pvalue <= 0.02
    assert {4, 5} <= set(cl.blocks) and cl.weeks[-1] == 11
    assert cl.observed > cl.expected
    flat = space_time_scan(rng.poisson(3, size=(9, 12)), coords=coords, replicates=99)
    assert flat.pvalue > 0.05


def _write(path: Path, rows: list[list[str]], header=("series", "week", "count")) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _read(path: Path) -> list[dict[str, str]]:
    with path.open() as fh:
        return list(csv.DictReader(fh))


def test_cli_integer_weeks_columns_and_past_only(tmp_path):
    y = _series(40).astype(int)
    rows = [["a", str(i + 1), str(c)] for i, c in enumerate(y)]
    src, out = _write(tmp_path / "s.csv", rows), tmp_path / "o.csv"
    assert detect_file(src, out, from_week="30") == 11
    got = _read(out)
    assert list(got[0]) == ["series", "week", "expected", "upper", "score", "alarm"]
    assert got[0]["week"] == "30" and got[-1]["alarm"] in {"0", "1"}
    rows[-1][2] = "90"  # change the last week: earlier weeks' scores must not move
    detect_file(_write(tmp_path / "s2.csv", rows), tmp_path / "o2.csv", from_week="30")
    again = _read(tmp_path / "o2.csv")
    assert again[:-1] == got[:-1]
    assert again[-1]["alarm"] == "1" and again[-1] != got[-1]


def test_cli_iso_weeks_and_gap_as_zero(tmp_path):
    rows = [["b", f"2026-W{w:02d}", "2"] for w in range(1, 20) if w != 7]
    rows += [["b", "2026-W20", "15"]]
    n = detect_file(_write(tmp_path / "s.csv", rows), tmp_path / "o.csv", from_week="2026-W18")
    got = _read(tmp_path / "o.csv")
    assert n == 3 and [r["week"] for r in got] == ["2026-W18", "2026-W19", "2026-W20"]
    assert got[-1]["alarm"] == "1" and got[0]["alarm"] == "0"


@pytest.mark.parametrize(
    ("rows", "header", "message"),
    [
        ([["a", "1", "2"], ["a", "2", "x"]], ("series", "week", "count"), "row 2: count"),
        ([["a", "1", "-1"]], ("series", "week", "count"), "row 1: count"),
        ([["a", "1", "2"], ["a", "1", "3"]], ("series", "week", "count"), "row 2: week"),
        ([["a", "1", "2"], ["a", "2026-W02", "3"]], ("series", "week", "count"), "row 2: series"),
        ([["a", "1", "2", "0"]], ("series", "week", "count", "denominator"), "row 1: denominator"),
        ([["a", "wk1", "2"]], ("series", "week", "count"), "row 1: week"),
        ([["a", "2026-W60", "2"]], ("series", "week", "count"), "row 1: no such ISO week"),
        ([["a", "1"]], ("series", "week"), "header: missing column(s) count"),
    ],
)
def test_cli_errors_name_the_row(tmp_path, rows, header, message):
    src = _write(tmp_path / "s.csv", rows, header)
    with pytest.raises(SeriesError, match=message.replace("(", r"\(").replace(")", r"\)")):
        detect_file(src, tmp_path / "o.csv")


def test_cli_unknown_from_week(tmp_path):
    src = _write(tmp_path / "s.csv", [["a", "1", "2"], ["a", "2", "3"]])
    with pytest.raises(SeriesError, match="--from"):
        detect_file(src, tmp_path / "o.csv", from_week="9")


def test_cli_trials_scores_the_share_of_those_screened(tmp_path):
    """A screening drive: ten times the screenings and ten times the count in the last
    week is the usual share, an alarm as a count with an offset would not say."""
    header = ("series", "week", "count", "denominator")
    usual = [["s", str(w), str(int(w % 3 == 0)), "20"] for w in range(1, 30)]
    drive = _write(tmp_path / "d.csv", [*usual, ["s", "30", "7", "200"]], header)
    detect_file(drive, tmp_path / "d-out.csv", from_week="30", trials=True)
    assert _read(tmp_path / "d-out.csv")[0]["alarm"] == "0"
    rise = _write(tmp_path / "r.csv", [*usual, ["s", "30", "9", "20"]], header)
    detect_file(rise, tmp_path / "r-out.csv", from_week="30", trials=True)
    assert _read(tmp_path / "r-out.csv")[0]["alarm"] == "1"
    bad = _write(tmp_path / "b.csv", [*usual, ["s", "30", "30", "20"]], header)
    with pytest.raises(SeriesError, match="row 30: with --trials, denominator must be"):
        detect_file(bad, tmp_path / "b-out.csv", trials=True)


def test_pair_sum_flags_outbreak_split_over_two_weeks():
    y = _series()
    t = 180
    w_week, w_pair, _ = SHARES
    y[t - 1], y[t] = 11, 11  # each week alone is not alarming at its share of alpha ...
    assert all(noufaily(y, s).pvalue > w_week * 0.01 for s in (t - 1, t))
    mu = np.array([noufaily(y, s, alpha=0.01 * w_week).expected for s in (t - 1, t)])
    assert nb_window_pvalue(y[t - 1 : t + 1], mu, noufaily(y, t).phi) <= w_pair * 0.01
    hit = detect(y, start=t, cusum_sims=199)[0]  # ... but their sum is
    assert hit.alarm and hit.method == "noufaily"
    assert nb_window_pvalue(np.array([30.0, 4.0]), np.full(2, 5.0), 1.0) == 1.0  # past spike


def test_pair_sum_pvalue_is_valid_under_the_null():
    rng = np.random.default_rng(5)
    mu, phi = np.array([4.0, 6.0]), 2.0
    r = mu / (phi - 1)
    y = rng.negative_binomial(r, r / (r + mu), size=(20000, 2)).astype(float)
    p = np.array([nb_window_pvalue(row, mu, phi) for row in y])
    for a in (0.01, 0.05, 0.2):  # super-uniform (discrete, and 1 when week t <= mu) ...
        assert np.mean(p <= a) <= a * 1.1
    assert np.mean(p <= 0.05) >= 0.02  # ... but not uselessly conservative


def test_combine_is_weighted_bonferroni():
    assert sum(SHARES) == pytest.approx(1.0)
    assert combine((0.5, 0.002, 0.9), SHARES) == pytest.approx(0.002 / SHARES[1])
    assert combine((0.9, 0.9, 0.9), SHARES) == 1.0
    u = np.random.default_rng(2).uniform(size=(40000, 3))  # independent null p-values
    level = np.mean([combine(row, SHARES) <= 0.05 for row in u])
    assert 0.045 <= level <= 0.05 + 0.005  # ~ sum(w) * alpha, never much above alpha


def test_residual_cusum_flags_sustained_rise_single_weeks_miss():
    rng = np.random.default_rng(8)
    y = rng.poisson(10, 200).astype(float)
    y[188:] = rng.poisson(15, 12)  # a sustained 1.5x rise from week 188
    assert min(noufaily(y, t).pvalue for t in range(188, 200)) > 0.01  # even at 1%, no Bonf.
    scores = detect(y, start=176, cusum_sims=999)
    w_week, w_pair, _ = SHARES
    raised_by_cusum = []
    for s in scores:
        if s.alarm:
            p = noufaily(y, s.week, alpha=0.01 * w_week)
            q = noufaily(y, s.week - 1, alpha=0.01 * w_week)
            pair = nb_window_pvalue(
                y[s.week - 1 : s.week + 1], np.array([q.expected, p.expected]), p.phi
            )
            if p.pvalue > w_week * 0.01 and pair > w_pair * 0.01:
                raised_by_cusum.append(s.week)
    # (week 185 alarms on its pair 16 + 15 vs 18.5 expected, a 0.4% event: the pair test)
    assert raised_by_cusum and min(raised_by_cusum) >= 188


def test_farrington_five_cases_rule_is_optional():
    y = np.zeros(300)
    y[::13] = 1  # sparse baseline
    y[299] = 3
    plain = farrington(y, 299)
    assert plain.pvalue < 0.01 and plain.upper < 3
    ruled = farrington(y, 299, min_recent=5)
    assert ruled.pvalue == 1.0 and ruled.upper >= 3
    y[296:299] = [1, 1, 0]  # now 5 cases in weeks 296..299: the rule lets it through
    assert farrington(y, 299, min_recent=5).pvalue == farrington(y, 299).pvalue < 0.01


def test_scan_zones_from_adjacency_are_every_connected_set_up_to_k():
    from salama.lib.ews.scan import zones

    chain = [[1], [0, 2], [1, 3], [2]]  # 0 - 1 - 2 - 3
    assert zones(4, 2, adjacency=chain) == [(0,), (0, 1), (1,), (1, 2), (2,), (2, 3), (3,)]
    three = zones(4, 3, adjacency=chain)
    assert (0, 1, 2) in three and (0, 2) not in three and (0, 1, 3) not in three

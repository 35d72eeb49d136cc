"""EWS benchmark: matched-1% POD on Noufaily-style scenarios and sparse camp series.

python bench/ews/run.py --out bench/ews/RESULTS.md [--reps 100] [--camp-reps 200]
"""

from __future__ import annotations

import argparse
import platform
import time
from datetime import date
from multiprocessing import Pool

import numpy as np

from salama.lib.ews import c1, detect, farrington, noufaily, rolling_nb

N, EVAL = 624, 49
KS = (2, 3, 5, 10)
# Reconstructed grid (NOT verified against Noufaily 2013 Table 1): 7 level/dispersion
# pairs x 6 trend/seasonality patterns = 42 scenarios.
LEVELS = [(0.5, 1.0), (1.5, 1.0), (2.5, 1.0), (0.5, 1.5), (1.5, 2.0), (2.5, 3.0), (3.5, 5.0)]
PATTERNS = [
    (0, 0, 0, 0),
    (0.001, 0, 0, 0),
    (0, 0.2, 0.2, 1),
    (0.001, 0.2, 0.2, 1),
    (0, 0.6, 0.6, 2),
    (0.001, 0.6, 0.6, 2),
]
SCENARIOS = [(th, b, g1, g2, m, phi) for th, phi in LEVELS for b, g1, g2, m in PATTERNS]


def _nb(rng: np.random.Generator, mu: np.ndarray, phi: float) -> np.ndarray:
    if phi <= 1:
        return rng.poisson(mu)
    r = mu / (phi - 1)
    return rng.negative_binomial(r, r / (r + mu))


def _outbreak(rng, y, start, sd, k, n):
    cases = rng.poisson(k * sd)
    weeks = start + np.floor(rng.lognormal(0, 0.5, cases)).astype(int)
    weeks = weeks[weeks < n]
    np.add.at(y, weeks, 1)
    return sorted(set(weeks.tolist())) or [start]


def noufaily_series(sc, seed: int, with_outbreak: bool):
    th, b, g1, g2, m, phi = sc
    rng = np.random.default_rng(seed)
    t = np.arange(N)
    eta = (
        th
        + b * t
        + sum(
            g1 * np.cos(2 * np.pi * j * t / 52) + g2 * np.sin(2 * np.pi * j * t / 52)
            for j in range(1, m + 1)
        )
    )
    mu = np.exp(eta)
    y = _nb(rng, mu, phi)
    for s in rng.choice(np.arange(313, N - EVAL - 6), 4, replace=False):
        _outbreak(rng, y, int(s), np.sqrt(phi * mu[s]), rng.choice(KS), N - EVAL)
    ob: list[int] = []
    if with_outbreak:
        s = int(rng.integers(N - EVAL, N - 3))
        ob = _outbreak(rng, y, s, np.sqrt(phi * mu[s]), KS[seed % 4], N)
    return y.astype(float), ob


def camp_series(sc, seed: int, with_outbreak: bool):
    mean, hist, kind = sc
    rng = np.random.default_rng(seed)
    n = hist + 12
    y = rng.poisson(mean, n)
    ob: list[int] = []
    if with_outbreak:
        s = int(rng.integers(hist, n - 3))
        if kind.startswith("step"):
            mult = int(kind[-1])
            y[s:] = rng.poisson(mean * mult, n - s)
            ob = list(range(s, n))
        else:
            ob = list(range(s, s + int(kind[-1])))
            y[ob] += rng.poisson(max(3.0, 3 * np.sqrt(mean)), len(ob))
    return y.astype(float), ob, hist


def _nl(p: float) -> float:
    return float(-np.log10(max(p, 1e-300)))


def score_methods(y: np.ndarray, start: int) -> dict[str, np.ndarray]:
    ts = range(start, len(y))
    out = {"salama": np.array([w.score for w in detect(y, start=start, cusum_sims=499)])}
    out["ears_c1"] = np.array([c1(y, t) for t in ts])
    out["rolling_nb"] = np.array([_nl(rolling_nb(y, t).pvalue) for t in ts])
    if start >= 78 * 3:
        out["noufaily"] = np.array([_nl(noufaily(y, t).pvalue) for t in ts])
        out["farrington"] = np.array([_nl(farrington(y, t).pvalue) for t in ts])
    return out


def _job(args):
    family, sc, seed, with_ob = args
    if family == "noufaily":
        y, ob = noufaily_series(sc, seed, with_ob)
        start = N - EVAL
    else:
        y, ob, start = camp_series(sc, seed, with_ob)
    return [o - start for o in ob], score_methods(y, start)


def evaluate(results_null, results_ob) -> dict[str, tuple[float, float, float, float]]:
    out = {}
    for m in results_null[0][1]:
        null = np.concatenate([s[m] for _, s in results_null])
        thr = float(np.quantile(null, 0.99))
        det, first, delays, tp, alarms = 0, 0, [], 0, 0
        for ob, s in results_ob:
            a = s[m] > thr
            alarms += int(a.sum())
            hits = [w for w in ob if a[w]]
            tp += len(hits)
            if hits:
                det += 1
                first += int(a[ob[0]])
                delays.append(hits[0] - ob[0])
        n = len(results_ob)
        out[m] = (
            det / n,
            first / n,
            float(np.mean(delays)) if delays else float("nan"),
            tp / alarms if alarms else float("nan"),
        )
    return out


def run_family(pool, family, scenarios, reps) -> dict[str, list[tuple[float, float, float, float]]]:
    per: dict[str, list] = {}
    for i, sc in enumerate(scenarios):
        base = 1000 * i
        null = pool.map(_job, [(family, sc, base + r, False) for r in range(reps)])
        obs = pool.map(_job, [(family, sc, base + 500 + r, True) for r in range(reps)])
        for m, v in evaluate(null, obs).items():
            per.setdefault(m, []).append(v)
    return per


def table(title: str, per: dict[str, list]) -> str:
    lines = [
        f"### {title}",
        "",
        "| method | POD | POD 1st week | mean delay (wk) | PPV |",
        "|---|---|---|---|---|",
    ]
    for m, vals in per.items():
        a = np.array(vals, dtype=float)
        pod, fw, dl, ppv = (np.nanmean(a[:, j]) for j in range(4))
        lines.append(f"| {m} | {pod:.1%} | {fw:.1%} | {dl:.2f} | {ppv:.1%} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="bench/ews/RESULTS.md")
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--camp-reps", type=int, default=200)
    ap.add_argument("--scenarios", type=int, default=42, help="first N Noufaily scenarios")
    ap.add_argument("--procs", type=int, default=2)
    a = ap.parse_args(argv)
    t0 = time.time()
    camp = [(mu, h, k) for mu in (0.3, 1.0, 3.0) for h in (26, 52) for k in ("step2", "step3")]
    pulses = [(mu, h, k) for mu in (0.3, 1.0, 3.0) for h in (26, 52) for k in ("pulse1", "pulse2")]
    with Pool(a.procs) as pool:
        res_n = run_family(pool, "noufaily", SCENARIOS[: a.scenarios], a.reps)
        res_s = run_family(pool, "camp", camp, a.camp_reps)
        res_p = run_family(pool, "camp", pulses, a.camp_reps)
    took = time.time() - t0
    cmd = (
        f"python bench/ews/run.py --out {a.out} --reps {a.reps} --camp-reps {a.camp_reps}"
        f" --scenarios {a.scenarios} --procs {a.procs}"
    )
    text = "\n".join(
        [
            "# EWS benchmark (matched 1% weekly false-alarm rate)",
            "",
            f"Command: `{cmd}`  ",
            f"Machine: {platform.machine()}, {platform.processor() or '?'},"
            f" Python {platform.python_version()}, {a.procs} processes  ",
            f"Date: {date.today().isoformat()}, wall time {took:.0f} s",
            "",
            table(f"Noufaily-style scenarios ({a.scenarios} scenarios x {a.reps} series)", res_n),
            table(f"Camp steps (x2, x3; {len(camp)} scenarios x {a.camp_reps})", res_s),
            table(f"Camp pulses (1-2 weeks; {len(pulses)} scenarios x {a.camp_reps})", res_p),
        ]
    )
    with open(a.out, "w", encoding="utf-8") as fh:
        fh.write(text)
    print(text)


if __name__ == "__main__":
    main()

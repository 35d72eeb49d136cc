"""Fellegi–Sunter match weights. As in Splink: u (chance agreement) is
estimated from random pairs, then m (agreement among true matches) and the
share of matches λ by expectation–maximisation over the blocked pairs, with u
held fixed. Shipped defaults serve a new deployment with too little data."""

import json
from dataclasses import dataclass, field

import numpy as np

from salama.lib.linkage.compare import CROSSED, CROSSES, FEATURE_INDEX, FEATURES, MISSING

# Defaults for a new deployment: what a registry clerk's errors look like.
DEFAULT_M = {
    "given": [0.01, 0.03, 0.02, 0.04, 0.10, 0.80],
    "father": [0.03, 0.05, 0.02, 0.05, 0.10, 0.75],
    "grandfather": [0.05, 0.06, 0.02, 0.05, 0.10, 0.72],
    "family": [0.03, 0.05, 0.03, 0.05, 0.10, 0.74],
    # One true match in 2,000 has birth years more than ten years apart (a
    # year typed with its digits swapped): such a gap all but rules a match out.
    "birth": [0.0005, 0.0295, 0.04, 0.13, 0.55, 0.25],
    "sex": [0.02, 0.98],
    "origin": [0.05, 0.15, 0.80],
    "phone": [0.15, 0.85],
    "document": [0.03, 0.07, 0.90],
    "household": [0.7, 0.3],
}
DEFAULT_U = {
    "given": [0.90, 0.04, 0.001, 0.005, 0.004, 0.05],
    "father": [0.90, 0.04, 0.001, 0.005, 0.004, 0.05],
    "grandfather": [0.90, 0.04, 0.001, 0.005, 0.004, 0.05],
    "family": [0.93, 0.04, 0.001, 0.002, 0.002, 0.025],
    "birth": [0.60, 0.25, 0.06, 0.04, 0.05, 0.0001],
    "sex": [0.5, 0.5],
    "origin": [0.6, 0.3, 0.1],
    "phone": [0.9999, 0.0001],
    "document": [0.9999, 0.00005, 0.00005],
    # Not from random pairs: candidates that share a household are nearly
    # always relatives, so chance agreement is set as it is among candidates.
    "household": [0.9, 0.1],
}
FLOOR = 1e-6
GIVEN = 0
# What relatives share, twins included. When the given names differ,
# agreement here says "same family", not "same person", so it adds nothing
# (disagreement still counts). Fellegi–Sunter assumes independent fields; a
# household is not. A document number is a person's own, so it still counts.
FAMILY_FEATURES = {"father", "grandfather", "family", "origin", "household", "phone"}
# When the given names are certainly different names (level 0), birth and sex
# stop counting too (twins); when they are only unlike spellings (level 1, a
# bad typo perhaps), the date of birth may still tell one person, and in two
# different households (a re-registration, not a sibling) so may the family.
TWIN_FEATURES = {"birth", "sex"}
DOCUMENT_SAME = 2
# Features whose chance agreement among blocked pairs differs from random
# pairs (relatives share a household): EM estimates their u too.
EM_U_FEATURES = {"household"}
# Features whose u random pairs would set far too low (see DEFAULT_U).
CANDIDATE_U_FEATURES = {"household"}


def _normalised(values: np.ndarray) -> np.ndarray:
    values = np.maximum(values, FLOOR)
    return values / values.sum()


@dataclass
class Model:
    m: list[np.ndarray] = field(
        default_factory=lambda: [np.array(DEFAULT_M[f.name]) for f in FEATURES]
    )
    u: list[np.ndarray] = field(
        default_factory=lambda: [np.array(DEFAULT_U[f.name]) for f in FEATURES]
    )
    prior: float = 0.001  # λ: the chance that two records compared are one person

    def birth_overlap_share(self) -> float:
        """Chance that two strangers' birth years overlap (u of the birth's
        two top levels, "years overlap" and "same date")."""
        return float(_normalised(self.u[FEATURE_INDEX["birth"]])[-2:].sum())

    def weight_table(self) -> list[np.ndarray]:
        """log2(m/u) per feature and level; a missing value weighs nothing."""
        return [
            np.log2(_normalised(m) / _normalised(u)) for m, u in zip(self.m, self.u, strict=True)
        ]

    def feature_weights(self, levels: np.ndarray, name_tf: np.ndarray | None = None) -> np.ndarray:
        """Weights (pairs × features). With `name_tf` (pairs × name parts: the
        share of records carrying the agreed name, NaN elsewhere), agreement on
        a common name weighs less than on a rare one, as Splink's term-frequency
        adjustment does: log2(m / tf) instead of log2(m / u)."""
        weights = np.zeros(levels.shape, dtype=float)
        for k, table in enumerate(self.weight_table()):
            column = levels[:, k]
            present = column != MISSING
            weights[present, k] = table[column[present]]
        if name_tf is not None:
            for part in range(name_tf.shape[1]):
                tf = name_tf[:, part]
                use = ~np.isnan(tf)
                m = _normalised(self.m[part])[levels[use, part]]
                weights[use, part] = np.log2(m / np.maximum(tf[use], FLOOR))
        # Names written in another order are one event, seen from each part
        # it moved: the first of them (the given name, when it moved) carries
        # it, the others add nothing.
        moved = np.zeros(len(levels), dtype=bool)
        for part in sorted(CROSSES):
            crossed = levels[:, part] == CROSSED
            weights[moved & crossed, part] = 0.0
            moved |= crossed
        differ = levels[:, GIVEN] == 0
        # Unlike spellings of the given name: a bad typo of one person, or two
        # relatives. Two records of one household are relatives far more often.
        household = FEATURE_INDEX["household"]
        unlike = differ | ((levels[:, GIVEN] == 1) & (levels[:, household] != 0))
        # Twins share a birth date, never a document number.
        twins = differ & (levels[:, FEATURE_INDEX["document"]] != DOCUMENT_SAME)
        for k, feature in enumerate(FEATURES):
            gated = (
                unlike
                if feature.name in FAMILY_FEATURES
                else twins
                if feature.name in TWIN_FEATURES
                else None
            )
            if gated is not None:
                weights[gated, k] = np.minimum(weights[gated, k], 0.0)
        return weights

    def match_weights(self, levels: np.ndarray, name_tf: np.ndarray | None = None) -> np.ndarray:
        prior = np.log2(self.prior / (1 - self.prior))
        return prior + self.feature_weights(levels, name_tf).sum(axis=1)

    def probabilities(self, levels: np.ndarray, name_tf: np.ndarray | None = None) -> np.ndarray:
        return 1.0 / (1.0 + np.power(2.0, -self.match_weights(levels, name_tf)))

    def explain(self, row: np.ndarray, tf_row: np.ndarray | None = None) -> list[dict[str, object]]:
        """Each feature of one pair: level, weight, agreed / partly / disagreed / missing."""
        weights = self.feature_weights(row[None, :], None if tf_row is None else tf_row[None, :])[0]
        out: list[dict[str, object]] = []
        for k, feature in enumerate(FEATURES):
            level = int(row[k])
            if level == MISSING:
                out.append(
                    {"feature": feature.name, "status": "missing", "level": "", "weight": 0.0}
                )
                continue
            top = len(feature.levels) - 1
            status = (
                "agreed"
                if level == top
                else "disagreed"
                if level < feature.disagreeing
                else "partly"
            )
            out.append(
                {
                    "feature": feature.name,
                    "status": status,
                    "level": feature.levels[level],
                    "weight": round(float(weights[k]), 2),
                }
            )
        return out

    def to_json(self) -> str:
        return json.dumps(
            {
                "prior": self.prior,
                "m": {f.name: m.tolist() for f, m in zip(FEATURES, self.m, strict=True)},
                "u": {f.name: u.tolist() for f, u in zip(FEATURES, self.u, strict=True)},
            }
        )

    @classmethod
    def from_json(cls, text: str) -> "Model":
        data = json.loads(text)
        return cls(
            m=[np.array(data["m"][f.name]) for f in FEATURES],
            u=[np.array(data["u"][f.name]) for f in FEATURES],
            prior=float(data["prior"]),
        )


def level_frequencies(levels: np.ndarray, weights: np.ndarray | None = None) -> list[np.ndarray]:
    """Per feature, the (weighted) share of each level among non-missing values."""
    out = []
    for k, feature in enumerate(FEATURES):
        column = levels[:, k]
        present = column != MISSING
        w = None if weights is None else weights[present]
        counts = np.bincount(column[present], weights=w, minlength=len(feature.levels)).astype(
            float
        )
        out.append(counts)
    return out


def estimate_u(random_levels: np.ndarray, model: Model) -> Model:
    """u from levels of random pairs (nearly all non-matches); features never
    observed keep their defaults."""
    u = []
    frequencies = level_frequencies(random_levels)
    for feature, counts, default in zip(FEATURES, frequencies, model.u, strict=True):
        total = counts.sum()
        random_pairs_tell = total >= 100 and feature.name not in CANDIDATE_U_FEATURES
        u.append(
            _normalised((counts + 0.5) / (total + 0.5 * len(counts)))
            if random_pairs_tell
            else default
        )
    return Model(m=model.m, u=u, prior=model.prior)


PRIOR_STRENGTH = 50.0  # pseudo-pairs of the shipped defaults in every estimate


def _smoothed(counts: np.ndarray, default: np.ndarray) -> np.ndarray:
    """A maximum a posteriori estimate: the data, plus the shipped defaults
    as a Dirichlet prior, so that a session dominated by relatives (who agree
    on everything but the given name) cannot talk the model out of what a
    different given name means."""
    pseudo = PRIOR_STRENGTH * _normalised(default)
    return _normalised((counts + pseudo) / (counts.sum() + PRIOR_STRENGTH))


def estimate_m(
    levels: np.ndarray,
    model: Model,
    fixed: frozenset[str] = frozenset(),
    iterations: int = 25,
    tolerance: float = 1e-5,
) -> tuple[Model, set[str]]:
    """One EM session over pairs from one blocking rule, u held fixed. The
    features the rule blocked on agree by construction, so they are left out
    of the likelihood and their m is not estimated here (as Splink does).
    Returns the model and the names of the features estimated."""
    used = [k for k, f in enumerate(FEATURES) if f.name not in fixed]
    view = levels.copy()
    view[:, [k for k in range(len(FEATURES)) if k not in used]] = MISSING
    current = Model(m=list(model.m), u=list(model.u), prior=0.5)
    for _ in range(iterations):
        p = current.probabilities(view)
        prior = float(np.clip(p.mean(), 1e-6, 1 - 1e-6))
        frequencies = level_frequencies(view, p)
        m = [
            _smoothed(frequencies[k], current.m[k]) if k in used else current.m[k]
            for k in range(len(FEATURES))
        ]
        u = list(current.u)
        if EM_U_FEATURES:
            non_match = level_frequencies(view, 1 - p)
            for k in used:
                if FEATURES[k].name in EM_U_FEATURES:
                    u[k] = _smoothed(non_match[k], current.u[k])
        new = Model(m=m, u=u, prior=prior)
        change = max(float(np.abs(a - b).max()) for a, b in zip(new.m, current.m, strict=True))
        current = new
        if change < tolerance:
            break
    estimated = {FEATURES[k].name for k in used if (view[:, k] != MISSING).sum() >= 5}
    return current, estimated


def m_from_matches(levels: np.ndarray, model: Model) -> Model:
    """m from the levels of pairs known to be one person (a deployment's
    reviewed merges, or a labelled registry), smoothed towards the model's m
    as the EM estimates are; u and λ are kept."""
    m = [
        _smoothed(counts, default)
        for counts, default in zip(level_frequencies(levels), model.m, strict=True)
    ]
    return Model(m=m, u=model.u, prior=model.prior)


def combine(base: Model, sessions: list[tuple[Model, set[str]]]) -> Model:
    """m of each feature averaged over the sessions that estimated it."""
    m, u = list(base.m), list(base.u)
    for k, feature in enumerate(FEATURES):
        estimates = [s.m[k] for s, names in sessions if feature.name in names]
        if estimates:
            m[k] = _normalised(np.mean(estimates, axis=0))
        u_estimates = [
            s.u[k]
            for s, names in sessions
            if feature.name in names and feature.name in EM_U_FEATURES
        ]
        if u_estimates:
            u[k] = _normalised(np.mean(u_estimates, axis=0))
    return Model(m=m, u=u, prior=base.prior)


def estimate_prior(
    levels: np.ndarray, model: Model, total_pairs: float, iterations: int = 30
) -> Model:
    """λ, the chance that two records drawn at random match: EM for the share
    of matches among blocked pairs (m and u fixed), spread over every possible
    pair (blocking is assumed to keep nearly all matches)."""
    share = 0.5
    for _ in range(iterations):
        p = Model(m=model.m, u=model.u, prior=share).probabilities(levels)
        share = float(np.clip(p.mean(), 1e-9, 1 - 1e-9))
    expected_matches = share * len(levels)
    prior = float(np.clip(expected_matches / max(total_pairs, 1.0), 1e-12, 0.5))
    return Model(m=model.m, u=model.u, prior=prior)


def prior_from_strict(found: int, total_pairs: float, records: int, recall: float = 0.6) -> float:
    """λ as Splink's deterministic-rule estimate: `found` pairs agree strictly
    (see compare.strict_agreement) and are counted as matches; `recall` is the
    share of all matches such strict agreement is assumed to find."""
    # Too few to estimate from (a small registry): assume one record in
    # twenty has a duplicate, as re-registration rates in camps suggest.
    matches = found / recall if found >= 10 else 0.05 * records
    return float(np.clip(matches / max(total_pairs, 1.0), 1e-12, 0.5))

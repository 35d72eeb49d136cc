"""Splink 5 (DuckDB) given Salama's normalisation and comparison levels, for
issue 15's engine decision: if Splink with the same inputs matches Salama's
own engine, Salama should use it (others maintain it, and it runs on Spark).

Input columns are Salama's, computed by salama.lib.linkage.records.prepare:
canonical names (variant table, Arabic script folded), consonant skeletons
(cross-script), loose Latin spellings, the birth-year range a stated age or
date gives, the normalised place of origin. The comparisons are Salama's
levels written as Splink comparison levels; blocking is Salama's keys, with
the "any two skeletons" key as an exploded array, limited to birth years
within a band (Splink has no sorted neighbourhood: a block is compared in
full). m is estimated by EM as a Splink user would; u from random pairs.
"""

from __future__ import annotations

from salama.lib.linkage.records import NAME_PARTS, prepare

PARTS = ("given", "father", "grandfather", "family")
# Which parts a clerk swaps (as in salama.lib.linkage.compare).
CROSSES = {"given": ("father", "family"), "father": ("given",), "family": ("given",)}
BAND = 4  # years: a key on skeletons meets records whose birth years fall in one band


def salama_frame(rows):
    """Rows → a pandas frame of Salama's normalised columns."""
    import itertools

    import pandas as pd

    prep, vocab = prepare(rows)
    names, skeletons = vocab.names.values, vocab.skeletons.values
    out = []
    for k, record_id in enumerate(prep.ids):
        record = {"unique_id": record_id}
        for p, part in enumerate(PARTS):
            name_id = int(prep.names[k, p])
            record[part] = names[name_id] or None
            record[f"{part}_loose"] = vocab.loose(name_id) or None
            record[f"{part}_sk"] = skeletons[int(prep.skeletons[k, p])] or None
        present = sorted({s for s in (record[f"{p}_sk"] for p in PARTS) if s})
        record["skeleton_pairs"] = [f"{a}+{b}" for a, b in itertools.combinations(present, 2)]
        given, family = record["given"], record["family"]
        record["names_unordered"] = "+".join(sorted((given, family))) if given and family else None
        low, high = int(prep.year_min[k]), int(prep.year_max[k])
        record["year_min"] = low if low >= 0 else None
        record["year_max"] = high if high >= 0 else None
        middle = (low + high) // 2 if low >= 0 else None
        record["band"] = None if middle is None else middle // BAND
        record["band_shift"] = None if middle is None else (middle + BAND // 2) // BAND
        record["exact_date"] = int(prep.exact_date[k]) if prep.exact_date[k] >= 0 else None
        record["sex"] = int(prep.sex[k]) or None
        record["place"] = vocab.places.values[int(prep.place[k])] or None
        record["country"] = vocab.countries.values[int(prep.country[k])] or None
        record["phone"] = int(prep.phone[k]) if prep.phone[k] >= 0 else None
        record["document"] = vocab.documents.values[int(prep.document[k])] or None
        record["household"] = vocab.households.values[int(prep.household[k])] or None
        out.append(record)
    assert len(NAME_PARTS) == len(PARTS)
    return pd.DataFrame(out)


def _m(feature: str, salama_levels: list[int]) -> float | None:
    """Salama's shipped m for the union of its levels `salama_levels`."""
    from salama.lib.linkage.model import DEFAULT_M

    return sum(DEFAULT_M[feature][k] for k in salama_levels) if FIXED_M else None


def _with_m(level, m: float | None):
    return level.configure(m_probability=m) if m is not None else level


def _name_comparison(part: str):
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    crosses = CROSSES.get(part, ())
    levels = [
        cll.NullLevel(part),
        _with_m(cll.ExactMatchLevel(part, term_frequency_adjustments=True), _m(part, [5])),
        _with_m(cll.JaroWinklerLevel(f"{part}_loose", 0.94), _m(part, [4])),
        _with_m(cll.ExactMatchLevel(f"{part}_sk"), _m(part, [3])),
    ]
    for other in crosses:
        swapped = cll.CustomLevel(
            f'("{part}_l" = "{other}_r" AND "{other}_l" = "{part}_r")',
            label_for_charts=f"{part} and {other} swapped",
        )
        share = _m(part, [2])
        levels.append(_with_m(swapped, None if share is None else share / len(crosses)))
    levels.append(_with_m(cll.ElseLevel(), _m(part, [0, 1])))
    return cl.CustomComparison(levels, output_column_name=part)


def _birth_comparison():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    gap = 'greatest("year_min_l" - "year_max_r", "year_min_r" - "year_max_l")'
    return cl.CustomComparison(
        output_column_name="birth",
        comparison_levels=[
            cll.CustomLevel('"year_min_l" IS NULL OR "year_min_r" IS NULL').configure(
                is_null_level=True
            ),
            _with_m(
                cll.CustomLevel('"exact_date_l" = "exact_date_r"', label_for_charts="same date"),
                _m("birth", [5]),
            ),
            _with_m(cll.CustomLevel(f"{gap} <= 0", label_for_charts="overlap"), _m("birth", [4])),
            _with_m(cll.CustomLevel(f"{gap} <= 1", label_for_charts="1 year"), _m("birth", [3])),
            _with_m(cll.CustomLevel(f"{gap} <= 3", label_for_charts="3 years"), _m("birth", [2])),
            _with_m(cll.CustomLevel(f"{gap} <= 10", label_for_charts="far"), _m("birth", [1])),
            _with_m(cll.ElseLevel(), _m("birth", [0])),
        ],
    )


def _origin_comparison():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="origin",
        comparison_levels=[
            cll.NullLevel("place"),
            _with_m(cll.ExactMatchLevel("place"), _m("origin", [2])),
            _with_m(cll.ExactMatchLevel("country"), _m("origin", [1])),
            _with_m(cll.ElseLevel(), _m("origin", [0])),
        ],
    )


def _exact(column: str, feature: str):
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[
            cll.NullLevel(column),
            _with_m(cll.ExactMatchLevel(column), _m(feature, [-1])),
            _with_m(cll.ElseLevel(), _m(feature, [0])),
        ],
    )


def _document():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="document",
        comparison_levels=[
            cll.NullLevel("document"),
            _with_m(cll.ExactMatchLevel("document"), _m("document", [2])),
            _with_m(cll.LevenshteinLevel("document", 1), _m("document", [1])),
            _with_m(cll.ElseLevel(), _m("document", [0])),
        ],
    )


FIXED_M = False


def run(left, right, fixed_m: bool = False):
    """(pairs (a, b, probability), pairs compared), as run.py's other tools."""
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    global FIXED_M
    FIXED_M = fixed_m
    comparisons = [
        *(_name_comparison(p) for p in PARTS),
        _birth_comparison(),
        _exact("sex", "sex"),
        _origin_comparison(),
        _exact("phone", "phone"),
        _document(),
        # No household comparison: Splink's model adds each comparison's weight
        # independently, so a shared household (relatives, nearly always) made
        # it a strong match signal; with it, best F1 at 10k fell from 0.768 to
        # 0.663. Salama's engine lets it count only when the given names agree.
    ]
    blocking = [
        block_on("names_unordered"),
        block_on("exact_date"),
        block_on("skeleton_pairs", "band", arrays_to_explode=["skeleton_pairs"]),
        block_on("skeleton_pairs", "band_shift", arrays_to_explode=["skeleton_pairs"]),
        block_on("given_sk", "place", "band"),
        block_on("family_sk", "place", "band"),
        block_on("document"),
        block_on("phone"),
    ]
    settings = SettingsCreator(
        link_type="dedupe_only" if right is None else "link_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
    )
    db = DuckDBAPI()
    frames = [db.register(salama_frame(left), table_name="l")]
    if right is not None:
        frames.append(db.register(salama_frame(right), table_name="r"))
    linker = Linker(frames if right is not None else frames[0], settings, log_level=40)
    deterministic = [
        block_on("names_unordered", "exact_date"),
        block_on("names_unordered", "father", "year_max"),
    ]
    em_rules = () if fixed_m else (block_on("given", "family"), block_on("exact_date"))
    from run import train_and_predict

    return train_and_predict(linker, deterministic, em_rules)

import io
import re

import hxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salama.lib.sharing.ctdc import ctdc_release, write_csv
from salama.lib.sharing.dp import Budget, dp_counts
from salama.lib.sharing.hxl import HxlColumn, write_hxl
from salama.lib.sharing.kanon import class_sizes, ctdc_age_band, k_anonymise
from salama.lib.suppression import suppress_partition

CANARIES = ["Amina Yusuf", "1990-03-14", "Block C-14", "+254 712 345678"]


def test_canary_never_leaves():
    cases = [
        dict(
            sex="female",
            age=15,
            year_identified=2025,
            citizenship="SSD",
            country_of_exploitation="KEN",
            exploitation_types=["forced_labour"],
            name=CANARIES[0],
            date_of_birth=CANARIES[1],
            block=CANARIES[2],
            phone=CANARIES[3],
            recruiter_relation=CANARIES[0],
        )
        for _ in range(12)
    ] + [dict(sex=CANARIES[0], citizenship=CANARIES[2], year_identified=CANARIES[1])] * 12
    out = io.StringIO()
    write_csv(ctdc_release(cases), out)
    assert out.getvalue().count("\n") == 25
    for canary in CANARIES:
        assert canary not in out.getvalue()


def test_age_bands():
    assert [ctdc_age_band(a) for a in (None, 0, 8, 9, 17, 18, 20, 29, 30, 47, 48, 90)] == [
        "unknown",
        "0--8",
        "0--8",
        "9--17",
        "9--17",
        "18--20",
        "18--20",
        "27--29",
        "30--38",
        "39--47",
        "48+",
        "48+",
    ]


rows_st = st.lists(
    st.fixed_dictionaries(
        {"a": st.sampled_from("xyz"), "b": st.integers(0, 3), "c": st.integers(0, 50)}
    ),
    max_size=80,
)


@settings(max_examples=60, deadline=None)
@given(rows_st, st.integers(5, 12))
def test_k_anonymise_property(rows, k):
    gen = {"c": (lambda v: v // 18, lambda v: 0)}
    rel = k_anonymise(rows, ["a", "b", "c"], k, gen)
    assert all(n >= k for n in class_sizes(rel.rows, rel.quasi_identifiers).values())
    assert rel.suppressed == len(rows) - len(rel.rows)


def _recomputable(cells, total):
    hidden = [i for i, c in enumerate(cells) if c is None]
    if total is None or not hidden:
        return False
    left = total - sum(c for c in cells if c is not None)
    return len(hidden) == 1 or left == len(hidden)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=8), st.integers(5, 11))
def test_partition_property(counts, k):
    p = suppress_partition(counts, k)
    assert not any(c is not None and 0 < c < k for c in p.cells)
    assert not _recomputable(p.cells, p.total)


def test_hxl_parsed_and_validated():
    cols = [HxlColumn("Region", "#adm1+name"), HxlColumn("Girls", "#affected+f+children")]
    out = io.StringIO()
    write_hxl(cols, [["North", 12], ["South", None]], "k=11; 1 cells hidden", out)
    data = hxl.data(list(__import__("csv").reader(io.StringIO(out.getvalue()))))
    assert [c.tag for c in data.columns] == ["#adm1", "#affected", "#meta"]
    assert data.columns[1].attributes == {"f", "children"}
    errors = []
    schema = hxl.schema(
        [
            ["#valid_tag", "#valid_required", "#valid_datatype"],
            ["#adm1", "true", ""],
            ["#affected", "", "number"],
            ["#meta+disclosure", "true", ""],
        ],
        callback=errors.append,
    )
    assert schema.validate(data), errors


def test_dp_counts():
    budget = Budget(limit=1.0)
    counts = [3, 0, 7, 40] * 5
    noisy = dp_counts(counts, 0.1, budget=budget)
    assert all(isinstance(v, int) and v >= 0 for v in noisy) and noisy != counts
    assert budget.spent == 0.1 and budget.spends[0].scale == 10.0
    with pytest.raises(ValueError, match="budget 1.0 would be exceeded"):
        dp_counts(counts, 0.95, budget=budget)
    assert budget.spent == 0.1


def test_dp_noise_is_unbiased_with_the_discrete_laplace_variance():
    """OpenDP's noise cannot be seeded, so the test is statistical, with margins of
    about 7 standard errors for the mean and 4 for the variance."""
    import math

    scale = 2.0
    noisy = dp_counts([1000] * 4000, 1 / scale)
    mean = sum(noisy) / len(noisy)
    variance = sum((v - mean) ** 2 for v in noisy) / (len(noisy) - 1)
    q = math.exp(-1 / scale)
    expected = 2 * q / (1 - q) ** 2  # discrete Laplace with scale 2: about 7.83
    assert abs(mean - 1000) < 0.3
    assert abs(variance - expected) < 0.15 * expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("country,score\nSDN,0.4\n", "lacks the column(s) edition"),
        ("edition,country_iso3,score\n2023,SDN,1.4\n", "row 1: score must be between 0 and 1"),
        ("edition,country_iso3,score\n2023,SDN,abc\n", "row 1: score must be a number"),
        ("edition,country_iso3,score,rank\n2023,SDN,0.4,0\n", "row 1: rank must be"),
        ("edition,country_iso3,score\n2023,SDN,0.4\n2023,sdn,0.5\n", "row 2: SDN appears twice"),
        ("edition,country_iso3,score\nlast year,SDN,0.4\n", "row 1: edition must be a year"),
        ("edition,country_iso3,score\n", "no rows"),
    ],
)
def test_a_wps_file_with_a_problem_is_refused_naming_it(text, problem):
    from salama.lib.sharing.wps import WpsFileError, read_wps

    with pytest.raises(WpsFileError, match=re.escape(problem)):
        read_wps(text)


def test_a_wps_file_reads_with_a_byte_order_mark_and_header_case():
    from decimal import Decimal

    from salama.lib.sharing.wps import read_wps

    (row,) = read_wps("\ufeffEdition,Country_ISO3,Score,Rank\n2023/24,sdn,0.44101,172\n")
    assert (row.edition, row.country_iso3, row.score, row.rank) == (
        "2023/24",
        "SDN",
        Decimal("0.4410"),
        172,
    )

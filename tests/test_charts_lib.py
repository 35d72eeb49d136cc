"""Server-side SVG charts (salama/lib/charts): valid XML, bars proportional to
values, hidden values named and not drawn, text escaped, right to left."""

import xml.etree.ElementTree as ET  # noqa: S405 (our own output, parsed in tests)

from salama.lib.charts.svg import BAR, MARKED, bar_chart, week_chart

NS = "{http://www.w3.org/2000/svg}"


def _rects(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(svg).iter(f"{NS}rect"))  # noqa: S314


def test_bars_are_proportional_and_a_hidden_value_draws_no_bar():
    svg = bar_chart(
        [("Women", 10), ("Men", 5), ("Girls", None)], title="By sex", hidden_label="hidden"
    )
    root = ET.fromstring(svg)  # noqa: S314
    widths = [float(r.get("width")) for r in _rects(svg)]
    assert len(widths) == 2 and widths[0] == 2 * widths[1]
    assert root.find(f"{NS}desc").text == "Women: 10; Men: 5; Girls: hidden"
    assert "hidden" in "".join(root.itertext()) and root.get("role") == "img"


def test_every_text_is_escaped():
    svg = bar_chart([("<script>alert(1)</script> & co", 3)], title="A & B", hidden_label="x")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    ET.fromstring(svg)  # noqa: S314


def test_right_to_left_bars_grow_from_the_right():
    ltr = _rects(bar_chart([("a", 10)], title="t", hidden_label="h", width=500))[0]
    rtl = _rects(bar_chart([("a", 10)], title="t", hidden_label="h", width=500, rtl=True))[0]
    width = float(ltr.get("width"))
    assert float(ltr.get("x")) == 200 and float(rtl.get("x")) + width == 500 - 200


def test_marked_weeks_stand_out_and_hidden_weeks_are_outlines():
    svg = week_chart(
        [("2026-W01", 2), ("2026-W02", None), ("2026-W03", 8)],
        title="t",
        hidden_label="hidden",
        marked=[2],
    )
    fills = [r.get("fill") for r in _rects(svg)]
    assert fills == [BAR, "none", MARKED]


def test_empty_and_all_hidden_inputs_are_valid_svg():
    for svg in (
        bar_chart([], title="t", hidden_label="h"),
        bar_chart([("a", None), ("b", 0)], title="t", hidden_label="h"),
        week_chart([], title="t", hidden_label="h"),
        week_chart([("w", None)], title="t", hidden_label="h"),
    ):
        ET.fromstring(svg)  # noqa: S314


def test_right_to_left_weeks_run_from_the_right():
    weeks = [("2026-W01", 2), ("2026-W02", 4)]
    ltr = [float(r.get("x")) for r in _rects(week_chart(weeks, title="t", hidden_label="h"))]
    rtl = [
        float(r.get("x")) for r in _rects(week_chart(weeks, title="t", hidden_label="h", rtl=True))
    ]
    assert ltr[0] < ltr[1] and rtl[0] > rtl[1]

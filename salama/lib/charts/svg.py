"""Charts as inline SVG for pages drawn on the server (no JavaScript).

Hand-written rather than a plotting library: horizontal bars and columns are a
few dozen lines of SVG, where matplotlib would add tens of megabytes and a slow
import to a web request. Every text is XML-escaped; a hidden (suppressed)
value draws no bar and is named by `hidden_label`; `rtl` mirrors the layout
for Arabic. The <desc> lists every value, for screen readers and search."""

from collections.abc import Sequence
from itertools import count
from xml.sax.saxutils import escape, quoteattr

BAR, MARKED, HIDDEN, INK = "#18426e", "#b34700", "#888", "#222"
LABEL_CHARS = 28
_ids = count(1)


def _n(x: float) -> str:
    return f"{round(x, 1):g}"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _open(width: int, height: int, title: str, desc: str) -> tuple[str, str]:
    ident = f"chart{next(_ids)}"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
    )
    return head, "</svg>"


def _shown(value: int | None, hidden_label: str) -> str:
    return hidden_label if value is None else str(int(value))


def bar_chart(
    bars: Sequence[tuple[str, int | None]],
    *,
    title: str,
    hidden_label: str,
    rtl: bool = False,
    width: int = 560,
) -> str:
    """Horizontal bars, one per (label, value); None: hidden, no bar."""
    desc = "; ".join(f"{label}: {_shown(v, hidden_label)}" for label, v in bars)
    row, label_w, value_w = 26, 200, 70
    height = max(row * len(bars), row) + 8
    head, tail = _open(width, height, title, desc)
    top = max((v for _l, v in bars if v is not None), default=0) or 1
    room = width - label_w - value_w
    parts = [head]
    # With direction="rtl", "start" is a text's right edge: labels end at the
    # right margin and values sit left of their bar.
    anchor_label, anchor_value = ("start", "start") if rtl else ("end", "start")
    direction = ' direction="rtl"' if rtl else ""
    for i, (label, value) in enumerate(bars):
        y = 4 + i * row
        length = 0.0 if value is None else room * value / top
        label_x = width - 6 if rtl else label_w - 6
        bar_x = width - label_w - length if rtl else label_w
        value_x = bar_x - 6 if rtl else label_w + length + 6
        parts.append(
            f'<text x="{_n(label_x)}" y="{_n(y + 17)}" text-anchor="{anchor_label}"{direction} '
            f'font-size="13" fill="{INK}">{escape(_short(label))}'
            f"<title>{escape(label)}</title></text>"
        )
        if value is not None:
            parts.append(
                f'<rect x="{_n(bar_x)}" y="{_n(y + 4)}" width="{_n(length)}" height="{row - 8}" '
                f'fill="{BAR}"/>'
            )
        style = f'fill="{HIDDEN}" font-style="italic"' if value is None else f'fill="{INK}"'
        parts.append(
            f'<text x="{_n(value_x)}" y="{_n(y + 17)}" text-anchor="{anchor_value}"{direction} '
            f'font-size="13" {style}>{escape(_shown(value, hidden_label))}</text>'
        )
    parts.append(tail)
    return "".join(parts)


def week_chart(
    weeks: Sequence[tuple[str, int | None]],
    *,
    title: str,
    hidden_label: str,
    marked: Sequence[int] = (),
    rtl: bool = False,
    width: int = 560,
    height: int = 160,
) -> str:
    """Columns over time; None columns are a grey outline titled hidden_label;
    `marked` weeks (alerts) are drawn in another colour with a marker above."""
    desc = "; ".join(f"{label}: {_shown(v, hidden_label)}" for label, v in weeks)
    head, tail = _open(width, height, title, desc)
    if not weeks:
        return head + tail
    top = max((v for _l, v in weeks if v is not None), default=0) or 1
    bottom, plot_top = height - 22, 14
    left, right = (8, width - 40) if rtl else (40, width - 8)
    step = (right - left) / len(weeks)
    direction = ' direction="rtl"' if rtl else ""
    top_x, top_anchor = (width - 4, "end") if rtl else (4, "start")
    parts = [
        head,
        f'<text x="{top_x}" y="{plot_top + 4}" text-anchor="{top_anchor}"{direction} '
        f'font-size="11" fill="{INK}">{top}</text>',
    ]
    for i, (label, value) in enumerate(weeks):
        slot = len(weeks) - 1 - i if rtl else i
        x = left + slot * step + step * 0.1
        w = step * 0.8
        if value is None:
            parts.append(
                f'<rect x="{_n(x)}" y="{plot_top}" width="{_n(w)}" height="{bottom - plot_top}" '
                f'fill="none" stroke="{HIDDEN}">'
                f"<title>{escape(label)}: {escape(hidden_label)}</title></rect>"
            )
            continue
        h = (bottom - plot_top) * value / top
        colour = MARKED if i in marked else BAR
        parts.append(
            f'<rect x="{_n(x)}" y="{_n(bottom - h)}" width="{_n(w)}" height="{_n(h)}" '
            f"fill={quoteattr(colour)}>"
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        if i in marked:
            parts.append(
                f'<circle cx="{_n(x + w / 2)}" cy="{_n(bottom - h - 6)}" r="3" fill="{MARKED}"/>'
            )
    first, last = weeks[0][0], weeks[-1][0]
    left_label, right_label = (last, first) if rtl else (first, last)
    parts.append(
        f'<text x="{left}" y="{height - 6}" font-size="11" fill="{INK}">{escape(left_label)}</text>'
    )
    parts.append(
        f'<text x="{right}" y="{height - 6}" text-anchor="end" font-size="11" fill="{INK}">'
        f"{escape(right_label)}</text>"
    )
    parts.append(tail)
    return "".join(parts)

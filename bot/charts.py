"""/stats's picture: articles per category, day by day, as a PNG.

matplotlib (the Agg canvas, no display) is the optional extra `charts`
(`pip install -e '.[charts]'`), imported only here, only when a chart is drawn; without it
`render` raises ChartsUnavailable and /stats sends its text alone. Since 3.11 matplotlib lays
text out with libraqm, which shapes Arabic and orders right-to-left runs (the Unicode
bidirectional algorithm): labels are given in logical order, as they are stored. An older
matplotlib would draw Arabic unjoined and reversed, so it counts as missing. In an Arabic
chart time runs right to left, the value axis on the right.
Rendering is CPU work: callers run it off the event loop (asyncio.to_thread), and it uses
only the object API (a Figure of its own), never pyplot's shared state.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.text.dates import Digits, to_digits

# matplotlib's own font, which has the Arabic letters' presentation forms and both digit sets.
FONT = "DejaVu Sans"
WIDTH, HEIGHT, DPI = 10.0, 5.6, 110  # inches, at 110 dpi: 1100 × 616 pixels
# tab10 without its grey, for the categories; the rest (others) in grey.
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#bcbd22", "#17becf")  # fmt: skip
OTHERS_COLOUR = "#9a9a9a"
TOTAL_COLOUR = "#222222"
# matplotlib is not thread-safe: one chart at a time, held by the drawing thread itself (an
# asyncio lock would be let go if the waiting task were cancelled, the thread still drawing).
_DRAWING = threading.Lock()


class ChartsUnavailable(Exception):
    """matplotlib 3.11 or later is not installed (the optional extra `charts`)."""


@dataclass(frozen=True)
class Series:
    label: str
    counts: Sequence[int]  # per day, oldest first
    others: bool = False  # the categories past the top ones, together


@dataclass(frozen=True)
class Chart:
    title: str
    days: Sequence[str]  # the x axis's labels, oldest first (may hold a second line)
    series: Sequence[Series]  # stacked, the first at the bottom
    y_label: str
    right_to_left: bool  # time runs right to left, the value axis on the right
    digits: Digits = "latn"  # of the value axis
    total: Series | None = None  # drawn as a line over the bars (the stack may count twice)


def _plain(label: str) -> str:
    """A label drawn as written: "$" would start matplotlib's mathematical notation."""
    return label.replace("$", r"\$")


def _require() -> None:
    try:
        from matplotlib import ft2font
    except ImportError as error:
        raise ChartsUnavailable(str(error)) from error
    if not hasattr(ft2font, "__libraqm_version__"):
        raise ChartsUnavailable("matplotlib before 3.11 cannot lay out Arabic text")


def available() -> bool:
    """Whether charts can be drawn here (matplotlib 3.11 or later is installed)."""
    try:
        _require()
    except ChartsUnavailable:
        return False
    return True


def render(chart: Chart) -> bytes:
    """The chart as a PNG."""
    _require()
    with _DRAWING:
        return _draw(chart)


def _draw(chart: Chart) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(chart.days)))
    bottom = [0] * len(positions)
    colours = iter(COLOURS)
    for series in chart.series:
        colour = OTHERS_COLOUR if series.others else next(colours, OTHERS_COLOUR)
        axes.bar(positions, series.counts, bottom=bottom, color=colour, width=0.75,
                 label=_plain(series.label))  # fmt: skip
        bottom = [b + c for b, c in zip(bottom, series.counts, strict=True)]
    if chart.total is not None:
        axes.plot(positions, chart.total.counts, color=TOTAL_COLOUR, marker="o", markersize=4,
                  linewidth=1.5, label=_plain(chart.total.label))  # fmt: skip
    axes.set_xticks(positions, [_plain(day) for day in chart.days], fontfamily=FONT, fontsize=8)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda y, _: to_digits(f"{y:.0f}", chart.digits)))
    axes.set_ylabel(_plain(chart.y_label), fontfamily=FONT)
    axes.set_title(_plain(chart.title), fontfamily=FONT, fontsize=13)
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)
    for spine in ("top", "left" if chart.right_to_left else "right"):
        axes.spines[spine].set_visible(False)
    if chart.right_to_left:
        axes.invert_xaxis()
        axes.yaxis.tick_right()
        axes.yaxis.set_label_position("right")
    if chart.series:
        handles, labels = axes.get_legend_handles_labels()
        side: Literal["outside left upper", "outside right upper"] = (
            "outside left upper" if chart.right_to_left else "outside right upper"
        )
        figure.legend(handles[::-1], labels[::-1], loc=side, frameon=False,
                      prop={"family": FONT, "size": 9}, markerfirst=not chart.right_to_left,
                      alignment="right" if chart.right_to_left else "left")  # fmt: skip
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()

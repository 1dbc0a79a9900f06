"""A `ChartSpec` as inline SVG for the offline HTML pages (no script, no external resource): the bars and
labels are placed here and written out by the `chart.svg` template. Horizontal bars (`bar`) carry a value label
after each bar, or inside each stacked segment that has room, and the row's total after a stack; columns carry
theirs above. The legend wraps instead of running off the edge."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from xmdw.reports.chart_spec import ChartSpec
from xmdw.reports.templating import render

WIDTH = 720.0
LABEL_W = 150.0  # room left of horizontal bars for the category names
VALUE_W = 64.0  # room right of the longest bar for its value label
FONT = 10.0
LEGEND_ROW = 16.0
PAD = 6.0
TOP = 24.0  # below the title
COLUMN_PLOT_H = 160.0


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    fill: str
    stroke: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float  # baseline
    text: str
    size: float = FONT
    anchor: str = "start"  # start | end | middle


@dataclass
class SvgChart:
    title: str
    width: float
    height: float = 0.0
    bars: list[Bar] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    axis: tuple[float, float, float, float] = (0, 0, 0, 0)  # x1, y1, x2, y2


def text_width(text: str, size: float = FONT) -> float:
    """Approximate advance width: CJK and full-width characters one em, others about half an em."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.55 for ch in text)


def _legend(spec: ChartSpec, out: SvgChart, left: float, top: float) -> float:
    """Legend entries wrapped onto as many rows as they need (a label is never cut off); returns the end."""
    x, y = left, top
    for s in spec.series:
        need = 14 + text_width(s.name) + 16
        if x + need > out.width and x > left:
            x, y = left, y + LEGEND_ROW
        out.bars.append(Bar(x, y, 10, 10, s.fill, s.stroke))
        out.labels.append(Label(x + 14, y + 9, s.name))
        x += need
    return y + LEGEND_ROW


def _bars(spec: ChartSpec, out: SvgChart) -> float:
    """Horizontal bars, grouped or stacked, the first category at the top; returns the plot's bottom."""
    group_h = 18.0 if spec.stacked else 12.0 * len(spec.series) + 6
    scale = (out.width - LABEL_W - VALUE_W - PAD) / spec.axis_max
    for i, name in enumerate(spec.categories):
        y = TOP + i * group_h
        name = name if text_width(name) <= LABEL_W - 8 else name[:13] + "…"
        out.labels.append(Label(LABEL_W - 4, y + group_h / 2 + 3.5, name, anchor="end"))
        x = LABEL_W
        for j, s in enumerate(spec.series):
            w, shown = scale * max(s.values[i], 0), s.labels[i]
            if spec.stacked:
                out.bars.append(Bar(x, y + 2, w, group_h - 4, s.fill, s.stroke))
                if s.values[i] and text_width(shown, FONT - 1) + 4 <= w:
                    out.labels.append(Label(x + w / 2, y + group_h / 2 + 3, shown, FONT - 1, "middle"))
                x += w
            else:
                by = y + 3 + j * 12
                out.bars.append(Bar(x, by, w, 10, s.fill, s.stroke))
                out.labels.append(Label(x + w + 3, by + 8.5, shown, FONT - 1))
        if spec.totals:
            out.labels.append(Label(x + 3, y + group_h / 2 + 3, spec.totals[i], FONT - 1))
    bottom = TOP + len(spec.categories) * group_h
    out.axis = (LABEL_W, TOP, LABEL_W, bottom)
    return bottom


def _columns(spec: ChartSpec, out: SvgChart) -> float:
    """Vertical columns, grouped or stacked, value labels above, category names below; returns the bottom
    of the category names."""
    left, top = PAD + 24, TOP + 12
    bottom = top + COLUMN_PLOT_H
    slot = (out.width - left - PAD) / len(spec.categories)
    width = min(48.0, slot * 0.6) if spec.stacked else min(40.0, slot * 0.8 / len(spec.series))
    scale = COLUMN_PLOT_H / spec.axis_max
    for i, name in enumerate(spec.categories):
        x0 = left + i * slot + (slot - (width if spec.stacked else width * len(spec.series))) / 2
        y = bottom
        for j, s in enumerate(spec.series):
            h, x = scale * max(s.values[i], 0), x0 if spec.stacked else x0 + j * width
            y = y - h if spec.stacked else bottom - h
            out.bars.append(Bar(x, y, width, h, s.fill, s.stroke))
            if not spec.stacked:
                out.labels.append(Label(x + width / 2, y - 3, s.labels[i], FONT - 1, "middle"))
            elif s.values[i] and h >= FONT + 2 and text_width(s.labels[i], FONT - 1) + 2 <= width:
                out.labels.append(Label(x + width / 2, y + h / 2 + 3.5, s.labels[i], FONT - 1, "middle"))
        if spec.totals:
            out.labels.append(Label(x0 + width / 2, y - 3, spec.totals[i], FONT - 1, "middle"))
        out.labels.append(Label(left + (i + 0.5) * slot, bottom + 13, name, FONT - 1, "middle"))
    out.axis = (left, bottom, out.width - PAD, bottom)
    return bottom + 16


def layout(spec: ChartSpec, width: float = WIDTH) -> SvgChart:
    """Where every bar and label of the chart goes (top-left origin, pixels)."""
    out = SvgChart(spec.title, width)
    bottom = _bars(spec, out) if spec.kind == "bar" else _columns(spec, out)
    left = LABEL_W if spec.kind == "bar" else PAD + 24
    out.labels.insert(0, Label(left, 14, spec.title, FONT + 1))
    out.height = _legend(spec, out, left, bottom + 8) + 4
    return out


def to_svg(spec: ChartSpec, width: float = WIDTH) -> Markup:
    """The chart as an inline <svg> element (markup safe to place in an autoescaped template)."""
    return Markup(render("chart.svg", chart=layout(spec, width)))

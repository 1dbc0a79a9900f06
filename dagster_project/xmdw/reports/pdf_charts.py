"""A `ChartSpec` as a reportlab chart (reportlab.graphics.charts: HorizontalBarChart for bars,
VerticalBarChart for columns, Legend) inside a Drawing the PDF places like any flowable. reportlab lays out
the bars, axes and labels; this module only maps the spec onto the chart's properties."""

from __future__ import annotations

from dataclasses import replace

from reportlab.graphics.charts.barcharts import BarChart, HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, Group, String
from reportlab.lib import colors
from reportlab.lib.validators import Auto
from reportlab.pdfbase.pdfmetrics import stringWidth

from xmdw.reports.chart_spec import ChartSpec

LABEL_W = 150.0  # room left of horizontal bars for the category names
VALUE_W = 64.0  # room right of the longest bar for its value label
TITLE_H = 22.0
AXIS_H = 16.0
LEGEND_ROW = 16.0
COLUMN_PLOT_H = 160.0
FONT_SIZE = 8.0


def _shorten(text: str, width: float, font: str, size: float) -> str:
    """A category name cut with … so that it fits `width` (the table beside the chart has it in full)."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _axis_text(spec: ChartSpec):
    if spec.unit == "ratio":
        return lambda v: f"{v * 100:.0f}%"
    return lambda v: f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def _segment_labels(spec: ChartSpec, plot_len: float, font: str) -> list[list[str]]:
    """Value labels; a stacked segment too short for its label shows none (the table has the number)."""
    if not spec.stacked:
        return [list(s.labels) for s in spec.series]
    scale = plot_len / spec.axis_max
    return [
        [
            lab if v and stringWidth(lab, font, FONT_SIZE - 1) + 4 <= v * scale else ""
            for v, lab in zip(s.values, s.labels, strict=True)
        ]
        for s in spec.series
    ]


def _style(chart: BarChart, spec: ChartSpec, plot_len: float, font: str) -> None:
    chart.data = [list(s.values) for s in spec.series]
    chart.barLabelFormat = "values"
    chart.barLabelArray = _segment_labels(spec, plot_len, font)
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = FONT_SIZE - (1 if spec.stacked else 0)
    if spec.stacked:
        chart.categoryAxis.style = "stacked"
        chart.barLabels.boxTarget = "mid"
        chart.barLabels.boxAnchor = "c"
    if spec.totals:  # a zero-length last segment carries the row's total after the stack
        chart.data.append([0] * len(spec.categories))
        chart.barLabelArray.append(list(spec.totals))
        chart.bars[len(spec.series)].fillColor = None
        chart.bars[len(spec.series)].strokeColor = None
        chart.barLabels[(len(spec.series), 0)]  # noqa: B018 (creates the series' label properties)
    for j, s in enumerate(spec.series):
        chart.bars[j].fillColor = colors.HexColor(s.fill)
        chart.bars[j].strokeColor = colors.HexColor(s.stroke)
        chart.bars[j].strokeWidth = 0.5
        chart.bars[j].name = s.name
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = spec.axis_max
    chart.valueAxis.labelTextFormat = _axis_text(spec)
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = FONT_SIZE - 1
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = FONT_SIZE
    chart.barSpacing = 1
    chart.groupSpacing = 4


def _bars(spec: ChartSpec, width: float, top: float, font: str) -> tuple[BarChart, float]:
    """Horizontal bars, the first category at the top as in the table; returns the chart and its height."""
    group_h = 18.0 if spec.stacked else 12.0 * len(spec.series) + 6
    chart = HorizontalBarChart()
    chart.width = width - LABEL_W - VALUE_W
    chart.height = group_h * len(spec.categories)
    chart.x, chart.y = LABEL_W, top - chart.height
    _style(chart, spec, chart.width, font)
    chart.categoryAxis.reverseDirection = 1
    chart.categoryAxis.categoryNames = [_shorten(c, LABEL_W - 8, font, FONT_SIZE) for c in spec.categories]
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    if not spec.stacked:
        chart.barLabels.boxAnchor = "w"
        chart.barLabels.dx = 3
    if spec.totals:
        chart.barLabels[(len(spec.series), 0)].boxAnchor = "w"
        chart.barLabels[(len(spec.series), 0)].boxTarget = "hi"
        chart.barLabels[(len(spec.series), 0)].dx = 3
    return chart, chart.height


def _columns(spec: ChartSpec, width: float, top: float, font: str) -> tuple[BarChart, float]:
    """Vertical columns with their value labels above and the category names below."""
    chart = VerticalBarChart()
    chart.width = min(width - 2 * VALUE_W, 120.0 * len(spec.categories) * len(spec.series))
    chart.height = COLUMN_PLOT_H
    chart.x, chart.y = VALUE_W, top - 12 - chart.height  # room above the tallest column for its label
    _style(chart, spec, chart.height, font)
    chart.categoryAxis.categoryNames = list(spec.categories)
    chart.categoryAxis.labels.boxAnchor = "n"
    if not spec.stacked:
        chart.barLabels.boxAnchor = "s"
        chart.barLabels.dy = 2
    return chart, chart.height + 12


def _legends(chart: BarChart, spec: ChartSpec, width: float, top: float, font: str) -> list[Legend]:
    """One legend row per line of entries that fit the width (a label is never cut off); swatches are the
    chart's own bars (Auto), so the legend cannot disagree with them."""
    rows: list[list[int]] = [[]]
    x = left = chart.x
    order = range(len(spec.series))
    if spec.kind == "bar" and not spec.stacked:  # the series were reversed for drawing: legend in table order
        order = reversed(order)
    for j in order:
        s = spec.series[j]
        need = 14 + stringWidth(s.name, font, FONT_SIZE) + 16
        if x + need > width and rows[-1]:
            rows.append([])
            x = left
        rows[-1].append(j)
        x += need
    out = []
    for r, members in enumerate(rows):
        legend = Legend()
        legend.x, legend.y = left, top - r * LEGEND_ROW
        legend.alignment, legend.boxAnchor, legend.columnMaximum = "right", "nw", 1
        legend.fontName, legend.fontSize = font, FONT_SIZE
        legend.dx = legend.dy = 8
        legend.deltax, legend.autoXPadding = 0, 16
        legend.colorNamePairs = [(Auto(obj=chart, index=j), spec.series[j].name) for j in members]
        out.append(legend)
    return out


def fitting(spec: ChartSpec, max_height: float) -> ChartSpec:
    """The categories whose horizontal bars fit `max_height` (a page); the table lists the rest."""
    if spec.kind != "bar":
        return spec
    group_h = 18.0 if spec.stacked else 12.0 * len(spec.series) + 6
    return spec.head(max(1, int((max_height - 80) // group_h)))


def chart_drawing(spec: ChartSpec, width: float, font: str) -> Drawing:
    """The chart as a Drawing `width` points wide."""
    plot_top = -TITLE_H
    if spec.kind == "bar" and not spec.stacked:
        # reportlab draws a group's first series at the bottom; reversed, the first is on top as in the table
        spec = replace(spec, series=spec.series[::-1])
    chart, plot_h = (_bars if spec.kind == "bar" else _columns)(spec, width, plot_top, font)
    legends = _legends(chart, spec, width, plot_top - plot_h - AXIS_H - 4, font)
    height = TITLE_H + plot_h + AXIS_H + 8 + LEGEND_ROW * len(legends)
    # the parts were placed from the top edge downwards (y <= 0): one group moved up into the drawing
    group = Group(String(chart.x, -14, spec.title, fontName=font, fontSize=FONT_SIZE + 2), chart, *legends)
    group.shift(0, height)
    drawing = Drawing(width, height)
    drawing.add(group)
    return drawing

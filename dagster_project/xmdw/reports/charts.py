"""One chart spec, drawn the same way in every format: the bars, value labels and legend of a table's
`Chart` are laid out here once (top-left origin, points/pixels) and only painted by the HTML (SVG) and PDF
(reportlab) renderers; the xlsx renderer draws a native Excel chart with the same colours and labels
(`series_style`). Colours come from the report palette (`render.STATUS_STYLES` / `SERIES_COLOURS`): a
status series has its table cell's colours.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xmdw.reports.document import Col, Kind, Table, fmt, number
from xmdw.reports.render import SERIES_COLOURS, status_colours

WIDTH = 720.0
LABEL_W = 150.0
VALUE_W = 64.0  # room right of the longest bar for its value label
FONT = 10.0
LEGEND_ROW = 16.0
PAD = 6.0


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
    colour: str = "#1F2933"


@dataclass
class ChartLayout:
    title: str
    width: float
    height: float
    bars: list[Bar] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    axis: tuple[float, float, float, float] = (0, 0, 0, 0)  # x1, y1, x2, y2
    rows_drawn: int = 0
    rows_total: int = 0


def text_width(text: str, size: float = FONT) -> float:
    """Approximate advance width: CJK and full-width characters one em, others about half an em."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.55 for ch in text)


def series_style(table: Table, j: int) -> tuple[str, str]:
    """(fill, outline) of series j: its status colours when the chart names statuses, else the palette."""
    chart = table.chart
    assert chart is not None
    if chart.series_status:
        return status_colours(chart.series_status[j])
    colour = SERIES_COLOURS[j % len(SERIES_COLOURS)]
    return colour, colour


def series_titles(table: Table) -> list[str]:
    """Legend labels = the table's column headers of the series (one set of labels in every format)."""
    cols = {c.key: c.title for c in table.cols}
    return [cols.get(k, k) for k in table.chart.values]


def value_kind(table: Table, key: str) -> Kind:
    col: Col | None = next((c for c in table.cols if c.key == key), None)
    if table.chart.ratio:
        return "ratio"
    return col.kind if col is not None and col.kind != "text" else "num"


def _legend(table: Table, top: float, width: float) -> tuple[list[Bar], list[Label], float]:
    """Legend entries wrapped onto as many rows as they need (a label is never cut off)."""
    bars, labels = [], []
    x, y = LABEL_W, top
    for j, title in enumerate(series_titles(table)):
        need = 14 + text_width(title) + 16
        if x + need > width and x > LABEL_W:
            x, y = LABEL_W, y + LEGEND_ROW
        fill, stroke = series_style(table, j)
        bars.append(Bar(x, y, 10, 10, fill, stroke))
        labels.append(Label(x + 14, y + 9, title))
        x += need
    return bars, labels, y + LEGEND_ROW


def layout(table: Table, max_height: float | None = None) -> ChartLayout:
    """Horizontal bars (grouped or stacked) with a value label on every bar (or stacked segment that has
    room) and a wrapped legend; at most as many rows as fit in `max_height` (PDF: one page)."""
    chart = table.chart
    assert chart is not None
    group_h = 18.0 if chart.stacked else 12.0 * len(chart.values) + 6
    rows = table.rows
    if max_height is not None:
        rows = rows[: max(1, int((max_height - 60) // group_h))]
    values = [[number(r.get(k)) or 0 for k in chart.values] for r in rows]
    top = max([sum(v) if chart.stacked else max(v, default=0) for v in values] + [1e-9])
    if chart.ratio:
        top = max(top, 1.0)
    area = WIDTH - LABEL_W - VALUE_W - PAD
    out = ChartLayout(chart.title, WIDTH, 0, rows_drawn=len(rows), rows_total=len(table.rows))
    out.labels.append(Label(LABEL_W, 14, chart.title, FONT + 1))
    y0 = 24.0
    for i, (row, vals) in enumerate(zip(rows, values, strict=True)):
        y = y0 + i * group_h
        name = fmt(row.get(chart.category), "text")
        name = name if text_width(name) <= LABEL_W - 8 else name[:13] + "…"
        out.labels.append(Label(LABEL_W - 4, y + group_h / 2 + 3.5, name, anchor="end"))
        x = LABEL_W
        for j, (key, v) in enumerate(zip(chart.values, vals, strict=True)):
            w = area * max(v, 0) / top
            fill, stroke = series_style(table, j)
            shown = fmt(row.get(key), value_kind(table, key))
            if chart.stacked:
                out.bars.append(Bar(x, y + 2, w, group_h - 4, fill, stroke))
                if v and text_width(shown, FONT - 1) + 4 <= w:
                    out.labels.append(Label(x + w / 2, y + group_h / 2 + 3, shown, FONT - 1, "middle"))
                x += w
            else:
                by = y + 3 + j * 12
                out.bars.append(Bar(x, by, w, 10, fill, stroke))
                out.labels.append(Label(x + w + 3, by + 8.5, shown, FONT - 1))
        if chart.stacked and chart.total:  # the row's own total column (a mart value), not a sum here
            out.labels.append(Label(x + 3, y + group_h / 2 + 3, fmt(row.get(chart.total), "int"), FONT - 1))
    bottom = y0 + len(rows) * group_h
    out.axis = (LABEL_W, y0, LABEL_W, bottom)
    legend_bars, legend_labels, end = _legend(table, bottom + 8, WIDTH)
    out.bars += legend_bars
    out.labels += legend_labels
    if len(rows) < len(table.rows):
        out.labels.append(Label(LABEL_W, end + 10, f"图中列出前{len(rows)}项，共{len(table.rows)}项见下表。"))
        end += 14
    out.height = end + 4
    return out


def to_svg(chart: ChartLayout) -> str:
    """The layout as inline SVG (no script, no external resource)."""
    from xmdw.reports.render import esc

    anchor = {"start": "start", "end": "end", "middle": "middle"}
    x1, y1, x2, y2 = chart.axis
    parts = [
        f'<svg width="{chart.width:.0f}" height="{chart.height:.0f}" role="img" aria-label="{esc(chart.title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{esc(chart.title)}</title>',
        f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#9AA5B1"/>',
    ]
    parts += [
        f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" fill="{b.fill}" '
        f'stroke="{b.stroke}" stroke-width="0.6"/>'
        for b in chart.bars
    ]
    parts += [
        f'<text x="{lab.x:.1f}" y="{lab.y:.1f}" font-size="{lab.size:g}" text-anchor="{anchor[lab.anchor]}" '
        f'fill="{lab.colour}">{esc(lab.text)}</text>'
        for lab in chart.labels
    ]
    parts.append("</svg>")
    return "".join(parts)

"""A `Document` as a PDF (A4 landscape) with real CJK glyphs: reportlab's built-in CID font STSong-Light
(Adobe-GB1; the viewer supplies the glyphs, no font file is shipped or embedded). Importing this module
fails with ImportError when reportlab is not installed; the bulletin then writes xlsx and HTML only."""

from __future__ import annotations

from pathlib import Path

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from xmdw.atomic import atomic_path
from xmdw.faultpoints import pause_point
from xmdw.reports.document import NUMERIC_KINDS, Cards, Document, Table, Text, fmt, number
from xmdw.reports.render import STATUS_STYLES

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

STYLES = {
    "h1": ParagraphStyle("h1", fontName=FONT, fontSize=16, leading=20, spaceAfter=4),
    "h2": ParagraphStyle("h2", fontName=FONT, fontSize=13, leading=17, spaceBefore=4, spaceAfter=4),
    "h3": ParagraphStyle("h3", fontName=FONT, fontSize=10.5, leading=14, spaceBefore=6, spaceAfter=2),
    "small": ParagraphStyle(
        "small", fontName=FONT, fontSize=7.5, leading=10, textColor=colors.HexColor("#52606D")
    ),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=7, leading=9),
    "num": ParagraphStyle("num", fontName=FONT, fontSize=7, leading=9, alignment=2),
}
PAGE_WIDTH = landscape(A4)[0] - 24 * mm
CHART_MAX_HEIGHT = 420  # points; the landscape A4 frame is ~526 high
SERIES = ["#2f6fad", "#f0a030", "#5aa05a", "#d64545", "#9aa5b1"]


def _p(text: str, style: str = "cell") -> Paragraph:
    # "·" (U+00B7) is not in the CID font's GB1 glyph set: use a fullwidth bar
    safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("·", "｜")
    return Paragraph(safe, STYLES[style])


def _cards(block: Cards) -> list:
    labels = [_p(c.label + (f"（{c.status}）" if c.status else ""), "small") for c in block.items]
    values = [_p(fmt(c.value, c.kind), "h3") for c in block.items]
    t = PdfTable([labels, values], colWidths=[PAGE_WIDTH / max(len(block.items), 1)] * len(block.items))
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#D9E2EC"))]))
    return [_p(block.title, "h3"), t]


def _chart(table: Table) -> Drawing:
    """Horizontal bars of the table's chart (grouped or stacked), drawn with reportlab shapes."""
    chart = table.chart
    group = 9 if chart.stacked else 5 * len(chart.values) + 3
    # one page at most (a drawing cannot split): the first rows in table order; the table lists every row
    rows = table.rows[: max(1, int(CHART_MAX_HEIGHT // group))]
    vals = [[number(r.get(k)) or 0 for k in chart.values] for r in rows]
    top = max([sum(v) if chart.stacked else max(v, default=0) for v in vals] + [1e-9])
    top = max(top, 1.0) if chart.ratio else top
    label_w, area = 110, 380
    height = group * len(rows) + 22
    d = Drawing(label_w + area + 60, height)
    d.add(Line(label_w, 16, label_w, height, strokeColor=colors.grey, strokeWidth=0.3))
    for i, (row, v) in enumerate(zip(rows, vals, strict=True)):
        y = height - (i + 1) * group
        d.add(String(label_w - 3, y + 1, fmt(row.get(chart.category), "text")[:14], fontName=FONT, fontSize=6,
                     textAnchor="end"))  # fmt: skip
        x = label_w
        for j, value in enumerate(v):
            w = area * max(value, 0) / top
            fill = colors.HexColor(SERIES[j % len(SERIES)])
            if chart.stacked:
                d.add(Rect(x, y, w, group - 2, fillColor=fill, strokeColor=None))
                x += w
            else:
                d.add(Rect(x, y + (len(v) - 1 - j) * 5, w, 4, fillColor=fill, strokeColor=None))
    titles = {c.key: c.title for c in table.cols}
    for j, key in enumerate(chart.values):
        d.add(
            Rect(
                label_w + j * 90,
                2,
                7,
                7,
                fillColor=colors.HexColor(SERIES[j % len(SERIES)]),
                strokeColor=None,
            )
        )
        d.add(String(label_w + j * 90 + 10, 3, titles.get(key, key), fontName=FONT, fontSize=6.5))
    return d


def _table(block: Table) -> list:
    out: list = [_p(block.title, "h3")]
    if block.note:
        out.append(_p(block.note, "small"))
    if not block.rows:
        return [*out, _p(block.empty, "small")]
    if block.chart is not None:
        out.append(_chart(block))
    total = sum(c.width for c in block.cols)
    widths = [PAGE_WIDTH * c.width / total for c in block.cols]
    data = [[_p(c.title) for c in block.cols]]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#D9E2EC")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F4F8")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for r, row in enumerate(block.rows, start=1):
        cells = []
        for c, col in enumerate(block.cols):
            value = row.get(col.key)
            cells.append(_p(fmt(value, col.kind), "num" if col.kind in NUMERIC_KINDS else "cell"))
            if col.kind == "status" and str(value) in STATUS_STYLES:
                style.append(("BACKGROUND", (c, r), (c, r), colors.HexColor(STATUS_STYLES[str(value)][1])))
        data.append(cells)
    t = PdfTable(data, colWidths=widths, repeatRows=1)
    t.setStyle(TableStyle(style))
    return [*out, t]


def write_pdf(doc: Document, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    story: list = [_p(doc.title, "h1"), _p(doc.subtitle, "small")]
    for i, part in enumerate(doc.parts):
        if i:
            story.append(PageBreak())
        story.append(_p(part.title, "h2"))
        for block in part.blocks:
            if isinstance(block, Cards):
                story += _cards(block)
            elif isinstance(block, Table):
                story += _table(block)
            elif isinstance(block, Text):
                story.append(_p(block.text, "small"))
            story.append(Spacer(1, 3))
    if doc.notes:
        story += [PageBreak(), _p("口径说明", "h2"), *[_p(n, "small") for n in doc.notes]]
    # Temp file + rename: a reader or a kill mid-write keeps the previous complete PDF.
    with atomic_path(path) as tmp:
        pdf = SimpleDocTemplate(
            str(tmp), pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm, topMargin=10 * mm,
            bottomMargin=10 * mm, title=doc.title,
        )  # fmt: skip
        pdf.build(story)
        pause_point("report.pdf.before_rename")
    return path

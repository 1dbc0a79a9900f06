"""A `Document` as a PDF (A4 landscape) that any reader shows the same: the CJK TrueType font of Debian's
fonts-wqy-microhei (installed by `make fonts`) is embedded as a subset (FontFile2), so no viewer substitutes
glyphs. Charts are the table's `ChartSpec` drawn by reportlab's own bar charts (pdf_charts.py).
Importing this module fails with `FontMissing` (pdf_font.py) when no CJK TrueType font is found; the bulletin
then writes xlsx and HTML only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from xmdw.core.atomic import atomic_path
from xmdw.core.faultpoints import pause_point
from xmdw.reports.document import NUMERIC_KINDS, Cards, Document, Table, Text, cell_kind, fmt
from xmdw.reports.pdf_charts import chart_drawing, fitting
from xmdw.reports.pdf_font import register
from xmdw.reports.render import STATUS_STYLES

FONT = register()  # raises FontMissing when no CJK TrueType font is installed

STYLES = {
    "h1": ParagraphStyle("h1", fontName=FONT, fontSize=16, leading=20, spaceAfter=4),
    "h2": ParagraphStyle("h2", fontName=FONT, fontSize=13, leading=17, spaceBefore=4, spaceAfter=4),
    "h3": ParagraphStyle("h3", fontName=FONT, fontSize=10.5, leading=14, spaceBefore=6, spaceAfter=2),
    "small": ParagraphStyle(
        "small", fontName=FONT, fontSize=7.5, leading=10, textColor=colors.HexColor("#52606D")
    ),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=7, leading=9),
    "num": ParagraphStyle("num", fontName=FONT, fontSize=7, leading=9, alignment=2),
    "lead": ParagraphStyle(
        "lead", fontName=FONT, fontSize=10.5, leading=17, firstLineIndent=21, spaceAfter=4
    ),
}
PAGE_WIDTH = landscape(A4)[0] - 24 * mm
CHART_MAX_HEIGHT = 420  # points; the landscape A4 frame is ~526 high


def _p(text: str, style: str = "cell") -> Paragraph:
    safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(safe, STYLES[style])


def _cards(block: Cards) -> list:
    labels = [_p(c.label + (f"（{c.status}）" if c.status else ""), "small") for c in block.items]
    values = [_p(fmt(c.value, c.kind), "h3") for c in block.items]
    t = PdfTable([labels, values], colWidths=[PAGE_WIDTH / max(len(block.items), 1)] * len(block.items))
    t.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#D9E2EC")),
                ("FONTNAME", (0, 0), (-1, -1), FONT),
            ]
        )
    )
    return [_p(block.title, "h3"), t]


def _chart(table: Table) -> list:
    """The table's chart (reportlab's bar charts) with as many rows as fit a page, and then a line saying
    that the table below lists them all."""
    shown = fitting(table.chart, CHART_MAX_HEIGHT)
    drawing = chart_drawing(shown, PAGE_WIDTH, FONT)
    return [drawing, _p(shown.shortened_note, "small")] if shown.shortened_note else [drawing]


def _table(block: Table) -> list:
    out: list = [_p(block.title, "h3")]
    if block.note:
        out.append(_p(block.note, "small"))
    if not block.rows:
        return [*out, _p(block.empty, "small")]
    if block.chart is not None:
        out += _chart(block)
    total = sum(c.width for c in block.cols)
    widths = [PAGE_WIDTH * c.width / total for c in block.cols]
    data = [[_p(c.title) for c in block.cols]]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#D9E2EC")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F4F8")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), FONT),  # else the table names Helvetica, which is not embedded
    ]
    for r, row in enumerate(block.rows, start=1):
        cells = []
        for c, col in enumerate(block.cols):
            value = row.get(col.key)
            kind = cell_kind(col, row)
            cells.append(_p(fmt(value, kind), "num" if kind in NUMERIC_KINDS else "cell"))
            if kind == "status" and str(value) in STATUS_STYLES:
                style.append(("BACKGROUND", (c, r), (c, r), colors.HexColor(STATUS_STYLES[str(value)][1])))
        data.append(cells)
    t = PdfTable(data, colWidths=widths, repeatRows=1)
    t.setStyle(TableStyle(style))
    return [*out, t]


@contextmanager
def _unchecked_shapes() -> Iterator[None]:
    """reportlab checks every attribute set on a chart shape against its type (rl_config.shapeChecking, a
    development aid): ~10 % of a province PDF's CPU for charts built by fixed code. Off while a PDF is built,
    then restored; the drawing is the same."""
    saved = rl_config.shapeChecking
    rl_config.shapeChecking = 0
    try:
        yield
    finally:
        rl_config.shapeChecking = saved


def write_pdf(doc: Document, path: Path) -> Path:
    with _unchecked_shapes():
        return _write_pdf(doc, path)


def _write_pdf(doc: Document, path: Path) -> Path:
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
                story.append(_p(block.text, "lead" if block.style == "lead" else "small"))
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

"""A `Document` as a PDF (A4 landscape) that any reader shows the same: the CJK TrueType font of Debian's
fonts-wqy-microhei (installed by `make fonts`) is embedded as a subset (FontFile2), so no viewer substitutes
glyphs. Charts are the shared layout of `charts.py` (same palette, value labels and legend as the HTML).
Importing this module fails with ImportError when reportlab is not installed, and with `FontMissing` when no
CJK TrueType font is found; the bulletin then writes xlsx and HTML only."""

from __future__ import annotations

import os
from pathlib import Path

from reportlab import rl_config
from reportlab.graphics.shapes import STATE_DEFAULTS, Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from xmdw.core.atomic import atomic_path
from xmdw.core.faultpoints import pause_point
from xmdw.reports import charts
from xmdw.reports.document import NUMERIC_KINDS, Cards, Document, Table, Text, cell_kind, fmt
from xmdw.reports.render import STATUS_STYLES

FONT = "XmdwCJK"
# TrueType (glyf) CJK fonts from Debian packages; reportlab cannot embed CFF-based OpenType (Noto CJK .otf).
# XMDW_PDF_FONT names another .ttf/.ttc file.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei (make fonts)
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
    "/usr/share/fonts/truetype/arphic/uming.ttc",  # fonts-arphic-uming
)


class FontMissing(ImportError):
    """No CJK TrueType font to embed: run `make fonts` (Debian fonts-wqy-microhei)."""


def font_file() -> str:
    for path in (os.environ.get("XMDW_PDF_FONT"), *FONT_CANDIDATES):
        if path and os.path.exists(path):
            return path
    raise FontMissing("未找到可嵌入的中文字体：请运行 make fonts（安装 fonts-wqy-microhei）")


pdfmetrics.registerFont(TTFont(FONT, font_file(), subfontIndex=0))
# the canvas' initial font: otherwise every page names Helvetica, a font the file does not embed
rl_config.canvas_basefontname = FONT
STATE_DEFAULTS["fontName"] = FONT  # charts: renderPDF starts every drawing in this font

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


def _chart(table: Table) -> Drawing:
    """The table's chart from the shared layout (charts.layout), scaled to the page width; reportlab's
    origin is bottom-left, so y is flipped."""
    chart = charts.layout(table, max_height=CHART_MAX_HEIGHT / min(1.0, PAGE_WIDTH / charts.WIDTH))
    scale = min(1.0, PAGE_WIDTH / chart.width)
    d = Drawing(chart.width * scale, chart.height * scale)
    d.scale(scale, scale)
    h = chart.height
    x1, y1, x2, y2 = chart.axis
    d.add(Line(x1, h - y1, x2, h - y2, strokeColor=colors.HexColor("#9AA5B1"), strokeWidth=0.5))
    for b in chart.bars:
        d.add(Rect(b.x, h - b.y - b.h, b.w, b.h, fillColor=colors.HexColor(b.fill),
                   strokeColor=colors.HexColor(b.stroke), strokeWidth=0.5))  # fmt: skip
    for lab in chart.labels:
        d.add(String(lab.x, h - lab.y, lab.text, fontName=FONT, fontSize=lab.size, textAnchor=lab.anchor,
                     fillColor=colors.HexColor(lab.colour)))  # fmt: skip
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

"""A `Document` as an xlsx workbook: one sheet per part, formatted cells (numbers stay numbers: ratios with
a percent format, money in 万元), status colours, native Excel bar charts next to their tables, and links
from the summary sheet to each region's sheet."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import xlsxwriter

from xmdw.core.atomic import atomic_path
from xmdw.core.faultpoints import pause_point
from xmdw.core.textsafe import FORMULA_TRIGGERS
from xmdw.reports.chart_spec import ChartSpec
from xmdw.reports.document import (
    NUMERIC_KINDS,
    Cards,
    Document,
    Kind,
    Part,
    Table,
    Text,
    cell_kind,
    fmt,
    number,
)
from xmdw.reports.render import STATUS_STYLES

NUM_FORMATS: dict[str, str] = {
    "int": "#,##0",
    "wan": "#,##0.0",
    "num": "#,##0.00",
    "ratio": "0.0%",
    "pp": "+0.0%;-0.0%;0.0%",
    "date": "yyyy-mm-dd",
}
CHART_ROW_PX = 20  # default row height in pixels, to keep charts from overlapping the next block


class _Formats:
    """xlsxwriter formats created once per (kind, status, bold)."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.wb = wb
        self.cache: dict[tuple, object] = {}
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.subtitle = wb.add_format({"italic": True, "font_color": "#52606D"})
        self.h3 = wb.add_format({"bold": True, "font_size": 12, "font_color": "#1F4E79"})
        self.header = wb.add_format({"bold": True, "bg_color": "#F0F4F8", "border": 1, "text_wrap": True})
        self.note = wb.add_format({"font_color": "#52606D", "italic": True})
        self.link = wb.add_format({"font_color": "#1F4E79", "underline": 1, "border": 1})
        self.lead = wb.add_format({"text_wrap": True, "valign": "top", "font_size": 12})

    def cell(self, kind: Kind, status: str | None = None, big: bool = False, quoted: bool = False):
        key = (kind, status, big, quoted)
        if key not in self.cache:
            spec: dict = {"border": 1, "valign": "top"}
            if quoted:  # formula-like text stays text even when someone edits the cell
                spec["quote_prefix"] = True
            if kind in NUM_FORMATS:
                spec["num_format"] = NUM_FORMATS[kind]
            if kind == "text":
                spec["text_wrap"] = True
            if status in STATUS_STYLES:
                _, fill, font = STATUS_STYLES[status]
                spec |= {"bg_color": fill, "font_color": font, "bold": True}
            if big:
                spec |= {"font_size": 14, "bold": True, "align": "center"}
            self.cache[key] = self.wb.add_format(spec)
        return self.cache[key]


def _write_value(ws, row: int, col: int, value, kind: Kind, cell_format, quoted=None) -> None:
    if kind in NUMERIC_KINDS:
        n = number(value)
        if n is None:
            ws.write_blank(row, col, None, cell_format)
        else:
            ws.write_number(row, col, n, cell_format)
    elif kind == "date" and isinstance(value, datetime | date | pd.Timestamp):
        ws.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), cell_format)
    else:
        text = fmt(value, kind)
        if text.startswith(FORMULA_TRIGGERS) and quoted is not None:
            cell_format = quoted
        ws.write_string(row, col, text, cell_format)


def _text(ws, row: int, col: int, text: str, cell_format=None) -> None:
    """Ledger text (titles name regions, units, projects) always as a string cell: `ws.write` would
    turn `=…` into a live formula."""
    ws.write_string(row, col, str(text), cell_format)


def _write_cards(ws, row: int, block: Cards, f: _Formats) -> int:
    _text(ws, row, 0, block.title, f.h3)
    for i, card in enumerate(block.items):
        _text(ws, row + 1, i, card.label + (f"（{card.status}）" if card.status else ""), f.header)
        _write_value(ws, row + 2, i, card.value, card.kind, f.cell(card.kind, card.status, big=True))
    return row + 4


def _insert_chart(
    wb, ws, sheet: str, table: Table, spec: ChartSpec, first: int, last: int, anchor: tuple
) -> int:
    """The table's chart spec as a native Excel chart over rows first..last of the table (its cells, so the
    chart follows an edited number); the same colours, legend names and value formats as the HTML and PDF.
    Returns the chart's height in rows."""
    keys = [c.key for c in table.cols]
    cat = keys.index(spec.category_key)
    xl_chart = wb.add_chart({"type": spec.kind} | ({"subtype": "stacked"} if spec.stacked else {}))
    label_format = NUM_FORMATS.get(spec.unit, "General")
    for s in spec.series:
        col = keys.index(s.key)
        xl_chart.add_series(
            {
                "name": s.name,
                "categories": [sheet, first, cat, last, cat],
                "values": [sheet, first, col, last, col],
                "gap": 60,
                "fill": {"color": s.fill},
                "border": {"color": s.stroke, "width": 0.75},
                "data_labels": {"value": True, "num_format": label_format, "font": {"size": 8}},
            }
        )
    xl_chart.set_title({"name": spec.title, "name_font": {"size": 11}})
    axis = {"num_format": "0%"} if spec.unit == "ratio" else {}
    if spec.kind == "bar":
        xl_chart.set_x_axis(axis)
        xl_chart.set_y_axis({"reverse": True})  # first row at the top, as in the table
    else:
        xl_chart.set_y_axis(axis)
    xl_chart.set_legend({"position": "bottom"})
    bars = (last - first + 1) * (1 if spec.stacked else len(spec.series))
    height = max(260, min(1600, 22 * bars + 110))
    xl_chart.set_size({"width": 620, "height": height})
    ws.insert_chart(anchor[0], anchor[1], xl_chart, {"x_offset": 10})
    return height // CHART_ROW_PX + 1


def _write_table(wb, ws, sheet: str, row: int, table: Table, f: _Formats, sheets: dict[str, str]) -> int:
    _text(ws, row, 0, table.title, f.h3)
    row += 1
    if table.note:
        _text(ws, row, 0, table.note, f.note)
        row += 1
    if not table.rows:
        _text(ws, row, 0, table.empty)
        return row + 2
    for c, col in enumerate(table.cols):
        _text(ws, row, c, col.title, f.header)
    header = row
    for r, values in enumerate(table.rows, start=row + 1):
        for c, col in enumerate(table.cols):
            value = values.get(col.key)
            if table.link_col == col.key and str(value) in table.links:
                target = sheets.get(table.links[str(value)])
                if target:
                    ws.write_url(r, c, f"internal:'{target}'!A1", f.link, string=fmt(value, col.kind))
                    continue
            kind = cell_kind(col, values)
            status = str(value) if kind == "status" and value is not None else None
            quoted = f.cell(kind, status, quoted=True) if kind in ("text", "status", "unit") else None
            _write_value(ws, r, c, value, kind, f.cell(kind, status), quoted)
    last = header + len(table.rows)
    used = len(table.rows) + 1
    if table.chart is not None:
        chart_rows = _insert_chart(
            wb, ws, sheet, table, table.chart, header + 1, last, (header, len(table.cols))
        )
        used = max(used, chart_rows)
    return header + used + 2


def _write_part(wb, part: Part, doc: Document, f: _Formats, sheets: dict[str, str]) -> None:
    ws = wb.add_worksheet(part.name)
    _text(ws, 0, 0, part.title, f.title)
    _text(ws, 1, 0, doc.subtitle, f.subtitle)
    widths: dict[int, int] = {}
    row = 3
    for block in part.blocks:
        if isinstance(block, Cards):
            row = _write_cards(ws, row, block, f)
            for i in range(len(block.items)):
                widths[i] = max(widths.get(i, 0), 14)
        elif isinstance(block, Table):
            row = _write_table(wb, ws, part.name, row, block, f, sheets)
            for i, col in enumerate(block.cols):
                widths[i] = max(widths.get(i, 0), col.width)
        elif isinstance(block, Text) and block.style == "lead":
            # the 文字通报 paragraph: one wrapped cell across the table width, tall enough to show it all
            ws.merge_range(row, 0, row, 11, "", f.lead)
            _text(ws, row, 0, block.text, f.lead)
            ws.set_row(row, 17 * (len(block.text) // 62 + 1))
            row += 2
        elif isinstance(block, Text):
            _text(ws, row, 0, block.text, f.note)
            row += 2
    for i, w in widths.items():
        ws.set_column(i, i, w)
    ws.freeze_panes(3, 0)


def write_xlsx(doc: Document, path: Path) -> Path:
    """Write the workbook to a temp file beside `path` and rename it: a reader or a kill mid-write
    sees the previous complete workbook, never a truncated one."""
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"remove_timezone": True})
        f = _Formats(wb)
        sheets = {p.anchor: p.name for p in doc.parts}
        for part in doc.parts:
            _write_part(wb, part, doc, f, sheets)
        if doc.notes:
            ws = wb.add_worksheet("口径说明")
            _text(ws, 0, 0, "口径说明", f.title)
            for i, note in enumerate(doc.notes, start=2):
                _text(ws, i, 0, note)
            ws.set_column(0, 0, 120)
        pause_point("report.xlsx.before_close")
        wb.close()
    return path

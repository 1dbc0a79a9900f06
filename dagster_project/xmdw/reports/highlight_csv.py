"""The highlighted copy of a CSV submission: an xlsx of the CSV (every cell as text, exactly as sent) with
the bad cells filled and commented and the 问题说明 sheet in front, written with xlsxwriter.

A CSV has no formatting to keep, so the copy is built from its values alone; xlsxwriter writes it about
five times faster than openpyxl's workbook model (a province's ~2,300 copies, issue 15). Read back with
openpyxl, the copies are the ones openpyxl wrote before (values, text type, quote prefix, fills, comments,
fonts, widths; only the fill colour's alpha byte differs, which Excel ignores). An xlsx original keeps
its own formatting and goes through openpyxl (reports/highlight.py).
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from xmdw.core.atomic import atomic_path
from xmdw.core.textsafe import FORMULA_TRIGGERS
from xmdw.ingestion.workbook import Sheet
from xmdw.reports.highlight_marks import (
    AUTHOR,
    COMMENT_WIDTH,
    FILL,
    MAX_COMMENTS,
    SUMMARY_HEADERS,
    SUMMARY_SHEET,
    SUMMARY_WIDTHS,
    Marked,
    comment_height,
    comment_text,
    summary_title,
)

DATA_SHEET = "数据"
_PX_PER_CHAR = 7  # Calibri 11's digit width: a column of N*7 px is stored as width N, as openpyxl stores it


class _Formats:
    """One xlsxwriter format per (look, severity, quote prefix), made on first use."""

    def __init__(self, wb) -> None:
        self.wb = wb
        self.made: dict[tuple, object] = {}

    def get(self, severity: str | None = None, quote: bool = False, **props):
        key = (severity, quote, tuple(sorted(props.items())))
        if key not in self.made:
            spec = dict(props)
            if severity:
                spec |= {"pattern": 1, "bg_color": f"#{FILL[severity]}"}
            if quote:
                spec["quote_prefix"] = True  # decision 44: text exactly as sent, never a formula
            self.made[key] = self.wb.add_format(spec) if spec else None
        return self.made[key]


def _quoted(value: str) -> bool:
    return value.startswith(FORMULA_TRIGGERS)


def _summary(wb, formats: _Formats, marked: list[Marked], source_name: str) -> None:
    ws = wb.add_worksheet(SUMMARY_SHEET)
    title = summary_title(source_name)
    ws.write_string(0, 0, title, formats.get(quote=_quoted(title), bold=True, font_size=12))
    for c, h in enumerate(SUMMARY_HEADERS):
        ws.write_string(2, c, h, formats.get(bold=True))
    for i, m in enumerate(marked, start=3):
        ws.write_string(i, 0, m.sheet, formats.get(quote=_quoted(m.sheet)))
        ws.write_number(i, 1, m.row)
        ws.write_string(i, 2, xl_col_to_name(m.column - 1))
        text = comment_text(m.notes)
        ws.write_string(i, 3, text, formats.get(m.severity, _quoted(text), text_wrap=True, valign="top"))
    for c, width in enumerate(SUMMARY_WIDTHS):
        ws.set_column_pixels(c, c, width * _PX_PER_CHAR)
    ws.activate()


def _data_sheet(wb, formats: _Formats, sheet: Sheet, marked: list[Marked]) -> None:
    ws = wb.add_worksheet(DATA_SHEET)
    severity = {(m.row - 1, m.column - 1): m.severity for m in marked}
    for r, row in enumerate(sheet.rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            text = str(value)
            quote, sev = _quoted(text), severity.get((r, c))
            ws.write_string(r, c, text, formats.get(sev, quote) if quote or sev else None)
    for (r, c), sev in severity.items():
        cells = sheet.rows[r] if r < len(sheet.rows) else []
        if c >= len(cells) or cells[c] is None:  # an empty cell to fix is filled all the same
            ws.write_blank(r, c, None, formats.get(sev))
    for m in marked[:MAX_COMMENTS]:
        options = {"author": AUTHOR, "width": COMMENT_WIDTH, "height": comment_height(m)}
        ws.write_comment(m.row - 1, m.column - 1, comment_text(m.notes), options)


def write_csv_copy(sheet: Sheet, marked: list[Marked], source_name: str, out: Path) -> None:
    """Write `out`: the summary sheet, then the CSV's cells on sheet 数据 with `marked` filled and
    commented (every located note is on the CSV's one sheet)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"in_memory": True, "strings_to_formulas": False})
        formats = _Formats(wb)
        _summary(wb, formats, marked, source_name)
        _data_sheet(wb, formats, sheet, marked)
        wb.close()

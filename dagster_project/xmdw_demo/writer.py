"""Render one ledger table the way a unit would submit it, as .xlsx (xlsxwriter) or .csv.

A table is a list of columns (`Col`) and rows of canonical Python values (money in 万元, ratios as
fractions, dates as `date`). A `Style` says how the unit dressed it up: title rows, a units line,
a units row, a two-level merged header, a 序号 column, a 合计 row, blank rows, notes, numbers typed
as text, dates in assorted formats. The writer converts values into the declared units so that the
ingestion, reading the same declarations, gets back exactly the canonical values.

Deterministic: no clock, workbook creation date fixed by the caller.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

MONEY_FACTORS = {"万元": 1.0, "亿元": 10000.0, "千元": 0.1, "元": 0.0001}
USD_FACTORS = {"万美元": 1.0, "美元": 0.0001}
DECIMALS = {"万元": 2, "亿元": 6, "千元": 1, "元": 0, "万美元": 2, "美元": 0}
EXCEL_EPOCH = date(1899, 12, 30)
DATE_STYLES = ("iso", "slash", "dot", "cn", "compact", "excel", "serial")
_FULLWIDTH = str.maketrans("0123456789.,-%", "０１２３４５６７８９．，－％")


@dataclass
class Col:
    name: str  # contract column name; "seq" for 序号; "x:<label>" for a column the contract does not know
    header: str  # header text as written
    type: str  # contract type ("text" for extras, "seq" for 序号)
    unit: str | None = None  # unit declared in the header itself: 亿元, 万元, 元, 美元, %
    parent: str | None = None  # two-level header: merged parent text above this column


@dataclass
class Style:
    title: list[str] = field(default_factory=list)  # single-cell lines above the header
    unit_line: str | None = None  # money unit stated in a "单位：万元" line above the header
    units_row: bool = False  # a row of units right under the header
    total_row: bool = False  # a 合计 row
    total_first: bool = False  # the 合计 row sits right under the header instead of at the end
    blank_rows: bool = False
    notes: list[str] = field(default_factory=list)  # lines under the table (填报单位：… 填报人：…)
    num_text: bool = False  # some amounts typed as text with thousands separators ("1,234.5")
    fullwidth: bool = False  # some numbers typed with full-width digits ("１２３４")
    pct_text: bool = False  # ratios typed as "85%"
    date_style: str = "excel"  # one of DATE_STYLES, or "mixed"
    month_only_planned: bool = False  # planned dates typed as "2024年3月"
    period_text: bool = False  # 年度/月份 cells typed as "2024年" / "1-3月"
    sheet_name: str = "Sheet1"
    extra_sheet: list[str] | None = None  # a second sheet with instructions (text only)


@dataclass
class Written:
    path: Path
    sheet: str
    data_rows: list[int]  # 1-based sheet row of every data row, in input order
    size: int


Cell = tuple[str, object] | None  # ("s", text) | ("n", number) | ("d", date) | None


def money_unit(col: Col, style: Style) -> str:
    if col.type == "usd":
        return col.unit or "万美元"
    return col.unit or style.unit_line or "万元"


def is_percent(col: Col, style: Style) -> bool:
    return col.type == "ratio" and (col.unit == "%" or style.units_row)


def fmt_num(x: float, decimals: int) -> str:
    s = f"{x:.{decimals}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def fmt_thousands(x: float, decimals: int) -> str:
    s = f"{x:,.{decimals}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def fmt_date(d: date, style: str) -> str:
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if style == "dot":
        return f"{d.year}.{d.month}.{d.day}"
    if style == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    if style == "compact":
        return d.strftime("%Y%m%d")
    return d.isoformat()


class TableRenderer:
    def __init__(self, cols: list[Col], style: Style, rng: random.Random, excel: bool):
        self.cols = cols
        self.style = style
        self.rng = rng
        self.excel = excel

    # -- cells -------------------------------------------------------------------------------
    def number_cell(self, x: float, decimals: int, allow_text: bool = True) -> Cell:
        s = fmt_num(x, decimals)
        st = self.style
        if allow_text and st.num_text and abs(x) >= 1000 and self.rng.random() < 0.35:
            return ("s", fmt_thousands(x, decimals))
        if allow_text and st.fullwidth and self.rng.random() < 0.2:
            return ("s", s.translate(_FULLWIDTH))
        if self.excel:
            return ("n", float(s))
        return ("s", s)

    def date_cell(self, col: Col, d: date) -> Cell:
        st = self.style
        if st.month_only_planned and col.name.startswith("planned_"):
            return ("s", f"{d.year}年{d.month}月")
        style = st.date_style
        if style == "mixed":
            style = self.rng.choice(DATE_STYLES)
        if style == "excel":
            return ("d", d) if self.excel else ("s", d.isoformat())
        if style == "serial":
            serial = (d - EXCEL_EPOCH).days
            return ("n", float(serial)) if self.excel else ("s", str(serial))
        return ("s", fmt_date(d, style))

    def cell(self, col: Col, value: object, raw: dict) -> Cell:
        if col.name in raw:
            v = raw[col.name]
            return None if v is None else ("s", str(v))
        if value is None or value == "":
            return None
        t = col.type
        if t in ("money", "usd"):
            unit = money_unit(col, self.style)
            factors = USD_FACTORS if t == "usd" else MONEY_FACTORS
            return self.number_cell(float(value) / factors[unit], DECIMALS[unit])
        if t == "ratio":
            x = float(value)
            if is_percent(col, self.style):
                return self.number_cell(x * 100, 2, allow_text=False)
            if self.style.pct_text:
                return ("s", fmt_num(x * 100, 2) + "%")
            return self.number_cell(x, 4, allow_text=False)
        if t == "date":
            return self.date_cell(col, value)  # type: ignore[arg-type]
        if t == "bool":
            return ("s", "是" if value else "否")
        if t == "year":
            if self.style.period_text:
                return ("s", f"{value}年")
            return self.number_cell(float(value), 0, allow_text=False)
        if t == "month":
            if self.style.period_text:
                return ("s", f"1-{value}月" if int(value) > 1 else "1月")  # type: ignore[call-overload]
            return self.number_cell(float(value), 0, allow_text=False)
        if t in ("number", "int", "seq"):
            if isinstance(value, str):
                return ("s", value)
            return self.number_cell(float(value), 4 if t == "number" else 0, allow_text=t == "number")
        return ("s", str(value))

    # -- table -------------------------------------------------------------------------------
    def render(self, rows: list[dict]) -> tuple[list[list[Cell]], list[tuple], list[int]]:
        """Grid of cells, merges [(r0, c0, r1, c1, text, kind)] and the 0-based grid row of each data row."""
        st, width = self.style, len(self.cols)
        grid: list[list[Cell]] = []
        merges: list[tuple] = []
        self._head(grid, merges)
        total_at = len(grid)
        if st.total_row and st.total_first:
            grid.append([])  # placeholder, filled below
        data_rows = self._body(grid, rows)
        if st.total_row:
            total = self._total_row(rows)
            if st.total_first:
                grid[total_at] = total
            else:
                grid.append(total)
        for note in st.notes:
            parts = [p for p in note.split("\t") if p]
            grid.append([("s", p) for p in parts] + [None] * max(0, width - len(parts)))
        return grid, merges, data_rows

    def _head(self, grid: list[list[Cell]], merges: list[tuple]) -> None:
        """Title lines, the units line, the header (one or two levels) and the units row."""
        st, cols = self.style, self.cols
        width = len(cols)
        for line in st.title:
            merges.append((len(grid), 0, len(grid), width - 1, line, "title"))
            grid.append([("s", line)] + [None] * (width - 1))
        if st.unit_line:
            grid.append([None] * (width - 1) + [("s", f"单位：{st.unit_line}")])
        if any(c.parent for c in cols):
            grid += self._two_level_header(len(grid), merges)
        else:
            grid.append([("s", c.header) for c in cols])
        if st.units_row:
            units: list[Cell] = []
            for col in cols:
                if col.type in ("money", "usd"):
                    units.append(("s", money_unit(col, st)))
                elif is_percent(col, st):
                    units.append(("s", "%"))
                else:
                    units.append(None)
            grid.append(units)

    def _two_level_header(self, top: int, merges: list[tuple]) -> list[list[Cell]]:
        """Two header rows from grid row `top`: a merged parent over its children, other headers merged down."""
        cols = self.cols
        width = len(cols)
        r1: list[Cell] = []
        r2: list[Cell] = []
        c = 0
        while c < width:
            col = cols[c]
            if col.parent:
                c1 = c
                while c1 + 1 < width and cols[c1 + 1].parent == col.parent:
                    c1 += 1
                merges.append((top, c, top, c1, col.parent, "header"))
                for k in range(c, c1 + 1):
                    r1.append(("s", col.parent) if k == c else None)
                    r2.append(("s", cols[k].header))
                c = c1 + 1
            else:
                merges.append((top, c, top + 1, c, col.header, "header"))
                r1.append(("s", col.header))
                r2.append(None)
                c += 1
        return [r1, r2]

    def _body(self, grid: list[list[Cell]], rows: list[dict]) -> list[int]:
        """Append the data rows (and the unit's stray blank rows); the grid row of each data row."""
        st, cols = self.style, self.cols
        data_rows: list[int] = []
        for i, row in enumerate(rows):
            raw = row.get("__raw__", {})
            cells = [
                ("n" if self.excel else "s", float(i + 1) if self.excel else str(i + 1))
                if col.type == "seq"
                else self.cell(col, row.get(col.name), raw)
                for col in cols
            ]
            data_rows.append(len(grid))
            grid.append(cells)
            if st.blank_rows and i < len(rows) - 1 and (i == len(rows) // 2 or self.rng.random() < 0.06):
                grid.append([None] * len(cols))
        return data_rows

    def _total_row(self, rows: list[dict]) -> list[Cell]:
        cols = self.cols
        label_col = next((i for i, c in enumerate(cols) if c.type == "seq"), None)
        if label_col is None:
            label_col = next((i for i, c in enumerate(cols) if c.name == "project_name"), 0)
        out: list[Cell] = [None] * len(cols)
        out[label_col] = ("s", "合计")
        for i, col in enumerate(cols):
            if col.type != "money" or i == label_col:
                continue
            total = 0.0
            for r in rows:
                v = r.get(col.name)
                if col.name in r.get("__raw__", {}) or v is None:
                    continue
                total += float(v)
            unit = money_unit(col, self.style)
            out[i] = self.number_cell(total / MONEY_FACTORS[unit], DECIMALS[unit], allow_text=False)
        return out


def write_table(
    path: Path,
    cols: list[Col],
    rows: list[dict],
    style: Style,
    rng: random.Random,
    created: datetime,
    encoding: str = "utf-8",
) -> Written:
    """Write the table to `path` (.xlsx or .csv, by suffix). `encoding` is for CSV: utf-8, utf-8-sig, gbk."""
    excel = path.suffix.lower() == ".xlsx"
    grid, merges, data_rows = TableRenderer(cols, style, rng, excel).render(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    if excel:
        _write_xlsx(path, cols, grid, merges, style, created)
        sheet = style.sheet_name
    else:
        _write_csv(path, grid, encoding)
        sheet = path.name
    return Written(path, sheet, [r + 1 for r in data_rows], path.stat().st_size)


def _write_xlsx(
    path: Path, cols: list[Col], grid: list[list[Cell]], merges: list[tuple], style: Style, created: datetime
) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    wb.set_properties({"created": created, "author": "", "comments": ""})
    f_title = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
    f_head = wb.add_format(
        {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}
    )
    f_cell = wb.add_format({"border": 1})
    f_date = wb.add_format({"border": 1, "num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet(style.sheet_name)
    merged_cells = set()
    for r0, c0, r1, c1, text, kind in merges:
        fmt = f_title if kind == "title" else f_head
        if (r0, c0) == (r1, c1):
            ws.write_string(r0, c0, text, fmt)
        else:
            ws.merge_range(r0, c0, r1, c1, text, fmt)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                merged_cells.add((r, c))
    header_rows = {r0 for r0, _, _, _, _, kind in merges if kind == "header"}
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if cell is None or (r, c) in merged_cells:
                continue
            kind, value = cell
            fmt = f_head if r in header_rows else f_cell
            if kind == "s":
                ws.write_string(r, c, str(value), fmt)
            elif kind == "n":
                ws.write_number(r, c, float(value), fmt)  # type: ignore[arg-type]
            else:
                ws.write_datetime(r, c, value, f_date)
    for c, col in enumerate(cols):
        ws.set_column(c, c, 6 if col.type == "seq" else max(10, min(40, len(col.header) * 2 + 2)))
    if style.extra_sheet:
        ws2 = wb.add_worksheet("填表说明")
        for r, line in enumerate(style.extra_sheet):
            ws2.write_string(r, 0, line)
    wb.close()


def _write_csv(path: Path, grid: list[list[Cell]], encoding: str) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for row in grid:
        w.writerow(["" if c is None else str(c[1]) for c in row])
    path.write_bytes(buf.getvalue().encode(encoding))

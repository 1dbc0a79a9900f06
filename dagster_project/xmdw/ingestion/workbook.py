"""Read a submitted file into sheets of raw cells, refusing what cannot be read safely.

The file is opened once, without following links (`safe_io.open_regular`), and its size checked before a
byte is read. What it is comes from its first bytes, not its name: an xlsx (a zip) is checked against the
limits from its zip directory and sheet XML before python-calamine expands it (`xlsx_guard`); an OLE2
file is an encrypted workbook (文件已加密) or a legacy .xls (请另存为 .xlsx); text goes to `csv_reader`.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from xmdw.core.settings import IngestLimits, ingest_limits
from xmdw.ingestion import xlsx_guard
from xmdw.ingestion.csv_reader import decode_csv_bytes, parse_csv_text
from xmdw.ingestion.limits import UnreadableFile, check_area, check_file_size
from xmdw.ingestion.problems import Problem
from xmdw.ingestion.safe_io import display_name, open_regular

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".et"}
CSV_SUFFIXES = {".csv", ".txt"}
SUPPORTED_SUFFIXES = EXCEL_SUFFIXES | CSV_SUFFIXES
SHOWN_CHARS = 200

Cell = object  # str | int | float | bool | date | datetime | None

__all__ = ["ReadResult", "Sheet", "UnreadableFile", "decode_csv_bytes", "read_file", "SUPPORTED_SUFFIXES"]


@dataclass
class Sheet:
    name: str
    rows: list[list[Cell]]
    # merged ranges as (first_row, first_col, last_row, last_col), 0-based, inclusive
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden: bool = False
    # 0-based (row, col) of formula cells without a cached value (xlsx only): the cell reads as empty
    uncached_formulas: set[tuple[int, int]] = field(default_factory=set)
    # 0-based row -> why the reader could not read that row faithfully (the parser rejects the row)
    line_problems: dict[int, Problem] = field(default_factory=dict)
    # CSV: physical lines each row spans (a quoted cell may hold line breaks); sum = lines in the file
    row_lines: list[int] | None = None

    def merged_value(self, r: int, c: int) -> Cell:
        """The value a merged region shows at (r, c): its top-left cell's value."""
        for r0, c0, r1, c1 in self.merged:
            if r0 <= r <= r1 and c0 <= c <= c1:
                return self.cell(r0, c0)
        return self.cell(r, c)

    def cell(self, r: int, c: int) -> Cell:
        if r < len(self.rows) and c < len(self.rows[r]):
            return self.rows[r][c]
        return None


@dataclass
class ReadResult:
    sheets: list[Sheet]
    encoding: str | None = None  # CSV only
    physical_lines: int | None = None  # CSV only


def read_file(path: Path, limits: IngestLimits | None = None) -> ReadResult:
    limits = limits or ingest_limits()
    suffix = path.suffix.lower()
    with open_regular(path) as f:
        check_file_size(os.fstat(f.fileno()).st_size, limits)
        kind = xlsx_guard.kind_of(f.read(8))
        f.seek(0)
        if kind == "ole":
            raise xlsx_guard.refuse_ole(f)
        if kind == "zip":
            return ReadResult(_read_xlsx(f, limits))
        if suffix in CSV_SUFFIXES:
            return _read_csv(display_name(path.name), f.read(), limits)
    if suffix in EXCEL_SUFFIXES:
        raise UnreadableFile(
            "ING-F0",
            "无法打开 Excel 文件（文件损坏或不是真正的 Excel 格式），请重新保存为 .xlsx 后报送",
            "cannot open the Excel file (corrupt or not really Excel): save it again as .xlsx",
        )
    raise UnreadableFile(
        "ING-F0",
        f"不支持的文件类型“{path.suffix}”，请提交 .xlsx 或 .csv 文件",
        f"unsupported file type '{path.suffix}': submit .xlsx or .csv",
    )


def _read_csv(name: str, data: bytes, limits: IngestLimits) -> ReadResult:
    text, encoding = decode_csv_bytes(data)
    parsed = parse_csv_text(text, encoding, name, limits)
    sheet = Sheet(name, parsed.rows, line_problems=parsed.line_problems, row_lines=parsed.row_lines)
    return ReadResult([sheet], encoding, parsed.physical_lines)


def _corrupt(exc: Exception) -> UnreadableFile:
    return UnreadableFile(
        "ING-F0",
        f"无法打开 Excel 文件（文件损坏或不是真正的 Excel 格式）：{str(exc)[:300]}",
        f"cannot open the Excel file (corrupt or not really Excel): {str(exc)[:300]}",
    )


def _read_xlsx(f: io.BufferedReader, limits: IngestLimits) -> list[Sheet]:
    try:
        with zipfile.ZipFile(f) as zf:
            scans = xlsx_guard.inspect_xlsx(zf, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, KeyError, SyntaxError, ValueError) as exc:
        raise _corrupt(exc) from exc  # ElementTree's ParseError is a SyntaxError
    f.seek(0)
    try:
        wb = CalamineWorkbook.from_filelike(f)
    except Exception as exc:  # calamine raises several error types for broken files
        raise _corrupt(exc) from exc
    sheets = []
    for meta in wb.sheets_metadata:
        scan = scans.get(meta.name)
        hidden = meta.visible != SheetVisibleEnum.Visible
        if meta.typ != SheetTypeEnum.WorkSheet or scan is None:
            sheets.append(Sheet(meta.name, [], hidden=hidden))  # a chart sheet has no cells
            continue
        try:
            ws = wb.get_sheet_by_name(meta.name)
            check_area(meta.name, ws.height, ws.width, limits)  # the scan's figure, confirmed by the reader
            raw = ws.to_python(skip_empty_area=False)
            merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in ws.merged_cell_ranges or []]
        except UnreadableFile:
            raise
        except Exception as exc:
            raise _corrupt(exc) from exc
        sheet = Sheet(meta.name, [], merged, hidden, scan.uncached_formulas)
        sheet.rows = [_clean_row(sheet, r, row, limits) for r, row in enumerate(raw)]
        sheets.append(sheet)
    return sheets


def _clean_row(sheet: Sheet, r: int, row: list[Cell], limits: IngestLimits) -> list[Cell]:
    """calamine's "" becomes None (one notion of empty); a cell over the length limit rejects its row."""
    out: list[Cell] = []
    for c, v in enumerate(row):
        if isinstance(v, str):
            if v.strip() == "":
                v = None
            elif len(v) > limits.max_cell_chars:
                sheet.line_problems.setdefault(
                    r,
                    Problem(
                        "ING-CELL-LONG",
                        f"第{c + 1}列单元格内容过长（{len(v):,} 个字符，上限 {limits.max_cell_chars:,}，设置项 XMDW_MAX_CELL_CHARS）",
                        f"column {c + 1}: {len(v):,} characters, over the limit of {limits.max_cell_chars:,} "
                        "(XMDW_MAX_CELL_CHARS)",
                        sheet.name,
                        r + 1,
                        None,
                        v[:SHOWN_CHARS],
                    ),
                )
                v = v[:SHOWN_CHARS] + "…"
        out.append(v)
    return out

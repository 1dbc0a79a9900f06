"""Read a submitted file into sheets of raw cells.

xlsx/xls via python-calamine (merged ranges included); CSV decoded as UTF-8, UTF-8 with BOM, or
GBK/GB18030 (detected, transcoded), with the delimiter sniffed.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".txt"}
SUPPORTED_SUFFIXES = EXCEL_SUFFIXES | CSV_SUFFIXES

Cell = object  # str | int | float | bool | date | datetime | None


@dataclass
class Sheet:
    name: str
    rows: list[list[Cell]]
    # merged ranges as (first_row, first_col, last_row, last_col), 0-based, inclusive
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden: bool = False

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


class UnreadableFile(Exception):
    """The file cannot be opened or decoded at all."""

    def __init__(self, rule: str, message_zh: str, message_en: str):
        super().__init__(message_en)
        self.rule = rule
        self.message_zh = message_zh
        self.message_en = message_en


def read_file(path: Path) -> ReadResult:
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return ReadResult(_read_excel(path))
    if suffix in CSV_SUFFIXES:
        text, encoding = decode_csv_bytes(path.read_bytes())
        return ReadResult([Sheet(path.name, _parse_csv_text(text))], encoding)
    raise UnreadableFile(
        "ING-F0",
        f"不支持的文件类型“{path.suffix}”，请提交 .xlsx 或 .csv 文件",
        f"unsupported file type '{path.suffix}': submit .xlsx or .csv",
    )


def _empty(v: Cell) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")


def _read_excel(path: Path) -> list[Sheet]:
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several error types for broken files
        raise UnreadableFile(
            "ING-F0",
            f"无法打开 Excel 文件（文件损坏或不是真正的 Excel 格式）：{exc}",
            f"cannot open the Excel file (corrupt or not really Excel): {exc}",
        ) from exc
    sheets = []
    for meta in wb.sheets_metadata:
        ws = wb.get_sheet_by_name(meta.name)
        rows = [list(r) for r in ws.to_python(skip_empty_area=False)]
        # Replace calamine's "" for empty cells by None: one notion of empty everywhere.
        rows = [[None if _empty(v) else v for v in r] for r in rows]
        merged = []
        try:
            for (r0, c0), (r1, c1) in ws.merged_cell_ranges or []:
                merged.append((r0, c0, r1, c1))
        except Exception:  # merged ranges are only available for xlsx; others have none
            merged = []
        hidden = str(getattr(meta, "visible", "visible")).lower().endswith("hidden")
        sheets.append(Sheet(meta.name, rows, merged, hidden))
    return sheets


def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            "ING-F2",
            "文件编码无法识别（既不是 UTF-8 也不是 GBK/GB18030），请另存为 UTF-8 CSV 或 Excel",
            "unknown text encoding (neither UTF-8 nor GBK/GB18030): save as UTF-8 CSV or Excel",
        ) from exc
    return text, "gb18030"


def _parse_csv_text(text: str) -> list[list[Cell]]:
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    rows = []
    for r in csv.reader(io.StringIO(text), delimiter=delimiter):
        rows.append([None if _empty(v) else v for v in r])
    return rows

"""What a workbook is and what reading it would cost, found from its bytes before anything is expanded.

- The first bytes say what the file is, whatever its name: a zip (xlsx), an OLE2 container (an encrypted
  workbook, or a legacy .xls), or something else.
- The zip directory declares every member's uncompressed size: the sum and each sheet/sharedStrings part
  are checked against the limits before one byte is inflated (a 1 MB "zip bomb" declaring gigabytes is
  refused in milliseconds).
- Each sheet's XML is then scanned (inflated by Python's zipfile, which never writes more than the size the
  directory declared) for the largest row and column a cell names: calamine allocates the whole rectangle
  from A1 to that cell, and a two-cell sheet with a cell in XFD1048576 would ask for 550 GB and abort the
  process. The same pass finds formula cells with no cached value (calamine reads them as empty).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from typing import BinaryIO
from xml.etree import ElementTree

from xmdw.core.settings import IngestLimits
from xmdw.ingestion.limits import UnreadableFile, check_area, check_part, check_unzipped

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The directory entry an encrypted OOXML workbook (Excel/WPS "用密码进行加密") carries inside its OLE container.
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

ROW_R = re.compile(rb'<row r="(\d{1,7})"')
CELL_ROWS = re.compile(rb'<c r="[A-Z]{1,2}(\d{1,7})"')
THREE_LETTERS = re.compile(rb'<c r="[A-Z]{3}')
TWO_LETTERS = re.compile(rb'<c r="[A-Z]{2}\d')
TWO_LETTER_COLS = re.compile(rb'<c r="([A-Z]{2})\d')
ANY_CELL_OPEN = re.compile(rb"<(?:\w+:)?c[\s>/]")
TOKEN = re.compile(rb"<(?:\w+:)?(row|c)\b([^>]*?)(/?)>")
R_ATTR = re.compile(rb'\br="([A-Z]{0,3})(\d{1,7})"')
FORMULA = re.compile(rb"<(\w+:)?f[\s>/]")
T_ATTR = re.compile(rb'\bt="(\w+)"')
V_TEXT = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>([^<]*)<")


@dataclass
class SheetScan:
    name: str
    part: str
    hidden: bool
    rows: int = 0  # 1-based extent of the used area from A1
    cols: int = 0
    uncached_formulas: set[tuple[int, int]] = field(default_factory=set)  # 0-based (row, col)


def kind_of(head: bytes) -> str:
    """'zip' | 'ole' | 'other' from the first bytes."""
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    return "other"


def refuse_ole(f: BinaryIO) -> UnreadableFile:
    """An OLE2 file is either an encrypted OOXML workbook or a legacy binary .xls (or .et/.doc ...)."""
    f.seek(0)
    data = f.read()
    if ENCRYPTION_INFO in data:
        return UnreadableFile(
            "ING-ENC",
            "文件已加密（设置了打开密码），无法读取。请在 Excel/WPS 中取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码）后重新报送",
            "the workbook is encrypted (password to open): remove the password and submit again",
        )
    return UnreadableFile(
        "ING-XLS",
        "这是旧版 Excel 97-2003（.xls）格式的文件，请在 Excel/WPS 中“另存为”Excel 工作簿（.xlsx）后重新报送",
        "legacy Excel 97-2003 (.xls) content: save as an Excel workbook (.xlsx) and submit again",
    )


def not_xlsx(what: str) -> UnreadableFile:
    return UnreadableFile(
        "ING-XLS",
        f"这是 {what} 格式的文件，不是 Excel 工作簿（.xlsx），请另存为 .xlsx 后重新报送",
        f"{what} content, not an Excel workbook (.xlsx): save as .xlsx and submit again",
    )


def col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n  # 1-based


def inspect_xlsx(zf: zipfile.ZipFile, limits: IngestLimits) -> dict[str, SheetScan]:
    """Check the zip directory and every sheet against the limits; return what was found per sheet name."""
    infos = zf.infolist()
    check_unzipped(sum(i.file_size for i in infos), limits)
    for info in infos:
        check_part(info.filename, info.file_size, limits)
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        if "xl/workbook.bin" in names:
            raise not_xlsx("Excel 二进制工作簿（.xlsb）")
        if "content.xml" in names:
            raise not_xlsx("OpenDocument 表格（.ods）")
        raise UnreadableFile(
            "ING-F0",
            "无法打开 Excel 文件（文件损坏或不是真正的 Excel 格式），请重新保存为 .xlsx 后报送",
            "cannot open the Excel file (corrupt or not really Excel): save it again as .xlsx",
        )
    scans = {}
    for name, part, hidden in _sheets(zf, names):
        scan = SheetScan(name, part, hidden)
        if part in names:
            data = zf.read(part)
            scan.rows, scan.cols = used_area(data, limits)
            check_area(name, scan.rows, scan.cols, limits)
            scan.uncached_formulas = uncached_formulas(data)
        scans[name] = scan
    return scans


def _sheets(zf: zipfile.ZipFile, names: set[str]) -> list[tuple[str, str, bool]]:
    """(sheet name, zip part, hidden) in workbook order, from workbook.xml and its relationships."""
    book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for rel in ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels")).iter(
            f"{NS_PKG_REL}Relationship"
        ):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            targets[rel.get("Id", "")] = path
    out = []
    for sheet in book.iter(f"{NS_MAIN}sheet"):
        part = targets.get(sheet.get(f"{NS_REL}id", ""), "")
        out.append((sheet.get("name", ""), part, sheet.get("state", "visible") != "visible"))
    return out


def used_area(data: bytes, limits: IngestLimits) -> tuple[int, int]:
    """(rows, columns) from A1 to the farthest cell the sheet XML names, or an upper bound of it that is
    already within the limits. A handful of scans, never one Python object per cell for a usual sheet."""
    n_cells = data.count(b"<c ") + data.count(b"<c>")
    if n_cells and n_cells == data.count(b'<c r="') and not THREE_LETTERS.search(data):
        # The layout every writer we know uses (Excel, WPS, xlsxwriter, openpyxl): r is the first attribute.
        cols = 26
        if TWO_LETTERS.search(data):
            cols = 702
            if not _within((1, cols), limits):
                cols = col_index(max(set(TWO_LETTER_COLS.findall(data))))
        rows = _row_bound(data)
        if rows is None or not _within((rows, cols), limits):
            rows = int(max(set(CELL_ROWS.findall(data)), key=lambda b: (len(b), b)))
        return rows, cols
    if not n_cells and not ANY_CELL_OPEN.search(data):
        return 0, 0
    return _used_area_tokens(data)


def _row_bound(data: bytes) -> int | None:
    """An upper bound of the cells' row numbers from the largest <row r> (D digits, leading digit k): no
    cell row has more digits, nor D digits with a leading digit above k — checked by two scans. For
    100,000 rows the bound is 199,999; None if a cell breaks it."""
    largest = max(ROW_R.findall(data), key=lambda b: (len(b), b), default=b"1")
    digits, lead = len(largest), largest[0] - 48
    if re.search(rb'<c r="[A-Z]{1,2}\d{%d}' % (digits + 1), data):
        return None
    if lead < 9 and re.search(rb'<c r="[A-Z]{1,2}[%d-9]\d{%d}"' % (lead + 1, digits - 1), data):
        return None
    return (lead + 1) * 10 ** (digits - 1) - 1


def _within(area: tuple[int, int], limits: IngestLimits) -> bool:
    rows, cols = area
    return rows <= limits.max_rows and cols <= limits.max_columns and rows * cols <= limits.max_cells


def _used_area_tokens(data: bytes) -> tuple[int, int]:
    """Exact extent for unusual layouts (namespace prefixes, attributes in any order, cells without r):
    positions follow the reader's rule — a row or cell without r comes right after the previous one."""
    max_row = max_col = 0
    row = col = 0
    for tag, attrs, _ in TOKEN.findall(data):
        ref = R_ATTR.search(attrs)
        if tag == b"row":
            row = int(ref.group(2)) if ref else row + 1
            col = 0
            max_row = max(max_row, row)
            continue
        if ref and ref.group(1):
            col, cell_row = col_index(ref.group(1)), int(ref.group(2))
            max_row = max(max_row, cell_row)
        else:
            col += 1
        max_col = max(max_col, col)
    return max_row, max_col


def uncached_formulas(data: bytes) -> set[tuple[int, int]]:
    """0-based (row, col) of formula cells that carry no cached value (a file written by a program that
    does not compute formulas, e.g. openpyxl): Excel would show a number, the reader sees nothing."""
    out: set[tuple[int, int]] = set()
    if b"<f" not in data and b":f" not in data:  # most sheets: no formula at all, one fast scan
        return out
    for m in FORMULA.finditer(data):
        prefix = m.group(1) or b""
        start = data.rfind(b"<" + prefix + b"c ", 0, m.start())
        end = data.find(b"</" + prefix + b"c>", m.start())
        if start < 0 or end < 0:
            continue
        cell = data[start:end]
        open_tag = cell[: cell.find(b">") + 1]
        ref = R_ATTR.search(open_tag)
        if not ref or not ref.group(1):
            continue
        t = T_ATTR.search(open_tag)
        v = V_TEXT.search(cell)
        cached = v is not None and (v.group(1) != b"" or (t is not None and t.group(1) == b"str"))
        if not cached:
            out.add((int(ref.group(2)) - 1, col_index(ref.group(1)) - 1))
    return out

"""Which cells of a unit's file to mark, and with what: the part of the highlighted copy that does not
depend on how the copy is written (reports/highlight.py for an xlsx original, highlight_csv.py for a CSV).

Where a problem is: its sheet and row as ingestion recorded them (1-based, as Excel shows them; for a CSV
the record number) and its column, found by the parser's own layout detection (the contract column name,
else the header text). A whole-row problem (a duplicate key, an unreadable CSV line) marks the row's first
cell. When ingestion's header row is known (raw.skipped_rows), the detection looks at that header only
instead of scanning the sheet again: it finds the same layout (the scan's best candidate is among the
header rows' candidates, and nothing there scores higher), at a fraction of the cost.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from xmdw.contract import Contract
from xmdw.ingestion.layout import Layout, detect_layout, normalise_cached
from xmdw.ingestion.workbook import Sheet

FILL = {"fatal": "FFC7CE", "warning": "FFEB9C"}  # Excel's own "bad" red and "neutral" yellow
SUMMARY_SHEET = "问题说明"
SUMMARY_HEADERS = ("工作表", "行号", "列", "问题")
SUMMARY_WIDTHS = (16, 8, 6, 90)  # columns A-D, in Excel's character units
MAX_COMMENTS = 2000  # cells beyond this are filled without a comment (Excel slows down with many)
AUTHOR = "xmdw 数据审核"
COMMENT_WIDTH = 320  # px


@dataclass(frozen=True)
class CellNote:
    """One problem to mark: where ingestion or a rule found it, what it says, how serious it is."""

    sheet: str | None
    row: int  # 1-based
    message_zh: str
    severity: str = "fatal"  # fatal (row not loaded / held back) | warning
    column_name: str | None = None  # the contract column
    column_header: str | None = None  # the header as written in the file
    rule: str | None = None


@dataclass
class Marked:
    sheet: str
    row: int  # 1-based
    column: int  # 1-based
    notes: list[CellNote]

    @property
    def severity(self) -> str:
        return "fatal" if any(n.severity == "fatal" for n in self.notes) else "warning"


def summary_title(source_name: str) -> str:
    return f"“{source_name}”中需要改正的单元格（红色：该行未入库；黄色：该值未读取或需核实）"


def comment_height(marked: Marked) -> int:
    return 40 + 40 * len(marked.notes)  # px


def comment_text(notes: list[CellNote]) -> str:
    seen: list[str] = []
    for n in notes:
        text = f"{n.message_zh}（{n.rule}）" if n.rule else n.message_zh
        if text not in seen:
            seen.append(text)
    return "\n".join(seen)


def _column_index(layout: Layout | None, note: CellNote) -> int | None:
    """0-based column of a note in a sheet: the contract column, else the header text, else None."""
    if layout is None:
        return None
    if note.column_name and note.column_name in layout.by_name:
        return layout.by_name[note.column_name].index
    wanted = normalise_cached(note.column_header) if note.column_header else None
    if wanted:
        for m in layout.columns:
            if wanted in (normalise_cached(m.header), normalise_cached(m.header.split("/")[-1])):
                return m.index
            if wanted == normalise_cached(m.column.zh):
                return m.index
        for index, header in layout.extra_columns.items():
            if normalise_cached(header) == wanted:
                return index
    return None


def _first_cell(layout: Layout | None) -> int:
    """A whole-row problem marks the row's key cell (the first natural-key column), else column A."""
    if layout is not None:
        for name in layout.entity.natural_key:
            if name in layout.by_name:
                return layout.by_name[name].index
    return 0


def sheet_layout(sheet: Sheet, contract: Contract, header_row: int | None = None) -> Layout | None:
    """The sheet's layout; `header_row` (0-based), ingestion's first header row, limits the detection to
    that row and the next (a header has one or two rows). Column indexes are the same either way; a sheet
    with merged cells is scanned whole (a merged header may start above the window)."""
    if header_row is None or sheet.merged or not 0 <= header_row < len(sheet.rows):
        return detect_layout(sheet, contract)
    return detect_layout(replace(sheet, rows=sheet.rows[header_row : header_row + 2]), contract)


def locate(
    sheets: list[Sheet],
    notes: list[CellNote],
    contract: Contract,
    csv: bool = False,
    header_rows: dict[str, int] | None = None,
) -> list[Marked]:
    """The cells to mark, one per (sheet, row, column), notes on the same cell merged; notes whose sheet
    is not in the workbook are dropped (a different file of the same name). A CSV has one sheet, named
    after the file (which may have been stored under another name), so its header row is the file's.
    `header_rows`: sheet name -> ingestion's first header row (0-based), where known."""
    header_rows = header_rows or {}
    by_name = {s.name: s for s in sheets}
    layouts: dict[str, Layout | None] = {}
    cells: dict[tuple[str, int, int], list[CellNote]] = defaultdict(list)
    for note in notes:
        sheet = sheets[0] if csv else by_name.get(note.sheet or "")
        if sheet is None or note.row is None or note.row < 1:
            continue
        if sheet.name not in layouts:
            top = min(header_rows.values(), default=None) if csv else header_rows.get(sheet.name)
            layouts[sheet.name] = sheet_layout(sheet, contract, top)
        layout = layouts[sheet.name]
        index = _column_index(layout, note)
        cells[(sheet.name, int(note.row), _first_cell(layout) if index is None else index)].append(note)
    return [Marked(s, r, c + 1, n) for (s, r, c), n in sorted(cells.items(), key=lambda x: x[0])]

"""The unit's own workbook with its bad cells marked: filled and commented with the Chinese message.

Beyond a list of problems (what the anchors do): the clerk opens the file they sent and sees each cell to
fix, red for a row that was not loaded, yellow for a value left empty or a warning. A first sheet
`问题说明` lists the same problems in order. A CSV submission comes back as an xlsx copy of the CSV (every
cell as text, exactly as sent) with the same marks.

Where a problem is: its sheet and row as ingestion recorded them (1-based, as Excel shows them; for a CSV
the record number) and its column, found again by the parser's own layout detection on the original
(the contract column name, else the header text). A whole-row problem (a duplicate key, an unreadable CSV
line) marks the row's first cell. The original is read through the same guarded reader as ingestion
(size and zip limits before anything is expanded) before openpyxl opens it.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from xmdw.contract import Contract, load_contract
from xmdw.core.atomic import atomic_path
from xmdw.core.textsafe import FORMULA_TRIGGERS
from xmdw.ingestion.layout import Layout, detect_layout, normalise_cached
from xmdw.ingestion.workbook import CSV_SUFFIXES, Sheet, read_file

FILL = {"fatal": "FFC7CE", "warning": "FFEB9C"}  # Excel's own "bad" red and "neutral" yellow
SUMMARY_SHEET = "问题说明"
MAX_COMMENTS = 2000  # cells beyond this are filled without a comment (Excel slows down with many)
AUTHOR = "xmdw 数据审核"


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


def locate(sheets: list[Sheet], notes: list[CellNote], contract: Contract, csv: bool = False) -> list[Marked]:
    """The cells to mark, one per (sheet, row, column), notes on the same cell merged; notes whose sheet
    is not in the workbook are dropped (a different file of the same name). A CSV has one sheet, named
    after the file (which may have been stored under another name)."""
    by_name = {s.name: s for s in sheets}
    layouts: dict[str, Layout | None] = {}
    cells: dict[tuple[str, int, int], list[CellNote]] = defaultdict(list)
    for note in notes:
        sheet = sheets[0] if csv else by_name.get(note.sheet or "")
        if sheet is None or note.row is None or note.row < 1:
            continue
        if sheet.name not in layouts:
            layouts[sheet.name] = detect_layout(sheet, contract)
        layout = layouts[sheet.name]
        index = _column_index(layout, note)
        cells[(sheet.name, int(note.row), _first_cell(layout) if index is None else index)].append(note)
    return [Marked(s, r, c + 1, n) for (s, r, c), n in sorted(cells.items(), key=lambda x: x[0])]


def _comment_text(notes: list[CellNote]) -> str:
    seen: list[str] = []
    for n in notes:
        text = f"{n.message_zh}（{n.rule}）" if n.rule else n.message_zh
        if text not in seen:
            seen.append(text)
    return "\n".join(seen)


def _text_cell(cell, value: object) -> None:
    """Text exactly as sent, never a formula (decision 44: a string cell with Excel's quote prefix)."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
        cell.quotePrefix = True


def _csv_workbook(sheet: Sheet):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    for r, row in enumerate(sheet.rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                _text_cell(ws.cell(r, c), str(value))
    return wb, {sheet.name: ws}  # the name locate() gives every CSV note


def _xlsx_workbook(original: Path):
    from openpyxl import load_workbook

    with original.open("rb") as f:  # a file object: openpyxl judges a path by its suffix (.csv, .xlsm)
        wb = load_workbook(f, keep_vba=False, keep_links=False, rich_text=False)
    return wb, {ws.title: ws for ws in wb.worksheets}


def _summary(wb, marked: list[Marked], source_name: str) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    ws = wb.create_sheet(SUMMARY_SHEET, 0)
    _text_cell(
        ws.cell(1, 1), f"“{source_name}”中需要改正的单元格（红色：该行未入库；黄色：该值未读取或需核实）"
    )
    ws.cell(1, 1).font = Font(bold=True, size=12)
    for c, h in enumerate(["工作表", "行号", "列", "问题"], start=1):
        ws.cell(3, c, h).font = Font(bold=True)
    from openpyxl.utils import get_column_letter

    for i, m in enumerate(marked, start=4):
        _text_cell(ws.cell(i, 1), m.sheet)
        ws.cell(i, 2, m.row)
        ws.cell(i, 3, get_column_letter(m.column))
        _text_cell(ws.cell(i, 4), _comment_text(m.notes))
        ws.cell(i, 4).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(i, 4).fill = PatternFill("solid", fgColor=FILL[m.severity])
    for col, width in zip("ABCD", (16, 8, 6, 90), strict=True):
        ws.column_dimensions[col].width = width
    wb.active = 0


def highlight_copy(
    original: Path, notes: list[CellNote], out: Path, contract: Contract | None = None
) -> list[Marked]:
    """Write `out` (xlsx): a copy of `original` (xlsx or CSV) with every located note's cell filled and
    commented, plus the 问题说明 sheet. Returns the cells marked (nothing is written when none)."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    contract = contract or load_contract()
    read = read_file(original)  # the ingestion's guards before openpyxl expands anything
    is_csv = original.suffix.lower() in CSV_SUFFIXES and read.encoding is not None
    marked = locate(read.sheets, notes, contract, is_csv)
    if not marked:
        return []
    wb, sheets = _csv_workbook(read.sheets[0]) if is_csv else _xlsx_workbook(original)
    for i, m in enumerate(marked):
        cell = sheets[m.sheet].cell(m.row, m.column)
        cell.fill = PatternFill("solid", fgColor=FILL[m.severity])
        if i < MAX_COMMENTS:
            comment = Comment(_comment_text(m.notes), AUTHOR)
            comment.width, comment.height = 320, 40 + 40 * len(m.notes)
            cell.comment = comment
    _summary(wb, marked, original.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return marked


def highlighted_name(file_name: str) -> str:
    """`县交通局_进度.csv` -> `县交通局_进度_标注.xlsx`."""
    return f"{Path(file_name).stem}_标注.xlsx"


def notes_digest(original: Path, notes: list[CellNote]) -> str:
    """Identifies one highlighted copy: the original's path and size and the notes (to skip rewriting)."""
    st = original.stat()
    payload = json.dumps(
        [str(original), st.st_size, st.st_mtime_ns, sorted(map(repr, notes))], ensure_ascii=False
    )
    return hashlib.sha256(payload.encode()).hexdigest()


# ------------------------------------------------------------------------------------------------------
# The copies that go with the 退回修改清单: one per unit and file with located problems
# ------------------------------------------------------------------------------------------------------

COPIES_DIR = "退回修改清单_标注"
MANIFEST = ".manifest.json"
_SEVERITY = {"fatal": "fatal", "warning": "warning"}


def _driver_errors(postgres: bool) -> tuple[type[BaseException], ...]:
    if not postgres:
        return ()
    import psycopg2  # only a server run loads the driver

    return (psycopg2.Error,)


def _originals(warehouse: Path) -> dict[tuple[str, str], Path]:
    """(file name, ingested at) -> where the original is kept (archive or quarantine), from the log of the
    build warehouse (the DuckDB file, or the server's raw.ingest_log); empty when there is no log yet."""
    import duckdb

    from xmdw.warehouse.engine import engine_settings, warehouse_connection

    settings = engine_settings()
    if not settings.is_postgres and not warehouse.exists():
        return {}
    try:
        with warehouse_connection(warehouse, settings, read_only=True) as con:
            rows = con.execute(
                "SELECT file_name, ingested_at, stored_path FROM raw.ingest_log "
                "WHERE stored_path IS NOT NULL AND status IN ('accepted', 'quarantined')"
            ).fetchall()
    except (duckdb.Error, *_driver_errors(settings.is_postgres)):
        return {}
    return {(name, str(at)): Path(stored) for name, at, stored in rows}


def _note_of(r, contract: Contract) -> CellNote:
    entity = contract.entities.get(r.table_name) if isinstance(r.table_name, str) else None
    column_name = None
    if entity is not None and isinstance(r.field, str):
        column_name = next((c.name for c in entity.columns if r.field in (c.zh, c.name)), None)
    return CellNote(
        r.sheet if isinstance(r.sheet, str) else None,
        int(r.source_row),
        str(r.problem or ""),
        _SEVERITY.get(r.severity, "warning"),
        column_name,
        r.field if isinstance(r.field, str) else None,
        r.rule_id if isinstance(r.rule_id, str) else None,
    )


def _reason_notes(original: Path) -> list[CellNote]:
    """The row problems a quarantined file's .reason.json lists (ingestion/diagnosis.py)."""
    reason = original.with_name(f"{original.name}.reason.json")
    try:
        listed = json.loads(reason.read_text(encoding="utf-8")).get("row_problems") or []
    except (OSError, ValueError, AttributeError):
        return []
    return [
        CellNote(
            p.get("sheet"),
            int(p["row"]),
            str(p.get("message_zh") or ""),
            "fatal" if p.get("kind") == "row" else "warning",
            None,
            p.get("column"),
            p.get("rule"),
        )
        for p in listed
        if isinstance(p, dict) and isinstance(p.get("row"), int)
    ]


def write_unit_copies(problems, out_dir: Path, warehouse: Path) -> dict[str, list[Path]]:
    """Per unit, a highlighted copy of every file of theirs with located problems, under
    `out_dir/退回修改清单_标注/<unit>/`. A copy whose original and notes did not change is kept as is
    (the manifest holds each copy's digest); copies no longer needed are removed. Returns unit -> copies."""
    import pandas as pd

    from xmdw.ingestion.safe_io import safe_name

    root = out_dir / COPIES_DIR
    manifest_path = root / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    located = problems  # every file with an open problem: a quarantined one brings its rows' problems
    originals = _originals(warehouse) if len(located) else {}
    contract = load_contract()
    written: dict[str, list[Path]] = {}
    new_manifest: dict[str, str] = {}
    groups = located.groupby(["unit", "file_name", "submitted_at"], sort=True) if len(located) else []
    for (unit, file_name, submitted), g in sorted(groups, key=lambda x: str(x[0][2]), reverse=True):
        original = originals.get((file_name, str(pd.Timestamp(submitted).to_pydatetime())))
        if original is None or not original.is_file():
            continue
        rows = g[pd.to_numeric(g["source_row"], errors="coerce").notna()]
        notes = [_note_of(r, contract) for r in rows.itertuples()] + _reason_notes(original)
        if not notes:
            continue
        out = root / safe_name(str(unit)) / highlighted_name(safe_name(str(file_name)))
        key = str(out.relative_to(root))
        digest = notes_digest(original, notes)
        if key in new_manifest:  # the same name sent twice: the newest submission's copy
            continue
        if manifest.get(key) != digest or not out.exists():
            try:
                if not highlight_copy(original, notes, out, contract):
                    continue
            except Exception:  # noqa: BLE001 — a copy that cannot be made never costs the return list
                continue
        new_manifest[key] = digest
        written.setdefault(str(unit), []).append(out)
    for key in set(manifest) - set(new_manifest):
        stale = (root / key).resolve()
        if stale.is_relative_to(root.resolve()) and stale.name.endswith("_标注.xlsx"):
            stale.unlink(missing_ok=True)
    if new_manifest or manifest:
        root.mkdir(parents=True, exist_ok=True)
        manifest_path.write_text(json.dumps(new_manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return written

"""The unit's own workbook with its bad cells marked: filled and commented with the Chinese message.

Beyond a list of problems (what the anchors do): the clerk opens the file they sent and sees each cell to
fix, red for a row that was not loaded, yellow for a value left empty or a warning. A first sheet
`问题说明` lists the same problems in order. A CSV submission comes back as an xlsx copy of the CSV (every
cell as text, exactly as sent) with the same marks (reports/highlight_csv.py).

Which cells: reports/highlight_marks.py. The original is read through the same guarded reader as ingestion
(size and zip limits before anything is expanded) before openpyxl opens it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from xmdw.contract import Contract, load_contract
from xmdw.core.atomic import atomic_path
from xmdw.core.textsafe import FORMULA_TRIGGERS
from xmdw.ingestion.workbook import CSV_SUFFIXES, read_file
from xmdw.reports.highlight_csv import write_csv_copy
from xmdw.reports.highlight_marks import (
    AUTHOR,
    COMMENT_WIDTH,
    FILL,
    MAX_COMMENTS,
    SUMMARY_HEADERS,
    SUMMARY_SHEET,
    SUMMARY_WIDTHS,
    CellNote,
    Marked,
    comment_height,
    comment_text,
    locate,
    summary_title,
)

# Part of every copy's digest: a change to what a copy looks like rewrites the kept copies once.
HIGHLIGHT_VERSION = 2


def _text_cell(cell, value: object) -> None:
    """Text exactly as sent, never a formula (decision 44: a string cell with Excel's quote prefix)."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
        cell.quotePrefix = True


def _xlsx_workbook(original: Path):
    from openpyxl import load_workbook

    with original.open("rb") as f:  # a file object: openpyxl judges a path by its suffix (.csv, .xlsm)
        wb = load_workbook(f, keep_vba=False, keep_links=False, rich_text=False)
    return wb, {ws.title: ws for ws in wb.worksheets}


def _summary(wb, marked: list[Marked], source_name: str) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(SUMMARY_SHEET, 0)
    _text_cell(ws.cell(1, 1), summary_title(source_name))
    ws.cell(1, 1).font = Font(bold=True, size=12)
    for c, h in enumerate(SUMMARY_HEADERS, start=1):
        ws.cell(3, c, h).font = Font(bold=True)
    for i, m in enumerate(marked, start=4):
        _text_cell(ws.cell(i, 1), m.sheet)
        ws.cell(i, 2, m.row)
        ws.cell(i, 3, get_column_letter(m.column))
        _text_cell(ws.cell(i, 4), comment_text(m.notes))
        ws.cell(i, 4).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(i, 4).fill = PatternFill("solid", fgColor=FILL[m.severity])
    for col, width in zip("ABCD", SUMMARY_WIDTHS, strict=True):
        ws.column_dimensions[col].width = width
    wb.active = 0


def highlight_copy(
    original: Path,
    notes: list[CellNote],
    out: Path,
    contract: Contract | None = None,
    header_rows: dict[str, int] | None = None,
) -> list[Marked]:
    """Write `out` (xlsx): a copy of `original` (xlsx or CSV) with every located note's cell filled and
    commented, plus the 问题说明 sheet. Returns the cells marked (nothing is written when none).
    `header_rows`: ingestion's first header row per sheet (0-based), when known (highlight_marks.locate)."""
    contract = contract or load_contract()
    read = read_file(original)  # the ingestion's guards before openpyxl expands anything
    is_csv = original.suffix.lower() in CSV_SUFFIXES and read.encoding is not None
    marked = locate(read.sheets, notes, contract, is_csv, header_rows)
    if not marked:
        return []
    if is_csv:
        write_csv_copy(read.sheets[0], marked, original.name, out)
    else:
        _write_xlsx_copy(original, marked, out)
    return marked


def _write_xlsx_copy(original: Path, marked: list[Marked], out: Path) -> None:
    """The original workbook as openpyxl loads it (its own formatting kept), marks and summary added."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    wb, sheets = _xlsx_workbook(original)
    for i, m in enumerate(marked):
        cell = sheets[m.sheet].cell(m.row, m.column)
        cell.fill = PatternFill("solid", fgColor=FILL[m.severity])
        if i < MAX_COMMENTS:
            comment = Comment(comment_text(m.notes), AUTHOR)
            comment.width, comment.height = COMMENT_WIDTH, comment_height(m)
            cell.comment = comment
    _summary(wb, marked, original.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        wb.save(tmp)


def highlighted_name(file_name: str) -> str:
    """`县交通局_进度.csv` -> `县交通局_进度_标注.xlsx`."""
    return f"{Path(file_name).stem}_标注.xlsx"


def notes_digest(
    original: Path, notes: list[CellNote], content: str | None = None, header_rows: dict | None = None
) -> str:
    """Identifies one highlighted copy, to skip rewriting it: the original's content (its sha256 from the
    ingest log, else its path, size and mtime), the header rows used, the notes and HIGHLIGHT_VERSION."""
    if content:
        source: list = [content]
    else:
        st = original.stat()
        source = [str(original), st.st_size, st.st_mtime_ns]
    payload = json.dumps(
        [HIGHLIGHT_VERSION, *source, sorted((header_rows or {}).items()), sorted(map(repr, notes))],
        ensure_ascii=False,
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


@dataclass(frozen=True)
class Original:
    """A submitted file as ingestion kept it."""

    path: Path  # in the archive or quarantine
    sha256: str | None
    header_rows: dict[str, int] = field(default_factory=dict)  # sheet -> first header row, 0-based


_LOGGED = (
    "SELECT file_name, ingested_at, stored_path, sha256, file_id FROM raw.ingest_log "
    "WHERE stored_path IS NOT NULL AND status IN ('accepted', 'quarantined')"
)
# ingestion's header rows (raw.skipped_rows kind 'header', 1-based): a sheet's first one is where its
# layout's header starts (later ones are the header repeated inside the data)
_HEADERS = (
    "SELECT file_id, sheet, min(source_row) FROM raw.skipped_rows WHERE kind = 'header' "
    "GROUP BY file_id, sheet"
)


def _originals(warehouse: Path) -> dict[tuple[str, str], Original]:
    """(file name, ingested at) -> the original, from the log of the build warehouse (the DuckDB file, or
    the server's raw tables); empty when there is no log yet, no header rows when they are not logged."""
    import duckdb

    from xmdw.warehouse.engine import engine_settings, warehouse_connection

    settings = engine_settings()
    if not settings.is_postgres and not warehouse.exists():
        return {}
    errors = (duckdb.Error, *_driver_errors(settings.is_postgres))
    try:
        with warehouse_connection(warehouse, settings, read_only=True) as con:
            rows = con.execute(_LOGGED).fetchall()
            try:
                headers = con.execute(_HEADERS).fetchall()
            except errors:
                headers = []
    except errors:
        return {}
    header_rows: dict[str, dict[str, int]] = {}
    for file_id, sheet, row in headers:
        if isinstance(row, int) and row >= 1:
            header_rows.setdefault(file_id, {})[str(sheet)] = row - 1
    return {
        (name, str(at)): Original(Path(stored), sha, header_rows.get(file_id, {}))
        for name, at, stored, sha, file_id in rows
    }


_KEYS = ["unit", "file_name", "submitted_at"]
_FIELDS = ["sheet", "source_row", "problem", "severity", "table_name", "field", "rule_id"]


def _file_notes(problems, contract: Contract) -> dict[tuple, list[CellNote]]:
    """(unit, file name, submitted at) -> the notes of its problems with a row number, in the frame's
    order; every file with a problem has an entry (a quarantined one adds its .reason.json rows). Rows
    without a unit, file or submission time belong to no file. One pass over the frame: a province has
    ~35k problems in ~2,300 files."""
    import pandas as pd

    keyed = problems[problems[_KEYS].notna().all(axis=1)]
    has_row = pd.to_numeric(keyed["source_row"], errors="coerce").notna().tolist()
    columns: dict[tuple, str | None] = {}
    out: dict[tuple, list[CellNote]] = {}
    values = zip(*(keyed[c].tolist() for c in _KEYS + _FIELDS), has_row, strict=True)
    for unit, name, at, sheet, row, problem, severity, table, header, rule, located in values:
        notes = out.setdefault((unit, name, at), [])
        if not located:
            continue
        if (table, header) not in columns:
            columns[(table, header)] = _column_name(contract, table, header)
        notes.append(
            CellNote(
                sheet if isinstance(sheet, str) else None,
                int(row),
                str(problem or ""),
                _SEVERITY.get(severity, "warning"),
                columns[(table, header)],
                header if isinstance(header, str) else None,
                rule if isinstance(rule, str) else None,
            )
        )
    return out


def _column_name(contract: Contract, table: object, header: object) -> str | None:
    """The contract column a problem's field names (its Chinese or English name), if any."""
    entity = contract.entities.get(table) if isinstance(table, str) else None
    if entity is None or not isinstance(header, str):
        return None
    return next((c.name for c in entity.columns if header in (c.zh, c.name)), None)


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
    # every file with an open problem: a quarantined one brings its rows' problems
    originals = _originals(warehouse) if len(problems) else {}
    contract = load_contract()
    written: dict[str, list[Path]] = {}
    new_manifest: dict[str, str] = {}
    by_file = _file_notes(problems, contract) if len(problems) else {}
    # newest submission first, so that of a name sent twice the newest one's copy is kept
    for unit, file_name, submitted in sorted(sorted(by_file), key=lambda k: str(k[2]), reverse=True):
        original = originals.get((file_name, str(pd.Timestamp(submitted).to_pydatetime())))
        if original is None or not original.path.is_file():
            continue
        notes = by_file[(unit, file_name, submitted)] + _reason_notes(original.path)
        if not notes:
            continue
        out = root / safe_name(str(unit)) / highlighted_name(safe_name(str(file_name)))
        key = str(out.relative_to(root))
        if key in new_manifest:  # the same name sent twice: the newest submission's copy
            continue
        digest = notes_digest(original.path, notes, original.sha256, original.header_rows)
        if manifest.get(key) != digest or not out.exists():
            try:
                if not highlight_copy(original.path, notes, out, contract, original.header_rows):
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

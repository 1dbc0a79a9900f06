"""Which CSV files may take the bulk path (issue 15): plain template-shaped UTF-8 CSV, checked from its bytes.

A file qualifies only when reading it cell by cell could not meet any of the CSV reader's special cases,
so that DuckDB's CSV reader splits it exactly as `csv_reader` does: UTF-8 without BOM, no quote character,
no NUL, no CR, no empty line, the same number of commas on every line, no line longer than a cell may be,
within the row/column/cell limits, and a header row (the first line) that maps every column to one contract
column of one ledger (no unknown, repeated or ignored column) — as `xmdw template` and the generator write
it. Anything else keeps the per-cell path; so does every file whose values or rows turn out irregular
(`bulk_stage`). A candidate carries what the per-cell parser would read outside the table: the context
from the file name (period, region, unit), the layout and the per-file defaults.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from xmdw.contract import Column, Contract
from xmdw.core.settings import IngestLimits
from xmdw.ingestion import file_log, xlsx_guard
from xmdw.ingestion.context import FileContext, read_context
from xmdw.ingestion.layout import Layout, detect_layout
from xmdw.ingestion.problems import FileRejected
from xmdw.ingestion.rows import column_plan, default_value, parse_cell
from xmdw.ingestion.safe_io import NotRegularFile, display_name, open_regular
from xmdw.ingestion.values import ValueProblem
from xmdw.ingestion.workbook import CSV_SUFFIXES, Sheet

Plan = list[tuple[Column, int | None, str, Decimal, bool]]


@dataclass
class Candidate:
    """A file that may go in bulk: its bytes' facts and what the parser would read around its table."""

    path: Path
    pos: int  # position in the batch (revisions follow it)
    log: dict  # the ingest_log base (file_log.log_base): ids, name, sha256, size, clock
    header: str
    data_rows: int  # lines after the header
    signature: tuple[int, int] | None
    layout: Layout
    plan: Plan
    context: FileContext
    defaults: dict[str, str | None] = field(default_factory=dict)  # canonical default per column
    body: bytes = b""  # the data lines as read (hashed) — what DuckDB reads, not the file again

    @property
    def sha(self) -> str:
        return self.log["sha256"]

    @property
    def sheet(self) -> str:
        return display_name(self.path.name)


def _read(path: Path, limits: IngestLimits) -> bytes | None:
    try:
        with open_regular(path) as f:
            if os.fstat(f.fileno()).st_size > limits.max_file_bytes:
                return None
            return f.read()
    except (OSError, NotRegularFile):
        return None


def _plain_lines(data: bytes, limits: IngestLimits) -> list[str] | None:
    """The file's lines when it is plain UTF-8 CSV as above; None otherwise."""
    if (
        not data
        or xlsx_guard.kind_of(data[:8]) != "other"
        or data.startswith(b"\xef\xbb\xbf")
        or b'"' in data
        or b"\x00" in data
        or b"\r" in data
    ):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if len(lines) < 2 or len(lines) > limits.max_rows or "" in lines:
        return None
    commas = lines[0].count(",")
    width = commas + 1
    if commas == 0 or width > limits.max_columns or width * len(lines) > limits.max_cells:
        return None
    if any(ln.count(",") != commas for ln in lines) or max(map(len, lines)) > limits.max_cell_chars:
        return None
    return lines


def header_layout(header: str, contract: Contract, seen: dict[str, Layout | None]) -> Layout | None:
    """The layout of a header line, if every column is one contract column of one ledger (`seen`: the
    batch's answers so far; a province has a handful of header lines)."""
    if header not in seen:
        seen[header] = _header_layout(header, contract)
    return seen[header]


def _header_layout(header: str, contract: Contract) -> Layout | None:
    cells = header.split(",")
    if any(not c.strip() for c in cells):
        return None
    layout = detect_layout(Sheet("header", [list(cells)]), contract)
    if (
        layout is None
        or layout.header_rows != [0]
        or layout.extra_columns
        or layout.ignored_columns
        or layout.duplicates
        or layout.missing_required()
        or len(layout.columns) != len(cells)
    ):
        return None
    return layout


def _defaults(
    layout: Layout, plan: Plan, ctx: FileContext, contract: Contract
) -> dict[str, str | None] | None:
    """Canonical value an empty cell (or an absent column) takes, per column; None when a required column
    has no value at all (the parser's file problem ING-F3) or a default cannot be read."""
    out: dict[str, str | None] = {}
    present = set(layout.by_name)
    for col, _index, _header, factor, pct in plan:
        default = default_value(col, ctx)
        if default is None:
            if col.required and col.name not in present:
                return None
            out[col.name] = None
            continue
        try:
            out[col.name] = parse_cell(col, default, contract, factor, pct)
        except ValueProblem:
            return None
    return out


def candidate(
    path: Path,
    pos: int,
    run_id: str,
    contract: Contract,
    limits: IngestLimits,
    signature: tuple[int, int] | None,
    layouts: dict[str, Layout | None],
) -> Candidate | None:
    """The file as a bulk candidate, or None (it keeps the per-cell path)."""
    if path.suffix.lower() not in CSV_SUFFIXES:
        return None
    data = _read(path, limits)
    lines = _plain_lines(data, limits) if data is not None else None
    if lines is None:
        return None
    layout = header_layout(lines[0], contract, layouts)
    if layout is None:
        return None
    sha = hashlib.sha256(data).hexdigest()
    try:
        ctx = read_context(path, [], [], display_name(path.name))
    except FileRejected:
        return None
    plan = column_plan(layout, {m.index: m.unit for m in layout.columns}, ctx)
    defaults = _defaults(layout, plan, ctx, contract)
    if defaults is None:
        return None
    log = file_log.log_base(run_id, path, sha)
    body = data[data.index(b"\n") + 1 :]
    body += b"" if body.endswith(b"\n") else b"\n"
    return Candidate(path, pos, log, lines[0], len(lines) - 1, signature, layout, plan, ctx, defaults, body)

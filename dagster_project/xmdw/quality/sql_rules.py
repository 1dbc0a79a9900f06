"""Rows for native expectations, and findings made in Python.

- a **native expectation** reads rows in chunks of `CHUNK_ROWS`, only the columns it needs —
  `native_chunks()`;
- `row_finding` / `table_finding`: a finding from a row of such a chunk or of a frame of findings.

The SQL rules run in the engine into the findings relation (quality/findings.py): no function here reads a
whole table into Python.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from xmdw.quality.catalog import Rule
from xmdw.quality.dialect import Connection, create_temp, is_postgres
from xmdw.quality.outcomes import ROW_ID_COLUMNS, Finding, as_text, py_value, tidy
from xmdw.quality.relations import NATIVE_ROWS, base_relation, key_expr, unseen_rows
from xmdw.warehouse.postgres import duckdb_frame

# Rows per frame handed to GX by a native expectation (DuckDB vectors of 2,048 rows).
CHUNK_VECTORS = 50
CHUNK_ROWS = CHUNK_VECTORS * 2048  # (read as CHUNK_VECTORS * 2048 at run time: tests change it)
LINEAGE = [*ROW_ID_COLUMNS, "_ingested_at"]


def native_chunks(
    con: Connection, table: str, rules: list[Rule], new_rows_only: bool
) -> Iterator[pd.DataFrame]:
    """The table's current rows (or those of files not checked yet) for native expectations, `CHUNK_ROWS`
    at a time: `__rowid` and the rules' columns only. The rows are numbered (`__rowid`) in the temp table
    `NATIVE_ROWS` with their lineage and natural key, where the caller finds the lineage of the rows GX
    flags (`findings.insert_native`) while the chunks are read."""
    columns = [c for c in dict.fromkeys(r.check["column"] for r in rules) if c not in LINEAGE]
    select = ", ".join([*(f"t.{c}" for c in LINEAGE), f"{key_expr(table) or 'NULL'} AS __key",
                        *(f't."{c}"' for c in columns)])  # fmt: skip
    where = f" WHERE {unseen_rows(table)}" if new_rows_only else ""
    create_temp(con, "TABLE", NATIVE_ROWS,
                f"SELECT row_number() OVER () AS __n, {select} FROM {base_relation(table)} AS t{where}")  # fmt: skip
    read = ", ".join(["__n AS __rowid", *(f'"{c}"' for c in columns)])
    try:
        yield from (_pg_chunks if is_postgres(con) else _duckdb_chunks)(con, read)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {NATIVE_ROWS}")


def _duckdb_chunks(con: Connection, read: str) -> Iterator[pd.DataFrame]:
    """A range of numbers at a time (the caller writes between chunks, which would close a streaming
    result); zone maps let each range read little more than its own row groups."""
    total = con.execute(f"SELECT count(*) FROM {NATIVE_ROWS}").fetchall()[0][0]
    size = CHUNK_VECTORS * 2048
    for start in range(0, total, size):
        yield con.execute(
            f"SELECT {read} FROM {NATIVE_ROWS} WHERE __n > ? AND __n <= ? ORDER BY __n", [start, start + size]
        ).df()


def _pg_chunks(con: Connection, read: str) -> Iterator[pd.DataFrame]:
    """A server-side cursor (the driver would otherwise fetch the whole result at once); it needs a
    transaction, in which the caller writes only to the run's temp findings (committed at the end)."""
    raw = con.raw
    was_autocommit = raw.autocommit
    raw.autocommit = False
    try:
        with raw.cursor(name="xmdw_native_chunks") as cur:
            size = CHUNK_VECTORS * 2048
            cur.itersize = size
            cur.execute(f"SELECT {read} FROM {NATIVE_ROWS}")
            while rows := cur.fetchmany(size):
                yield duckdb_frame(cur.description, rows)
        raw.commit()
    finally:
        raw.rollback()  # nothing left after the commit; the reads and writes of a failed run
        raw.autocommit = was_autocommit


def row_finding(rule: Rule, row: dict) -> Finding:
    """A finding of a row rule from a row of `offending_rows()` or of a native chunk."""
    observed = row.get("__observed")
    if py_value(observed) is None and rule.field:
        observed = row.get("__field", row.get(rule.field))
    return Finding(
        submitting_unit=as_text(row.get("_submitting_unit")),
        file_id=as_text(row.get("_file_id")),
        file_name=as_text(row.get("_source_file")),
        sheet=as_text(row.get("_sheet")),
        source_row=py_value(row.get("_source_row")),
        column_name=rule.field,
        record_key=as_text(row.get("__key")),
        observed=tidy(as_text(observed)),
        submitted_at=py_value(row.get("_ingested_at")),
    )


def table_finding(rule: Rule, row: dict) -> Finding:
    source_row = py_value(row["source_row"])
    return Finding(
        submitting_unit=as_text(row["submitting_unit"]),
        file_id=as_text(row["file_id"]),
        file_name=as_text(row["file_name"]),
        sheet=as_text(row["sheet"]),
        source_row=int(source_row) if source_row is not None else None,
        column_name=as_text(row["column_name"]) or rule.field,
        record_key=as_text(row["record_key"]),
        observed=tidy(as_text(row["observed"])),
        note=as_text(row["note"]),
    )

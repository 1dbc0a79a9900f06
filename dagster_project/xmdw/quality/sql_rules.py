"""The engine side of the checks (DuckDB or PostgreSQL): every SQL rule runs in the engine and returns only
what it found.

- a **row rule**'s SQL (expectations/sql/<ID>.sql) returns the offending rows' lineage (`_file_id`,
  `_sheet`, `_source_row`, `observed`); it is joined back to the table for the rest of the lineage (file
  name, unit, submission time, natural key) — `offending_rows()`;
- a **table rule**'s SQL returns findings (a file, a region-month, a unit-year …) — `table_findings()`;
- a **native expectation** reads rows in chunks of `CHUNK_ROWS`, only the columns it needs —
  `native_chunks()`.

No function here reads a whole table into Python: memory grows with what the rules find (and one chunk),
not with the warehouse.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from xmdw.contract import load_contract
from xmdw.quality.catalog import Rule
from xmdw.quality.dialect import Connection, frame_of, is_postgres
from xmdw.quality.outcomes import FINDING_COLUMNS, ROW_ID_COLUMNS, Finding, as_text, py_value, tidy
from xmdw.quality.relations import base_relation, key_expr, rule_sql, unseen_rows
from xmdw.warehouse.postgres import duckdb_frame

# Rows per frame handed to GX by a native expectation (DuckDB vectors of 2,048 rows).
CHUNK_VECTORS = 50
CHUNK_ROWS = CHUNK_VECTORS * 2048
LINEAGE = [*ROW_ID_COLUMNS, "_ingested_at"]


def _has_column(table: str, column: str | None) -> bool:
    if not column:
        return False
    return any(c.name == column for c in load_contract().entity(table).columns)


def offending_rows(con: Connection, table: str, rule: Rule, new_rows_only: bool) -> pd.DataFrame:
    """The rows a row-scope SQL rule flags, with their lineage, natural key, observed value and the value
    of the rule's column (the unit's view of the problem). One row per offending table row."""
    field = f', t."{rule.field}" AS __field' if _has_column(table, rule.field) else ", NULL AS __field"
    sql = f"""
        SELECT {", ".join(f"t.{c}" for c in LINEAGE)}, {key_expr(table) or "NULL"} AS __key,
               o.observed AS __observed{field}
        FROM (SELECT _file_id AS f, _sheet AS s, _source_row AS r, min(CAST(observed AS VARCHAR)) AS observed
              FROM (
{rule_sql(rule, table, new_rows_only)}
              ) AS q GROUP BY 1, 2, 3) AS o
        JOIN {base_relation(table)} AS t
          ON t._file_id = o.f AND t._sheet IS NOT DISTINCT FROM o.s AND t._source_row = o.r
        ORDER BY t._file_id, t._sheet, t._source_row"""
    return frame_of(con, sql)


def table_findings(con: Connection, table: str, rule: Rule) -> pd.DataFrame:
    """The findings of a table-scope rule (FINDING_COLUMNS; `violates` defaults to true)."""
    part = frame_of(con, rule_sql(rule, table))
    for c in FINDING_COLUMNS:
        if c not in part.columns:
            part[c] = True if c == "violates" else None
    part = part[FINDING_COLUMNS].astype(object)
    part["violates"] = part["violates"].map(lambda v: bool(v) if v is not None and v == v else True)
    return part


def native_chunks(
    con: Connection, table: str, rules: list[Rule], new_rows_only: bool
) -> Iterator[pd.DataFrame]:
    """The table's current rows (or those of files not checked yet) for native expectations: lineage,
    natural key and the rules' columns only, `CHUNK_ROWS` at a time."""
    columns = [c for c in dict.fromkeys(r.check["column"] for r in rules) if c not in LINEAGE]
    select = ", ".join([*(f"t.{c}" for c in LINEAGE), f"{key_expr(table) or 'NULL'} AS __key",
                        *(f't."{c}"' for c in columns)])  # fmt: skip
    where = f" WHERE {unseen_rows(table)}" if new_rows_only else ""
    sql = f"SELECT {select} FROM {base_relation(table)} AS t{where}"
    offset = 0
    for chunk in _pg_chunks(con, sql) if is_postgres(con) else _duckdb_chunks(con, sql):
        chunk["__rowid"] = range(offset, offset + len(chunk))
        offset += len(chunk)
        yield chunk


def _duckdb_chunks(con: Connection, sql: str) -> Iterator[pd.DataFrame]:
    result = con.execute(sql)
    while not (chunk := result.fetch_df_chunk(CHUNK_VECTORS)).empty:
        yield chunk


def _pg_chunks(con: Connection, sql: str) -> Iterator[pd.DataFrame]:
    """A server-side cursor (the driver would otherwise fetch the whole result at once); it needs a
    transaction, which only reads."""
    raw = con.raw
    was_autocommit = raw.autocommit
    raw.autocommit = False
    try:
        with raw.cursor(name="xmdw_native_chunks") as cur:
            cur.itersize = CHUNK_ROWS
            cur.execute(sql)
            while rows := cur.fetchmany(CHUNK_ROWS):
                yield duckdb_frame(cur.description, rows)
    finally:
        raw.rollback()
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

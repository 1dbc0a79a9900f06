"""Copy tables from the PostgreSQL warehouse into DuckDB files: the served copy (data/serving/xmdw.duckdb)
and the raw snapshot a data version records (input files, rule results).

File-based BI users, `xmdw explain` and `xmdw diff` read DuckDB and Parquet whichever engine built the
marts, so on a server the publish writes the same files from the server's tables. Rows travel as CSV
(`COPY … TO STDOUT`, streamed to a temp file, then DuckDB's CSV reader with the column types declared):
exact for NUMERIC (no float on the way), fast at nation scale, and NULL kept apart from '' (NULL is `\\N`,
a value that reads `\\N` is quoted by PostgreSQL and read as text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from xmdw.serving.catalog import TableDoc
from xmdw.serving.copy import (
    DST,
    PUBLISHED_SCHEMAS,
    CopiedTable,
    finish_copy,
    require_tables,
    served_copy_writer,
)
from xmdw.warehouse.connect import connect
from xmdw.warehouse.postgres import PgConnection

# PostgreSQL type (format_type) → DuckDB type. NUMERIC without a declared precision (a division, a SUM of
# numerics) becomes DOUBLE, as DuckDB's own build gives a double for a decimal division.
_SIMPLE_TYPES = {
    "smallint": "SMALLINT",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "real": "FLOAT",
    "double precision": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp without time zone": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMPTZ",
    "time without time zone": "TIME",
    "numeric": "DOUBLE",
    "uuid": "UUID",
}
_NUMERIC = re.compile(r"^numeric\((\d+),(\d+)\)$")
_TIMESTAMP = re.compile(r"^(timestamp|time)\(\d\) (with|without) time zone$")
MAX_DECIMAL_PRECISION = 38
_RELKINDS = {"r": False, "p": False, "v": True, "m": True}  # table, partitioned, view, materialized view


@dataclass(frozen=True)
class ServerTable:
    schema: str
    name: str
    is_view: bool
    columns: list[tuple[str, str]]  # (column, DuckDB type)


def duckdb_type(pg_type: str) -> str:
    t = pg_type.strip().lower()
    if t in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[t]
    m = _NUMERIC.match(t)
    if m:
        precision, scale = int(m.group(1)), int(m.group(2))
        return f"DECIMAL({precision},{scale})" if precision <= MAX_DECIMAL_PRECISION else "DOUBLE"
    m = _TIMESTAMP.match(t)
    if m:
        return _SIMPLE_TYPES[re.sub(r"\(\d\)", "", t)]
    return "VARCHAR"  # text, varchar(n), char(n), json, anything else: as text


def _q(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def server_tables(pg: PgConnection, schema: str) -> list[ServerTable]:
    """Tables and views of `schema` on the server, with their columns in order."""
    rows = pg.execute(
        """
        SELECT c.relname, c.relkind, a.attname, format_type(a.atttypid, a.atttypmod)
          FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
         WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm')
         ORDER BY c.relname, a.attnum
        """,
        [schema],
    ).fetchall()
    tables: dict[str, ServerTable] = {}
    for name, kind, column, pg_type in rows:
        t = tables.setdefault(name, ServerTable(schema, name, _RELKINDS[kind], []))
        t.columns.append((column, duckdb_type(pg_type)))
    return list(tables.values())


def copy_table(
    pg: PgConnection,
    con: duckdb.DuckDBPyConnection,
    source: ServerTable,
    target: str,
    scratch: Path,
    where: str = "",
) -> int:
    """Create `target` (a qualified DuckDB name) with the source's columns and load its rows; returns rows.
    Runs inside the caller's PostgreSQL transaction, so every table comes from the same snapshot."""
    cols = ", ".join(f"{_q(c)} {t}" for c, t in source.columns)
    con.execute(f"CREATE TABLE {target} ({cols})")
    select = f"SELECT * FROM {_q(source.schema)}.{_q(source.name)} {where}"
    try:
        with scratch.open("w", encoding="utf-8", newline="") as fh, pg.raw.cursor() as cur:
            cur.copy_expert(f"COPY ({select}) TO STDOUT WITH (FORMAT csv, NULL '\\N')", fh)
        con.execute(
            f"COPY {target} FROM {_lit(str(scratch))} "
            "(FORMAT csv, HEADER false, NULLSTR '\\N', ALLOW_QUOTED_NULLS false)"
        )
    finally:
        scratch.unlink(missing_ok=True)
    return int(con.execute(f"SELECT count(*) FROM {target}").fetchall()[0][0])


def copy_published_from_server(
    pg: PgConnection, target: Path, docs: dict[str, TableDoc], schema_of: dict[str, str]
) -> list[CopiedTable]:
    """Write the server's tables into the new served file `target` as schemas marts and ref.

    `schema_of` maps each published schema to where it is read on the server: build_marts before the swap
    (the publish copies what it is about to switch in, inside the swap's transaction)."""
    scratch = target.with_name(target.name + ".csv")
    copied: list[CopiedTable] = []
    with served_copy_writer(target) as con:
        con.execute("BEGIN TRANSACTION")
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {DST}.{_q(schema)}")
            for t in server_tables(pg, schema_of[schema]):
                rows = copy_table(pg, con, t, f"{DST}.{_q(schema)}.{_q(t.name)}", scratch)
                copied.append(CopiedTable(schema, t.name, rows, t.columns, t.is_view))
        con.execute("COMMIT")
        finish_copy(con, copied, docs)
    return require_tables(copied, target, "PostgreSQL")


# What a data version records from the raw schema (xmdw.serving.versions reads them as raw.<table>).
RAW_SNAPSHOT_TABLES = {
    "ingest_log": "",
    "dq_runs": "",
    # only the newest run's results: the version summarises the rules of the build it publishes
    "dq_rule_results": "WHERE run_id = (SELECT run_id FROM raw.dq_runs ORDER BY finished_at DESC LIMIT 1)",
}


def copy_raw_snapshot(pg: PgConnection, target: Path) -> Path:
    """A small DuckDB file with raw.ingest_log, raw.dq_runs and the newest run's raw.dq_rule_results from the
    server (tables the server lacks are left out, as versions.py expects). Returns `target`."""
    for p in (target, target.with_name(target.name + ".wal")):
        p.unlink(missing_ok=True)
    present = {t.name: t for t in server_tables(pg, "raw") if t.name in RAW_SNAPSHOT_TABLES}
    if "dq_runs" not in present:
        present.pop("dq_rule_results", None)
    con = connect(target)
    try:
        con.execute("CREATE SCHEMA raw")
        for name, t in present.items():
            copy_table(
                pg,
                con,
                t,
                f"raw.{_q(name)}",
                target.with_name(target.name + ".csv"),
                RAW_SNAPSHOT_TABLES[name],
            )
    finally:
        con.close()
    return target

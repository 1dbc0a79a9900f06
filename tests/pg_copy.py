"""Copy schemas of a DuckDB warehouse into a PostgreSQL database, table by table (types mapped, rows sent
with COPY): lets an engine test start PostgreSQL from exactly the rows DuckDB holds, e.g. the county demo's
`raw` schema before dbt, so a difference in the marts is dbt's and not ingestion's."""

from __future__ import annotations

import re
from pathlib import Path

from xmdw.warehouse.connect import connection
from xmdw.warehouse.postgres import PgConnection

_TYPES = {
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "VARCHAR": "varchar",
    "HUGEINT": "numeric(38,0)",
    "UBIGINT": "numeric(20,0)",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "BLOB": "bytea",
    "JSON": "text",
}


def pg_type(duckdb_type: str) -> str:
    t = duckdb_type.upper()
    if t in _TYPES:
        return _TYPES[t]
    if t.endswith("[]") or t.startswith(("STRUCT", "MAP")):
        return "text"
    return re.sub(r"^DECIMAL", "numeric", t).lower()


def copy_schemas(duckdb_file: Path, dsn: str, schemas: tuple[str, ...] = ("raw",)) -> dict[str, int]:
    """Create each table of `schemas` in the PostgreSQL database `dsn` and load its rows; returns rows per
    'schema.table'. Tables already there are replaced."""
    copied: dict[str, int] = {}
    pg = PgConnection(dsn)
    try:
        with connection(duckdb_file, read_only=True) as con:
            tables = con.execute(
                "select schema_name, table_name from duckdb_tables() where schema_name in "
                f"({', '.join('?' for _ in schemas)}) order by 1, 2",
                list(schemas),
            ).fetchall()
            for schema, table in tables:
                cols = con.execute(
                    "select column_name, data_type from duckdb_columns() where schema_name = ? "
                    "and table_name = ? order by column_index",
                    [schema, table],
                ).fetchall()
                name = f'"{schema}"."{table}"'
                pg.execute(f'create schema if not exists "{schema}"')
                pg.execute(f"drop table if exists {name} cascade")
                defs = ", ".join(f'"{c}" {pg_type(t)}' for c, t in cols)
                pg.execute(f"create table {name} ({defs})")
                rows = con.execute(f"select * from {name}").fetchall()
                copied[f"{schema}.{table}"] = pg.copy_rows(name, [c for c, _ in cols], rows)
    finally:
        pg.close()
    return copied

"""What the checks need to run on either engine: the connection type, and the few statements DuckDB and
PostgreSQL spell differently.

The rule SQL itself is written once, in the subset both engines accept (expectations/README.md). The runner
needs a dialect branch only where DuckDB has a feature PostgreSQL lacks or the reverse:

- temp relations: DuckDB's `CREATE OR REPLACE TEMP …`; on PostgreSQL drop (`pg_temp.`, CASCADE: the views on
  a table go with it — `relations.prepare` recreates all of them in order) and create, then ANALYZE the
  table (autovacuum never sees temp tables, and a planner without statistics picks nested loops);
- lists as parameters: `IN (?, ?, …)` instead of DuckDB's `IN (SELECT unnest(?))`;
- bulk rows in: DuckDB reads a registered DataFrame, PostgreSQL takes COPY (`PgConnection.copy_rows`);
- frames out: `PgConnection.df()` already gives DuckDB's dtypes (xmdw.warehouse.postgres.duckdb_frame), so
  findings print the same text on both engines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeAlias, TypeVar

import duckdb
import pandas as pd

from xmdw.warehouse.postgres import DIALECT_POSTGRES, PgConnection, dialect_of

# The build warehouse a caller hands the checks: the DuckDB file or the PostgreSQL server.
Connection: TypeAlias = duckdb.DuckDBPyConnection | PgConnection


def is_postgres(con: Connection) -> bool:
    return dialect_of(con) == DIALECT_POSTGRES


def in_list(values: Sequence[Any]) -> str:
    """`(?, ?, …)` for `col IN <this>` with `values` as parameters; `(NULL)` (matches nothing) when empty."""
    return "(" + ", ".join("?" for _ in values) + ")" if values else "(NULL)"


def create_temp(con: Connection, kind: str, name: str, sql: str) -> None:
    """CREATE OR REPLACE TEMP {TABLE|VIEW} name AS sql, on either engine."""
    if not is_postgres(con):
        con.execute(f"CREATE OR REPLACE TEMP {kind} {name} AS {sql}")
        return
    con.execute(f"DROP {kind} IF EXISTS pg_temp.{name} CASCADE")
    con.execute(f"CREATE TEMP {kind} {name} AS {sql}")
    if kind == "TABLE":
        con.execute(f"ANALYZE pg_temp.{name}")


def create_temp_columns(con: Connection, name: str, columns: Sequence[tuple[str, str]]) -> None:
    """An empty temp table with typed columns (`CREATE OR REPLACE TEMP TABLE name (…)`)."""
    ddl = ", ".join(f"{c} {t}" for c, t in columns)
    if not is_postgres(con):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({ddl})")
        return
    con.execute(f"DROP TABLE IF EXISTS pg_temp.{name} CASCADE")
    con.execute(f"CREATE TEMP TABLE {name} ({ddl})")


def append_rows(con: Connection, table: str, rows: list[dict], columns: Sequence[tuple[str, str]]) -> None:
    """Append `rows` (dicts) to `table`, each column cast to its type: DuckDB reads them as a registered
    frame (`BY NAME`), PostgreSQL takes the Python values by COPY (the column types convert the text)."""
    names = [n for n, _ in columns]
    if is_postgres(con):
        con.copy_rows(table, names, ([_plain(r.get(c)) for c in names] for r in rows))
        return
    frame = pd.DataFrame([{c: r.get(c) for c in names} for r in rows], columns=names).astype(object)
    frame = frame.where(frame.notna(), None)
    con.register("_dq_frame", frame)
    try:
        select = ", ".join(f'CAST("{n}" AS {t}) AS "{n}"' for n, t in columns)
        con.execute(f"INSERT INTO {table} BY NAME SELECT {select} FROM _dq_frame")
    finally:
        con.unregister("_dq_frame")


def _plain(value: Any) -> Any:
    """A value COPY reads as its column's type: NaN/NaT are null, whole floats print as integers."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def frame_of(con: Connection, sql: str, parameters: Iterable[Any] | None = None) -> pd.DataFrame:
    """`con.execute(sql).df()` with the same column types on both engines."""
    # PgConnection.df() gives DuckDB's dtypes (xmdw.warehouse.postgres.duckdb_frame)
    return con.execute(sql, list(parameters) if parameters is not None else None).df()


# DuckDB settings of the checks (results.validate): a memory ceiling, so that what the rules materialise
# (the latest revisions, the native chunks' rows, the findings) spills to the warehouse's temp folder
# instead of growing the process with the warehouse; the order of rows is never relied on (every read
# that needs one says ORDER BY).
CHECK_SETTINGS = {"memory_limit": "128MB", "preserve_insertion_order": "false"}


@contextmanager
def check_settings(con: Connection) -> Iterator[None]:
    """`CHECK_SETTINGS` on a file-backed DuckDB warehouse for the duration of the checks, then the
    connection's own values again (the caller's connection; PostgreSQL and in-memory DuckDB unchanged:
    an in-memory database has no temp folder of its own to spill to)."""
    if (
        is_postgres(con)
        or not con.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchall()[0][0]
    ):
        yield
        return
    before = {k: con.execute(f"SELECT current_setting('{k}')").fetchall()[0][0] for k in CHECK_SETTINGS}
    try:
        for name, value in CHECK_SETTINGS.items():
            con.execute(f"SET {name} = '{value}'")
        yield
    finally:
        for name, value in before.items():
            con.execute(f"SET {name} = '{value}'")


T = TypeVar("T")
# The ceilings a rule is retried under when one of its operators cannot spill at `CHECK_SETTINGS`' (a nation
# warehouse: 14 M progress rows). Only that rule pays it, then the ceiling is put back.
CHECK_MEMORY_STEPS = ("512MB", "2GB", "4GB")


def with_headroom(con: Connection, run: Callable[[], T]) -> T:
    """`run()` — one rule's statements, each its own autocommit transaction, so a failed one leaves nothing —
    under the checks' memory ceiling; if DuckDB runs out of memory, again under the next of
    `CHECK_MEMORY_STEPS`; the connection's ceiling is restored afterwards. PostgreSQL: `run()` once."""
    if is_postgres(con):
        return run()
    before = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    steps = iter(CHECK_MEMORY_STEPS)
    try:
        while True:
            try:
                return run()
            except duckdb.OutOfMemoryException:
                step = next(steps, None)
                if step is None:
                    raise
                con.execute(f"SET memory_limit = '{step}'")
    finally:
        con.execute(f"SET memory_limit = '{before}'")

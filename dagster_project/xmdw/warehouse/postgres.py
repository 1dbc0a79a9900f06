"""A PostgreSQL connection that speaks the part of DuckDB's Python connection API xmdw uses.

xmdw's SQL is written once, in the dialect both engines accept (docs/decisions.md, decision 92): `?`
placeholders, `execute(...).fetchall()`, `.df()`, `begin/commit/rollback`, auto-commit outside an explicit
transaction. This class maps that onto psycopg2 (the driver dbt-postgres already brings), so a module that
runs SQL needs no engine branch; only what DuckDB alone has (registering a DataFrame, ATTACH, COPY to
Parquet, duckdb_tables()) is branched on `dialect_of(con)`. Bulk loads use COPY FROM STDIN.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from xmdw.core.engine import DIALECT_DUCKDB, DIALECT_POSTGRES


def _placeholders(sql: str) -> str:
    """`?` → `%s` outside quotes and comments; every `%` doubled first (psycopg2 reads `%` as a
    placeholder anywhere in a statement that has parameters, even inside a string literal)."""
    out: list[str] = []
    quote: str | None = None
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if quote:
            out.append("%%" if ch == "%" else ch)
            if ch == quote:
                quote = None
        elif ch in ("'", '"'):
            quote = ch
            out.append(ch)
        elif ch == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
            continue
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


# PostgreSQL type OIDs (pg_type.oid, fixed for built-in types) → DuckDB's `.df()` dtype (without, with nulls)
_BOOL, _INT8, _INT2, _INT4, _FLOAT4, _FLOAT8 = 16, 20, 21, 23, 700, 701
_DATE, _TIMESTAMP, _TIMESTAMPTZ, _NUMERIC = 1082, 1114, 1184, 1700
_DTYPES: dict[int, tuple[str, str]] = {
    _BOOL: ("bool", "boolean"),
    _INT2: ("int16", "Int16"),
    _INT4: ("int32", "Int32"),
    _INT8: ("int64", "Int64"),
    _FLOAT4: ("float32", "float32"),
    _FLOAT8: ("float64", "float64"),
    _NUMERIC: ("float64", "float64"),
}


def duckdb_frame(description: Sequence[Any], rows: list[tuple]) -> pd.DataFrame:
    """Rows from the server as DuckDB's `.df()` would give them: INTEGER int32 (nullable Int32), BIGINT
    int64/Int64, BOOLEAN bool/boolean, DECIMAL and DOUBLE float64, DATE and TIMESTAMP datetime64[us]. psycopg2
    gives Python objects (date, Decimal; an int column with a NULL turns float), which print differently
    ("2024-12-31 00:00:00" vs "2024-12-31", "3.0" vs "3"); with one mapping here every reader formats the same
    text from both engines."""
    df = pd.DataFrame.from_records(rows, columns=[d[0] for d in description])
    out = {}
    for name, type_code in zip(df.columns, (d[1] for d in description), strict=True):
        col = df[name]
        if type_code in _DTYPES:
            plain, nullable = _DTYPES[type_code]
            if type_code in (_NUMERIC, _FLOAT4, _FLOAT8):
                col = pd.to_numeric(col.astype(object).where(col.notna(), None), errors="coerce")
            col = col.astype(nullable if col.isna().any() else plain)
        elif type_code in (_DATE, _TIMESTAMP):
            col = pd.to_datetime(col).astype("datetime64[us]")
        elif type_code == _TIMESTAMPTZ:
            col = pd.to_datetime(col, utc=True).astype("datetime64[us, UTC]")  # tz-aware, as DuckDB
        out[name] = col
    return pd.DataFrame(out, index=df.index, columns=df.columns)


class PgConnection:
    """One psycopg2 connection; auto-commit unless `begin()` opened a transaction (as in DuckDB)."""

    dialect = DIALECT_POSTGRES

    def __init__(self, dsn: str, *, read_only: bool = False, application_name: str = "xmdw") -> None:
        import psycopg2  # imported here: a DuckDB-only run never loads the driver

        self._con = psycopg2.connect(dsn, application_name=application_name)
        self._con.autocommit = True
        self._cur: Any = None
        if read_only:
            self._con.set_session(readonly=True, autocommit=True)

    # --- DuckDB-compatible surface ------------------------------------------------------------------
    def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> PgConnection:
        cur = self._con.cursor()
        if parameters:
            cur.execute(_placeholders(sql), tuple(parameters))
        else:
            cur.execute(sql)
        self._cur = cur
        return self

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> PgConnection:
        from psycopg2.extras import execute_batch

        cur = self._con.cursor()
        execute_batch(cur, _placeholders(sql), [tuple(r) for r in rows], page_size=500)
        self._cur = cur
        return self

    def fetchall(self) -> list[tuple]:
        return [tuple(r) for r in self._cur.fetchall()] if self._cur.description else []

    def fetchone(self) -> tuple | None:
        row = self._cur.fetchone() if self._cur.description else None
        return None if row is None else tuple(row)

    def fetchmany(self, size: int = 1) -> list[tuple]:
        return [tuple(r) for r in self._cur.fetchmany(size)]

    @property
    def description(self) -> Any:
        return None if self._cur is None else self._cur.description

    def df(self) -> pd.DataFrame:
        """The result with DuckDB's column types (`duckdb_frame`)."""
        return duckdb_frame(self._cur.description, self._cur.fetchall())

    def begin(self) -> None:
        self.execute("BEGIN")

    def commit(self) -> None:
        self.execute("COMMIT")

    def rollback(self) -> None:
        self.execute("ROLLBACK")

    def close(self) -> None:
        self._con.close()

    # --- what only the server path needs ------------------------------------------------------------
    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Bulk-load rows with COPY FROM STDIN (CSV; None → NULL). `table` and `columns` are trusted
        identifiers (contract names), quoted here. Returns the number of rows sent."""
        # Every value quoted, NULL the only unquoted field: a text cell that reads \N stays text (csv's
        # QUOTE_NOTNULL would say this, but only from Python 3.12).
        buf = io.StringIO()
        n = 0
        for row in rows:
            buf.write(",".join("\\N" if v is None else '"' + str(v).replace('"', '""') + '"' for v in row))
            buf.write("\n")
            n += 1
        buf.seek(0)
        cols = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
        with self._con.cursor() as cur:
            cur.copy_expert(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buf)
        return n

    @property
    def raw(self) -> Any:
        """The psycopg2 connection, for the few callers that need the driver itself."""
        return self._con

    def __enter__(self) -> PgConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def dialect_of(con: object) -> str:
    """'postgres' for a PgConnection, 'duckdb' for a DuckDB connection."""
    return getattr(con, "dialect", DIALECT_DUCKDB)

"""Query results as DataFrames with DuckDB's column types, whichever engine answered.

The readers (bulletins, 数字溯源, the DQ report) format what DuckDB's `.df()` returns: INTEGER as int32
(nullable: Int32), BIGINT as int64/Int64, BOOLEAN as bool/boolean, DECIMAL and DOUBLE as float64, DATE and
TIMESTAMP as datetime64. psycopg2 gives Python objects instead (date, Decimal, None in an int column makes
it float64), which print differently ("2024-12-31" vs "2024-12-31 00:00:00", "3.0" vs "3"). This module
maps the server's column types (from the cursor description) onto DuckDB's, so one formatting code path
prints the same text from both engines.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from xmdw.warehouse.postgres import DIALECT_POSTGRES, dialect_of

# PostgreSQL type OIDs (pg_type.oid, fixed for built-in types) -> (dtype without nulls, dtype with nulls)
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


def _like_duckdb(df: pd.DataFrame, type_codes: list[int]) -> pd.DataFrame:
    out = {}
    for name, code in zip(df.columns, type_codes, strict=True):
        col = df[name]
        if code in _DTYPES:
            plain, nullable = _DTYPES[code]
            if code in (_NUMERIC, _FLOAT4, _FLOAT8):
                col = pd.to_numeric(col.astype(object).where(col.notna(), None), errors="coerce")
            col = col.astype(nullable if col.isna().any() else plain)
        elif code in (_DATE, _TIMESTAMP):
            col = pd.to_datetime(col).astype("datetime64[us]")
        elif code == _TIMESTAMPTZ:
            col = pd.to_datetime(col, utc=True).astype("datetime64[us, UTC]")  # tz-aware, as DuckDB
        out[name] = col
    return pd.DataFrame(out, index=df.index, columns=df.columns)


def frame(con: Any, sql: str, params: list | None = None) -> pd.DataFrame:
    """The full result of `sql` as a DataFrame with DuckDB's column types, on either engine."""
    cursor = con.execute(sql, params or [])
    if dialect_of(con) != DIALECT_POSTGRES:
        return cursor.df()
    type_codes = [d[1] for d in con.description]
    return _like_duckdb(cursor.df(), type_codes)

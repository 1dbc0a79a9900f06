"""Query results as DataFrames with DuckDB's column types, whichever engine answered: DuckDB's own `.df()`, or
`PgConnection.df()`, which maps the server's column types onto DuckDB's (xmdw.warehouse.postgres.duckdb_frame),
so one formatting code path prints the same text from both engines."""

from __future__ import annotations

from typing import Any

import pandas as pd


def frame(con: Any, sql: str, params: list | None = None) -> pd.DataFrame:
    """The full result of `sql` as a DataFrame (fetched completely: DuckDB 2.0 rejects unfinished results)."""
    return con.execute(sql, params or []).df()

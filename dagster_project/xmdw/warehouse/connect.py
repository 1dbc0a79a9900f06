"""Every DuckDB connection of xmdw is opened here.

One place decides how the warehouse is opened (read-only for readers, the one writer otherwise, an in-memory
session for copies that ATTACH files), so the engine setting of issue 14 has a single seam. Dagster code gets
its connections from `xmdw.defs.resources.WarehouseResource`, which calls these functions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


def connect(database: Path | str | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse file `database` (None: an in-memory session). The caller closes it."""
    if database is None:
        return duckdb.connect()
    return duckdb.connect(str(database), read_only=read_only)


@contextmanager
def connection(
    database: Path | str | None = None, *, read_only: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """`connect` as a context manager: the connection is closed however the block ends (DuckDB has one
    writer per file; a reader left open blocks the next run)."""
    con = connect(database, read_only=read_only)
    try:
        yield con
    finally:
        con.close()

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

from xmdw.core.settings import duckdb_memory_limit


def connect(database: Path | str | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse file `database` (None: an in-memory session). The caller closes it.
    A file gets the memory ceiling `XMDW_DUCKDB_MEMORY_LIMIT` (it spills beside the file beyond it); an in-memory
    session keeps DuckDB's default (it would spill into the working directory)."""
    if database is None:
        return duckdb.connect()
    con = duckdb.connect(str(database), read_only=read_only)
    # SET, not connect(config=…): a second connection to the same file without that config would be refused
    con.execute(f"SET memory_limit = '{duckdb_memory_limit()}'")
    return con


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

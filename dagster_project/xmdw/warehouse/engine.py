"""Which engine holds the warehouse: XMDW_ENGINE=duckdb (default, the file data/warehouse.duckdb) or
postgres (a server, XMDW_PG_DSN). Every stage opens the build warehouse through `warehouse_connection`.

Schemas are named the same on both engines (raw, staging, intermediate, marts, ref) with one exception, the
published marts: on PostgreSQL dbt builds `marts` and `ref` into `build_marts` / `build_ref`, and
publishing renames them to `marts` / `ref` in one transaction (xmdw.serving.pg_publish), so BI tools run the
same SQL against the served DuckDB copy and against the server. `build_schema` names the build's schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from xmdw.core.engine import (  # noqa: F401 - re-exported: the engine's configuration, for callers of this seam
    BUILD_PREFIX,
    DSN_ENV,
    ENGINE_ENV,
    ENGINES,
    SWAPPED_SCHEMAS,
    EngineError,
    EngineSettings,
    build_schema,
    engine_settings,
)
from xmdw.warehouse.connect import connect
from xmdw.warehouse.postgres import PgConnection


def open_warehouse(warehouse_file: Path, settings: EngineSettings | None = None, *, read_only: bool = False):
    """The build warehouse: the DuckDB file, or a connection to the server. The caller closes it."""
    settings = settings or engine_settings()
    if settings.is_postgres:
        return PgConnection(settings.dsn or "", read_only=read_only)
    return connect(warehouse_file, read_only=read_only)


@contextmanager
def warehouse_connection(
    warehouse_file: Path, settings: EngineSettings | None = None, *, read_only: bool = False
) -> Iterator[Any]:
    con = open_warehouse(warehouse_file, settings, read_only=read_only)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def published_connection(served_file: Path, settings: EngineSettings | None = None) -> Iterator[Any]:
    """What BI tools and the reports read: the served DuckDB copy (data/serving/xmdw.duckdb), or on a server
    the published schemas `marts` and `ref` (read-only session). Same SQL on both."""
    settings = settings or engine_settings()
    if settings.is_postgres:
        con: Any = PgConnection(settings.dsn or "", read_only=True)
    else:
        con = connect(served_file, read_only=True)
    try:
        yield con
    finally:
        con.close()

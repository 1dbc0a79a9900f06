"""Which engine holds the warehouse: XMDW_ENGINE=duckdb (default, the file data/warehouse.duckdb) or
postgres (a server, XMDW_PG_DSN). Every stage opens the build warehouse through `warehouse_connection`.

Schemas are named the same on both engines (raw, staging, intermediate, marts, ref) with one exception, the
published marts: on PostgreSQL dbt builds `marts` and `ref` into `build_marts` / `build_ref`, and
publishing renames them to `marts` / `ref` in one transaction (xmdw.serving.pg_publish), so BI tools run the
same SQL against the served DuckDB copy and against the server. `build_schema` names the build's schema.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from xmdw.warehouse.connect import connect
from xmdw.warehouse.postgres import DIALECT_DUCKDB, DIALECT_POSTGRES, PgConnection

ENGINES = (DIALECT_DUCKDB, DIALECT_POSTGRES)
ENGINE_ENV = "XMDW_ENGINE"
DSN_ENV = "XMDW_PG_DSN"
# Schemas that publishing swaps in on a server (the build writes them under BUILD_PREFIX first).
SWAPPED_SCHEMAS = ("marts", "ref")
BUILD_PREFIX = "build_"


class EngineError(RuntimeError):
    """The engine setting is wrong (unknown engine, or postgres without a DSN)."""


@dataclass(frozen=True)
class EngineSettings:
    engine: str = DIALECT_DUCKDB
    dsn: str | None = None

    @property
    def is_postgres(self) -> bool:
        return self.engine == DIALECT_POSTGRES

    def dbt_env(self) -> dict[str, str]:
        """What dbt_models/profiles.yml reads for the postgres target (dbt takes no DSN, only its parts)."""
        if not self.is_postgres or not self.dsn:
            return {"XMDW_DBT_TARGET": DIALECT_DUCKDB}
        url = urlparse(self.dsn)
        return {
            "XMDW_DBT_TARGET": DIALECT_POSTGRES,
            "XMDW_PG_HOST": url.hostname or "127.0.0.1",
            "XMDW_PG_PORT": str(url.port or 5432),
            "XMDW_PG_USER": unquote(url.username or ""),
            "XMDW_PG_PASSWORD": unquote(url.password or ""),
            "XMDW_PG_DATABASE": (url.path or "/xmdw").lstrip("/") or "xmdw",
        }


def engine_settings(env: Any = None) -> EngineSettings:
    """Read XMDW_ENGINE and XMDW_PG_DSN (a libpq URL, postgresql://user:password@host:port/db)."""
    env = os.environ if env is None else env
    engine = (env.get(ENGINE_ENV) or DIALECT_DUCKDB).strip().lower()
    if engine not in ENGINES:
        raise EngineError(f"XMDW_ENGINE={engine!r}: 只支持 duckdb 或 postgres — must be duckdb or postgres")
    dsn = env.get(DSN_ENV) or None
    if engine == DIALECT_POSTGRES and not dsn:
        raise EngineError(
            "XMDW_ENGINE=postgres 需要 XMDW_PG_DSN — set XMDW_PG_DSN=postgresql://user:pw@host/db"
        )
    return EngineSettings(engine, dsn)


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


def build_schema(schema: str, dialect: str) -> str:
    """Where the build's `schema` is: `build_marts` on a server for the swapped schemas, else as named."""
    if dialect == DIALECT_POSTGRES and schema in SWAPPED_SCHEMAS:
        return BUILD_PREFIX + schema
    return schema

"""Which engine holds the warehouse — configuration only (connections: xmdw.warehouse.engine).

XMDW_ENGINE=duckdb (default, the file data/warehouse.duckdb) or postgres (a server, XMDW_PG_DSN). On a server
dbt builds the published schemas `marts` and `ref` as `build_marts` / `build_ref`, and publishing renames them
in one transaction; `build_schema` names where the build's schema is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlparse

DIALECT_DUCKDB = "duckdb"
DIALECT_POSTGRES = "postgres"
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


def build_schema(schema: str, dialect: str) -> str:
    """Where the build's `schema` is: `build_marts` on a server for the swapped schemas, else as named."""
    if dialect == DIALECT_POSTGRES and schema in SWAPPED_SCHEMAS:
        return BUILD_PREFIX + schema
    return schema

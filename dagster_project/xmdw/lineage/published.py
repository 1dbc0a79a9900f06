"""Where a reader of published figures reads them (bulletins, 数字溯源): the engine decides.

A report is asked for a DuckDB file path. The served copy (`data/serving/xmdw.duckdb`) stands for "the
published marts": with XMDW_ENGINE=duckdb that file, with XMDW_ENGINE=postgres the server's published
schemas `marts` and `ref` (a read-only session, `published_connection`) — the copy is written from them
after each swap, but the server is what BI users see, so the reports read it too. Any other file (an old
copy, a build warehouse given with --database) is read as the DuckDB file it is. The SQL is the same on
both engines.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from xmdw.core.paths import DataPaths
from xmdw.serving.versions import served_version
from xmdw.warehouse.connect import connection
from xmdw.warehouse.engine import EngineSettings, engine_settings, published_connection
from xmdw.warehouse.postgres import DIALECT_POSTGRES, dialect_of


def is_served_copy(database: Path) -> bool:
    """True when `database` is a data directory's served copy (<root>/serving/xmdw.duckdb)."""
    database = Path(database).absolute()
    return DataPaths(database.parent.parent).served_warehouse == database


def reads_server(database: Path, settings: EngineSettings | None = None) -> bool:
    """Whether reading `database` means reading the server's published schemas."""
    settings = settings or engine_settings()
    return settings.is_postgres and is_served_copy(database)


@contextmanager
def open_published(database: Path, settings: EngineSettings | None = None) -> Iterator[Any]:
    """A read-only connection to the published marts that `database` stands for, always closed (the
    warehouse may be republished while a report is written)."""
    settings = settings or engine_settings()
    if reads_server(database, settings):
        with published_connection(Path(database), settings) as con:
            yield con
    else:
        with connection(database, read_only=True) as con:
            yield con


def has_table(con: Any, schema: str, name: str) -> bool:
    """information_schema works on both engines (duckdb_tables() is DuckDB's only)."""
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema, name],
    ).fetchall()
    return bool(row[0][0])


def published_version(con: Any, database: Path | None = None) -> dict | None:
    """{'version_id', 'published_at', 'run_id'} of what `con` reads; None for a build warehouse.

    A server that does not carry `meta.publish_version` itself: the served copy publishing wrote from the
    same swap names the version (data versions are files on both engines)."""
    schema, table = "meta", "publish_version"
    if has_table(con, schema, table):
        return served_version(con)
    if dialect_of(con) == DIALECT_POSTGRES and database is not None and Path(database).exists():
        with connection(database, read_only=True) as copy:
            return served_version(copy)
    return None

"""Dagster's run history on SQLite without a new database connection per event (issue 15).

Dagster's `SqliteEventLogStorage` creates a SQLAlchemy engine, opens the SQLite file and disposes of both for
every event it stores, and again for the cross-run index of every asset and check event. A county build stores
~1,400 events; profiled, opening those connections was 113 of the 174 s spent storing events (pyinstrument,
shared machine) — the largest framework cost of a `xmdw run`. This storage keeps one engine per database file
(a few recently used run files and the index) and reuses its connection. Everything else — the file layout
(`$DAGSTER_HOME/history/runs/<run id>.db`, `index.db`), the schema, WAL mode, the lock that serialises this
process's writers — is Dagster's own, so the UI, the daemon and earlier history read it unchanged.

Its connections commit with `PRAGMA synchronous=NORMAL` (SQLite's recommended setting in WAL mode): a commit
no longer waits for an fsync of the WAL — ~3,800 commits, 8 s of a county `xmdw run` (cProfile, issue 15).
The files stay consistent after any crash; a power cut may lose the last events of the history (never the
warehouse, which DuckDB writes), an accepted trade for a run log.

Other processes (the UI, the daemon) open the same files: SQLite's file locks keep them consistent, and an
idle pooled connection holds no lock (every use is one short transaction).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagster import Field, StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import SingletonThreadPool

MODULE = __name__
CLASS_NAME = "PooledSqliteEventLogStorage"
# A run writes its own file and the index; the UI may read a few runs at once. Older engines are disposed of.
MAX_OPEN_SHARDS = 8


def _commit_without_fsync(dbapi_connection: Any, _record: Any) -> None:
    """Each new SQLite connection of the pool: WAL commits without an fsync (the module's docstring)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` with one engine per shard kept open (LRU of `MAX_OPEN_SHARDS`)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir, inst_data)

    @classmethod
    def config_type(cls) -> dict[str, Any]:
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: Any
    ) -> PooledSqliteEventLogStorage:
        # where Dagster's default SQLite storage keeps the event logs, so dagster.yaml needs no absolute path
        default = os.path.join(os.environ["DAGSTER_HOME"], "history", "runs", "")
        return cls(base_dir=config_value.get("base_dir") or default, inst_data=inst_data)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        # one connection per thread, kept (SingletonThreadPool): the writer thread of a run reuses its own
        engine = create_engine(
            self.conn_string_for_shard(shard),
            poolclass=SingletonThreadPool,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        event.listen(engine, "connect", _commit_without_fsync)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        while len(self._engines) > MAX_OPEN_SHARDS:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock, self._engine(shard).connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
        super().dispose()

    def upgrade(self) -> None:
        self.dispose()  # alembic migrates through fresh connections: none of ours may hold the files
        super().upgrade()

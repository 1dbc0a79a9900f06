"""XMDW_ENGINE=postgres without XMDW_PG_DSN: a PostgreSQL server of this data directory, on this machine.

What `XMDW_ENGINE=postgres make run` needs on a machine that has only Debian's `postgresql` package: the
first command creates a cluster (xmdw.warehouse.pg_cluster) and every command starts it if it is down and
points XMDW_PG_DSN at it. It keeps running after the command, like any database server, so BI tools can
connect; `xmdw db stop-local` stops it. A province's real server is given with XMDW_PG_DSN (docs/deploy.md).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from xmdw.core.engine import DSN_ENV, ENGINE_ENV
from xmdw.core.paths import DataPaths
from xmdw.warehouse import pg_cluster

CLUSTER_DIR_ENV = "XMDW_PG_CLUSTER_DIR"


def cluster_folder(paths: DataPaths) -> Path:
    """XMDW_PG_CLUSTER_DIR, else a folder named after the data directory in the system's temp folder: the
    server runs as the `postgres` account, which cannot enter the owner-only data directory."""
    if os.environ.get(CLUSTER_DIR_ENV):
        return Path(os.environ[CLUSTER_DIR_ENV])
    tag = hashlib.sha256(str(paths.root.resolve()).encode()).hexdigest()[:10]
    return Path(tempfile.gettempdir()) / f"xmdw-pg-{tag}"


def wanted() -> bool:
    return (os.environ.get(ENGINE_ENV) or "").strip().lower() == "postgres" and not os.environ.get(DSN_ENV)


def ensure_local_server(paths: DataPaths) -> str | None:
    """Start (or create) the local server when the postgres engine is chosen without a DSN; set and
    return the DSN. Nothing happens otherwise."""
    if not wanted():
        return None
    cluster = pg_cluster.start_or_create(cluster_folder(paths))
    dsn = cluster.dsn()
    os.environ[DSN_ENV] = dsn
    print(f"本机 PostgreSQL 服务器 local server: 127.0.0.1:{cluster.port}（{cluster.folder}）")
    return dsn


def stop_local_server(paths: DataPaths) -> bool:
    folder = cluster_folder(paths)
    if not (folder / "pgdata").exists():
        return False
    pg_cluster.stop(pg_cluster.open_existing(folder))
    return True

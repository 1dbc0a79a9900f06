"""The real PostgreSQL server of the tests: one throwaway cluster per test process (xdist worker), made by
`initdb` in a temp folder, started on a free local port and stopped when the session ends. It never skips:
if PostgreSQL cannot start, the tests that need it fail with the reason (`make postgres` installs Debian's
package). Each test gets its own database (`pg_database`), dropped afterwards."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import pytest

from xmdw.warehouse import pg_cluster


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pg_cluster.Cluster]:
    # Not under pytest's tmp folder: that one is root-only (0700), and the server runs as `postgres`.
    folder = Path(tempfile.mkdtemp(prefix="xmdw-test-pg-"))
    folder.chmod(0o711)  # the server's account must reach the cluster folder inside
    cluster = None
    try:
        cluster = pg_cluster.start(pg_cluster.create(folder / "cluster"))
        yield cluster
    finally:
        if cluster is not None:
            pg_cluster.stop(cluster)
        shutil.rmtree(folder, ignore_errors=True)


def _admin(cluster: pg_cluster.Cluster):  # noqa: ANN202 - a psycopg2 connection
    con = psycopg2.connect(cluster.dsn(database="postgres"))
    con.autocommit = True
    return con


@contextmanager
def fresh_database(cluster: pg_cluster.Cluster) -> Iterator[str]:
    """A new, empty database on `cluster` for the block (any fixture scope); yields its superuser DSN."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    con = _admin(cluster)
    try:
        with con.cursor() as cur:
            cur.execute(f"create database {name} encoding 'UTF8' template template0")
        yield cluster.dsn(database=name)
        with con.cursor() as cur:
            cur.execute(f"drop database if exists {name} with (force)")
    finally:
        con.close()


@pytest.fixture
def pg_database(pg_server: pg_cluster.Cluster) -> Iterator[str]:
    """A fresh, empty database on the test server; yields its superuser DSN."""
    with fresh_database(pg_server) as dsn:
        yield dsn

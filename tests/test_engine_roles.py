"""Publishing on PostgreSQL with the county demo's marts: the BI role reads marts and ref and nothing else,
personal data is masked wherever it is published, the swap is one transaction a reader never waits for, and
a failed build leaves marts as it was. A real server (the tests fail, never skip, if it cannot start)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg2
import psycopg2.errors
import pytest
from pg_copy import copy_schemas
from test_engine_roles_init import as_role

from xmdw.serving import PublishError, publish_server, serving_paths
from xmdw.serving.copy import CopiedTable
from xmdw.serving.personal_guard import field_of, find_leaks, personal_fields, unmasked_predicate
from xmdw.serving.roles import BI_ROLE, init_roles
from xmdw.serving.versions import list_versions
from xmdw.warehouse.postgres import PgConnection

pytestmark = pytest.mark.e2e  # the county demo pipeline (session fixture)

BI_PASSWORD = "bi-test-password-14"
PROGRESS = "mart_project_progress"


def _clone_build(pg: PgConnection, source: dict[str, str]) -> None:
    """build_marts / build_ref as a fresh dbt build leaves them: new tables, copies of `source` schemas."""
    for build, src in source.items():
        pg.execute(f"CREATE SCHEMA {build}")
        tables = pg.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = ? ORDER BY 1", [src]
        ).fetchall()
        for (t,) in tables:
            pg.execute(f'CREATE TABLE {build}."{t}" AS SELECT * FROM {src}."{t}"')


def _count(pg: PgConnection | psycopg2.extensions.cursor, sql: str) -> int:
    pg.execute(sql)
    return pg.fetchone()[0]


@dataclass
class Server:
    pg: PgConnection  # the administrator's connection
    dsn: str

    def count(self, sql: str) -> int:
        return _count(self.pg, sql)


@pytest.fixture
def server(
    pg_database: str, county_demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Server]:
    """The county demo's raw, marts and ref on a fresh database, roles made, the marts published once."""
    monkeypatch.setenv(
        "XMDW_PUBLISH_LOCK_TIMEOUT_S", "5"
    )  # a swap that waited on a reader fails, never hangs
    copy_schemas(county_demo.paths.warehouse, pg_database, ("raw", "marts", "ref"))
    pg = PgConnection(pg_database)
    pg.execute("ALTER SCHEMA marts RENAME TO build_marts; ALTER SCHEMA ref RENAME TO build_ref")
    init_roles(pg_database, bi_password=BI_PASSWORD)
    pg.execute("CREATE TABLE staging.stg_raw__projects AS SELECT * FROM raw.projects")
    publish_server(pg_database, tmp_path / "serving", run_id="v1", xlsx=False)
    yield Server(pg, pg_database)
    pg.close()


def _bi(server: Server) -> psycopg2.extensions.connection:
    return psycopg2.connect(as_role(server.dsn, BI_ROLE, BI_PASSWORD))


def _refused(cur: psycopg2.extensions.cursor, sql: str) -> str:
    """Run `sql` as xmdw_bi in a savepoint; return the error class name (the test wants a refusal)."""
    cur.execute("SAVEPOINT s")
    try:
        cur.execute(sql)
    except psycopg2.Error as e:
        cur.execute("ROLLBACK TO SAVEPOINT s")
        return type(e).__name__
    return "accepted"


def test_bi_reads_marts_and_ref_only(server: Server, county_demo, tmp_path: Path) -> None:
    _clone_build(server.pg, {"build_marts": "marts", "build_ref": "ref"})
    publish_server(server.dsn, tmp_path / "serving", run_id="v2", xlsx=False)
    _clone_build(server.pg, {"build_marts": "marts", "build_ref": "ref"})  # a build not yet published
    duck = duckdb.connect(str(county_demo.paths.warehouse), read_only=True)
    progress_rows = duck.execute(f"SELECT count(*) FROM marts.{PROGRESS}").fetchone()[0]
    duck.close()

    bi = _bi(server)
    cur = bi.cursor()
    assert _count(cur, f"SELECT count(*) FROM marts.{PROGRESS}") == progress_rows > 0
    assert _count(cur, "SELECT count(*) FROM ref.dim_region") > 0
    assert _count(cur, "SELECT count(*) FROM meta.publish_version") == 1  # which data version it reads
    # Without the read-only session default: the grants themselves refuse every write.
    cur.execute("SET default_transaction_read_only = off")
    bi.commit()  # the next transactions are read-write as far as the session goes
    for sql in (
        f"INSERT INTO marts.{PROGRESS} (project_id) VALUES ('X')",
        "UPDATE ref.dim_region SET name_zh = '改'",
        f"DELETE FROM marts.{PROGRESS}",
        "CREATE TABLE marts.mine (a int)",
        "CREATE TABLE public.mine (a int)",
        "CREATE TEMP TABLE mine (a int)",
        "CREATE SCHEMA mine",
        "DELETE FROM meta.publish_version",
    ):
        assert _refused(cur, sql) == "InsufficientPrivilege", sql
    for schema, table in (
        ("raw", "projects"),
        ("staging", "stg_raw__projects"),
        ("build_marts", PROGRESS),
        ("build_ref", "dim_region"),
        ("marts_prev", PROGRESS),
        ("ref_prev", "dim_region"),
    ):
        assert _refused(cur, f"SELECT count(*) FROM {schema}.{table}") == "InsufficientPrivilege", schema
    bi.close()


def test_published_personal_columns_are_masked(server: Server, county_demo) -> None:
    """On the server (as xmdw_bi) and in the served DuckDB copy of the county demo: every column named like a
    personal field holds masked values only, while raw holds what units typed."""
    fields = personal_fields()
    raw_phone = unmasked_predicate("contact_phone", "phone")
    assert server.count(f"SELECT count(*) FROM raw.projects WHERE {raw_phone}") > 100  # units typed them

    bi = _bi(server)
    cur = bi.cursor()
    cur.execute(
        "SELECT table_schema, table_name, column_name FROM information_schema.columns "
        "WHERE table_schema IN ('marts', 'ref') ORDER BY 1, 2, 3"
    )
    personal = [(s, t, c, f) for s, t, c in cur.fetchall() if (f := field_of(c, fields))]
    assert {(t, c) for _, t, c, _ in personal} >= {(PROGRESS, "contact_person"), (PROGRESS, "contact_phone")}
    for schema, table, column, f in personal:
        where = unmasked_predicate(f'"{column}"', f.kind)
        assert _count(cur, f'SELECT count(*) FROM {schema}."{table}" WHERE {where}') == 0, (table, column)
        assert _count(cur, f'SELECT count(*) FROM {schema}."{table}" WHERE "{column}" LIKE \'%*%\'') > 0
    bi.close()

    served = duckdb.connect(str(serving_paths(county_demo.paths.serving).duckdb), read_only=True)
    tables = [
        CopiedTable(s, t, 0, [(c, "") for (c,) in served.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
            [s, t]).fetchall()], False)
        for s, t in served.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN ('marts', 'ref') AND table_type = 'BASE TABLE'"
        ).fetchall()
    ]  # fmt: skip
    catalog = served.execute("SELECT current_database()").fetchone()[0]
    assert find_leaks(served, catalog, tables) == []
    assert any(field_of(c, fields) for t in tables for c, _ in t.columns)
    served.close()


def _reader_locks(pg: PgConnection, pid: int) -> set[tuple[str, str]]:
    rows = pg.execute(
        "SELECT n.nspname, c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE l.pid = ? AND l.granted "
        "AND l.mode = 'AccessShareLock' AND c.relkind = 'r'",
        [pid],
    ).fetchall()
    return set(rows)


def test_swap_never_waits_for_a_reader_of_the_current_marts(server: Server, tmp_path: Path) -> None:
    serving = tmp_path / "serving"
    v1_rows = server.count(f"SELECT count(*) FROM marts.{PROGRESS}")
    reader = _bi(server)  # a BI query in progress: a transaction holding its cursor on the published marts
    cur = reader.cursor(name="bi_report")
    cur.itersize = 50
    cur.execute(f"SELECT region_code FROM marts.{PROGRESS} ORDER BY project_id")
    first = cur.fetchmany(50)
    reader_pid = reader.get_backend_pid()

    _clone_build(server.pg, {"build_marts": "marts", "build_ref": "ref"})
    server.pg.execute(f"DELETE FROM build_marts.{PROGRESS} WHERE region_code = '511902'")
    v2_rows = server.count(f"SELECT count(*) FROM build_marts.{PROGRESS}")
    assert 0 < v2_rows < v1_rows
    publish_server(server.dsn, serving, run_id="v2", xlsx=False)

    # The swap committed while the reader holds its lock on the old table, now the last good version.
    assert ("marts_prev", PROGRESS) in _reader_locks(server.pg, reader_pid)
    rest = cur.fetchall()
    assert len(first) + len(rest) == v1_rows and ("511902",) in first + rest  # old rows to the end
    fresh = _bi(server)
    assert (
        _count(fresh.cursor(), f"SELECT count(*) FROM marts.{PROGRESS}") == v2_rows
    )  # new readers: new rows
    fresh.close()

    # The next publish must drop marts_prev, which the reader still holds: it waits (here 1 s), then gives up
    # and publishes nothing; once the reader is done it goes through.
    _clone_build(server.pg, {"build_marts": "marts", "build_ref": "ref"})
    versions = [v.version_id for v in list_versions(serving)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XMDW_PUBLISH_LOCK_TIMEOUT_S", "1")
        with pytest.raises(PublishError) as err:
            publish_server(server.dsn, serving, run_id="v3", xlsx=False)
    assert f"进程 {reader_pid}" in str(err.value) and "marts_prev" in str(err.value)
    assert [v.version_id for v in list_versions(serving)] == versions
    assert server.count(f"SELECT count(*) FROM marts.{PROGRESS}") == v2_rows
    reader.rollback()
    reader.close()
    publish_server(server.dsn, serving, run_id="v3", xlsx=False)
    assert len(list_versions(serving)) == len(versions) + 1


def _state(server: Server, serving: Path) -> tuple:
    """What must not change when a publish is refused: the published relations, the files' version."""
    oids = server.pg.execute(
        "SELECT n.nspname, c.relname, c.oid::bigint FROM pg_class c JOIN pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname IN ('marts', 'ref', 'marts_prev', 'ref_prev') ORDER BY 1, 2"
    ).fetchall()
    manifest = json.loads(serving_paths(serving).manifest.read_text(encoding="utf-8"))
    return oids, manifest["version_id"], [v.version_id for v in list_versions(serving)]


BROKEN_BUILDS = {  # what a failed, killed or careless build leaves, and what the publish says
    "build-missing": ("DROP SCHEMA build_marts CASCADE", "没有 build_marts"),
    "half-made": ("DROP TABLE build_marts.mart_four_batches", "build_marts 缺少 1 张表：mart_four_batches"),
    "dbt-leftover": ("CREATE TABLE build_marts.mart_x__dbt_tmp (a int)", "未完成的构建残留：mart_x__dbt_tmp"),
    "personal-leak": (
        "CREATE TABLE build_marts.mart_leak AS SELECT contact_phone FROM raw.projects",
        "未脱敏",
    ),
}


def test_failed_build_leaves_marts_as_it_was(server: Server, tmp_path: Path) -> None:
    serving = tmp_path / "serving"
    before = _state(server, serving)
    for case, (break_build, said) in BROKEN_BUILDS.items():
        server.pg.execute(
            "DROP SCHEMA IF EXISTS build_marts CASCADE; DROP SCHEMA IF EXISTS build_ref CASCADE"
        )
        _clone_build(server.pg, {"build_marts": "marts", "build_ref": "ref"})
        server.pg.execute(break_build)
        with pytest.raises(PublishError) as err:
            publish_server(server.dsn, serving, run_id=case, xlsx=False)
        assert said in str(err.value) and "本次未发布" in str(err.value), case
        assert _state(server, serving) == before, case
        leftovers = [
            p.name for p in serving.iterdir() if p.name.startswith(".") and p.name != ".publish.lock"
        ]
        assert leftovers == [], case

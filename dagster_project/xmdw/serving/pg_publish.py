"""Publishing on a PostgreSQL warehouse: the schema swap, in one transaction.

dbt builds `build_marts` / `build_ref`; BI reads `marts` / `ref`. Publishing, in ONE transaction:
1. checks the build is whole (every mart and seed of the dbt project there, no `__dbt_tmp` leftover) — a
   failed or killed build publishes nothing and `marts` stays as it was;
2. holds the build tables in SHARE mode and copies them into the served DuckDB file, the Parquet and CSV
   files and the data version (the same steps as on DuckDB, xmdw.serving.publish), refusing unmasked
   personal data;
3. drops `marts_prev` (the version before last: the only step that waits, for a reader still inside it),
   renames `marts` → `marts_prev` (kept as the last good version until the next publish) and
   `build_marts` → `marts`, same for ref, and grants xmdw_bi SELECT on the new schemas;
4. commits, then switches the files.

A reader never waits: renaming a schema takes no lock on its tables, so a query running on the old marts
finishes on the old rows, and the next query sees the new ones. Every reader sees one version: the switch
is one commit. One publish at a time per database (an advisory lock).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from xmdw.core.engine import DIALECT_POSTGRES, SWAPPED_SCHEMAS, EngineSettings, build_schema, engine_settings
from xmdw.core.paths import DBT_PROJECT_DIR, SEEDS_DIR
from xmdw.serving.catalog import TableDoc
from xmdw.serving.copy import CopiedTable, PublishError, remove_duckdb_file
from xmdw.serving.from_server import copy_published_from_server, copy_raw_snapshot, server_tables
from xmdw.serving.layout import ServingPaths, serving_paths
from xmdw.serving.publish import PublishResult, publish, publish_copy
from xmdw.serving.roles import BI_ROLE, OWNER_ROLE, PREV_SUFFIX, grant_bi_select, role_exists, schema_exists
from xmdw.serving.versions import Version
from xmdw.warehouse.postgres import PgConnection

LOCK_TIMEOUT_ENV = "XMDW_PUBLISH_LOCK_TIMEOUT_S"
DEFAULT_LOCK_TIMEOUT_S = 300
ADVISORY_KEY = 0x786D6477  # "xmdw": one publish at a time on a database
_DBT_LEFTOVERS = ("__dbt_tmp", "__dbt_backup")


def expected_relations() -> dict[str, set[str]]:
    """What a whole build holds: every mart model (marts/**/*.sql) and every seed (ref)."""
    return {
        "marts": {p.stem for p in (DBT_PROJECT_DIR / "models" / "marts").rglob("*.sql")},
        "ref": {p.stem for p in SEEDS_DIR.glob("*.csv")},
    }


def lock_timeout_s() -> float:
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    try:
        return max(0.1, float(raw)) if raw else DEFAULT_LOCK_TIMEOUT_S
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT_S


def check_build(pg: PgConnection, expected: dict[str, set[str]]) -> list[str]:
    """Raise PublishError (Chinese) unless every build schema is whole; returns its table names."""
    problems, tables = [], []
    for schema in SWAPPED_SCHEMAS:
        build = build_schema(schema, DIALECT_POSTGRES)
        if not schema_exists(pg, build):
            problems.append(f"没有 {build}（构建未完成或失败）")
            continue
        have = {t.name for t in server_tables(pg, build)}
        missing = sorted(expected.get(schema, set()) - have)
        leftovers = sorted(n for n in have if n.endswith(_DBT_LEFTOVERS))
        if missing:
            problems.append(f"{build} 缺少 {len(missing)} 张表：{'、'.join(missing[:10])}")
        if leftovers:
            problems.append(f"{build} 有未完成的构建残留：{'、'.join(leftovers[:10])}")
        tables += [f"{build}.{n}" for n in sorted(have)]
    if problems:
        raise PublishError(
            "构建结果不完整，本次未发布，BI 继续读取上一版 marts/ref："
            + "；".join(problems)
            + " — the build is incomplete; nothing was published"
        )
    return tables


def _q(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def _hold_build(pg: PgConnection) -> None:
    """SHARE locks on the build tables: nothing rewrites them between the copy and the swap."""
    for schema in SWAPPED_SCHEMAS:
        build = build_schema(schema, DIALECT_POSTGRES)
        names = [f"{_q(build)}.{_q(t.name)}" for t in server_tables(pg, build) if not t.is_view]
        if names:
            pg.execute(f"LOCK TABLE {', '.join(names)} IN SHARE MODE")


def _stamp(pg: PgConnection, version: Version, run_id: str | None, bi: bool) -> None:
    """meta.publish_version on the server too, switched in the same commit: `SELECT version_id FROM
    meta.publish_version` names the data version on both engines."""
    pg.execute("CREATE SCHEMA IF NOT EXISTS meta")
    pg.execute(
        "CREATE TABLE IF NOT EXISTS meta.publish_version "
        "(version_id varchar, published_at timestamptz, run_id varchar)"
    )
    pg.execute("DELETE FROM meta.publish_version")
    pg.execute(
        "INSERT INTO meta.publish_version VALUES (?, ?, ?)",
        [version.version_id, version.published_at, run_id],
    )
    if bi:
        pg.execute(f"GRANT USAGE ON SCHEMA meta TO {BI_ROLE}")
        pg.execute(f"GRANT SELECT ON meta.publish_version TO {BI_ROLE}")


def swap(pg: PgConnection, version: Version, run_id: str | None = None) -> list[str]:
    """The renames, grants and version stamp, inside the caller's transaction. Returns what was done."""
    bi, owner = role_exists(pg, BI_ROLE), role_exists(pg, OWNER_ROLE)
    _stamp(pg, version, run_id, bi)
    done = []
    for schema in SWAPPED_SCHEMAS:
        build, prev = build_schema(schema, DIALECT_POSTGRES), schema + PREV_SUFFIX
        pg.execute(f"DROP SCHEMA IF EXISTS {_q(prev)} CASCADE")  # waits only for readers of the old-old one
        if schema_exists(pg, schema):
            if bi:
                pg.execute(f"REVOKE ALL ON SCHEMA {_q(schema)} FROM {BI_ROLE}")
            pg.execute(f"ALTER SCHEMA {_q(schema)} RENAME TO {_q(prev)}")
        if owner:
            pg.execute(f"ALTER SCHEMA {_q(build)} OWNER TO {OWNER_ROLE}")
        if bi:
            grant_bi_select(pg, build)
        pg.execute(f"ALTER SCHEMA {_q(build)} RENAME TO {_q(schema)}")
        done.append(f"{build} → {schema}（上一版保留为 {prev}）")
    if not bi:
        done.append(f"未找到角色 {BI_ROLE}：请先运行 xmdw db init")
    return done


def _lock_holders(pg: PgConnection) -> str:
    """Sessions holding locks in the build or the version-before-last schemas, for the timeout message."""
    schemas = [s + PREV_SUFFIX for s in SWAPPED_SCHEMAS] + [
        build_schema(s, DIALECT_POSTGRES) for s in SWAPPED_SCHEMAS
    ]
    rows = pg.execute(
        """
        SELECT DISTINCT a.pid, a.usename, a.application_name, a.xact_start
          FROM pg_locks l
          JOIN pg_class c ON c.oid = l.relation
          JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE n.nspname = ANY(?) AND l.pid <> pg_backend_pid()
         ORDER BY a.pid
        """,
        [schemas],
    ).fetchall()
    return (
        "；".join(f"进程 {p}（用户 {u}，程序 {app or '-'}，事务开始于 {t}）" for p, u, app, t in rows)
        or "未知"
    )


def publish_server(
    dsn: str,
    serving_dir: Path,
    *,
    run_id: str | None = None,
    xlsx: bool = True,
    expected: dict[str, set[str]] | None = None,
) -> PublishResult:
    """Swap build_marts/build_ref in on the server `dsn` and write the served files from them (see above).

    `expected`: schema → tables a whole build holds (default: the dbt project's marts and seeds). Raises
    PublishError when the build is incomplete, personal data is unmasked, or the version before last is
    still read after XMDW_PUBLISH_LOCK_TIMEOUT_S seconds; then neither marts nor the files changed."""
    import psycopg2.errors

    expected = expected_relations() if expected is None else expected
    paths = serving_paths(serving_dir)
    pg = PgConnection(dsn, application_name="xmdw publish")
    done: list[str] = []
    in_transaction = False

    def copier(p: ServingPaths, docs: dict[str, TableDoc]) -> tuple[list[CopiedTable], Path]:
        schema_of = {s: build_schema(s, DIALECT_POSTGRES) for s in SWAPPED_SCHEMAS}
        copied = copy_published_from_server(pg, p.duckdb_tmp, docs, schema_of)
        return copied, copy_raw_snapshot(pg, p.raw_snapshot_tmp)

    def switch(version: Version) -> None:
        nonlocal in_transaction
        done.extend(swap(pg, version, run_id))
        pg.commit()
        in_transaction = False

    try:
        pg.execute("SELECT pg_advisory_lock(?)", [ADVISORY_KEY])
        pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        in_transaction = True
        pg.execute(f"SET LOCAL lock_timeout = '{int(lock_timeout_s() * 1000)}ms'")
        check_build(pg, expected)
        _hold_build(pg)
        result = publish_copy(serving_dir, copier, run_id=run_id, xlsx=xlsx, before_switch=switch)
    except psycopg2.errors.LockNotAvailable as e:
        pg.rollback()
        in_transaction = False
        raise PublishError(
            f"等待 {lock_timeout_s():.0f} 秒后仍有会话占用上上版（marts_prev/ref_prev）或构建中的表，本次未发布，"
            f"BI 继续读取上一版：{_lock_holders(pg)}。请结束这些会话后重试 — publish gave up waiting for a lock"
        ) from e
    finally:
        if in_transaction:
            with contextlib.suppress(Exception):  # never hide the error that got us here
                pg.rollback()
        remove_duckdb_file(paths.raw_snapshot_tmp)
        pg.close()
    result.server = "；".join(done)
    return result


def publish_warehouse(
    warehouse: Path,
    serving_dir: Path,
    *,
    settings: EngineSettings | None = None,
    run_id: str | None = None,
    xlsx: bool = True,
    expected: dict[str, set[str]] | None = None,
) -> PublishResult:
    """The publish entry point for either engine: the DuckDB build file `warehouse`, or on
    XMDW_ENGINE=postgres the server's build_marts/build_ref swapped in (`warehouse` is then unused;
    `expected`: see publish_server)."""
    settings = settings or engine_settings()
    if settings.is_postgres:
        return publish_server(settings.dsn or "", serving_dir, run_id=run_id, xlsx=xlsx, expected=expected)
    return publish(warehouse, serving_dir, run_id=run_id, xlsx=xlsx)

"""Copy the published schemas from the build warehouse into a fresh DuckDB file readable by DuckDB 1.x."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from xmdw.core.diskspace import DiskFullError, is_disk_full
from xmdw.core.faultpoints import pause_point
from xmdw.core.filemodes import SERVED_DUCKDB
from xmdw.serving.catalog import ChineseNames, TableDoc, chinese_names
from xmdw.warehouse.connect import connect

PUBLISHED_SCHEMAS = ("marts", "ref")
# Oldest DuckDB release that must open the served file (BI drivers lag behind the build's DuckDB 2.x).
STORAGE_VERSION = "v1.4.0"
# The served copy's alias while we write it; never a name the build warehouse can have.
DST = "xmdw_serving_copy"


class PublishError(RuntimeError):
    """Publishing failed; the previously served copy is untouched."""


@dataclass(frozen=True)
class CopiedTable:
    schema: str
    name: str
    rows: int
    columns: list[tuple[str, str]]  # (column, DuckDB type)
    was_view: bool

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"


def _q(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def remove_duckdb_file(path: Path) -> None:
    """Remove a DuckDB file and its WAL: a stale WAL next to a new file would be replayed into it."""
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)


def list_published(con: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple[str, str, bool]]:
    """(schema, name, is_view) of every table and view in the published schemas — whatever dbt built."""
    schemas = ", ".join(_lit(s) for s in PUBLISHED_SCHEMAS)
    rows = con.execute(
        f"""
        SELECT schema_name, table_name, false FROM duckdb_tables()
         WHERE database_name = ? AND schema_name IN ({schemas}) AND NOT temporary
        UNION ALL
        SELECT schema_name, view_name, true FROM duckdb_views()
         WHERE database_name = ? AND schema_name IN ({schemas}) AND NOT internal AND NOT temporary
        ORDER BY 1, 2
        """,
        [catalog, catalog],
    ).fetchall()
    return [(s, t, bool(v)) for s, t, v in rows]


@contextlib.contextmanager
def served_copy_writer(target: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A session with the new file `target` attached as the copy (alias `DST`), for any source.

    The block fills DST.marts / DST.ref and returns; `finish_copy` then adds descriptions and Chinese views.
    On an error the half-written file is removed (a full disk raised as DiskFullError); afterwards the file
    is made read-only on disk."""
    remove_duckdb_file(target)
    con = connect()
    con.execute("SET enable_progress_bar = false")  # no progress bars in the Dagster log
    try:
        con.execute(f"ATTACH {_lit(str(target))} AS {DST} (STORAGE_VERSION {_lit(STORAGE_VERSION)})")
        yield con
        con.execute(f"CHECKPOINT {DST}")
        con.execute(f"DETACH {DST}")
    except Exception as e:
        con.close()
        remove_duckdb_file(target)
        if is_disk_full(e, target.parent):
            raise DiskFullError(f"发布 BI 副本时写入 {target.name} 失败", str(e)) from e
        raise
    con.close()
    # Read-only on disk: a BI client that opens the served file without read_only cannot change it.
    os.chmod(target, SERVED_DUCKDB)
    pause_point("publish.copied")


def finish_copy(con: duckdb.DuckDBPyConnection, copied: list[CopiedTable], docs: dict[str, TableDoc]) -> None:
    """Descriptions as COMMENTs and the Chinese views, in one transaction (not one commit per statement)."""
    con.execute("BEGIN TRANSACTION")
    for table in copied:
        _comment(con, table, docs.get(table.name))
    _chinese_views(con, copied, chinese_names(copied, docs), docs)
    con.execute("COMMIT")


def require_tables(copied: list[CopiedTable], target: Path, source: str) -> list[CopiedTable]:
    if not copied:
        remove_duckdb_file(target)
        raise PublishError(f"数仓中没有 marts/ref 表，发布中止 — no tables in schemas marts/ref of {source}")
    return copied


def copy_warehouse(warehouse: Path, target: Path, docs: dict[str, TableDoc]) -> list[CopiedTable]:
    """Write `marts` and `ref` of `warehouse` into the new file `target` (views become tables).

    The build file is attached read-only and detached as soon as the copy is done, so the build's
    writer is held off only for this copy. The copy runs in one read transaction: all tables come
    from the same state of the warehouse.
    """
    if not warehouse.exists():
        raise PublishError(f"数仓文件不存在，无法发布 — warehouse not found, nothing to publish: {warehouse}")
    # dbt-duckdb writes views that name their catalog (the file stem), so attach under that name.
    src = warehouse.stem
    with served_copy_writer(target) as con:
        try:
            con.execute(f"ATTACH {_lit(str(warehouse))} AS {_q(src)} (READ_ONLY)")
        except duckdb.IOException as e:
            raise PublishError(
                f"数仓文件正被写入或无法打开，发布中止 — cannot open the build warehouse read-only "
                f"(is a build still writing it?): {warehouse}: {e}"
            ) from e
        con.execute("BEGIN TRANSACTION")
        copied = [
            _copy_one(con, src, schema, name, is_view) for schema, name, is_view in list_published(con, src)
        ]
        con.execute("COMMIT")
        con.execute(f"DETACH {_q(src)}")
        finish_copy(con, copied, docs)
    return require_tables(copied, target, str(warehouse))


LINEAGE_ORDER = ("year", "month", "region_code", "figure_kind", "figure_id")


def _served_order(con: duckdb.DuckDBPyConnection, src: str, schema: str, name: str) -> str:
    """Lineage rows by month and region: a 数字溯源 page or `xmdw explain` then reads the one or two row groups
    of its (month, region) by their min/max instead of all 14 (province); BI p95 of a page 160 -> 50 ms."""
    if (schema, name) != ("marts", "figure_sources"):
        return ""
    sql = "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND schema_name = ? AND table_name = ?"
    have = {c for (c,) in con.execute(sql, [src, schema, name]).fetchall()}
    keys = [k for k in LINEAGE_ORDER if k in have]
    return f" ORDER BY {', '.join(keys)}" if keys else ""


def _copy_one(con: duckdb.DuckDBPyConnection, src: str, schema: str, name: str, is_view: bool) -> CopiedTable:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {DST}.{_q(schema)}")
    dst = f"{DST}.{_q(schema)}.{_q(name)}"
    order = _served_order(con, src, schema, name)
    con.execute(f"CREATE TABLE {dst} AS SELECT * FROM {_q(src)}.{_q(schema)}.{_q(name)}{order}")
    rows = con.execute(f"SELECT count(*) FROM {dst}").fetchall()[0][0]
    cols = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = ? AND schema_name = ? AND table_name = ? ORDER BY column_index",
        [DST, schema, name],
    ).fetchall()
    return CopiedTable(schema, name, int(rows), [(c, t) for c, t in cols], is_view)


def _comment(con: duckdb.DuckDBPyConnection, table: CopiedTable, doc: TableDoc | None) -> None:
    """Carry the dbt descriptions as COMMENTs: Superset and DBeaver show them next to the table."""
    if doc is None:
        return
    dst = f"{DST}.{_q(table.schema)}.{_q(table.name)}"
    if doc.description:
        con.execute(f"COMMENT ON TABLE {dst} IS {_lit(doc.description)}")
    for col, _ in table.columns:
        if doc.columns.get(col):
            con.execute(f"COMMENT ON COLUMN {dst}.{_q(col)} IS {_lit(doc.columns[col])}")


def _chinese_views(
    con: duckdb.DuckDBPyConnection,
    copied: list[CopiedTable],
    names: dict[str, ChineseNames],
    docs: dict[str, TableDoc],
) -> None:
    """marts_cn / ref_cn: one view per served table, named and with columns named in Chinese.

    Views, not copies: no extra bytes, always equal to their table. The view's SQL names its table without
    a catalog, so DuckDB binds it in the file it lives in, whatever alias a reader attaches it under.
    """
    for cn_schema in sorted({n.schema for n in names.values()}):
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {DST}.{_q(cn_schema)}")
    for table in copied:
        cn = names.get(table.key)
        if cn is None:
            continue
        select = ", ".join(
            f"{_q(col)} AS {_q(zh)}" for (col, _), zh in zip(table.columns, cn.columns, strict=True)
        )
        view = f"{DST}.{_q(cn.schema)}.{_q(cn.table)}"
        con.execute(f"CREATE VIEW {view} AS SELECT {select} FROM {_q(table.schema)}.{_q(table.name)}")
        doc = docs.get(table.name, TableDoc())
        con.execute(f"COMMENT ON VIEW {view} IS {_lit(f'{doc.description} [{table.key}]'.strip())}")
        for (col, _), zh in zip(table.columns, cn.columns, strict=True):
            text = f"{doc.columns.get(col, '')} [{col}]".strip()
            con.execute(f"COMMENT ON COLUMN {view}.{_q(zh)} IS {_lit(text)}")

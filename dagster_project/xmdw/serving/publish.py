"""Publish the marts for BI readers: a served DuckDB copy, Parquet per table, Excel/WPS exports, manifest.

Order matters for readers:
1. copy marts + ref from the build file (read-only, released right after) into a temp DuckDB file;
2. write Parquet (new version directory) and the exports from that temp file, not the build file;
3. rename the temp file over data/serving/xmdw.duckdb — a reader holding the old file keeps its
   snapshot (the old inode lives on until it closes), a new reader opens the new file;
4. flip parquet/current, then write manifest.json last: the manifest never names unfinished files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from xmdw.serving.catalog import TableDoc, load_descriptions
from xmdw.serving.copy import STORAGE_VERSION, CopiedTable, PublishError, copy_warehouse, remove_duckdb_file
from xmdw.serving.export import (
    COLUMN_DICTIONARY,
    XLSX_LINEAGE_TABLES,
    staging_name,
    write_column_dictionary,
    write_csv,
    write_xlsx,
)
from xmdw.serving.layout import ServingPaths, serving_paths
from xmdw.serving.parquet import VERSION_PREFIX, current_version, flip_current, prune_versions, write_version
from xmdw.serving.personal_guard import refuse_unmasked
from xmdw.serving.versions import Version, discard_version, record_version
from xmdw.serving.versions import prune_versions as prune_data_versions
from xmdw.warehouse.connect import connect

try:  # POSIX only; the warehouse runs on Linux servers.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

MANIFEST_FORMAT = 1
_SERVED = "served"


@dataclass
class PublishResult:
    duckdb_path: Path
    parquet_dir: Path  # this publish's version directory (parquet/current points here)
    tables: dict[str, int]  # 'marts.mart_x' -> rows
    seconds: float
    published_at: str  # ISO 8601, UTC
    run_id: str | None = None
    seconds_to_visible: float = 0.0  # until DuckDB + Parquet + CSV were switched (the workbook follows)
    storage_version: str = STORAGE_VERSION
    manifest_path: Path | None = None
    xlsx_path: Path | None = None
    csv_paths: dict[str, Path] = field(default_factory=dict)
    parquet_paths: dict[str, Path] = field(default_factory=dict)
    xlsx_left_out: list[str] = field(default_factory=list)  # tables too large for the workbook
    bytes_duckdb: int = 0
    version_id: str | None = (
        None  # data/serving/versions/<id>/ (also in the served file: meta.publish_version)
    )
    server: str | None = None  # PostgreSQL: what the swap did, for the operator (pg_publish)

    def lines(self) -> list[str]:
        """Human summary (Chinese + English) for the CLI / Dagster log."""
        out = [
            f"发布 published {len(self.tables)} 张表 tables at {self.published_at}: "
            f"{self.seconds_to_visible:.1f}s until served, {self.seconds:.1f}s with the workbook",
            f"  DuckDB ({self.storage_version}): {self.duckdb_path} ({self.bytes_duckdb / 1e6:.1f} MB)",
            f"  Parquet: {self.parquet_dir}",
        ]
        if self.version_id:
            out.append(f"  数据版本 version: {self.version_id}")
        if self.server:
            out.append(f"  PostgreSQL: {self.server}")
        if self.xlsx_path:
            out.append(f"  Excel/WPS: {self.xlsx_path}")
        if self.csv_paths:
            out.append(f"  CSV (UTF-8 BOM): {next(iter(self.csv_paths.values())).parent.parent}")
        for key in self.xlsx_left_out:
            if key in XLSX_LINEAGE_TABLES:
                out.append(f"  注意 note: {key} 是溯源明细，未放入 xlsx，见 CSV — lineage, see the CSV")
                continue
            out.append(
                f"  注意 note: {key} 行数过多，未放入 xlsx，见 CSV — too large for the xlsx, see the CSV"
            )
        return out


@contextlib.contextmanager
def _publish_lock(paths: ServingPaths) -> Iterator[None]:
    """One publish at a time per serving directory; a second one waits instead of mixing files."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    with paths.lock.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _new_version_dir(paths: ServingPaths, when: dt.datetime) -> Path:
    stamp = when.strftime("%Y%m%dT%H%M%S%fZ")
    d = paths.parquet_root / f"{VERSION_PREFIX}{stamp}"
    n = 1
    while d.exists():  # two publishes in the same microsecond only in tests, but never reuse a dir
        n += 1
        d = paths.parquet_root / f"{VERSION_PREFIX}{stamp}-{n}"
    return d


def _clean_leftovers(paths: ServingPaths) -> None:
    """Temp files of a publish that crashed: never reused, always removed before we start."""
    remove_duckdb_file(paths.duckdb_tmp)
    remove_duckdb_file(paths.raw_snapshot_tmp)
    for tmp in paths.export_dir.rglob(".*.tmp"):
        tmp.unlink(missing_ok=True)
    leftover_link = paths.parquet_root / ".current.tmp"
    if leftover_link.is_symlink() or leftover_link.exists():
        leftover_link.unlink()


def _swap_in(tmp: Path, final: Path) -> None:
    """Rename the finished copy over the served file (atomic on one filesystem)."""
    # No writer ever opens the served file; a WAL beside it could only be stale and would be replayed.
    final.with_name(final.name + ".wal").unlink(missing_ok=True)
    try:
        os.replace(tmp, final)
    except PermissionError as e:  # Windows refuses to replace a file a reader has open
        raise PublishError(
            f"无法替换已发布的文件（是否有程序以独占方式打开？）— cannot replace the served file: {final}: {e}"
        ) from e


def _write_manifest(paths: ServingPaths, result: PublishResult, copied: list[CopiedTable]) -> Path:
    rel = lambda p: str(Path(p).relative_to(paths.root))  # noqa: E731 — paths in the manifest are relative
    manifest = {
        "format": MANIFEST_FORMAT,
        "published_at": result.published_at,
        "run_id": result.run_id,
        "version_id": result.version_id,
        "seconds": round(result.seconds, 3),
        "seconds_to_visible": round(result.seconds_to_visible, 3),
        "duckdb": {
            "path": rel(result.duckdb_path),
            "storage_version": result.storage_version,
            "bytes": result.bytes_duckdb,
            "written_by_duckdb": duckdb.__version__,
        },
        "parquet_dir": rel(result.parquet_dir),
        "parquet_current": rel(paths.parquet_current),
        "xlsx": rel(result.xlsx_path) if result.xlsx_path else None,
        "xlsx_left_out": result.xlsx_left_out,
        "tables": {
            t.key: {
                "rows": t.rows,
                "was_view": t.was_view,
                "columns": dict(t.columns),
                "parquet": rel(result.parquet_paths[t.key]),
                "csv": rel(result.csv_paths[t.key]),
            }
            for t in copied
        },
    }
    tmp = paths.root / f".{paths.manifest.name}.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.chmod(tmp, 0o640)  # xmdw.core.filemodes.SERVED_FILE: the BI account's group reads it, others do not
    os.replace(tmp, paths.manifest)
    return paths.manifest


def _connect() -> duckdb.DuckDBPyConnection:
    con = connect()
    con.execute("SET enable_progress_bar = false")  # no progress bars in the Dagster log
    return con


def _stage(
    paths: ServingPaths, copied: list[CopiedTable], version_dir: Path, docs: dict[str, TableDoc]
) -> tuple[dict[str, Path], dict[str, Path], list[tuple[Path, Path]]]:
    """Write Parquet and the CSVs from the temp copy, all under names no reader looks at yet."""
    csv_final = {t.key: paths.csv_dir / t.schema / f"{t.name}.csv" for t in copied}
    con = _connect()
    try:
        con.execute(f"ATTACH '{paths.duckdb_tmp}' AS {_SERVED} (READ_ONLY)")
        parquet_paths = write_version(con, _SERVED, copied, version_dir, docs)
        staged = [(write_csv(con, _SERVED, t, csv_final[t.key], docs), csv_final[t.key]) for t in copied]
        # Chinese CSV headers: the snake_case names and descriptions beside them (export/csv/字段说明.csv)
        dictionary = paths.csv_dir / COLUMN_DICTIONARY
        staged.append((write_column_dictionary(copied, docs, dictionary), dictionary))
    finally:
        con.close()
    return parquet_paths, csv_final, staged


def _commit(paths: ServingPaths, version_dir: Path, staged: list[tuple[Path, Path]]) -> None:
    """Only renames from here on: the visible switch takes milliseconds, not the seconds of staging."""
    _swap_in(paths.duckdb_tmp, paths.duckdb)
    flip_current(paths.parquet_root, version_dir)
    for tmp, final in staged:
        os.replace(tmp, final)
    # A table that is no longer built must not linger as a stale CSV.
    keep = {final for _, final in staged}
    for old in paths.csv_dir.rglob("*.csv"):
        if old not in keep:
            old.unlink(missing_ok=True)


def _publish_xlsx(
    paths: ServingPaths, copied: list[CopiedTable], docs: dict[str, TableDoc], published_at: str
) -> list[str]:
    """The workbook, from the file just served (the build file is long released). Returns the keys left out."""
    con = _connect()
    try:
        con.execute(f"ATTACH '{paths.duckdb}' AS {_SERVED} (READ_ONLY)")
        left_out = write_xlsx(con, _SERVED, copied, paths.xlsx, docs, published_at)
    except BaseException:
        staging_name(paths.xlsx).unlink(missing_ok=True)
        raise
    finally:
        con.close()
    os.replace(staging_name(paths.xlsx), paths.xlsx)
    return left_out


def publish(
    warehouse: Path, serving_dir: Path, *, run_id: str | None = None, xlsx: bool = True
) -> PublishResult:
    """Publish schemas `marts` and `ref` of the build warehouse (a DuckDB file) to `serving_dir`.

    Call only after a successful build with no fatal failure (the orchestration decides that).
    DuckDB, Parquet and CSV switch together; the Excel workbook follows (it takes most of the time at
    province scale: Python writes every cell), then manifest.json. `xlsx=False` skips the workbook.
    On an error before the switch the served files stay as they were and PublishError/duckdb.Error is
    raised; leftovers are removed now or by the next publish. (A PostgreSQL warehouse: pg_publish.)
    """
    warehouse = Path(warehouse).resolve()

    def copier(paths: ServingPaths, docs: dict[str, TableDoc]) -> tuple[list[CopiedTable], Path]:
        return copy_warehouse(warehouse, paths.duckdb_tmp, docs), warehouse

    return publish_copy(serving_dir, copier, run_id=run_id, xlsx=xlsx)


# Writes the served temp copy (paths.duckdb_tmp) and returns its tables and the DuckDB file that holds
# raw.ingest_log / raw.dq_* for the data version.
Copier = Callable[[ServingPaths, dict[str, TableDoc]], tuple[list[CopiedTable], Path]]


def publish_copy(
    serving_dir: Path,
    copier: Copier,
    *,
    run_id: str | None = None,
    xlsx: bool = True,
    before_switch: Callable[[Version], None] | None = None,
) -> PublishResult:
    """The publish steps shared by both engines, from the copy `copier` writes.

    The copy is refused if it holds unmasked personal data (personal_guard). `before_switch(version)` runs
    once everything is staged and right before the files switch (on a server: the schema swap and its
    COMMIT); if it raises, nothing is published.
    """
    started = time.perf_counter()
    when = _now()
    published_at = when.isoformat(timespec="seconds")
    paths = serving_paths(serving_dir).ensure()
    with _publish_lock(paths):
        _clean_leftovers(paths)
        docs = load_descriptions()
        copied, raw_source = copier(paths, docs)
        previous = current_version(paths.parquet_root)
        version_dir = _new_version_dir(paths, when)
        data_version = None
        try:
            refuse_unmasked(paths.duckdb_tmp, copied)
            # the dated version (figures, lineage, inputs, rules) exists before any reader sees its id
            data_version = record_version(paths.root, paths.duckdb_tmp, raw_source, published_at, run_id)
            parquet_paths, csv_paths, staged = _stage(paths, copied, version_dir, docs)
            if before_switch is not None:
                before_switch(data_version)
        except BaseException:
            discard_version(data_version)
            prune_versions(paths.parquet_root, keep={p for p in (previous,) if p})
            _clean_leftovers(paths)
            raise
        _commit(paths, version_dir, staged)
        visible = time.perf_counter() - started
        # Keep the previous version: a reader that resolved `current` a moment ago can still finish.
        prune_versions(paths.parquet_root, keep={p for p in (version_dir, previous) if p})
        prune_data_versions(paths.root)  # retention: XMDW_VERSIONS_KEEP, and versions issued reports name
        left_out = _publish_xlsx(paths, copied, docs, published_at) if xlsx else []
        result = PublishResult(
            duckdb_path=paths.duckdb,
            parquet_dir=version_dir,
            tables={t.key: t.rows for t in copied},
            seconds=0.0,
            published_at=published_at,
            run_id=run_id,
            seconds_to_visible=visible,
            xlsx_path=paths.xlsx if xlsx else None,
            csv_paths=csv_paths,
            parquet_paths=parquet_paths,
            xlsx_left_out=left_out,
            bytes_duckdb=paths.duckdb.stat().st_size,
            version_id=data_version.version_id,
        )
        result.seconds = time.perf_counter() - started
        result.manifest_path = _write_manifest(paths, result, copied)
    return result

"""Parquet per table, one complete version per directory, published by flipping the `current` symlink.

Why versioned directories: a reader that lists parquet/current/ sees every table of one publish and
never a mix of old and new files. A reader that already resolved the link keeps reading its version;
the previous version is kept until the next publish, older ones are removed.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb

from xmdw.core.diskspace import DiskFullError, is_disk_full
from xmdw.core.faultpoints import pause_point
from xmdw.core.filemodes import SERVED_DIR, SERVED_FILE, chmod_quiet
from xmdw.serving.catalog import ChineseNames, TableDoc, chinese_names
from xmdw.serving.copy import CopiedTable

VERSION_PREFIX = "v"


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def kv_metadata(table: CopiedTable, docs: dict[str, TableDoc], names: ChineseNames | None) -> dict[str, str]:
    """The descriptions a Parquet file carries in its key-value metadata.

    Parquet's own schema has no per-column metadata: Arrow keeps field metadata inside its serialized
    schema (ARROW:schema), which DuckDB does not write and pyarrow is not a dependency. So the field-level
    descriptions go into one file-level key, `fields_zh` = {"<column>": {"description_zh", "label_zh"}},
    beside the table's `description_zh` and `label_zh` (read with DuckDB's parquet_kv_metadata() or
    pyarrow's schema.metadata)."""
    doc = docs.get(table.name, TableDoc())
    labels = names.columns if names else [c for c, _ in table.columns]
    fields = {
        col: {"description_zh": doc.columns.get(col, ""), "label_zh": label}
        for (col, _), label in zip(table.columns, labels, strict=True)
    }
    return {
        "description_zh": doc.description,
        "label_zh": names.table if names else table.name,
        "fields_zh": json.dumps(fields, ensure_ascii=False, separators=(",", ":")),
    }


def _kv_clause(table: CopiedTable, docs: dict[str, TableDoc], names: ChineseNames | None) -> str:
    return "{" + ", ".join(f"{_lit(k)}: {_lit(v)}" for k, v in kv_metadata(table, docs, names).items()) + "}"


def write_version(
    con: duckdb.DuckDBPyConnection,
    catalog: str,
    tables: list[CopiedTable],
    version_dir: Path,
    docs: dict[str, TableDoc] | None = None,
) -> dict[str, Path]:
    """Write every table of `catalog` (an attached served copy) to version_dir/<schema>/<table>.parquet,
    with the column descriptions in the file's metadata (kv_metadata)."""
    out: dict[str, Path] = {}
    names = chinese_names(tables, docs or {})
    for t in tables:
        path = version_dir / t.schema / f"{t.name}.parquet"
        for folder in (version_dir, path.parent):
            folder.mkdir(parents=True, exist_ok=True)
            chmod_quiet(folder, SERVED_DIR)
        try:
            con.execute(
                f'COPY (SELECT * FROM "{catalog}"."{t.schema}"."{t.name}") TO {_lit(str(path))} '
                f"(FORMAT parquet, COMPRESSION zstd, KV_METADATA {_kv_clause(t, docs or {}, names.get(t.key))})"
            )
        except duckdb.Error as e:
            if is_disk_full(e, version_dir):
                raise DiskFullError(f"发布 Parquet 时写入 {t.key} 失败", str(e)) from e
            raise
        os.chmod(path, SERVED_FILE)
        out[t.key] = path
    return out


def current_version(parquet_root: Path) -> Path | None:
    link = parquet_root / "current"
    if not link.is_symlink():
        return None
    target = parquet_root / os.readlink(link)
    return target if target.is_dir() else None


def flip_current(parquet_root: Path, version_dir: Path) -> None:
    """Point parquet/current at version_dir in one rename (a relative link: the folder can move)."""
    pause_point("publish.before_flip")
    tmp = parquet_root / ".current.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(version_dir.name, target_is_directory=True)
    os.replace(tmp, parquet_root / "current")


def prune_versions(parquet_root: Path, keep: set[Path]) -> list[Path]:
    """Remove version directories not in `keep`, including half-written ones from a crashed publish."""
    removed = []
    keep_names = {p.name for p in keep}
    for d in sorted(parquet_root.glob(f"{VERSION_PREFIX}*")):
        if d.is_dir() and not d.is_symlink() and d.name not in keep_names:
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
    return removed

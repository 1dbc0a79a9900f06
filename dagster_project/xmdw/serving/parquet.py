"""Parquet per table, one complete version per directory, published by flipping the `current` symlink.

Why versioned directories: a reader that lists parquet/current/ sees every table of one publish and
never a mix of old and new files. A reader that already resolved the link keeps reading its version;
the previous version is kept until the next publish, older ones are removed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from xmdw.diskspace import DiskFullError, is_disk_full
from xmdw.faultpoints import pause_point
from xmdw.filemodes import SERVED_DIR, SERVED_FILE, chmod_quiet
from xmdw.serving.copy import CopiedTable

VERSION_PREFIX = "v"


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def write_version(
    con: duckdb.DuckDBPyConnection, catalog: str, tables: list[CopiedTable], version_dir: Path
) -> dict[str, Path]:
    """Write every table of `catalog` (an attached served copy) to version_dir/<schema>/<table>.parquet."""
    out: dict[str, Path] = {}
    for t in tables:
        path = version_dir / t.schema / f"{t.name}.parquet"
        for folder in (version_dir, path.parent):
            folder.mkdir(parents=True, exist_ok=True)
            chmod_quiet(folder, SERVED_DIR)
        try:
            con.execute(
                f'COPY (SELECT * FROM "{catalog}"."{t.schema}"."{t.name}") TO {_lit(str(path))} '
                "(FORMAT parquet, COMPRESSION zstd)"
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

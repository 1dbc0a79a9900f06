"""A full disk says so, in Chinese, instead of `sqlite3.OperationalError: disk I/O error`.

A run needs room for the warehouse's WAL, dbt's rebuilt tables, a second copy of the served file and the
reports. Two defences: a check of the free space before a run starts (`check_free_space`), and the
recognition of a disk-full error wherever it surfaces (`is_disk_full`) — DuckDB, SQLite (Dagster's run
history), xlsxwriter and plain file writes all word it differently. Whatever failed, publishing renames
a complete new copy over the old one only at the very end, so the served data stay as they were.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

# Below this much free space a run is not started (it would fail half-way). XMDW_MIN_FREE_MB overrides.
DEFAULT_MIN_FREE_MB = 200
EXIT_DISK_FULL = 28  # ENOSPC, for scripts that call xmdw

_FULL_TEXTS = (
    "no space left on device",
    "database or disk is full",
    "disk quota exceeded",
    "not enough space on the disk",
    "enospc",
    "[errno 28]",
    "[errno 122]",
)
# SQLite reports a failed write as a generic I/O error; it counts as disk full only when the disk is.
_GENERIC_IO_TEXTS = ("disk i/o error",)
_NEARLY_FULL_BYTES = 64 * 1024 * 1024


class DiskFullError(OSError):
    """The disk of the data directory is full; nothing published was changed."""

    exit_code = EXIT_DISK_FULL

    def __init__(self, where: str, detail: str = "", published_this_run: bool = False) -> None:
        self.where = where
        # A failure after the publish step (a report) leaves the new, complete copy served.
        kept = "本次运行已完成发布，BI 数据为新数据" if published_this_run else "已发布的数据保持不变"
        text = f"磁盘空间不足：{where}，{kept}。请清理磁盘后重新运行。"
        if detail:
            text += f"\n  disk full — the published data are unchanged ({detail})"
        super().__init__(errno.ENOSPC, text)

    def __str__(self) -> str:
        return self.strerror or ""


def min_free_bytes() -> int:
    return int(float(os.environ.get("XMDW_MIN_FREE_MB", DEFAULT_MIN_FREE_MB)) * 1024 * 1024)


def free_bytes(folder: Path) -> int:
    folder = Path(folder)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return shutil.disk_usage(folder).free


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def check_free_space(folder: Path, needed: int | None = None) -> None:
    """Refuse to start a run on a disk that cannot hold it (DiskFullError with both figures)."""
    needed = min_free_bytes() if needed is None else needed
    free = free_bytes(folder)
    if free < needed:
        raise DiskFullError(
            f"数据目录 {folder} 所在磁盘仅剩 {_mb(free)}，运行至少需要 {_mb(needed)}（XMDW_MIN_FREE_MB）",
            f"{_mb(free)} free, {_mb(needed)} needed",
        )


def _texts(exc: BaseException | None, seen: set[int] | None = None) -> list[tuple[BaseException, str]]:
    """Every exception in the cause/context chain with its lower-cased text."""
    seen = seen if seen is not None else set()
    out = []
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        out.append((exc, f"{type(exc).__name__}: {exc}".lower()))
        exc = exc.__cause__ or exc.__context__
    return out


def text_means_disk_full(text: str, folder: Path | None = None) -> bool:
    """Does an error text (from any library, or a Dagster step failure) mean the disk is full?"""
    text = text.lower()
    if any(t in text for t in _FULL_TEXTS):
        return True
    if folder is not None and any(t in text for t in _GENERIC_IO_TEXTS):
        return free_bytes(folder) < _NEARLY_FULL_BYTES
    return False


def is_disk_full(exc: BaseException, folder: Path | None = None) -> bool:
    for e, text in _texts(exc):
        if isinstance(e, DiskFullError):
            return True
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if text_means_disk_full(text, folder):
            return True
    return False

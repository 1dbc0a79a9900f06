"""The landing folder as untrusted input: list it without following anything, refuse what is not a file,
and leave a file that is still being copied for the next run.

Only regular files are ingested. A symlink (to /etc/passwd or anywhere), a device, FIFO or socket, and a
folder named like a ledger (`台账.xlsx/`) are moved aside into quarantine as they are — renamed, never
opened or followed — with a .reason.json. Other folders are walked (units may use sub-folders); links to
folders are refused like any link.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from xmdw.core.settings import IngestLimits
from xmdw.ingestion.safe_io import display_name
from xmdw.ingestion.workbook import SUPPORTED_SUFFIXES

NOT_A_FILE_RULE = "ING-NOTFILE"
KIND_ZH = {
    "symlink": "符号链接（快捷方式）",
    "device": "设备文件",
    "fifo": "命名管道（FIFO）",
    "socket": "套接字",
    "directory": "以文件名命名的文件夹",
    "other": "特殊文件",
}


@dataclass(frozen=True)
class Entry:
    path: Path
    size: int
    mtime_ns: int

    @property
    def signature(self) -> tuple[int, int]:
        return self.size, self.mtime_ns


@dataclass
class LandingScan:
    files: list[Entry] = field(default_factory=list)  # regular files, oldest first
    refused: list[tuple[Path, str]] = field(default_factory=list)  # (path, kind)


def _ignored(name: str) -> bool:
    """Excel lock files (~$x.xlsx), hidden files, our own reason files and copies in progress."""
    return name.startswith((".", "~$")) or name.endswith(".reason.json")


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "other"


def scan_landing(folder: Path) -> LandingScan:
    """Everything in `folder` (sub-folders included), classified by lstat: nothing is followed or opened."""
    out = LandingScan()
    if not folder.is_dir():
        if folder.is_file() and not folder.is_symlink():
            st = folder.lstat()
            out.files.append(Entry(folder, st.st_size, st.st_mtime_ns))
        return out
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue  # a folder removed or unreadable while we walk: nothing to take from it this run
        for e in entries:
            path = Path(e.path)
            try:
                st = e.stat(follow_symlinks=False)
            except OSError:
                continue  # gone since the listing
            if stat.S_ISDIR(st.st_mode):
                if path.suffix.lower() in SUPPORTED_SUFFIXES:
                    out.refused.append((path, "directory"))
                elif not e.name.startswith("."):
                    pending.append(path)
                continue
            if _ignored(e.name) and not stat.S_ISLNK(st.st_mode):
                continue
            if stat.S_ISREG(st.st_mode):
                out.files.append(Entry(path, st.st_size, st.st_mtime_ns))
            else:
                out.refused.append((path, _kind(st.st_mode)))
    out.files.sort(key=lambda x: (x.mtime_ns, display_name(x.path.name)))
    out.refused.sort(key=lambda x: str(x[0]))
    return out


def landing_files(folder: Path) -> list[Path]:
    """Regular files a unit dropped, oldest first (links and special files are not files)."""
    return [e.path for e in scan_landing(folder).files]


def current_signature(path: Path) -> tuple[int, int] | None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    return (st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None


def settle(files: list[Entry], limits: IngestLimits, pause=time.sleep) -> tuple[list[Entry], list[Entry]]:
    """(ready, still being written). A file modified within the settle window is looked at again after a
    short pause (one pause per batch); if its size or modification time changed it is left for the next
    run. Older files are ready without waiting."""
    now_ns = time.time_ns()
    young = [e for e in files if now_ns - e.mtime_ns < limits.settle_seconds * 1e9]
    if not young:
        return files, []
    pause(limits.recheck_seconds)
    moving = {e.path for e in young if current_signature(e.path) not in (e.signature, None)}
    return [e for e in files if e.path not in moving], [e for e in files if e.path in moving]


def is_young(path: Path, limits: IngestLimits) -> bool:
    """Modified within the settle window (a copy may still be in progress)."""
    try:
        age = time.time() - os.lstat(path).st_mtime
    except OSError:
        return False
    return age < limits.settle_seconds

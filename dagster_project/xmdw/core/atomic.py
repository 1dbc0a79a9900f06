"""Write a file so that readers (and a kill -9) only ever see the old complete file or the new one.

Every report the project writes goes through `atomic_path` (a path for libraries that open the file
themselves: xlsxwriter, reportlab) or `atomic_write` (a file object): the content is written to a
dot-named temp file in the same folder, flushed to disk, given its final mode, and renamed over the
target (`os.replace`, atomic on one filesystem). A process killed mid-write leaves the previous file
intact and at most a dot-named temp file, which the next write of the same target removes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from xmdw.core.filemodes import OWNER_FILE

TMP_SUFFIX = ".tmp"
# Temp names carry the writer's pid so a leftover can be told from a write still in progress.
_NAME_MAX = 80


def _tmp_prefix(final: Path) -> str:
    """`.<name>.` — long names are shortened with a hash so the temp name stays under NAME_MAX."""
    name = final.name
    if len(name.encode()) > _NAME_MAX:
        name = hashlib.sha256(name.encode()).hexdigest()[:16] + final.suffix
    return f".{name}."


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temps(final: Path) -> list[Path]:
    """Remove temp files of `final` left by writers that no longer run (killed mid-write)."""
    removed = []
    prefix = _tmp_prefix(final)
    if not final.parent.is_dir():
        return removed
    for p in final.parent.glob(f"{prefix}*{TMP_SUFFIX}"):
        pid_text = p.name[len(prefix) :].split(".", 1)[0]
        if pid_text.isdigit() and _pid_alive(int(pid_text)) and int(pid_text) != os.getpid():
            continue
        p.unlink(missing_ok=True)
        removed.append(p)
    return removed


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (power loss, not only kill -9)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(final: Path, mode: int = OWNER_FILE) -> Iterator[Path]:
    """Yield a temp path beside `final`; when the block ends without error, rename it over `final`.

    On an error (or KeyboardInterrupt) the temp file is removed and `final` is untouched.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(final)
    tmp = final.with_name(f"{_tmp_prefix(final)}{os.getpid()}.{os.urandom(4).hex()}{TMP_SUFFIX}")
    # Created now (owner-only, exclusive) so the name is ours; the writer may overwrite it.
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_FILE))
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, mode)
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(final.parent)


@contextlib.contextmanager
def atomic_write(
    final: Path, mode: str = "w", encoding: str | None = "utf-8", file_mode: int = OWNER_FILE
) -> Iterator[IO]:
    """`open(final, mode)` that replaces `final` only once the whole content is written."""
    binary = "b" in mode
    with atomic_path(final, file_mode) as tmp, open(tmp, mode, encoding=None if binary else encoding) as fh:
        yield fh


def write_text_atomic(final: Path, text: str, encoding: str = "utf-8", file_mode: int = OWNER_FILE) -> Path:
    with atomic_write(final, "w", encoding=encoding, file_mode=file_mode) as fh:
        fh.write(text)
    return Path(final)

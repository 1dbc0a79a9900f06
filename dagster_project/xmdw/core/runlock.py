"""One xmdw run at a time per data directory: a second `xmdw run`/`xmdw ingest` waits, or says why not.

DuckDB allows one writer per file; two runs at once used to end in an English DuckDB lock traceback.
The run holds an exclusive `flock` on `data/.xmdw-run.lock` and writes its pid and start time into it,
so the next one can say in Chinese who it is waiting for. The kernel drops the lock when the holder
exits, however it exits (kill -9 included): there is no stale lock to clean up.

Re-entrant within a process (the CLI takes it for the whole command, `run_pipeline` again per job).
Runs started by the Dagster daemon queue among themselves (max_concurrent_runs: 1) but do not take
this lock.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

try:  # POSIX only; the warehouse runs on Linux servers.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

from xmdw.core.console import now_cst
from xmdw.core.filemodes import OWNER_FILE

EXIT_BUSY = 75  # EX_TEMPFAIL: try again later
_POLL_SECONDS = 0.5
_held: dict[Path, tuple[object, int]] = {}  # lock path -> (open file, depth) held by this process


class RunInProgress(RuntimeError):
    """Another xmdw run holds the data directory and we were told not to wait (longer)."""

    exit_code = EXIT_BUSY


def _holder(path: Path) -> str:
    """'进程 N，开始于 …' from the lock file (written by the holder), or what we can say without it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    if len(lines) >= 2 and lines[0].strip().isdigit():
        return f"进程 {lines[0].strip()}，开始于 {lines[1].strip()}"
    return "进程未知，开始时间未知"


def busy_message(path: Path, waiting: bool) -> str:
    head = f"另一个 xmdw 运行正在进行（{_holder(path)}）"
    if waiting:
        return head + "，等待其结束…"
    return head + "，本次未运行，请稍后再试。 — another xmdw run is in progress; nothing was done."


def _try_lock(fh) -> bool:
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _write_holder(fh, command: str) -> None:
    started = now_cst().strftime("%Y-%m-%d %H:%M:%S") + "（北京时间）"
    fh.seek(0)
    fh.truncate()
    fh.write(f"{os.getpid()}\n{started}\n{command}\n")
    fh.flush()


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@contextlib.contextmanager
def run_lock(
    path: Path, wait: float | None = None, say: Callable[[str], None] = _say, command: str = ""
) -> Iterator[None]:
    """Hold the run lock at `path` (DataPaths.run_lock) for the block.

    wait=None waits as long as it takes, saying once why; wait=0 raises RunInProgress at once;
    wait=N raises it after N seconds.
    """
    path = Path(path)
    if fcntl is None:  # pragma: no cover
        yield
        return
    if path in _held:  # this process already runs: the CLI holds it, run_pipeline re-enters
        fh, depth = _held[path]
        _held[path] = (fh, depth + 1)
        try:
            yield
        finally:
            _held[path] = (fh, _held[path][1] - 1)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, OWNER_FILE)
    fh = os.fdopen(fd, "r+", encoding="utf-8")
    try:
        _acquire(fh, path, wait, say)
        _write_holder(fh, command or " ".join(sys.argv))
        _held[path] = (fh, 1)
        try:
            yield
        finally:
            del _held[path]
            fcntl.flock(fh, fcntl.LOCK_UN)
    finally:
        fh.close()


def _acquire(fh, path: Path, wait: float | None, say: Callable[[str], None]) -> None:
    if _try_lock(fh):
        return
    if wait is not None and wait <= 0:
        raise RunInProgress(busy_message(path, waiting=False))
    say(busy_message(path, waiting=True))
    if wait is None:
        fcntl.flock(fh, fcntl.LOCK_EX)
        return
    deadline = time.monotonic() + wait
    while not _try_lock(fh):
        if time.monotonic() >= deadline:
            raise RunInProgress(busy_message(path, waiting=False))
        time.sleep(_POLL_SECONDS)

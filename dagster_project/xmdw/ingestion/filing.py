"""Where a landing file goes after ingestion: the archive (by content hash), the quarantine (with a
.reason.json), or aside into the quarantine unopened (a symlink, device, FIFO or folder).

Stored names are made safe (`safe_io.safe_name`: any length, any character); the original name is kept in
the .reason.json and in raw.ingest_log. Everything written here is owner-only (0600, folders 0700).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from xmdw.core.paths import DataPaths
from xmdw.ingestion.landing import KIND_ZH, NOT_A_FILE_RULE
from xmdw.ingestion.problems import Problem
from xmdw.ingestion.safe_io import (
    copy_private,
    display_name,
    make_private,
    private_dir,
    safe_name,
    write_private_text,
)
from xmdw.warehouse import store


def unique_target(folder: Path, name: str, tag: str) -> Path:
    """folder/<safe name>, or <stem>.<tag><suffix> when that is taken (another file of the same name)."""
    target = folder / safe_name(name)
    if os.path.lexists(target):
        p = Path(target.name)
        target = folder / f"{p.stem}.{tag[:8]}{p.suffix}"
    return target


def reason_path(target: Path) -> Path:
    return target.with_name(f"{target.name}.reason.json")


def write_reason(target: Path, original: Path, sha: str | None, problem: Problem, **extra: object) -> None:
    reason = {
        "file": display_name(original.name),
        "stored_as": target.name,
        "sha256": sha,
        "rule": problem.rule,
        "sheet": problem.sheet,
        "row": problem.row,
        "column": problem.column,
        "message_zh": problem.located_zh(),
        "message_en": problem.located_en(),
        "quarantined_at": store.now().isoformat(),
        **extra,
    }
    write_private_text(reason_path(target), json.dumps(reason, ensure_ascii=False, indent=2))


def quarantine(path: Path, sha: str, problem: Problem, paths: DataPaths, consume: bool) -> Path:
    """Move (landing) or copy (other paths) a file into quarantine with its reason; returns where it went."""
    folder = private_dir(paths.quarantine)
    target = unique_target(folder, path.name, sha)
    if consume:
        try:
            os.rename(path, target)  # same file system: the file is never read or followed
        except OSError:
            copy_private(path, target)
            path.unlink()
        make_private(target)
    else:
        copy_private(path, target)
    write_reason(target, path, sha, problem)
    return target


def archive(path: Path, sha: str, paths: DataPaths) -> Path:
    """A private copy of an accepted file under archive/<sha[:2]>/<sha>/<safe name> (kept once per name)."""
    folder = private_dir(paths.archive / sha[:2] / sha)
    private_dir(folder.parent)
    target = folder / safe_name(path.name)
    if not target.exists():
        copy_private(path, target)
    return target


def not_a_file_problem(path: Path, kind: str) -> Problem:
    target = ""
    if kind == "symlink":
        try:
            target = display_name(os.readlink(path))  # the link's text: read, never followed
        except OSError:
            target = "?"
    zh_target = f"（指向 {target}）" if target else ""
    return Problem(
        NOT_A_FILE_RULE,
        f"“{display_name(path.name)}”是{KIND_ZH[kind]}{zh_target}，不是普通文件：不读取、不跟随，已移出接收目录。"
        "请直接放入台账文件本身",
        f"'{display_name(path.name)}' is a {kind}{f' (to {target})' if target else ''}, not a regular file: "
        "never read or followed, moved out of landing; drop the ledger file itself",
    )


def move_aside(path: Path, kind: str, paths: DataPaths) -> tuple[Path | None, Problem]:
    """Rename a non-file entry into quarantine unopened (a link stays a link, a FIFO a FIFO). Returns
    (where it went or None if it could not be moved, the problem); a link that cannot be moved is removed
    so that it is not met again on every run."""
    problem = not_a_file_problem(path, kind)
    folder = private_dir(paths.quarantine)
    target = unique_target(folder, path.name, os.urandom(4).hex())
    try:
        os.rename(path, target)
    except OSError:
        if kind == "symlink":
            with contextlib.suppress(OSError):
                os.unlink(path)
        return None, problem
    if kind == "directory":
        make_private(target)
    write_reason(target, path, None, problem, kind=kind)
    return target, problem


def remove_from_landing(path: Path) -> None:
    """After an accepted or duplicate file is archived. A failure (permissions) is not the file's fault:
    it stays, and the next run sees it as a duplicate."""
    with contextlib.suppress(OSError):
        os.unlink(path)

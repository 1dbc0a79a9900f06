"""File-system primitives for untrusted landing files: open without following links, store under any name,
write owner-only.

A landing folder is written by many people (and, on a county intranet, by a file share): a name can be
250 bytes long, hold a newline or bytes that are not UTF-8, and an entry can be swapped for a symlink
between listing and reading. Everything ingestion stores under data/ goes through these functions.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
# NAME_MAX is 255 bytes on Linux file systems; room is kept for ".reason.json" and a ".<sha8>" suffix.
MAX_NAME_BYTES = 200
CHUNK = 1 << 20


class NotRegularFile(OSError):
    """The path is a symlink, device, FIFO, socket or directory: it is never opened."""


def display_name(name: str) -> str:
    """The name as text that can go into JSON and DuckDB: bytes that are not UTF-8 (file names unpacked
    from a Windows zip are often GBK) become U+FFFD instead of lone surrogates."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def safe_name(name: str, max_bytes: int = MAX_NAME_BYTES) -> str:
    """A name that can be stored in any folder: control characters replaced, not hidden, and, when too
    long, shortened on a character boundary with a hash of the full name so two long names stay apart."""
    shown = display_name(name)
    clean = "".join("_" if (ord(ch) < 32 or ch in "/\\\x7f") else ch for ch in shown).strip() or "_"
    if clean.startswith("."):
        clean = "_" + clean
    if len(clean.encode("utf-8")) <= max_bytes:
        return clean
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    suffix = Path(clean).suffix
    suffix = suffix if len(suffix.encode("utf-8")) <= 16 else ""
    room = max_bytes - len(suffix.encode("utf-8")) - len(digest) - 1
    stem = clean[: len(clean) - len(suffix)] if suffix else clean
    stem = stem.encode("utf-8")[:room].decode("utf-8", "ignore")
    return f"{stem}~{digest}{suffix}"


@contextmanager
def open_regular(path: Path) -> Iterator[BinaryIO]:
    """Open a landing file for reading, refusing anything that is not a regular file at open time.

    O_NOFOLLOW refuses a symlink even if it replaced the file after listing; O_NONBLOCK keeps a FIFO
    from blocking the open (it is then refused by the fstat check without a byte being read)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK):
            raise NotRegularFile(exc.errno, "symbolic link", str(path)) from exc
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file", str(path))
        os.set_blocking(fd, True)
        f = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with f:
        yield f


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open_regular(path) as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def private_dir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, PRIVATE_DIR)
    return folder


def copy_private(src: Path, target: Path) -> None:
    """Copy a landing file (never through a link) to a new owner-only file; the copy is complete or absent."""
    tmp = target.with_name(f".{target.name[:MAX_NAME_BYTES]}.part")
    with open_regular(src) as f:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, PRIVATE_FILE)
        with os.fdopen(fd, "wb") as out:
            for chunk in iter(lambda: f.read(CHUNK), b""):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    os.replace(tmp, target)


def write_private_text(target: Path, text: str) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, PRIVATE_FILE)
    with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as f:  # never fail on a stray surrogate
        f.write(text)
    os.chmod(target, PRIVATE_FILE)  # an existing file keeps its mode on O_CREAT


def make_private(path: Path) -> None:
    """Owner-only permissions on an entry we just moved in: 600 for a file, 700 for a folder. Anything else
    (a symlink, device or FIFO moved aside) is never opened, so it is left as it is."""
    mode = os.lstat(path).st_mode
    if stat.S_ISDIR(mode):
        os.chmod(path, PRIVATE_DIR)
    elif stat.S_ISREG(mode):
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        try:
            os.fchmod(fd, PRIVATE_FILE)
        finally:
            os.close(fd)

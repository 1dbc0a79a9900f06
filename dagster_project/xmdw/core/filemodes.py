"""File permissions of everything xmdw writes (decisions: owner-only data, a read-only served copy).

The warehouse, the archive, the quarantine, reports and the Dagster history hold every unit's ledgers:
they are readable by the account that runs xmdw only (files 0600, folders 0700). The process umask is set
once, when the data directory is prepared (`DataPaths.ensure`, called by every entry point through
`configure_environment`), so files created by DuckDB, dbt, Dagster's SQLite and xlsxwriter inherit it.

The served copy (`data/serving/`) is what BI tools read, often under another account: it is readable by
the owner's group (put the BI account in that group), never by others, and the served DuckDB file is
read-only on disk (0440), so a client that opens it without `read_only` fails instead of changing it.
The publisher replaces it by renaming a new file over it, which needs write access to the folder only.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

UMASK = 0o077
OWNER_FILE = 0o600
OWNER_DIR = 0o700
# The data root: the owner's group may traverse it (not list it) to reach serving/.
DATA_ROOT_DIR = 0o710
SERVED_DIR = 0o750
SERVED_FILE = 0o640
SERVED_DUCKDB = 0o440


def restrict_umask() -> None:
    """New files of this process (and of dbt/DuckDB/SQLite within it or started by it): owner-only."""
    os.umask(UMASK)


def chmod_quiet(path: Path, mode: int) -> None:
    """chmod that tolerates a file removed meanwhile or owned by someone else (a shared data folder)."""
    with contextlib.suppress(FileNotFoundError, PermissionError):
        os.chmod(path, mode)


def tighten(path: Path, mode: int) -> None:
    """Remove permission bits beyond `mode` (never adds any): an existing folder/file made before."""
    try:
        current = path.stat().st_mode & 0o777
    except FileNotFoundError:
        return
    if current & ~mode:
        chmod_quiet(path, current & mode)

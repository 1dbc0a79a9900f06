"""raw.ingest_log rows of files that are not loaded this run: moved aside (not a regular file), deferred
(still being written) or skipped (gone since the listing)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from xmdw.core.paths import DataPaths
from xmdw.ingestion import filing
from xmdw.ingestion.problems import Problem
from xmdw.ingestion.safe_io import display_name
from xmdw.warehouse import store
from xmdw.warehouse.store import Connection


def log_base(run_id: str, path: Path, sha: str | None) -> dict:
    try:
        size = os.lstat(path).st_size
    except OSError:
        size = None
    return {
        "log_id": uuid.uuid4().hex,
        "run_id": run_id,
        "file_id": sha[:16] if sha else None,
        "file_name": display_name(path.name),
        "sha256": sha,
        "size_bytes": size,
        "ingested_at": store.now(),
    }


def note(con: Connection, run_id: str, path: Path, status: str, problem: Problem) -> str:
    """A file not ingested this run and not quarantined: 'deferred' (still being written) or 'skipped'.
    Returns the name as logged."""
    log = log_base(run_id, path, None)
    store.insert_records(
        con,
        "ingest_log",
        [
            log
            | {
                "status": status,
                "reason_rule": problem.rule,
                "reason_zh": problem.located_zh(),
                "reason_en": problem.located_en(),
            }
        ],
    )
    return log["file_name"]


def move_aside(
    con: Connection, run_id: str, path: Path, kind: str, paths: DataPaths
) -> tuple[str, Path | None, Problem]:
    """Move a non-file entry into quarantine unopened and log it: (name as logged, where, problem)."""
    target, problem = filing.move_aside(path, kind, paths)
    log = log_base(run_id, path, None)
    store.insert_records(
        con,
        "ingest_log",
        [
            log
            | {
                "status": "quarantined",
                "stored_path": str(target) if target else None,
                "reason_rule": problem.rule,
                "reason_zh": problem.located_zh(),
                "reason_en": problem.located_en(),
            }
        ],
    )
    return log["file_name"], target, problem

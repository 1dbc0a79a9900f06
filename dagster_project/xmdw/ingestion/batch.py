"""Ingest a batch of landing files: parse, load, archive by content hash, quarantine with reason.

One bad file never stops the batch. Every file gets one ingest_log row per attempt.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from xmdw.contract import Contract, load_contract
from xmdw.ingestion import store
from xmdw.ingestion.parser import ParsedFile, parse_file
from xmdw.ingestion.problems import FileRejected, Problem
from xmdw.ingestion.workbook import SUPPORTED_SUFFIXES
from xmdw.paths import DataPaths


@dataclass
class FileOutcome:
    file_name: str
    status: str  # accepted | duplicate | quarantined
    entity: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    rows_revised: int = 0
    reason: Problem | None = None
    stored_path: str | None = None


@dataclass
class BatchResult:
    run_id: str
    outcomes: list[FileOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def total(self, attr: str) -> int:
        return sum(getattr(o, attr) for o in self.outcomes)

    def rows_by_entity(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for o in self.outcomes:
            if o.entity:
                out[o.entity] = out.get(o.entity, 0) + o.rows_loaded
        return out


ProgressFn = Callable[[int, int, FileOutcome], None]


def landing_files(folder: Path) -> list[Path]:
    """Files a unit dropped, oldest first; Excel lock files (~$x.xlsx) and hidden files are left alone."""
    if folder.is_file():
        return [folder]
    files = [
        p
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith((".", "~$")) and not p.name.endswith(".reason.json")
    ]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _unique_target(folder: Path, name: str, sha: str) -> Path:
    target = folder / name
    if target.exists():
        p = Path(name)
        target = folder / f"{p.stem}.{sha[:8]}{p.suffix}"
    return target


def _quarantine(path: Path, sha: str, problem: Problem, paths: DataPaths, consume: bool) -> Path:
    target = _unique_target(paths.quarantine, path.name, sha)
    (shutil.move if consume else shutil.copy2)(str(path), target)
    reason = {
        "file": path.name,
        "sha256": sha,
        "rule": problem.rule,
        "sheet": problem.sheet,
        "row": problem.row,
        "column": problem.column,
        "message_zh": problem.located_zh(),
        "message_en": problem.located_en(),
        "quarantined_at": store.now().isoformat(),
    }
    Path(f"{target}.reason.json").write_text(
        json.dumps(reason, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return target


def _archive(path: Path, sha: str, paths: DataPaths, consume: bool) -> Path:
    folder = paths.archive / sha[:2] / sha
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if not target.exists():
        shutil.copy2(path, target)
    if consume:
        path.unlink()
    return target


def _log_base(run_id: str, path: Path, sha: str) -> dict:
    return {
        "log_id": uuid.uuid4().hex,
        "run_id": run_id,
        "file_id": sha[:16],
        "file_name": path.name,
        "sha256": sha,
        "size_bytes": path.stat().st_size,
        "ingested_at": store.now(),
    }


def _load_parsed(
    con: duckdb.DuckDBPyConnection, parsed: ParsedFile, log: dict, archived: Path
) -> FileOutcome:
    entity = parsed.entity
    assert entity is not None
    lineage = {
        "file_id": log["file_id"],
        "file_name": log["file_name"],
        "sha256": log["sha256"],
        "ingested_at": log["ingested_at"],
    }
    ctx = parsed.context
    con.execute("BEGIN TRANSACTION")
    try:
        revised = store.insert_rows(con, entity, parsed.rows, lineage)
        store.insert_records(
            con,
            "rejected_rows",
            [
                {
                    "log_id": log["log_id"],
                    "file_id": log["file_id"],
                    "file_name": log["file_name"],
                    "entity": entity.name,
                    "submitting_unit": ctx.submitting_unit,
                    "sheet": p.sheet,
                    "source_row": p.row,
                    "column_header": p.column,
                    "rule": p.rule,
                    "value": p.value,
                    "message_zh": p.message_zh,
                    "message_en": p.message_en,
                    "ingested_at": log["ingested_at"],
                }
                for p in parsed.rejected
            ],
        )
        store.insert_records(
            con,
            "skipped_rows",
            [
                {"file_id": log["file_id"], "sheet": s.name, "source_row": row, "kind": kind}
                for s in parsed.sheets
                for row, kind in s.skipped_rows
            ],
        )
        outcome = FileOutcome(
            log["file_name"],
            "accepted",
            entity.name,
            parsed.rows_read,
            len(parsed.rows),
            parsed.rows_rejected,
            parsed.rows_skipped,
            revised,
            stored_path=str(archived),
        )
        store.insert_records(
            con,
            "ingest_log",
            [
                log
                | {
                    "status": "accepted",
                    "entity": entity.name,
                    "encoding": parsed.encoding,
                    "submitting_unit": ctx.submitting_unit,
                    "period_year": ctx.year,
                    "period_month": ctx.month,
                    "region_code": ctx.region_code,
                    "rows_read": outcome.rows_read,
                    "rows_loaded": outcome.rows_loaded,
                    "rows_rejected": outcome.rows_rejected,
                    "rows_skipped": outcome.rows_skipped,
                    "rows_revised": revised,
                    "skipped_by_kind": store.as_json(parsed.skipped_by_kind),
                    "money_units": store.as_json(parsed.money_units),
                    "unknown_columns": store.as_json(parsed.unknown_columns),
                    "stored_path": str(archived),
                }
            ],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return outcome


def ingest_file(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    paths: DataPaths,
    run_id: str,
    contract: Contract,
    consume: bool,
) -> FileOutcome:
    sha = sha256_of(path)
    log = _log_base(run_id, path, sha)
    if store.sha_already_loaded(con, sha):
        archived = _archive(path, sha, paths, consume)
        store.insert_records(con, "ingest_log", [log | {"status": "duplicate", "stored_path": str(archived)}])
        return FileOutcome(path.name, "duplicate", stored_path=str(archived))
    try:
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise FileRejected(
                Problem(
                    "ING-F0",
                    f"不支持的文件类型“{path.suffix}”，请提交 .xlsx 或 .csv 文件",
                    f"unsupported file type '{path.suffix}': submit .xlsx or .csv",
                )
            )
        parsed = parse_file(path, contract)
    except FileRejected as rej:
        target = _quarantine(path, sha, rej.problem, paths, consume)
        p = rej.problem
        store.insert_records(
            con,
            "ingest_log",
            [
                log
                | {
                    "status": "quarantined",
                    "stored_path": str(target),
                    "reason_rule": p.rule,
                    "reason_zh": p.located_zh(),
                    "reason_en": p.located_en(),
                }
            ],
        )
        return FileOutcome(path.name, "quarantined", reason=p, stored_path=str(target))
    archived = _archive(path, sha, paths, consume=False)
    outcome = _load_parsed(con, parsed, log, archived)
    if consume:
        path.unlink()
    return outcome


def ingest_paths(
    files: list[Path],
    paths: DataPaths,
    con: duckdb.DuckDBPyConnection,
    run_id: str | None = None,
    progress: ProgressFn | None = None,
    contract: Contract | None = None,
) -> BatchResult:
    """Ingest files in order. Files inside the landing folder are moved out; others are copied."""
    contract = contract or load_contract()
    paths.ensure()
    store.ensure_schema(con, contract)
    result = BatchResult(run_id or uuid.uuid4().hex[:12])
    landing = paths.landing.resolve()
    for i, path in enumerate(files, start=1):
        consume = landing in path.resolve().parents
        outcome = ingest_file(path, con, paths, result.run_id, contract, consume)
        result.outcomes.append(outcome)
        if progress:
            progress(i, len(files), outcome)
    return result


def ingest_landing(
    paths: DataPaths, progress: ProgressFn | None = None, run_id: str | None = None
) -> BatchResult:
    """Ingest everything in the landing folder into the warehouse (opens and closes the DuckDB file)."""
    paths.ensure()
    con = duckdb.connect(str(paths.warehouse))
    try:
        return ingest_paths(landing_files(paths.landing), paths, con, run_id, progress)
    finally:
        con.close()

"""Ingest a batch of landing files: parse, load, archive by content hash, quarantine with reason.

Nothing one file does can stop the batch: any exception while reading, parsing or loading it rolls its
load back and quarantines it (rule ING-CRASH, error class and message in the .reason.json and the log),
and the next file goes on. A file still being copied is left in landing for the next run (status
'deferred'); a file gone since the listing is noted (status 'skipped'); links, devices, FIFOs and folders
named like files are moved aside unopened (ING-NOTFILE). A file with no data row is 空表 (ING-EMPTY).
Every file gets one ingest_log row per attempt.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from xmdw.contract import Contract, load_contract
from xmdw.core.paths import DataPaths
from xmdw.core.settings import ingest_bulk, ingest_limits, ingest_workers
from xmdw.ingestion import diagnosis, file_log, filing
from xmdw.ingestion.bulk_batch import BulkDriver
from xmdw.ingestion.landing import current_signature, is_young, landing_files, scan_landing, settle
from xmdw.ingestion.outcomes import BatchResult, FileOutcome
from xmdw.ingestion.parallel import ParseAhead
from xmdw.ingestion.parser import ParsedFile, parse_workbook
from xmdw.ingestion.problems import FileRejected, Problem
from xmdw.ingestion.refusals import GONE, STILL_WRITING, crash_problem, refuse_empty
from xmdw.ingestion.safe_io import NotRegularFile, display_name, sha256_of
from xmdw.ingestion.workbook import CSV_SUFFIXES, SUPPORTED_SUFFIXES
from xmdw.warehouse import store
from xmdw.warehouse.engine import EngineSettings, open_warehouse
from xmdw.warehouse.store import Connection

__all__ = ["BatchResult", "FileOutcome", "ingest_file", "ingest_landing", "ingest_paths", "landing_files"]


ProgressFn = Callable[[int, int, FileOutcome], None]
ParseFn = Callable[[Path, Contract], list[ParsedFile]]
Signature = tuple[int, int]  # (size, mtime_ns) of a landing file when it was listed
_pause = time.sleep  # between the two looks at young landing files (tests replace it)


def _lineage(log: dict) -> dict:
    """The file's identity stamped on every raw row, so each figure traces back to its file."""
    return {
        "file_id": log["file_id"],
        "file_name": log["file_name"],
        "sha256": log["sha256"],
        "ingested_at": log["ingested_at"],
    }


def _skipped_row_records(parsed: ParsedFile, log: dict, entity_name: str) -> list[dict]:
    """raw.skipped_rows: every non-data row (title, total, note…) by sheet, so a clerk can see why."""
    return [
        {
            "file_id": log["file_id"],
            "sheet": s.name,
            "source_row": row,
            "kind": kind,
            "entity": entity_name,
        }
        for s in parsed.sheets
        for row, kind in s.skipped_rows
    ]


def _accepted_outcome(
    parsed: ParsedFile, log: dict, entity_name: str, revised: int, archived: Path
) -> FileOutcome:
    # a row with several findings counts once: the figure is rows kept with a gap, not gaps
    return FileOutcome(
        log["file_name"],
        "accepted",
        entity_name,
        parsed.rows_read,
        len(parsed.rows),
        parsed.rows_rejected,
        parsed.rows_skipped,
        revised,
        stored_path=str(archived),
        rows_with_findings=len({(p.sheet, p.row) for p in parsed.findings}),
    )


def _accepted_log_record(parsed: ParsedFile, log: dict, outcome: FileOutcome) -> dict:
    """The ingest_log row of an accepted ledger: the file's context and the outcome's counts."""
    ctx = parsed.context
    return log | {
        "status": "accepted",
        "entity": outcome.entity,
        "encoding": parsed.encoding,
        "submitting_unit": ctx.submitting_unit,
        "period_year": ctx.year,
        "period_month": ctx.month,
        "region_code": ctx.region_code,
        "rows_read": outcome.rows_read,
        "rows_loaded": outcome.rows_loaded,
        "rows_rejected": outcome.rows_rejected,
        "rows_skipped": outcome.rows_skipped,
        "rows_revised": outcome.rows_revised,
        "skipped_by_kind": store.as_json(parsed.skipped_by_kind),
        "money_units": store.as_json(parsed.money_units),
        "unknown_columns": store.as_json(parsed.unknown_columns),
        "stored_path": outcome.stored_path,
    }


def _load_parsed(con: Connection, parsed: ParsedFile, log: dict, archived: Path) -> FileOutcome:
    """One ledger: its rows, row problems, findings, skipped rows and ingest_log row, all or nothing."""
    entity = parsed.entity
    assert entity is not None
    unit = parsed.context.submitting_unit
    with store.transaction(con):  # joins the workbook's transaction (_load_workbook)
        revised = store.insert_rows(con, entity, parsed.rows, _lineage(log))
        store.insert_records(
            con, "rejected_rows", store.problem_records(parsed.rejected, log, entity.name, unit)
        )
        store.insert_records(
            con, "value_findings", store.problem_records(parsed.findings, log, entity.name, unit)
        )
        store.insert_records(con, "skipped_rows", _skipped_row_records(parsed, log, entity.name))
        outcome = _accepted_outcome(parsed, log, entity.name, revised, archived)
        store.insert_records(con, "ingest_log", [_accepted_log_record(parsed, log, outcome)])
    return outcome


def _load_workbook(con: Connection, ledgers: list[ParsedFile], log: dict, archived: Path) -> FileOutcome:
    """Every ledger of one workbook in one transaction (one ingest_log row each, its own log_id) and the
    sheets holding none (raw.skipped_sheets); one outcome for the file, rows summed over its ledgers."""
    with store.transaction(con):
        outcomes = [
            _load_parsed(con, p, log if i == 0 else log | {"log_id": uuid.uuid4().hex}, archived)
            for i, p in enumerate(ledgers)
        ]
        skipped = ledgers[0].skipped_sheets
        unit = ledgers[0].context.submitting_unit
        store.insert_records(con, "skipped_sheets", store.skipped_sheet_records(skipped, log, unit))
    if len(outcomes) == 1:
        outcomes[0].sheets_skipped = len(skipped)
        return outcomes[0]
    total = FileOutcome(log["file_name"], "accepted", "+".join(o.entity or "" for o in outcomes))
    for attr in (
        "rows_read",
        "rows_loaded",
        "rows_rejected",
        "rows_skipped",
        "rows_revised",
        "rows_with_findings",
    ):
        setattr(total, attr, sum(getattr(o, attr) for o in outcomes))
    total.stored_path, total.sheets_skipped = str(archived), len(skipped)
    total.loaded_by_entity = {o.entity: o.rows_loaded for o in outcomes if o.entity}
    return total


def _rollback(con: Connection) -> None:
    with contextlib.suppress(*store.db_errors(con)):  # no transaction was open (DuckDB raises)
        con.execute("ROLLBACK")


def _note(con: Connection, run_id: str, path: Path, status: str, problem: Problem) -> FileOutcome:
    return FileOutcome(file_log.note(con, run_id, path, status, problem), status, reason=problem)


def _move_aside(con: Connection, run_id: str, path: Path, kind: str, paths: DataPaths) -> FileOutcome:
    name, target, problem = file_log.move_aside(con, run_id, path, kind, paths)
    return FileOutcome(name, "quarantined", reason=problem, stored_path=str(target) if target else None)


def _quarantined(
    con: Connection,
    path: Path,
    log: dict,
    problem: Problem,
    paths: DataPaths,
    consume: bool,
    parsed: list[ParsedFile] = (),
) -> FileOutcome:
    """Quarantine with the reason; `parsed`: the readable rows' own problems, recorded beside it."""
    status, stored = "quarantined", None
    try:
        if os.path.lexists(path):  # else it was moved already, before a later step failed
            stored = str(filing.quarantine(path, log["sha256"], problem, paths, consume))
            if diagnosis.reason_extra(parsed):  # the reason file again, with every row problem
                filing.write_reason(
                    Path(stored), path, log["sha256"], problem, **diagnosis.reason_extra(parsed)
                )
    except OSError as exc:  # the quarantine itself failed (disk full, permissions): retried next run
        status = "failed"
        problem = Problem(
            problem.rule,
            f"{problem.message_zh}（文件无法移入隔离区：{type(exc).__name__}，留在接收目录）",
            f"{problem.message_en} (could not be moved into quarantine: {exc}; left in landing)",
            problem.sheet,
            problem.row,
            problem.column,
        )
    with store.transaction(con):
        store.insert_records(
            con,
            "ingest_log",
            [
                log
                | diagnosis.log_fields(parsed)
                | {
                    "status": status,
                    "stored_path": stored,
                    "reason_rule": problem.rule,
                    "reason_zh": problem.located_zh(),
                    "reason_en": problem.located_en(),
                }
            ],
        )
        diagnosis.record(con, parsed, log, problem.rule)
    return FileOutcome(log["file_name"], status, reason=problem, stored_path=stored)


def _ingest(
    path: Path,
    con: Connection,
    paths: DataPaths,
    contract: Contract,
    consume: bool,
    log: dict,
    signature: Signature | None,
    parse: ParseFn = parse_workbook,
) -> FileOutcome:
    sha = log["sha256"]
    if store.sha_already_loaded(con, sha):
        archived = filing.archive(path, sha, paths)
        store.insert_records(con, "ingest_log", [log | {"status": "duplicate", "stored_path": str(archived)}])
        if consume:
            filing.remove_from_landing(path)
        return FileOutcome(log["file_name"], "duplicate", stored_path=str(archived))
    try:
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise FileRejected(
                Problem(
                    "ING-F0",
                    f"不支持的文件类型“{display_name(path.suffix)}”，请提交 .xlsx 或 .csv 文件",
                    f"unsupported file type '{display_name(path.suffix)}': submit .xlsx or .csv",
                )
            )
        parsed = parse(path, contract)
        refuse_empty(parsed)
    except FileRejected as rej:
        if consume and rej.problem.rule == "ING-F0" and is_young(path, ingest_limits()):
            # a workbook still being copied is a truncated zip: wait for the copy, do not quarantine it
            return _note(con, log["run_id"], path, "deferred", STILL_WRITING)
        return _quarantined(con, path, log, rej.problem, paths, consume, getattr(rej, "parsed", []))
    if consume and signature is not None and current_signature(path) != signature:
        return _note(con, log["run_id"], path, "deferred", STILL_WRITING)
    archived = filing.archive(path, sha, paths)
    outcome = _load_workbook(con, parsed, log, archived)
    if consume:
        filing.remove_from_landing(path)
    return outcome


def ingest_file(
    path: Path,
    con: Connection,
    paths: DataPaths,
    run_id: str,
    contract: Contract,
    consume: bool,
    signature: Signature | None = None,
    parse: ParseFn = parse_workbook,
) -> FileOutcome:
    """One file, isolated: whatever it raises, its load is rolled back and it is quarantined (ING-CRASH).
    `parse`: parse_workbook, or a worker pool's (parallel.ParseAhead)."""
    signature = signature or current_signature(path)
    try:
        sha = sha256_of(path)
    except FileNotFoundError:
        return _note(con, run_id, path, "skipped", GONE)
    except NotRegularFile:  # replaced by a link or special file since the listing
        return _move_aside(con, run_id, path, "symlink" if os.path.islink(path) else "other", paths)
    log = file_log.log_base(run_id, path, sha)
    try:
        return _ingest(path, con, paths, contract, consume, log, signature, parse)
    except Exception as exc:  # noqa: BLE001 — one file must never stop the batch
        _rollback(con)
        if isinstance(exc, FileNotFoundError) and not os.path.lexists(path):
            return _note(con, run_id, path, "skipped", GONE)
        return _quarantined(con, path, log, crash_problem(exc), paths, consume)


def _in_landing(path: Path, landing: Path) -> bool:
    parent = path.parent.resolve()
    return parent == landing or landing in parent.parents


def ingest_paths(
    files: list[Path],
    paths: DataPaths,
    con: Connection,
    run_id: str | None = None,
    progress: ProgressFn | None = None,
    contract: Contract | None = None,
    refused: list[tuple[Path, str]] = (),
    deferred: list[Path] = (),
    signatures: dict[Path, Signature] | None = None,
    bulk: bool | None = None,
    workers: int | None = None,
) -> BatchResult:
    """Ingest files in order. Files inside the landing folder are moved out; others are copied.
    `refused` entries (not regular files) are moved aside, `deferred` ones noted and left in landing.
    `bulk`: template-shaped CSV through the bulk path (DuckDB; default XMDW_INGEST_BULK); `workers`:
    processes parsing the other files (default XMDW_INGEST_WORKERS). Neither changes what is loaded."""
    contract = contract or load_contract()
    paths.ensure()
    store.ensure_schema(con, contract)
    result = BatchResult(run_id or uuid.uuid4().hex[:12])
    landing = paths.landing.resolve()
    bulk = (ingest_bulk() if bulk is None else bulk) and not store.is_postgres(con)
    total = len(refused) + len(deferred) + len(files)
    outcomes = itertools.chain(
        (_move_aside(con, result.run_id, p, k, paths) for p, k in refused),
        (_note(con, result.run_id, p, "deferred", STILL_WRITING) for p in deferred),
    )
    # the files the worker pool parses ahead: those the bulk path cannot take (a CSV that turns out
    # irregular is parsed in this process)
    cell_files = [p for p in files if not (bulk and p.suffix.lower() in CSV_SUFFIXES)]
    with ParseAhead(cell_files, contract, ingest_workers() if workers is None else workers) as pool:

        def cell(p: Path) -> FileOutcome:
            consume = _in_landing(p, landing)
            sig = (signatures or {}).get(p)
            return ingest_file(p, con, paths, result.run_id, contract, consume, sig, pool.parse)

        if bulk:
            driver = BulkDriver(con, paths, result.run_id, contract, lambda p: _in_landing(p, landing), cell)
            file_outcomes = driver.run(files, signatures or {})
        else:
            file_outcomes = (cell(p) for p in files)
        for i, outcome in enumerate(itertools.chain(outcomes, file_outcomes), start=1):
            result.outcomes.append(outcome)
            if progress:
                progress(i, total, outcome)
    return result


def ingest_landing(
    paths: DataPaths,
    progress: ProgressFn | None = None,
    run_id: str | None = None,
    settings: EngineSettings | None = None,
) -> BatchResult:
    """Ingest everything in the landing folder into the build warehouse, the DuckDB file or the server
    (`settings`, by default XMDW_ENGINE / XMDW_PG_DSN; opened and closed here)."""
    paths.ensure()
    scan = scan_landing(paths.landing)
    ready, moving = settle(scan.files, ingest_limits(), pause=_pause)
    con = open_warehouse(paths.warehouse, settings)
    try:
        return ingest_paths(
            [e.path for e in ready],
            paths,
            con,
            run_id,
            progress,
            refused=scan.refused,
            deferred=[e.path for e in moving],
            signatures={e.path: e.signature for e in ready},
        )
    finally:
        con.close()

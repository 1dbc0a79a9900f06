"""Check an uploaded ledger exactly as a build would, without touching the warehouse, then queue it.

The upload is ingested by the same `ingest_paths` (the same parser, limits, quarantine rules and
row-level problems) into a scratch DuckDB file in a temp folder, and the rules of the catalog that read
only their own row are run on it by the same GX runner. What that scratch run says is the receipt; the
highlighted copy is made from the scratch archive (or quarantine) copy. The warehouse is never opened:
the page can run while a build holds it. The file itself is then placed in `data/landing/` (a temp name,
then one rename) for the next build, which is what loads it.

The scratch store is DuckDB whatever XMDW_ENGINE says: it is a private throwaway file of one check, not the
warehouse, so a PostgreSQL deployment needs no scratch database and no database role for the page; the
same ingestion and rule code runs on it (the SQL is portable), and the build loads the file into the server.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

import duckdb

from xmdw.contract import load_contract
from xmdw.core.paths import DataPaths
from xmdw.ingestion.batch import FileOutcome, ingest_paths
from xmdw.ingestion.safe_io import safe_name
from xmdw.reports.highlight import CellNote, highlight_copy, highlighted_name
from xmdw.warehouse.connect import connect
from xmdw.web.receipts import CST, Receipt, ReceiptStore

UPLOAD_FOLDER = "网页上传"  # under landing/: one sub-folder per upload, so names never collide
STALE_FOLDER_SECONDS = 3600  # empty upload folders (their file already ingested) are removed after this
PROBLEMS_SHOWN = 1000  # problems kept in a receipt (the highlighted copy and the build have all of them)


def landing_name(unit: str, file_name: str) -> str:
    """The name the file gets in landing: the browser's base name, made safe, starting with the unit so
    that ingestion attributes it (the file name is one of the sources of the submitting unit)."""
    base = safe_name(file_name.replace("\\", "/").rsplit("/", 1)[-1] or "上传文件")
    return base if base.startswith(unit) else safe_name(f"{unit}_{base}")


def _problems(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Row problems and value findings of the scratch run, in file order."""
    rows = con.execute(
        """
        SELECT sheet, source_row, column_header, column_name, value, rule, message_zh, 'fatal', '退回（该行未入库）'
        FROM raw.rejected_rows
        UNION ALL
        SELECT sheet, source_row, column_header, column_name, value, rule, message_zh, 'warning', '提示（该值未读取）'
        FROM raw.value_findings
        ORDER BY 1, 2, 3
        """
    ).fetchall()
    keys = ["sheet", "row", "column", "column_name", "value", "rule", "message_zh", "severity", "action"]
    return [dict(zip(keys, r, strict=True)) for r in rows]


def _rule_problems(con: duckdb.DuckDBPyConnection, entities: list[str]) -> tuple[list[dict], int]:
    """The catalog's row rules that read only their own row (the others need the whole warehouse and
    run at the build), on the scratch rows: (findings, rules run)."""
    from xmdw.quality.gx_runner import rules_for, validate_rows
    from xmdw.quality.relations import prepare

    prepare(con)
    contract, found, run = load_contract(), [], 0
    for table in entities:
        rules = [r for r in rules_for(table) if r.scope == "row" and r.is_incremental]
        run += len(rules)
        if not rules:
            continue
        for outcome in validate_rows(con, table, rules).outcomes:
            for f in outcome.findings:
                col = contract.entities[table].column(f.column_name) if f.column_name else None
                found.append(
                    {
                        "sheet": f.sheet,
                        "row": f.source_row,
                        "column": col.zh if col else None,
                        "column_name": f.column_name,
                        "value": f.observed,
                        "rule": outcome.rule.id,
                        "message_zh": outcome.rule.message_zh,
                        "severity": outcome.rule.severity,
                        "action": "暂扣不入库" if outcome.rule.is_fatal else "请核实",
                    }
                )
    return found, run


def _reason_problems(stored: str | None, known: list[dict]) -> list[dict]:
    """Row problems a quarantine's .reason.json lists beyond the database (a file without a period keeps
    them there only: ingestion/diagnosis.py)."""
    if not stored:
        return []
    try:
        listed = (
            json.loads(Path(f"{stored}.reason.json").read_text(encoding="utf-8")).get("row_problems") or []
        )
    except (OSError, ValueError, AttributeError):
        return []
    seen = {(p["sheet"], p["row"], p["column"], p["message_zh"]) for p in known}
    return [
        {
            "sheet": p.get("sheet"),
            "row": p.get("row"),
            "column": p.get("column"),
            "column_name": None,
            "value": p.get("value"),
            "rule": p.get("rule"),
            "message_zh": p.get("message_zh"),
            "severity": "fatal" if p.get("kind") == "row" else "warning",
            "action": "文件已隔离，一并改正",
        }
        for p in listed
        if (p.get("sheet"), p.get("row"), p.get("column"), p.get("message_zh")) not in seen
    ]


def _log(con: duckdb.DuckDBPyConnection) -> list[dict]:
    rows = con.execute(
        "SELECT entity, status, period_year, period_month, region_code, submitting_unit, rows_read, "
        "rows_loaded, rows_rejected, rows_skipped, stored_path, reason_rule, reason_zh FROM raw.ingest_log"
    ).fetchall()
    keys = ["entity", "status", "year", "month", "region", "unit", "read", "loaded", "rejected", "skipped",
            "stored_path", "rule", "reason_zh"]  # fmt: skip
    return [dict(zip(keys, r, strict=True)) for r in rows]


def _highlight(stored: str | None, problems: list[dict], out_dir: Path, file_name: str) -> str | None:
    if not stored or not problems:
        return None
    notes = [
        CellNote(
            p["sheet"],
            int(p["row"]),
            p["message_zh"],
            p["severity"],
            p["column_name"],
            p["column"],
            p["rule"],
        )
        for p in problems
        if p["row"]
    ]
    out = out_dir / highlighted_name(file_name)
    try:
        return out.name if highlight_copy(Path(stored), notes, out) else None
    except Exception:  # noqa: BLE001 — the receipt matters more than the copy
        return None


def check_copy(data: bytes, stored_name: str, receipt: Receipt, out_dir: Path) -> None:
    """Ingest a copy into a scratch warehouse and fill the receipt with what it found."""
    with tempfile.TemporaryDirectory(prefix="xmdw-check-") as tmp:
        scratch = DataPaths(Path(tmp) / "data").ensure()
        upload = Path(tmp) / "upload" / stored_name
        upload.parent.mkdir()
        upload.write_bytes(data)
        con = connect(scratch.warehouse)  # DuckDB on purpose: a scratch file, never the engine's warehouse
        try:
            outcome: FileOutcome = ingest_paths([upload], scratch, con, run_id=receipt.id[:12]).outcomes[0]
            logs = _log(con)
            problems = _problems(con)
            if outcome.status == "quarantined" and logs:
                problems += _reason_problems(logs[0]["stored_path"], problems)
            loaded = [e for e in outcome.loaded_by_entity or ({outcome.entity: 1} if outcome.entity else {})]
            rules, receipt.rules_checked = (
                _rule_problems(con, loaded) if outcome.status == "accepted" else ([], 0)
            )
        finally:
            con.close()
        receipt.fill(outcome, logs, problems + rules)
        receipt.problems = receipt.problems[:PROBLEMS_SHOWN]
        receipt.highlighted = _highlight(
            logs[0]["stored_path"] if logs else None, problems + rules, out_dir, stored_name
        )


def queue_in_landing(paths: DataPaths, receipt_id: str, name: str, data: bytes) -> Path:
    """Place the file in landing for the next build: written under a dot name (which the landing scan
    ignores), flushed, then renamed — a build never sees half a file."""
    folder = paths.landing / UPLOAD_FOLDER / receipt_id
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{name}.part"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    target = folder / name
    os.rename(tmp, target)
    _remove_stale_folders(folder.parent, keep=folder)
    return target


def _remove_stale_folders(parent: Path, keep: Path) -> None:
    """Upload folders emptied by a build (their file moved to the archive), older than an hour."""
    now = time.time()
    for d in parent.iterdir():
        with contextlib.suppress(OSError):  # not empty, or gone: leave it
            if d != keep and d.is_dir() and now - d.stat().st_mtime > STALE_FOLDER_SECONDS:
                d.rmdir()


def submit(paths: DataPaths, store: ReceiptStore, unit: str, file_name: str, data: bytes) -> Receipt:
    """Check a copy, queue the file, save and return the receipt."""
    started = time.perf_counter()
    receipt = Receipt(id=uuid.uuid4().hex, unit=unit, file_name=file_name, received_at=datetime.now(CST))
    receipt.stored_name = landing_name(unit, file_name)
    receipt.set_content(data)
    receipt.same_as = store.accepted_with_sha(receipt.sha256)
    check_copy(data, receipt.stored_name, receipt, store.folder_of(receipt.id))
    queued = queue_in_landing(paths, receipt.id, receipt.stored_name, data)
    receipt.queued_as = str(queued.relative_to(paths.landing))
    receipt.seconds = round(time.perf_counter() - started, 2)
    store.save(receipt)
    return receipt

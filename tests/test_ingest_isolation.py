"""Per-file isolation: a failure injected into each ingestion step quarantines that file only (ING-CRASH,
its load rolled back); files still being copied wait for the next run; a vanished file is a note; a
ledger without data rows is 空表."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import duckdb
import pytest
from ledgers import PROGRESS_HEADER, write_csv, write_xlsx

from xmdw.contract import load_contract
from xmdw.ingestion import batch as batch_mod
from xmdw.ingestion import filing, parser, workbook
from xmdw.ingestion.batch import ingest_landing, ingest_paths
from xmdw.ingestion.templates import write_template
from xmdw.warehouse import store

OLD = 1_700_000_000


def _q(paths, sql, params=()):
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def _ledger(path: Path, pid: str) -> Path:
    return write_xlsx(
        path, [PROGRESS_HEADER, [pid, "甲", 2024, 3, 100, 500], [pid + "b", "乙", 2024, 3, 1, 2]]
    )


def test_a_failure_in_each_step_quarantines_that_file_and_the_batch_goes_on(data_dir, monkeypatch):
    names = ["a_ok.xlsx", "b_read.xlsx", "c_parse.xlsx", "d_insert.xlsx", "e_midload.xlsx", "f_archive.xlsx"]
    for i, name in enumerate([*names, "g_ok.xlsx"]):
        _ledger(data_dir.landing / name, f"P{i}")
        os.utime(data_dir.landing / name, (OLD + i, OLD + i))
    current = {"file": None}
    real_ingest = batch_mod._ingest

    def tracking(path, *args, **kwargs):
        current["file"] = path.name
        return real_ingest(path, *args, **kwargs)

    monkeypatch.setattr(batch_mod, "_ingest", tracking)

    def inject(module, attr, name, exc):
        real = getattr(module, attr)

        def wrapper(*args, **kwargs):
            if current["file"] == name:
                raise exc
            return real(*args, **kwargs)

        monkeypatch.setattr(module, attr, wrapper)

    inject(workbook, "_read_xlsx", "b_read.xlsx", MemoryError("out of memory while reading"))
    inject(parser, "parse_sheet", "c_parse.xlsx", ValueError("bad state in the parser"))
    inject(store, "insert_rows", "d_insert.xlsx", duckdb.ConversionException("Could not cast value 1e15"))
    # after the INSERT of the rows: the rollback must take them out again
    inject(store, "_record_changes", "e_midload.xlsx", duckdb.IOException("disk I/O error"))
    inject(filing, "copy_private", "f_archive.xlsx", OSError(errno.ENOSPC, "No space left on device"))

    batch = ingest_landing(data_dir)

    status = {o.file_name: (o.status, o.reason.rule if o.reason else None) for o in batch.outcomes}
    assert status == {
        "a_ok.xlsx": ("accepted", None),
        "b_read.xlsx": ("quarantined", "ING-CRASH"),
        "c_parse.xlsx": ("quarantined", "ING-CRASH"),
        "d_insert.xlsx": ("quarantined", "ING-CRASH"),
        "e_midload.xlsx": ("quarantined", "ING-CRASH"),
        "f_archive.xlsx": ("quarantined", "ING-CRASH"),
        "g_ok.xlsx": ("accepted", None),
    }
    assert _q(data_dir, "SELECT DISTINCT _source_file FROM raw.monthly_progress ORDER BY 1") == [
        ("a_ok.xlsx",),
        ("g_ok.xlsx",),
    ]
    assert _q(data_dir, "SELECT count(*) FROM raw.ingest_log WHERE entity IS NOT NULL") == [(2,)]
    reason = json.loads((data_dir.quarantine / "b_read.xlsx.reason.json").read_text(encoding="utf-8"))
    assert reason["rule"] == "ING-CRASH"
    assert "MemoryError" in reason["message_zh"] and "MemoryError" in reason["message_en"]
    assert "out of memory" in reason["message_en"]
    logged = dict(
        _q(data_dir, "SELECT file_name, reason_zh FROM raw.ingest_log WHERE reason_rule = 'ING-CRASH'")
    )
    assert "ConversionException" in logged["d_insert.xlsx"] and "IOException" in logged["e_midload.xlsx"]
    assert list(data_dir.landing.iterdir()) == []  # nothing left to crash the next run


def test_a_crash_does_not_block_later_runs(data_dir, monkeypatch):
    _ledger(data_dir.landing / "bad.xlsx", "P1")
    real = store.insert_rows
    monkeypatch.setattr(store, "insert_rows", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    assert ingest_landing(data_dir).outcomes[0].reason.rule == "ING-CRASH"
    monkeypatch.setattr(store, "insert_rows", real)
    _ledger(data_dir.landing / "next.xlsx", "P2")
    assert [o.status for o in ingest_landing(data_dir).outcomes] == ["accepted"]


def test_a_file_changing_between_two_looks_waits_for_the_next_run(data_dir, monkeypatch):
    growing = _ledger(data_dir.landing / "copying.xlsx", "P1")
    _ledger(data_dir.landing / "done.xlsx", "P2")
    os.utime(data_dir.landing / "done.xlsx", (OLD, OLD))

    def copy_goes_on(seconds):  # the second look finds the file grown
        with growing.open("ab") as f:
            f.write(b"\0" * 10)

    monkeypatch.setattr(batch_mod, "_pause", copy_goes_on)
    batch = ingest_landing(data_dir)
    assert sorted((o.file_name, o.status) for o in batch.outcomes) == [
        ("copying.xlsx", "deferred"),
        ("done.xlsx", "accepted"),
    ]
    assert growing.exists() and not (data_dir.quarantine / "copying.xlsx").exists()
    assert _q(
        data_dir, "SELECT status, reason_rule FROM raw.ingest_log WHERE file_name = 'copying.xlsx'"
    ) == [("deferred", "ING-WAIT")]
    _ledger(growing, "P1")  # the copy finished
    monkeypatch.setattr(batch_mod, "_pause", lambda s: None)
    assert [o.status for o in ingest_landing(data_dir).outcomes] == ["accepted"]


def test_a_young_truncated_workbook_waits_an_old_one_is_quarantined(data_dir, tmp_path):
    full = _ledger(tmp_path / "full.xlsx", "P1").read_bytes()
    (data_dir.landing / "half.xlsx").write_bytes(full[: len(full) // 2])  # copy in progress: no zip directory
    batch = ingest_landing(data_dir)
    assert [(o.status, o.reason.rule) for o in batch.outcomes] == [("deferred", "ING-WAIT")]
    os.utime(data_dir.landing / "half.xlsx", (OLD, OLD))  # never completed: corrupt after all
    batch = ingest_landing(data_dir)
    assert [(o.status, o.reason.rule) for o in batch.outcomes] == [("quarantined", "ING-F0")]


def test_a_file_removed_after_listing_is_skipped_with_a_note(data_dir):
    con = duckdb.connect(str(data_dir.warehouse))
    try:
        batch = ingest_paths([data_dir.landing / "gone.xlsx"], data_dir, con)
    finally:
        con.close()
    assert [(o.status, o.reason.rule) for o in batch.outcomes] == [("skipped", "ING-GONE")]
    assert _q(data_dir, "SELECT status, reason_rule FROM raw.ingest_log") == [("skipped", "ING-GONE")]


@pytest.mark.parametrize("kind", ["header_only_csv", "blank_template"])
def test_a_ledger_without_data_rows_is_reported_as_empty(data_dir, kind):
    if kind == "header_only_csv":
        write_csv(data_dir.landing / "empty.csv", [PROGRESS_HEADER])
    else:
        contract = load_contract()
        write_template(contract.entities["monthly_progress"], data_dir.landing, contract)
    batch = ingest_landing(data_dir)
    outcome = batch.outcomes[0]
    assert (outcome.status, outcome.reason.rule) == ("quarantined", "ING-EMPTY")
    assert outcome.reason.message_zh.startswith("空表")
    if kind == "blank_template":
        assert "空白模板" in outcome.reason.message_zh
    assert _q(data_dir, "SELECT count(*) FROM raw.ingest_log WHERE status = 'accepted'") == [(0,)]

"""The reliability corpus (tests/corpus, issue 11 "Done when"): every kind of awkward or hostile input in one
batch — the run does not crash, every file and every physical line/row is accounted for, every outcome is
the documented one (docs/reliability.md lists the same cases)."""

from __future__ import annotations

import os
import shutil
import stat
import time
from pathlib import Path

import duckdb
import pytest
from corpus.build_corpus import CASES, GROUPS, build

from xmdw.core.paths import DataPaths
from xmdw.ingestion import batch as batch_mod
from xmdw.ingestion.batch import ingest_landing
from xmdw.ingestion.workbook import read_file

DOC = Path(__file__).resolve().parents[1] / "docs" / "reliability.md"


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XMDW_DATA_DIR", str(root))
        mp.setenv("XMDW_WAREHOUSE", str(root / "warehouse.duckdb"))
        paths = DataPaths(root).ensure()
        cases = build(paths.landing)
        rows_before = _physical_rows(paths.landing, cases)
        by_case = {c.id: name for name, c in cases.items()}

        def between_looks(seconds: float) -> None:
            for name, c in cases.items():
                target = paths.landing / name
                if c.on_pause == "grow":
                    with target.open("ab") as f:
                        f.write(b"\0" * 100)
                elif c.on_pause == "remove":
                    target.unlink()

        mp.setattr(batch_mod, "_pause", between_looks)
        started = time.perf_counter()
        result = ingest_landing(paths)  # must not raise: 0 crashes of the run
        seconds = time.perf_counter() - started
        con = duckdb.connect(str(paths.warehouse), read_only=True)
        try:
            yield {
                "paths": paths,
                "cases": cases,
                "by_case": by_case,
                "result": result,
                "con": con,
                "seconds": seconds,
                "rows_before": rows_before,
            }
        finally:
            con.close()


def _physical_rows(landing: Path, cases: dict) -> dict[str, tuple[int, int | None]]:
    """(rows of all sheets, physical lines) per readable regular file, read before ingestion moves it."""
    out = {}
    for name in cases:
        path = next(iter(landing.rglob(name)), None) if "/" not in name else None
        if path is None or not stat.S_ISREG(os.lstat(path).st_mode):
            continue
        try:
            read = read_file(path)
        except Exception:  # noqa: BLE001 — unreadable files are quarantined whole; nothing to count
            continue
        out[name] = (sum(len(s.rows) for s in read.sheets), read.physical_lines)
        if read.physical_lines is not None:
            assert sum(read.sheets[0].row_lines) == read.physical_lines, name
    return out


def _outcome(con, name: str) -> dict:
    logs = con.execute(
        "SELECT status, reason_rule, rows_loaded, file_id FROM raw.ingest_log WHERE file_name = ?", [name]
    ).fetchall()
    statuses = {s for s, *_ in logs}
    file_ids = [f for *_, f in logs if f]
    rejected = con.execute(
        "SELECT DISTINCT rule FROM raw.rejected_rows WHERE file_id IN (SELECT unnest(?)) ORDER BY 1",
        [file_ids],
    ).fetchall()
    findings = con.execute(
        "SELECT DISTINCT rule FROM raw.value_findings WHERE file_id IN (SELECT unnest(?)) ORDER BY 1",
        [file_ids],
    ).fetchall()
    return {
        "logs": len(logs),
        "status": statuses.pop() if len(statuses) == 1 else sorted(statuses),
        "rule": next((r for _, r, *_ in logs if r), None),
        "loaded": sum(n or 0 for _, _, n, _ in logs),
        "rejected": tuple(r for (r,) in rejected),
        "findings": tuple(r for (r,) in findings),
    }


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_outcome_is_the_documented_one(corpus_run, case):
    if case.root_only and os.geteuid() != 0:
        pytest.skip("needs root (device node)")  # every other case must have been built: no silent skip
    name = corpus_run["by_case"][case.id]
    got = _outcome(corpus_run["con"], name)
    e = case.expect
    if e.status == "ignored":
        assert got["logs"] == 0 and (corpus_run["paths"].landing / name).exists()
        return
    assert got["status"] == e.status, got
    if e.status == "accepted":
        assert (got["loaded"], got["rejected"]) == (e.loaded, e.rejected), got
        if e.findings is not None:
            assert got["findings"] == e.findings, got
    else:
        assert got["rule"] == e.rule, got


def test_the_run_did_not_crash_and_every_entry_has_one_outcome(corpus_run):
    con, cases = corpus_run["con"], corpus_run["cases"]
    assert con.execute("SELECT count(*) FROM raw.ingest_log WHERE reason_rule = 'ING-CRASH'").fetchall() == [
        (0,)
    ]
    expected = sorted(n for n, c in cases.items() if c.expect.status != "ignored")
    names = {r[0] for r in con.execute("SELECT DISTINCT file_name FROM raw.ingest_log").fetchall()}
    assert names == set(expected)
    outcome_names = [o.file_name for o in corpus_run["result"].outcomes]
    assert sorted(outcome_names) == expected  # one outcome per entry, none twice
    assert len(cases) >= 90


def test_no_row_unaccounted(corpus_run):
    con = corpus_run["con"]
    logs = con.execute(
        "SELECT file_id, file_name, entity, rows_read, rows_loaded, rows_rejected, rows_skipped "
        "FROM raw.ingest_log WHERE status = 'accepted'"
    ).fetchall()
    for file_id, name, entity, read, loaded, rejected, skipped in logs:
        assert read == loaded + rejected + skipped, name
        in_table = con.execute(f"SELECT count(*) FROM raw.{entity} WHERE _file_id = ?", [file_id]).fetchall()
        assert in_table == [(loaded,)], name
        rej = con.execute(
            "SELECT count(DISTINCT (sheet, source_row)) FROM raw.rejected_rows WHERE file_id = ? AND entity = ?",
            [file_id, entity],
        ).fetchall()
        assert rej == [(rejected,)], name
    # physical rows of every sheet = rows read by its ledgers + rows of the sheets that hold none
    for name, (rows, _) in corpus_run["rows_before"].items():
        statuses = {
            r[0]
            for r in con.execute("SELECT status FROM raw.ingest_log WHERE file_name = ?", [name]).fetchall()
        }
        if statuses != {"accepted"}:
            continue
        read = con.execute(
            "SELECT sum(rows_read) FROM raw.ingest_log WHERE file_name = ?", [name]
        ).fetchall()[0][0]
        aside = con.execute(
            "SELECT coalesce(sum(rows_in_sheet), 0) FROM raw.skipped_sheets WHERE file_name = ?", [name]
        ).fetchall()[0][0]
        assert read + aside == rows, name


def test_landing_keeps_only_what_waits_for_the_next_run(corpus_run):
    landing = corpus_run["paths"].landing
    left = sorted(p.name for p in landing.rglob("*") if not p.is_dir() or p.is_symlink())
    waiting = sorted(n for n, c in corpus_run["cases"].items() if c.expect.status in ("deferred", "ignored"))
    assert left == waiting


def test_reliability_doc_lists_every_case(corpus_run):
    text = DOC.read_text(encoding="utf-8")
    missing = [c.id for c in CASES if f"`{c.id}`" not in text]
    assert not missing, (
        f"docs/reliability.md is missing {missing}: regenerate with python tests/corpus/doc_table.py"
    )
    assert all(g in text for g in GROUPS)
    shutil.rmtree(corpus_run["paths"].root / "landing", ignore_errors=True)

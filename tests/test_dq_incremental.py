"""The checks validate new and changed rows, not the whole history (issue 11 item 6).

A second run hands Great Expectations only the rows of the files it has not checked under the current
rule set for the incremental rules, carries the results of the other rows forward, drops those of rows
a later revision superseded, and re-evaluates the cross-table rules in DuckDB (GX gets the rows they
flag) — and what it records equals a full run on the same data. A change of the rule set forces a full
run. Real xlsx ledgers, real ingestion, real DuckDB, real GX (no Dagster, no dbt)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import duckdb
import pytest
from ledgers import PLAN_HEADER, PROGRESS_HEADER, write_xlsx

from xmdw.ingestion.batch import ingest_landing
from xmdw.quality import incremental
from xmdw.quality.results import validate
from xmdw.reports import write_dq_report

pytestmark = pytest.mark.e2e  # three ingest + GX validation runs and a DQ report: pipeline stages

PROJECTS = ["项目编号", "项目名称", "区划代码", "四个一批阶段", "总投资", "牵头单位", "建设性质", "是否入库",
            "入库时间", "实际开工时间"]  # fmt: skip
REGISTRY = "发改局_项目基本信息台账.xlsx"
MARCH = "县交通局_月度投资进度.xlsx"
LATER = "县交通局_月度投资进度_补报.xlsx"


def _project(pid: str, nature: str = "新建") -> list:
    return [pid, f"镇巴县{pid}工程", "610728", "开工在建", 1000, "县交通局", nature, "是", date(2023, 6, 1),
            date(2023, 5, 10)]  # fmt: skip


def _first_delivery(landing: Path) -> None:
    write_xlsx(landing / REGISTRY, [PROJECTS, _project("P1"), _project("P2"), _project("P4", "新造")])  # B7
    write_xlsx(landing / "发改局_2024年度投资计划.xlsx", [PLAN_HEADER, ["P1", 2024, "年初", 1000],
                                                          ["P2", 2024, "年初", 500]])  # fmt: skip
    write_xlsx(
        landing / MARCH,
        [
            PROGRESS_HEADER,
            ["P1", "甲", 2024, 3, 300, 200],  # row 2: C3 (YTD above since-start), corrected later
            ["P2", "乙", 2024, 3, 100, 90],  # row 3: C3, never corrected: carried forward
            ["P9", "丙", 2024, 3, 10, 10],  # row 4: X1 (not in the registry) until P9 is registered
        ],
    )


def _second_delivery(landing: Path) -> None:
    write_xlsx(landing / "发改局_项目基本信息台账（更正）.xlsx", [PROJECTS, _project("P4"), _project("P9")])
    write_xlsx(
        landing / LATER,
        [
            PROGRESS_HEADER,
            ["P1", "甲", 2024, 3, 150, 200],  # corrects row 2 of MARCH (its C3 finding must go)
            ["P1", "甲", 2024, 4, 400, 500],
            ["P2", "乙", 2024, 4, 50, 950],  # T1: YTD falls from 100 to 50
            ["P5", "戊", 2024, 1, 20, 20],  # F3 (January alone) and X1
        ],
    )


def _run(paths, run_id: str, full: bool = False):
    con = duckdb.connect(str(paths.warehouse))
    try:
        return validate(con, run_id=run_id, full=full)
    finally:
        con.close()


def _query(paths, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


RESULT_COLUMNS = ("rule_id, severity, table_name, scope, submitting_unit, file_id, file_name, sheet, source_row, "
                  "column_name, column_zh, record_key, observed_value, message_zh, held_back, blocking, submitted_at")  # fmt: skip


def _results(paths, run_id: str) -> Counter:
    return Counter(_query(paths, f"SELECT {RESULT_COLUMNS} FROM raw.dq_results WHERE run_id = ?", [run_id]))


def _rule_results(paths, run_id: str) -> list[tuple]:
    return _query(
        paths,
        "SELECT rule_id, table_name, success, element_count, unexpected_count, blocking FROM raw.dq_rule_results "
        "WHERE run_id = ? ORDER BY table_name, rule_id",
        [run_id],
    )


def _excluded(paths) -> list[tuple]:
    return _query(
        paths, "SELECT entity, _file_id, _sheet, _source_row, rule_id FROM raw.dq_excluded_rows ORDER BY ALL"
    )


def _findings(paths, run_id: str, file_name: str) -> list[tuple]:
    return _query(
        paths,
        "SELECT source_row, rule_id FROM raw.dq_results WHERE run_id = ? AND file_name = ? ORDER BY ALL",
        [run_id, file_name],
    )


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """Run 1 on the first delivery (full), run 2 after the second delivery (incremental), run 3 a full run
    on the same data as run 2; the exclusions are read after runs 2 and 3."""
    from xmdw.core.paths import DataPaths

    root = tmp_path_factory.mktemp("incremental") / "data"
    mp = pytest.MonkeyPatch()
    mp.setenv("XMDW_DATA_DIR", str(root))
    mp.setenv("XMDW_WAREHOUSE", str(root / "warehouse.duckdb"))
    paths = DataPaths(root).ensure()
    try:
        _first_delivery(paths.landing)
        ingest_landing(paths, run_id="ing1")
        first = _run(paths, "dq1")
        _second_delivery(paths.landing)
        ingest_landing(paths, run_id="ing2")
        second = _run(paths, "dq2")
        excluded_after_second = _excluded(paths)
        full = _run(paths, "dq3", full=True)
        yield paths, first, second, full, excluded_after_second
    finally:
        mp.undo()


def test_a_second_run_hands_gx_only_the_new_files_rows_for_incremental_rules(two_runs):
    paths, first, second, full, _ = two_runs
    # run 1: nothing checked yet, every row goes to GX (3 projects + 2 plans + 3 progress rows)
    assert (first.carried_forward, first.files_new, first.gx_rows("new")) == (False, 3, 8)
    # run 2: the corrected registry (2 rows) and the later progress file (4 rows) only
    assert (second.carried_forward, second.files_new, second.gx_rows("new")) == (True, 2, 6)
    assert {v.table: v.gx_rows.get("new", 0) for v in second.validations if v.gx_rows.get("new")} == {
        "projects": 2,
        "monthly_progress": 4,
    }
    # the full run on the same data hands every current row over again: 4 projects, 2 plans, 6 progress
    # rows (MARCH row 2 was superseded)
    assert (full.carried_forward, full.gx_rows("new")) == (False, 4 + 2 + 6)
    # the counters are recorded with the run
    runs = _query(
        paths,
        "SELECT run_id, carried_forward, files_new, gx_rows_incremental, rule_set_version FROM raw.dq_runs "
        "ORDER BY run_id",
    )
    version = incremental.rule_set_version()
    assert runs == [
        ("dq1", False, 3, 8, version),
        ("dq2", True, 2, 6, version),
        ("dq3", False, 5, 12, version),
    ]


def test_cross_table_rules_hand_gx_only_the_rows_they_flag(two_runs):
    _, first, second, _, _ = two_runs
    progress = second.validation("monthly_progress")
    # of 6 current rows 4 are flagged: MARCH row 4 (X14: P9 has no 2024 plan; X1 no more, P9 is
    # registered now), LATER rows 3-4 (T3, T1: P1/P2 from March to April) and 5 (X1, X14: P5)
    assert progress.gx_rows["flagged"] == 4
    by_rule = {o.rule.id: o for o in progress.outcomes}
    assert by_rule["X1"].element_count == 6  # every current row was checked, by DuckDB
    assert sorted(f.source_row for f in by_rule["X1"].findings) == [5]


def test_carried_and_new_findings_equal_a_full_run(two_runs):
    paths, _, second, full, excluded_after_second = two_runs
    assert _results(paths, "dq2") == _results(paths, "dq3")
    assert _rule_results(paths, "dq2") == _rule_results(paths, "dq3")
    assert excluded_after_second == _excluded(paths)
    # what that means here: the uncorrected C3 on MARCH row 3 carried forward, the corrected row 2 and
    # the corrected registry's P4 dropped out, X1 on P9 re-evaluated away, the new file's rows found
    assert _findings(paths, "dq1", MARCH) == [(2, "C3"), (3, "C3"), (4, "X1"), (4, "X14")]
    assert _findings(paths, "dq2", MARCH) == [(3, "C3"), (4, "X14")]
    assert _findings(paths, "dq2", LATER) == [
        (3, "T3"),
        (4, "T1"),
        (4, "T3"),
        (5, "F3"),
        (5, "X1"),
        (5, "X14"),
    ]
    assert _findings(paths, "dq1", REGISTRY) == [(4, "B7")]
    assert _findings(paths, "dq2", REGISTRY) == []
    later_id = _query(paths, "SELECT DISTINCT file_id FROM raw.dq_results WHERE file_name = ?", [LATER])[0][0]
    assert excluded_after_second == [
        ("monthly_progress", later_id, "Sheet1", 5, "F3"),
        ("monthly_progress", later_id, "Sheet1", 5, "X1"),
    ]


def test_no_new_file_hands_gx_no_row_and_keeps_every_result(two_runs):
    paths, *_ = two_runs
    again = _run(paths, "dq4")
    assert (again.files_new, again.gx_rows("new"), again.carried_forward) == (0, 0, True)
    assert _results(paths, "dq4") == _results(paths, "dq3")
    assert _rule_results(paths, "dq4") == _rule_results(paths, "dq3")
    # the report says how much was checked anew
    html = write_dq_report(paths).html.read_text(encoding="utf-8")
    assert "逐行规则只核验了新报送的 0 行，其余行沿用上次结果" in html


def test_a_changed_rule_set_forces_a_full_run(two_runs, monkeypatch):
    paths, *_ = two_runs
    monkeypatch.setattr(incremental, "RUNNER_REVISION", "changed")
    changed = _run(paths, "dq5")
    assert (changed.carried_forward, changed.files_new, changed.gx_rows("new")) == (False, 5, 12)
    assert _results(paths, "dq5") == _results(paths, "dq3")


def test_the_version_hashes_rules_contract_and_reference_data(tmp_path, monkeypatch):
    before = incremental.rule_set_version()
    assert incremental.rule_set_version() == before  # stable
    copy = tmp_path / incremental.CONTRACT_FILE.name
    copy.write_bytes(incremental.CONTRACT_FILE.read_bytes() + b"\n# edited\n")
    with monkeypatch.context() as m:
        m.setattr(incremental, "CONTRACT_FILE", copy)
        assert incremental.rule_set_version() != before
    files = incremental.catalog_files()
    for kind in ("rules", "sql", "views"):  # a rule file, a rule's SQL, a view: each is part of the version
        edited = tmp_path / kind
        edited.mkdir()
        target = next(p for p in files if p.parent.name == kind)
        (edited / target.name).write_bytes(target.read_bytes() + b"\n")
        with monkeypatch.context() as m:
            m.setattr(
                incremental,
                "catalog_files",
                lambda t=target, e=edited: [e / t.name if p == t else p for p in files],
            )
            assert incremental.rule_set_version() != before, kind
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for p in incremental.SEEDS_DIR.glob("*.csv"):
        (seeds / p.name).write_bytes(p.read_bytes())
    monkeypatch.setattr(incremental, "SEEDS_DIR", seeds)
    assert incremental.rule_set_version() == before
    target = next(iter(sorted(seeds.glob("*.csv"))))
    target.write_bytes(target.read_bytes() + b"\n")
    assert incremental.rule_set_version() != before


def test_a_rule_set_changed_during_a_run_leaves_nothing_recorded_as_checked(two_runs, monkeypatch):
    # e.g. a seed file rewritten while the checks read it: the next run must be a full one
    paths, *_ = two_runs
    versions = iter(["before", "after"])
    monkeypatch.setattr(incremental, "rule_set_version", lambda: next(versions))
    run = _run(paths, "dq6")
    assert run.rule_set_version is None and run.files_new == 5
    assert _query(paths, "SELECT count(*) FROM raw.dq_checked_files WHERE run_id = 'dq6'") == [(0,)]

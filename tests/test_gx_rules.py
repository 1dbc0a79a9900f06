"""The rule catalog through Great Expectations and the Dagster check result: what a failed rule does is
the rule file's `on_fail` — a held-back row (WARN, not blocking), a held-back file (WARN), a blocked table
(ERROR), a reported warning (WARN). Real DuckDB, real GX; no pipeline."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import pandas as pd
import pytest
from dagster import AssetCheckSeverity

from xmdw.contract import load_contract
from xmdw.defs.checks import check_result
from xmdw.quality import findings, gx_runner, sql_rules
from xmdw.quality.catalog import load_rules, rule_by_id, rules_for
from xmdw.quality.gx_runner import SAMPLE_ROWS, validate_found, validate_frame, validate_table
from xmdw.quality.outcomes import FINDING_COLUMNS, TableValidation, tidy
from xmdw.quality.relations import prepare
from xmdw.quality.results import validate
from xmdw.warehouse.store import ensure_schema

# The native expectations of the progress ledger (they read nothing but the frame's own columns).
NATIVE = [r for r in rules_for("monthly_progress") if r.scope == "row" and not r.is_sql]


def _frame(**overrides) -> pd.DataFrame:
    row = {
        "project_id": "P1",
        "year": 2024,
        "month": 3,
        "basis": "DISPATCH",
        "ytd_completed": 100.0,
        "since_start_completed": 500.0,
        "ytd_funds_in_place": 80.0,
        "physical_progress": 0.5,
        "build_status": "1",
        "_file_id": "f1",
        "_source_file": "a.xlsx",
        "_sheet": "S",
        "_source_row": 5,
        "_submitting_unit": "县交通局",
    }
    good = dict(row, project_id="P0", _source_row=4)
    return pd.DataFrame([good, row | overrides])


def _offending(rows: int) -> pd.DataFrame:
    """What sql_rules.offending_rows returns for `rows` flagged rows of file f1."""
    return pd.DataFrame(
        {
            "_file_id": "f1",
            "_source_file": "a.xlsx",
            "_sheet": "S",
            "_source_row": range(2, 2 + rows),
            "_submitting_unit": "县交通局",
            "__key": "P1 / 2024 / 3 / DISPATCH",
            "__observed": "300 > 200",
            "__field": 200.0,
        }  # fmt: skip
    )


def test_catalog_is_well_formed():
    rules = load_rules()
    assert len({r.id for r in rules}) == len(rules) >= 100
    assert {r.severity for r in rules} == {"fatal", "warning"}
    assert {r.scope for r in rules} == {"row", "table"}
    assert {r.on_fail for r in rules} == {"hold_rows", "hold_file", "report"}
    for r in rules:
        assert r.title_zh and r.title_en and r.message_zh and r.source, r.id
        assert (r.on_fail == "report") == (not r.is_fatal), r.id
        assert r.is_sql == (r.sql is not None), r.id


def test_clean_frame_passes():
    v = validate_frame("monthly_progress", _frame(), NATIVE)
    assert all(o.success for o in v.outcomes) and v.rows == 2
    assert check_result(v).passed


@pytest.mark.parametrize(
    "overrides, rule",
    [
        ({"month": 1}, "F3"),
        ({"ytd_completed": -5.0}, "B10-PROG-YTD"),
        ({"basis": "其他"}, "B-PROG-BASIS"),
        ({"project_id": None}, "B-PROG-ID"),
    ],
)
def test_fatal_row_rule_names_the_row_and_holds_it_back_without_blocking(overrides, rule):
    v = validate_frame("monthly_progress", _frame(**overrides), NATIVE)
    failed = {o.rule.id: o for o in v.outcomes if not o.success}
    assert set(failed) == {rule} and rule_by_id(rule).on_fail == "hold_rows"
    assert failed[rule].unexpected_count == 1
    assert failed[rule].offending_rows[0]["_source_row"] == 5
    assert v.excluded_rows() == [("f1", "S", 5, rule)]
    result = check_result(v)
    assert not result.passed and result.severity == AssetCheckSeverity.WARN
    assert v.blocking_failures == []


def test_a_sql_rule_fails_on_what_duckdb_found_and_a_warning_holds_nothing():
    c3 = rule_by_id("C3")
    (outcome,) = validate_found("monthly_progress", {"C3": _offending(1)}, [c3])
    assert not outcome.success and outcome.unexpected_count == 1
    f = outcome.findings[0]
    assert (f.file_id, f.sheet, f.source_row, f.observed, f.column_name) == (
        "f1", "S", 2, "300 > 200", "since_start_completed")  # fmt: skip
    v = TableValidation("monthly_progress", 2, [outcome])
    assert [o.rule.id for o in v.warnings] == ["C3"] and v.fatal_failures == [] and v.excluded_rows() == []
    result = check_result(v)
    assert not result.passed and result.severity == AssetCheckSeverity.WARN
    (clean,) = validate_found("monthly_progress", {"C3": _offending(0)}, [c3])
    assert clean.success and clean.findings == []


def test_gx_sees_a_bounded_sample_but_every_offending_row_is_recorded(monkeypatch):
    seen = []
    real = gx_runner._run_suite

    def spy(name, frame, rules):
        seen.append(len(frame))
        return real(name, frame, rules)

    monkeypatch.setattr(gx_runner, "_run_suite", spy)
    c3 = rule_by_id("C3")
    (outcome,) = validate_found("monthly_progress", {"C3": _offending(SAMPLE_ROWS + 50)}, [c3])
    assert seen == [SAMPLE_ROWS]
    assert outcome.unexpected_count == len(outcome.findings) == SAMPLE_ROWS + 50


def test_every_sql_rule_gx_flags_fails_however_many_fail_together():
    # one expectation for all SQL rules of a frame: the verdict per rule must not depend on the others
    rules = [rule_by_id(r) for r in ("C3", "C23", "T5", "T6")]
    found = {r.id: _offending(SAMPLE_ROWS) for r in rules[1:]} | {"C3": _offending(0)}
    outcomes = validate_found("monthly_progress", found, rules)
    assert [(o.rule.id, o.success) for o in outcomes] == [
        ("C3", True),
        ("C23", False),
        ("T5", False),
        ("T6", False),
    ]


def test_on_fail_is_what_the_rule_file_says():
    # the same failing rule holds its rows back or only reports them, as its `on_fail` declares
    c3 = rule_by_id("C3")
    for on_fail, held in (("report", []), ("hold_rows", [("f1", "S", 2, "C3")])):
        (outcome,) = validate_found("monthly_progress", {"C3": _offending(1)}, [replace(c3, on_fail=on_fail)])
        assert TableValidation("monthly_progress", 1, [outcome]).excluded_rows() == held


def _findings(**columns) -> pd.DataFrame:
    return pd.DataFrame([columns | {"violates": True}]).reindex(columns=FINDING_COLUMNS)


def test_fatal_table_finding_naming_a_file_holds_the_file_back_without_blocking():
    f5 = rule_by_id("F5")
    assert f5.on_fail == "hold_file"
    found = _findings(file_id="f9", file_name="县统计局_2024年06月.xlsx", observed="载入 0 行")
    outcomes = validate_found("monthly_progress", {"F5": found}, [f5])
    assert [(o.blocking, o.holds_back_rows, o.held_files) for o in outcomes] == [(False, True, ["f9"])]
    outcomes[0].held_rows = [("f9", "S", 3), ("f9", "S", 4)]  # what the runner reads from the file
    v = validate_frame("monthly_progress", _frame(), NATIVE)
    v.outcomes += outcomes
    result = check_result(v)
    assert not result.passed and result.severity == AssetCheckSeverity.WARN
    assert v.excluded_rows() == [("f9", "S", 3, "F5"), ("f9", "S", 4, "F5")]


@pytest.mark.parametrize("on_fail", ["block_table", "hold_file"])
def test_fatal_table_finding_that_blocks_is_an_error(on_fail):
    # block_table blocks; hold_file blocks too when a finding names no file (there is nothing to hold)
    whole = replace(rule_by_id("F5"), id="F-WHOLE", on_fail=on_fail)
    found = _findings(record_key="整表", observed="仓库与日志不符")
    outcomes = validate_found("monthly_progress", {"F-WHOLE": found}, [whole])
    assert [(o.blocking, o.holds_back_rows) for o in outcomes] == [(True, False)]
    v = validate_frame("monthly_progress", _frame(), NATIVE)
    v.outcomes += outcomes
    result = check_result(v)
    assert not result.passed and result.severity == AssetCheckSeverity.ERROR
    assert v.excluded_rows() == []


def test_every_catalog_rule_for_a_table_runs():
    con = duckdb.connect(":memory:")
    ensure_schema(con, load_contract())
    try:
        v = validate_table(con, "monthly_progress")
    finally:
        con.close()
    assert [o.rule.id for o in v.outcomes] == [r.id for r in rules_for("monthly_progress")]
    assert all(o.success for o in v.outcomes)


def test_native_expectations_read_the_table_in_chunks(monkeypatch):
    """A table larger than one chunk: every offending row is found, in whichever chunk it is."""
    monkeypatch.setattr(sql_rules, "CHUNK_VECTORS", 1)  # 2,048 rows per frame
    con = duckdb.connect(":memory:")
    ensure_schema(con, load_contract())
    try:
        con.execute(
            "INSERT INTO raw.monthly_progress (project_id, year, month, basis, ytd_completed, _file_id, _sheet, "
            "_source_row, _revision) SELECT 'P' || range, 2024, CASE WHEN range IN (7, 3000, 4999) THEN 1 "
            "ELSE 3 END, 'DISPATCH', 1, 'f1', 'S', range + 2, 1 FROM range(5000)"
        )
        prepare(con)
        seen = []
        real = gx_runner._run_suite
        monkeypatch.setattr(gx_runner, "_run_suite", lambda t, f, r: seen.append(len(f)) or real(t, f, r))
        v = gx_runner.validate_rows(con, "monthly_progress", [rule_by_id("F3")])
    finally:
        con.close()
    assert seen == [2048, 2048, 904]
    (f3,) = v.outcomes
    assert sorted(f.source_row for f in f3.findings) == [9, 3002, 5001]
    assert f3.unexpected_count == 3 and f3.element_count == 5000 and v.gx_rows["new"] == 5000


def test_incremental_is_declared_in_the_rule_file():
    """The classification incremental checks rely on: a rule reading other rows is never incremental."""
    by_id = {r.id: r for r in load_rules()}
    assert by_id["F3"].is_incremental  # expect_column_values_to_be_between: the row's own month
    assert by_id["C3"].is_incremental  # a predicate on the row's own columns
    assert not by_id["X1"].is_incremental  # reads the registry
    assert by_id["B17-REF"].is_incremental  # reads only its row and the reference data (rule-set version)
    assert not by_id["F5"].is_incremental and by_id["F5"].incremental is None  # table scope
    for r in load_rules():
        if r.is_incremental and r.is_sql:
            assert "{rows}" in r.sql, r.id  # an incremental SQL rule reads only the rows it is given
    assert replace(by_id["X1"], incremental=True).is_incremental  # the declaration is all there is


def _progress_rows(con: duckdb.DuckDBPyConnection, rows: int) -> None:
    """`rows` progress rows of one file, every one a January report (F3, fatal: held back) whose YTD
    exceeds the since-start total (C3, a SQL warning)."""
    ensure_schema(con, load_contract())
    con.execute(
        "INSERT INTO raw.monthly_progress (project_id, year, month, basis, ytd_completed, "
        "since_start_completed, _file_id, _source_file, _sheet, _source_row, _revision, _submitting_unit) "
        f"SELECT 'P' || range, 2024, 1, 'DISPATCH', 300, 200, 'f1', 'a.xlsx', 'S', range + 2, 1, '县交通局' "
        f"FROM range({rows})"
    )


def test_a_rule_that_flags_more_rows_than_python_keeps_records_every_one(monkeypatch):
    """Findings stay in the engine: Python keeps `findings.KEPT` per rule, the counts, raw.dq_results,
    the held-back rows and what the table rules read are complete."""
    monkeypatch.setattr(findings, "KEPT", 7)
    con = duckdb.connect(":memory:")
    try:
        _progress_rows(con, 3000)
        run = validate(con, run_id="bounded", tables=["monthly_progress"], full=True)
        (v,) = run.validations
        outcomes = {o.rule.id: o for o in v.outcomes}
        for rule_id in ("F3", "C3"):
            o = outcomes[rule_id]
            assert not o.success and o.unexpected_count == 3000 and len(o.findings) == 7, rule_id
            assert [f.source_row for f in o.findings] == sorted(f.source_row for f in o.findings)
        recorded = dict(
            con.execute(
                "SELECT rule_id, count(*) FROM raw.dq_results WHERE rule_id IN ('F3', 'C3') GROUP BY 1"
            ).fetchall()
        )
        assert recorded == {"F3": 3000, "C3": 3000}
        assert con.execute("SELECT count(*) FROM raw.dq_excluded_rows WHERE rule_id = 'F3'").fetchall() == [
            (3000,)
        ]
        assert run.rows_held_back == v.rows_held_back == 3000 and run.count("fatal") >= 3000
        observed = con.execute(
            "SELECT DISTINCT observed_value FROM raw.dq_results WHERE rule_id = 'C3'"
        ).fetchall()
        assert observed == [("300 > 200",)]  # tidied in SQL like outcomes.tidy ('300.0000 > 200.0000')
        # the table rules read what staging reads: every row is held back, so none of them sees a row
        assert all(
            o.element_count == 0 or o.rule.id in ("S1",) for o in v.outcomes if o.rule.scope == "table"
        )
    finally:
        con.close()


def test_each_sql_rule_runs_once():
    """One execution per rule: count, findings, lineage and held keys come from the same `insert … select`."""
    con = duckdb.connect(":memory:")
    try:
        _progress_rows(con, 10)
        con.execute("CREATE SEQUENCE rule_runs")
        counted = replace(
            rule_by_id("C3"),
            sql="WITH tick AS (SELECT nextval('rule_runs') AS n) SELECT t._file_id, t._sheet, t._source_row, "
            "'x' AS observed FROM {rows} AS t, tick WHERE tick.n > 0",
        )
        (o,) = validate_table(con, "monthly_progress", rules=[counted]).outcomes
        assert not o.success and o.unexpected_count == 10
        assert con.execute("SELECT currval('rule_runs')").fetchall() == [(1,)]
    finally:
        con.close()


def test_tidy_in_sql_is_tidy_in_python():
    con = duckdb.connect(":memory:")
    texts = ["6504.8000", "380.0000 > 2.50", "1.50 2.50 3.50 4.00", "10.0", "100", "1.0500", "a0.10b", "x.50",
             "1.2.300", "2024-01-01 00:00:00", "0.0000", "-3.200", "连续相同 12.5000", None]  # fmt: skip
    try:
        for text in texts:
            (got,) = con.execute(f"SELECT {findings.tidy_sql('?')}", [text]).fetchall()[0]
            assert got == tidy(text), text
    finally:
        con.close()

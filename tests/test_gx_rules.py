"""The rule catalog through Great Expectations and the Dagster check result:
a fatal row-level failure holds the rows back (WARN, not blocking), a fatal table-level finding that names
a file holds that file back (WARN), one that names no file is an ERROR (blocking), warnings are WARN."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import pandas as pd
import pytest
from dagster import AssetCheckSeverity

from xmdw.contract import load_contract
from xmdw.defs.checks import check_result
from xmdw.quality.catalog import load_rules, rule_by_id, rules_for
from xmdw.quality.gx_runner import read_findings, validate_findings, validate_frame, validate_table
from xmdw.warehouse.store import ensure_schema

# Rules that need nothing but the frame's own columns (+ C3's precomputed flag).
FRAME_RULES = [
    r
    for r in rules_for("monthly_progress")
    if r.scope == "row" and (r.check_type.startswith("expect_") or r.id == "C3")
]


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
        "__violates_C3": False,
    }
    good = dict(row, project_id="P0", _source_row=4)
    return pd.DataFrame([good, row | overrides])


def test_catalog_is_well_formed():
    rules = load_rules()
    assert len({r.id for r in rules}) == len(rules) >= 60
    assert {r.severity for r in rules} <= {"fatal", "warning"}
    assert {r.scope for r in rules} == {"row", "table"}
    for r in rules:
        assert r.title_zh and r.title_en and r.message_zh and r.source, r.id


def test_clean_frame_passes():
    v = validate_frame("monthly_progress", _frame(), FRAME_RULES)
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
    v = validate_frame("monthly_progress", _frame(**overrides), FRAME_RULES)
    failed = {o.rule.id: o for o in v.outcomes if not o.success}
    assert set(failed) == {rule}
    assert failed[rule].unexpected_count == 1
    assert failed[rule].offending_rows[0]["_source_row"] == 5
    assert v.excluded_rows() == [("f1", "S", 5, rule)]
    result = check_result(v)
    assert not result.passed and result.severity == AssetCheckSeverity.WARN
    assert v.blocking_failures == []


def test_warning_rule_failure_is_a_warning():
    v = validate_frame("monthly_progress", _frame(__violates_C3=True), FRAME_RULES)
    assert [o.rule.id for o in v.warnings] == ["C3"] and v.fatal_failures == []
    assert v.excluded_rows() == []
    result = check_result(v)
    assert not result.passed and result.severity == AssetCheckSeverity.WARN


def test_fatal_table_finding_naming_a_file_holds_the_file_back_without_blocking():
    findings = pd.DataFrame(
        [{"file_id": "f9", "file_name": "县统计局_2024年06月.xlsx", "observed": "载入 0 行"}]
    )
    f5 = rule_by_id("F5")
    outcomes = validate_findings("monthly_progress", read_findings_frame(findings, f5), [f5])
    assert [(o.blocking, o.holds_back_rows, o.held_files) for o in outcomes] == [(False, True, ["f9"])]
    outcomes[0].held_rows = [("f9", "S", 3), ("f9", "S", 4)]  # what the runner reads from the file
    v = validate_frame("monthly_progress", _frame(), FRAME_RULES)
    v.outcomes += outcomes
    result = check_result(v)
    assert not result.passed and result.severity == AssetCheckSeverity.WARN
    assert v.excluded_rows() == [("f9", "S", 3, "F5"), ("f9", "S", 4, "F5")]


def test_fatal_table_finding_without_a_file_is_a_blocking_error():
    # no catalog rule names no file any more (issue 10); a rule about the whole table still blocks
    findings = pd.DataFrame([{"record_key": "整表", "observed": "仓库与日志不符"}])
    whole = replace(rule_by_id("F5"), id="F-WHOLE")
    outcomes = validate_findings("monthly_progress", read_findings_frame(findings, whole), [whole])
    assert [(o.blocking, o.holds_back_rows) for o in outcomes] == [(True, False)]
    v = validate_frame("monthly_progress", _frame(), FRAME_RULES)
    v.outcomes += outcomes
    result = check_result(v)
    assert not result.passed and result.severity == AssetCheckSeverity.ERROR
    assert v.excluded_rows() == []


def read_findings_frame(findings: pd.DataFrame, rule) -> pd.DataFrame:
    """The findings frame read_findings builds, from a query result given as a DataFrame."""
    con = duckdb.connect(":memory:")
    con.register("given", findings)
    try:
        given = replace(rule, check={"type": "sql_query", "query": "select * from given"})
        return read_findings(con, "monthly_progress", [given])
    finally:
        con.close()


def test_every_catalog_rule_for_a_table_runs():
    con = duckdb.connect(":memory:")
    ensure_schema(con, load_contract())
    try:
        v = validate_table(con, "monthly_progress")
    finally:
        con.close()
    assert [o.rule.id for o in v.outcomes] == [r.id for r in rules_for("monthly_progress")]
    assert all(o.success for o in v.outcomes)


def test_only_rules_that_read_their_own_row_are_incremental():
    """The classification incremental checks rely on: a rule reading other rows is never incremental."""
    by_id = {r.id: r for r in load_rules()}
    assert by_id["F3"].is_incremental  # expect_column_values_to_be_between: the row's own month
    assert by_id["C3"].is_incremental  # a predicate on the row's own columns
    assert not by_id["X1"].is_incremental  # reads the registry
    # declared: reads only its row and the reference data, which is part of the rule-set version
    assert by_id["B17-REF"].is_incremental and by_id["B17-REF"].incremental is True
    assert not by_id["F5"].is_incremental and not by_id["M6"].is_incremental  # table scope, mart
    assert not [r.id for r in load_rules() if r.is_incremental and r.check_type == "sql_query"]
    assert replace(by_id["X1"], incremental=True).is_incremental  # an explicit declaration wins

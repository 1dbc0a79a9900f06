"""The rule catalog through Great Expectations: fatal failures are ERROR, warnings are WARN."""

from __future__ import annotations

import pandas as pd
import pytest
from dagster import AssetCheckSeverity

from xmdw.orchestration.checks import check_result
from xmdw.quality.catalog import load_rules, rules_for
from xmdw.quality.gx_runner import validate_frame


def _frame(**overrides) -> pd.DataFrame:
    row = {
        "project_id": "P1",
        "year": 2024,
        "month": 3,
        "basis": "DISPATCH",
        "ytd_completed": 100.0,
        "since_start_completed": 500.0,
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
    assert len({r.id for r in rules}) == len(rules)
    assert {r.severity for r in rules} <= {"fatal", "warning"}


def test_clean_frame_passes():
    v = validate_frame("monthly_progress", _frame())
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
def test_fatal_rule_failure_names_the_row_and_is_an_error(overrides, rule):
    v = validate_frame("monthly_progress", _frame(**overrides))
    failed = {o.rule.id: o for o in v.outcomes if not o.success}
    assert set(failed) == {rule}
    assert failed[rule].unexpected_count == 1
    assert failed[rule].offending_rows[0]["_source_row"] == 5
    result = check_result(v)
    assert not result.passed and result.severity == AssetCheckSeverity.ERROR


def test_warning_rule_failure_is_a_warning():
    v = validate_frame("monthly_progress", _frame(__violates_C3=True))
    assert [o.rule.id for o in v.warnings] == ["C3"] and v.fatal_failures == []
    result = check_result(v)
    assert not result.passed and result.severity == AssetCheckSeverity.WARN


def test_every_catalog_rule_for_a_table_runs():
    v = validate_frame("monthly_progress", _frame())
    assert [o.rule.id for o in v.outcomes] == [r.id for r in rules_for("monthly_progress")]

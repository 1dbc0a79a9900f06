"""The mart rules M1–M11 are dbt tests (issue 13: one check system per layer): fatal, so dbt severity error
(dagster-dbt turns a failure into a failed blocking check); they pass on the county demo and each fails on a
copy of the marts broken the way it guards against."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from xmdw.core.paths import DBT_EXECUTABLE, DBT_PROJECT_DIR
from xmdw.warehouse.connect import connection

pytestmark = pytest.mark.e2e

RULE_TESTS = {
    "M1": "m1_time_pace_between_0_and_1",
    "M2": "m2_completion_ratio_non_negative",
    "M3": "m3_region_month_ytd_reconciles_with_projects",
    "M4": "m4_pace_gap_is_completion_minus_time_pace",
    "M5": "m5_every_target_in_every_report_month",
    "M6": "m6_rate_targets_within_0_and_1",
    "M7": "m7_status_without_data_iff_no_actual_value",
    "M8": "m8_on_track_share_between_0_and_1",
    "M9": "m9_status_counts_add_up_to_targets_owned",
    "M10": "m10_scorecard_targets_match_target_progress",
    "M11": "m11_conflict_groups_keep_both_targets",
}

# One breakage per rule, each the kind of model defect the rule exists to catch.
BREAKAGES = [
    "UPDATE marts.mart_region_monthly_investment SET time_pace = 1.5 WHERE month = 12",  # M1 (and M4)
    "UPDATE marts.mart_region_monthly_investment SET completion_ratio = -0.5 WHERE month = 3",  # M2
    "UPDATE marts.mart_region_monthly_investment SET ytd_completed_wan = ytd_completed_wan + 1 WHERE month = 6",
    "DELETE FROM marts.mart_target_progress WHERE month = 5 AND target_id = "
    "(SELECT min(target_id) FROM marts.mart_target_progress)",  # M5
    "UPDATE marts.mart_target_progress SET actual_value = 1.5 WHERE metric_key LIKE 'rate:%' AND month = 7",
    "UPDATE marts.mart_target_progress SET actual_value = NULL WHERE status <> '无数据' AND month = 8",  # M7
    "UPDATE marts.mart_unit_scorecard SET on_track_share = 2 WHERE quarter = 1",  # M8
    "UPDATE marts.mart_unit_scorecard SET targets_met = targets_met + 1 WHERE quarter = 3",  # M9
    "UPDATE marts.mart_unit_scorecard SET targets_owned = targets_owned + 1 WHERE quarter = 2",  # M10
    "DELETE FROM marts.mart_plan_conflicts WHERE target_id = (SELECT min(target_id) FROM marts.mart_plan_conflicts)",
]


def _run_rule_tests(warehouse: Path, target: Path) -> tuple[dict[str, str], dict]:
    """dbt test of the eleven rule tests on `warehouse`: (test name -> status, manifest)."""
    proc = subprocess.run(
        [
            DBT_EXECUTABLE,
            "test",
            "--select",
            " ".join(RULE_TESTS.values()),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
        ]
        + ["--target-path", str(target)],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "XMDW_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    names = {r["unique_id"]: manifest["nodes"][r["unique_id"]]["name"] for r in results}
    assert len(results) == len(RULE_TESTS), proc.stdout[-3000:]
    return {names[r["unique_id"]]: r["status"] for r in results}, manifest


def test_mart_rules_pass_on_the_demo_and_are_fatal(county_demo_copy, tmp_path):
    statuses, manifest = _run_rule_tests(county_demo_copy.warehouse, tmp_path / "target")
    assert statuses == dict.fromkeys(RULE_TESTS.values(), "pass")
    by_name = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "test"}
    for rule_id, name in RULE_TESTS.items():
        config = by_name[name]["config"]
        assert config["severity"].lower() == "error", name
        assert config["meta"]["rule_id"] == rule_id and "mart_rule" in config["tags"], name


def test_each_mart_rule_fails_on_marts_broken_its_way(county_demo_copy, tmp_path):
    with connection(county_demo_copy.warehouse) as con:
        for sql in BREAKAGES:
            con.execute(sql)
    statuses, _ = _run_rule_tests(county_demo_copy.warehouse, tmp_path / "target")
    assert statuses == dict.fromkeys(RULE_TESTS.values(), "fail")

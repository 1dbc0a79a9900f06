"""Target progress, scorecard and conflicts through the whole pipeline, against hand-computed figures."""

from __future__ import annotations

import os
from decimal import Decimal

import duckdb
import pytest
from ledgers import write_xlsx

from xmdw.core.paths import DataPaths
from xmdw.defs.pipeline import run_pipeline

pytestmark = pytest.mark.e2e
INDICATOR_HEADER = ["区划代码", "指标代码", "指标名称", "年度", "月份", "完成值", "计量单位"]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("targets") / "data"
    saved = {k: os.environ.get(k) for k in ("XMDW_DATA_DIR", "XMDW_WAREHOUSE")}
    os.environ["XMDW_DATA_DIR"], os.environ["XMDW_WAREHOUSE"] = str(root), str(root / "warehouse.duckdb")
    paths = DataPaths(root).ensure()
    write_xlsx(
        paths.landing / "县科技进步促进中心_2024年06月_指标完成情况.xlsx",
        [
            INDICATOR_HEADER,
            ["610728", "HITECH_ENTERPRISE_CERTIFIED", "认定高新技术企业数", 2024, 6, 2, "家"],
            ["610728", "TECH_ACHIEVEMENT_TRANSFER", "科技成果转化项数", 2024, 6, 8, "项"],
        ],
    )
    write_xlsx(
        paths.landing / "县科技进步促进中心_2024年12月_指标完成情况.xlsx",
        [
            INDICATOR_HEADER,
            ["610728", "HITECH_ENTERPRISE_CERTIFIED", "认定高新技术企业数", 2024, 12, 5, "家"],
        ],
    )
    summary = run_pipeline()
    assert summary.success, summary.failed_steps
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    yield con
    con.close()
    for k, v in saved.items():
        os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)


def _row(con, target_id, month):
    return con.execute(
        "SELECT actual_value, expected_by_now, pace_ratio, status, forecast_at_due, forecast_meets_target, "
        "actual_source FROM marts.mart_target_progress WHERE target_id = ? AND month = ?",
        [target_id, month],
    ).fetchall()[0]


def test_every_target_appears_for_every_report_month(warehouse):
    n_targets = warehouse.execute("SELECT count(*) FROM ref.plan_targets").fetchall()[0][0]
    rows = warehouse.execute(
        "SELECT count(*), count(DISTINCT target_id), min(month), max(month) FROM marts.mart_target_progress"
    ).fetchall()[0]
    assert rows == (n_targets * 11, n_targets, 2, 12)


def test_indicator_report_target_status_by_hand(warehouse):
    D = Decimal
    # ZB2024-043 认定高新技术企业 ≥ 5 家 by year end (cumulative). Month 6: reported 2; expected 5 × 6/12 = 2.5;
    # pace 2 / 2.5 = 0.8 → 滞后 (0.80 ≤ pace < 0.95); forecast 2 × 12/6 = 4 < 5 → not met.
    assert _row(warehouse, "ZB2024-043", 6) == (
        D("2"),
        D("2.5"),
        D("0.8"),
        "滞后",
        D("4"),
        False,
        "indicator_report",
    )
    # Month 9: no new report, the June value is carried: expected 3.75, pace 0.533333 → 严重滞后.
    assert _row(warehouse, "ZB2024-043", 9)[:4] == (D("2"), D("3.75"), D("0.533333"), "严重滞后")
    # Month 12: 5 reported → 达标.
    assert _row(warehouse, "ZB2024-043", 12)[3] == "达标"
    # Before the first report (month 5): 无数据.
    assert _row(warehouse, "ZB2024-043", 5)[3] == "无数据"
    # ZB2024-042 科技成果转化 ≥ 8 项: 8 reported in June → 达标 already.
    assert _row(warehouse, "ZB2024-042", 6)[3] == "达标"


def test_unit_scorecard_counts_by_hand(warehouse):
    # 县科技进步促进中心 at Q2 (month 6): ZB2024-042 达标, ZB2024-043 滞后, its other targets have no data.
    owned, met, behind, no_data, share = warehouse.execute(
        "SELECT targets_owned, targets_met, targets_behind, targets_without_data, on_track_share "
        "FROM marts.mart_unit_scorecard WHERE lead_unit = '县科技进步促进中心' AND quarter = 2"
    ).fetchall()[0]
    expected_owned = warehouse.execute(
        "SELECT count(*) FROM ref.plan_targets WHERE lead_unit = '县科技进步促进中心'"
    ).fetchall()[0][0]
    assert (owned, met, behind, no_data) == (expected_owned, 1, 1, expected_owned - 2)
    assert share == Decimal("0.5")  # (1 met + 0 on track) / 2 targets with data


def test_plan_conflicts_keep_both_rows(warehouse):
    rows = warehouse.execute(
        "SELECT conflict_group, target_value, conflict_kind FROM marts.mart_plan_conflicts "
        "WHERE conflict_group = 'CF-GAS-PIPE' ORDER BY target_value"
    ).fetchall()
    assert [(g, float(v)) for g, v, _ in rows] == [("CF-GAS-PIPE", 3.0), ("CF-GAS-PIPE", 5.0)]
    assert {k for *_, k in rows} == {"数值不同 different values"}

"""The plan's own definitions and no silent loss (issue 10 items 2, 3, 6, 7), end to end: real xlsx ledgers →
Dagster → GX → dbt, figures computed by hand in the comments (docs/metrics/progress.md, projects.md,
coverage.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import duckdb
import pytest
from ledgers import write_xlsx

from xmdw.core.paths import DataPaths
from xmdw.defs.pipeline import run_pipeline

pytestmark = pytest.mark.e2e

PROJECTS = [
    ["项目编号", "项目名称", "区划代码", "四个一批阶段", "总投资", "牵头单位", "重点项目级别", "实际开工时间",
     "实际竣工时间", "是否入库"],
    # K1 市级, under construction since 2023, in the statistical library
    ["K1", "镇巴县甲路", "610728", "开工在建", 20000, "县交通局", "市级", date(2023, 5, 1), None, "是"],
    # K2 县级, started 2024, in the library but under the 500 万元 入库 standard
    ["K2", "镇巴县乙站", "610728", "开工在建", 400, "县水利局", "县级", date(2024, 1, 10), None, "是"],
    # K3 市级, completed in 2023: in the registry's 竣工 stock, not a 2024 竣工
    ["K3", "镇巴县丙馆", "610728", "竣工投产", 9000, "县文旅局", "市级", date(2022, 3, 1), date(2023, 10, 1), "是"],
    # K4 市级, completed 20 February 2024
    ["K4", "镇巴县丁厂", "610728", "竣工投产", 5000, "县经贸局", "市级", date(2023, 3, 1), date(2024, 2, 20), "是"],
    # M1 谋划 without a key level: on the city's 四个一批 谋划 list
    ["M1", "镇巴县戊谋划项目", "610728", "谋划", 30000, "县发改局", None, None, None, "否"],
]  # fmt: skip

PLANS = [
    ["项目编号", "计划年度", "计划版本", "项目类别", "年度计划投资"],
    ["K1", 2024, "年初", "续建", 1000],
    ["K2", 2024, "年初", "新开工", 999],
    ["K4", 2024, "年初", "竣工", 200],
]
PLANS_MID_YEAR = [
    ["项目编号", "计划年度", "计划版本", "项目类别", "年度计划投资"],
    ["K1", 2024, "中期调整", "续建", 800],  # cut from 1000: the 年初 figure is what the plan's 100 % means
]
HEADER = ["项目编号", "项目名称", "年度", "月份", "数据口径", "本年完成投资"]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("definitions") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XMDW_DATA_DIR", str(root))
        mp.setenv("XMDW_WAREHOUSE", str(root / "warehouse.duckdb"))
        paths = DataPaths(root).ensure()
        write_xlsx(paths.landing / "发改局_项目基本信息台账.xlsx", PROJECTS)
        write_xlsx(paths.landing / "发改局_2024年度投资计划.xlsx", PLANS)
        write_xlsx(paths.landing / "发改局_2024年度投资计划中期调整.xlsx", PLANS_MID_YEAR)
        write_xlsx(
            paths.landing / "镇巴县_2024年02月_月度投资进度.xlsx",
            [HEADER, ["K1", "K1", 2024, 2, "调度数", 100], ["K4", "K4", 2024, 2, "调度数", 200]],
        )
        # K2's March dispatch row is unreadable ("待定"): rejected at ingestion, K2 has never reported
        write_xlsx(
            paths.landing / "镇巴县_2024年03月_月度投资进度.xlsx",
            [
                HEADER,
                ["K1", "K1", 2024, 3, "调度数", 300],
                ["K2", "K2", 2024, 3, "调度数", "待定"],
                ["K4", "K4", 2024, 3, "调度数", 200],
                ["K1", "K1", 2024, 3, "统计数", 250],
                ["K2", "K2", 2024, 3, "统计数", 50],
            ],
        )
        summary = run_pipeline()
        assert summary.success, summary.failed_steps
        assert summary.rows["rejected"] == 1
        con = duckdb.connect(str(paths.warehouse), read_only=True)
        try:
            yield con
        finally:
            con.close()


def _target(con, target_id: str, month: int) -> tuple:
    return con.execute(
        "SELECT metric_key, actual_value, numerator, denominator FROM marts.mart_target_progress "
        "WHERE target_id = ? AND month = ?",
        [target_id, month],
    ).fetchall()[0]


def test_four_batches_on_the_city_list_with_completions_of_the_year(warehouse):
    # City list = 市级 K1, K3, K4 (+ the 谋划 M1 without key level). 开工（在建）in 2024 by March: K1 and K4 (K3 was
    # completed in 2023) → 2, 年初 plan 1000 + 200 = 1200. 竣工 in 2024: K4 only → 1, total 5000.
    assert _target(warehouse, "ZB2024-019", 3)[:2] == ("city_batch_count:谋划", D("1"))
    assert _target(warehouse, "ZB2024-020", 3)[1] == D("30000")
    assert _target(warehouse, "ZB2024-023", 3)[:2] == ("city_batch_count:开工在建", D("2"))
    assert _target(warehouse, "ZB2024-024", 3)[1] == D("1200")
    assert _target(warehouse, "ZB2024-025", 3)[:2] == ("city_batch_count:竣工投产", D("1"))
    assert _target(warehouse, "ZB2024-026", 3)[1] == D("5000")
    # the all-registry stock stays published under its own name: 竣工投产 K3 + K4 = 2, 开工在建 K1 + K2 = 2
    stock = dict(
        warehouse.execute(
            "SELECT stage, project_count FROM marts.mart_four_batches WHERE region_code = '610728' AND month = 3"
        ).fetchall()
    )
    assert (stock["竣工投产"], stock["开工在建"]) == (2, 2)


def test_key_project_completion_is_bound_to_the_initial_plan(warehouse):
    # ZB2024-037 "45个重点项目年度计划投资完成率达100%": March YTD 300 + 0 + 200 = 500 over the 年初 plans
    # 1000 + 999 + 200 = 2199 → 0.227376; the 中期调整 ratio 500 / (800 + 999 + 200) = 0.250125 is published as
    # rate:计划投资完成率@latest_plan and bound to nothing.
    assert _target(warehouse, "ZB2024-037", 3) == ("rate:计划投资完成率", D("0.227376"), D("500"), D("2199"))
    latest = warehouse.execute(
        "SELECT rate, is_primary FROM marts.mart_five_rates WHERE scope = 'region' AND month = 3 "
        "AND rate_name = '计划投资完成率' AND cohort = 'all_key' AND variant = 'latest_plan'"
    ).fetchall()
    assert latest == [(D("0.250125"), False)]


def test_one_completion_ratio_with_exact_pace_gap_and_coverage(warehouse):
    rows = warehouse.execute(
        "SELECT month, projects_planned, projects_reporting, ytd_completed_wan, completion_ratio, pace_gap_wan, "
        "coverage_expected, coverage_reported, coverage_held_back_rows, coverage_note_zh "
        "FROM marts.mart_region_monthly_investment WHERE region_code = '610728' ORDER BY month"
    ).fetchall()
    # month 2: 100 + 200 = 300 of 800 + 999 + 200 = 1999; gap 300 − 1999 × 2/12 = −33.1667 exactly (the rounded
    # pace 0.166667 would give −33.1673); K2 has not reported
    note = "1个项目本月未报送（按最近一次报送的累计数计入，本年未报送过的计0）"
    assert rows[0] == (2, 3, 2, D("300"), D("0.150075"), D("-33.1667"), 3, 2, 0, note)
    # month 3: 300 + 0 + 200 = 500 → 0.250125; gap 500 − 499.75 = 0.25; K2's row was rejected
    assert rows[1] == (3, 3, 2, D("500"), D("0.250125"), D("0.25"), 3, 2, 1, note + "，1行数据已退回修改")
    # the ranking's region row and the 五率 all_planned/latest_plan row are the same figure
    ranking = warehouse.execute(
        "SELECT completion_ratio, pace_gap_wan FROM marts.mart_investment_ranking "
        "WHERE dimension = 'region' AND month = 3"
    ).fetchall()
    rate = warehouse.execute(
        "SELECT rate FROM marts.mart_five_rates WHERE scope = 'region' AND month = 3 "
        "AND rate_name = '计划投资完成率' AND cohort = 'all_planned' AND variant = 'latest_plan'"
    ).fetchall()
    assert ranking == [(D("0.250125"), D("0.25"))] and rate == [(D("0.250125"),)]


def test_statistical_book_applies_the_library_standard(warehouse):
    rows = dict(
        (r[0], r[1:])
        for r in warehouse.execute(
            "SELECT project_id, is_in_stats_book, stats_ytd_completed_wan FROM marts.mart_project_progress "
            "WHERE month = 3 AND project_id IN ('K1', 'K2')"
        ).fetchall()
    )
    # K1 in the library, 20000 万元 → its 统计数 250 counts; K2 in the library but 400 万元 < 500 → not counted
    assert rows == {"K1": (True, D("250")), "K2": (False, None)}

"""Projects area end to end: real xlsx ledgers → Dagster → GX → dbt; project progress, 蜗牛 list, 四个一批
and the project metrics compared with figures computed by hand (docs/metrics/projects.md)."""

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
    ["项目编号", "项目名称", "区划代码", "四个一批阶段", "总投资", "牵头单位", "重点项目级别",
     "计划开工时间", "实际开工时间", "实际竣工时间", "投产时间", "是否新增产能项目", "是否入库"],
    # A1 county key project, new start planned for March, started 15 March
    ["A1", "镇巴县甲公路", "610728", "开工在建", 10000, "县交通局", "县级",
     date(2024, 3, 1), date(2024, 3, 15), None, None, "否", "是"],
    # A2 city key project ≥ 5亿, new start planned for March, never started
    ["A2", "镇巴县乙园", "610728", "储备", 60000, "县经贸局", "市级", date(2024, 3, 1), None, None, None, "否"],
    # A3 city key project under construction since 2022; stops reporting after April
    ["A3", "镇巴县丙厂", "610728", "开工在建", 8000, "县经贸局", "市级", None, date(2022, 5, 1), None, None, "否", "是"],
    # A4 county key project, 停缓建 from May; since-start above its total investment
    ["A4", "镇巴县丁站", "610728", "开工在建", 2000, "县水利局", "县级", None, date(2023, 6, 1), None, None, "否"],
    # A5 city key new-capacity project completed in May (operation 28 May)
    ["A5", "镇巴县戊馆", "610728", "竣工投产", 3000, "县文旅局", "市级",
     None, date(2023, 3, 1), date(2024, 5, 20), date(2024, 5, 28), "是"],
    # B1 not a key project, far behind
    ["B1", "镇巴县己路", "610728", "开工在建", 1000, "县交通局", None, None, date(2023, 1, 1), None, None, "否"],
    ["C1", "镇巴县庚谋划项目", "610728", "谋划", 20000, "县发改局", None, None, None, None, None, "否"],
    ["C2", "镇巴县辛储备项目", "610728", "储备", 7000, "县发改局", None, None, None, None, None, "否"],
    ["D1", "巴州区壬项目", "511902", "开工在建", 5000, "区发改局", "县级", None, date(2023, 1, 1), None, None, "否"],
]  # fmt: skip

PLANS = [
    ["项目编号", "计划年度", "计划版本", "项目类别", "年度计划投资", "计划开工月份"],
    ["A1", 2024, "年初", "新开工", 2000, 3],
    ["A2", 2024, "年初", "新开工", 3000, 3],
    ["A3", 2024, "年初", "续建", 4000, None],
    ["A4", 2024, "年初", "续建", 1000, None],
    ["A5", 2024, "年初", "竣工", 1200, None],
    ["B1", 2024, "年初", "续建", 500, None],
    ["D1", 2024, "年初", "续建", 1000, None],
]

PLANS_MID_YEAR = [
    ["项目编号", "计划年度", "计划版本", "项目类别", "年度计划投资", "计划开工月份"],
    ["A1", 2024, "中期调整", "新开工", 1500, 3],  # cut from 2000: measured against 1500, 年初 kept
]

HEADER = ["项目编号", "项目名称", "年度", "月份", "数据口径", "本年完成投资", "开工累计完成投资", "建设状态"]
# (project, month, ytd, since-start, status); dispatch figures unless stated
DISPATCH = [
    ("A1", 3, 100, 100, "在建"), ("A1", 4, 300, 300, "在建"), ("A1", 5, 500, 500, "在建"),
    ("A1", 6, 800, 800, "在建"),
    ("A3", 2, 200, 4800, "在建"), ("A3", 3, 400, 5000, "在建"), ("A3", 4, 600, 5200, "在建"),
    ("A4", 2, 100, 1700, "在建"), ("A4", 3, 250, 1850, "在建"), ("A4", 4, 350, 1950, "在建"),
    ("A4", 5, 450, 2050, "全部停缓建"), ("A4", 6, 500, 2100, "全部停缓建"),
    ("A5", 2, 300, 2100, "在建"), ("A5", 3, 600, 2400, "在建"), ("A5", 4, 900, 2700, "在建"),
    ("A5", 5, 1200, 3000, "全部投产"), ("A5", 6, 1200, 3000, "全部投产"),
    ("B1", 2, 10, 600, "在建"), ("B1", 3, 20, 610, "在建"), ("B1", 4, 30, 620, "在建"),
    ("B1", 5, 40, 630, "在建"), ("B1", 6, 50, 640, "在建"),
    ("D1", 2, 100, 2100, "在建"), ("D1", 3, 200, 2200, "在建"), ("D1", 4, 300, 2300, "在建"),
    ("D1", 5, 400, 2400, "在建"), ("D1", 6, 500, 2500, "在建"),
]  # fmt: skip
STATS = [("A1", 3, 80, 80), ("A1", 6, 700, 700), ("A3", 3, 380, 4980), ("A3", 6, 560, 5160)]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("projects") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XMDW_DATA_DIR", str(root))
        mp.setenv("XMDW_WAREHOUSE", str(root / "warehouse.duckdb"))
        paths = DataPaths(root).ensure()
        write_xlsx(paths.landing / "发改局_项目基本信息台账.xlsx", PROJECTS)
        write_xlsx(paths.landing / "发改局_2024年度投资计划.xlsx", PLANS)
        write_xlsx(paths.landing / "发改局_2024年度投资计划中期调整.xlsx", PLANS_MID_YEAR)
        rows = [[p, p, 2024, m, "调度数", ytd, ss, st] for p, m, ytd, ss, st in DISPATCH]
        rows += [[p, p, 2024, m, "统计数", ytd, ss, None] for p, m, ytd, ss in STATS]
        write_xlsx(paths.landing / "各单位_月度投资进度.xlsx", [HEADER, *rows])
        summary = run_pipeline()
        assert summary.success, summary.failed_steps
        assert summary.rows["rejected"] == 0
        con = duckdb.connect(str(paths.warehouse), read_only=True)
        try:
            yield con
        finally:
            con.close()


def _by_project(con, sql: str, params=()) -> dict:
    cur = con.execute(sql, list(params))
    cols = [d[0] for d in cur.description]
    return {row[0]: dict(zip(cols[1:], row[1:], strict=True)) for row in cur.fetchall()}


def test_progress_ratios_ranks_and_stats_side_by_side(warehouse):
    months = warehouse.execute(
        "SELECT region_code, max(month), count(DISTINCT project_id) FROM marts.mart_project_progress GROUP BY 1 ORDER BY 1"
    ).fetchall()
    # months stop at the last reported month (6); 6 Zhenba projects (C1/C2 have neither plan nor report)
    assert months == [("511902", 6, 1), ("610728", 6, 6)]

    m6 = _by_project(
        warehouse,
        "SELECT project_id, annual_plan_initial_wan, annual_plan_latest_wan, ytd_completed_wan, month_completed_wan, "
        "completion_ratio, completion_ratio_initial, time_pace, pace_gap, pace_gap_wan, since_start_ratio, "
        "is_since_start_over_total, rank_completion_in_region, rank_shortfall_in_region, reported_this_month, "
        "last_reported_month, stats_ytd_completed_wan, stats_completion_ratio, stage_at_month "
        "FROM marts.mart_project_progress WHERE month = 6",
    )
    # A1: latest plan 1500 (年初 2000 cut mid-year); YTD 800 → 800/1500 = 0.533333, vs 年初 800/2000 = 0.4;
    #     month 6 alone 800 − 500 = 300; gap 0.533333 − 0.5; 800 − 1500 × 0.5 = +50 万元
    a1 = m6["A1"]
    assert (a1["annual_plan_initial_wan"], a1["annual_plan_latest_wan"]) == (D("2000"), D("1500"))
    assert (a1["completion_ratio"], a1["completion_ratio_initial"]) == (D("0.533333"), D("0.400000"))
    assert (a1["month_completed_wan"], a1["pace_gap"], a1["pace_gap_wan"]) == (
        D("300"),
        D("0.033333"),
        D("50"),
    )
    # statistics bureau beside dispatch (A1 is 入库 and ≥ 500 万元): STATS 700 / 1500 = 0.466667
    assert (a1["stats_ytd_completed_wan"], a1["stats_completion_ratio"]) == (D("700"), D("0.466667"))
    # A3 last reported in April: YTD 600 carried, 600/4000 = 0.15; month 6 alone 0
    a3 = m6["A3"]
    assert (a3["ytd_completed_wan"], a3["month_completed_wan"], a3["completion_ratio"]) == (
        D("600"),
        0,
        D("0.15"),
    )
    assert (a3["reported_this_month"], a3["last_reported_month"]) == (False, 4)
    assert a3["stats_ytd_completed_wan"] == D("560")
    # A4 since-start 2100 over total 2000 = 1.05 → flagged; A1 800/10000 not
    assert (m6["A4"]["since_start_ratio"], m6["A4"]["is_since_start_over_total"]) == (D("1.05"), True)
    assert m6["A1"]["is_since_start_over_total"] is False
    # completion ranks (highest first): A5 1.0, A1 .533, A4 .5, A3 .15, B1 .1, A2 0
    # shortfall ranks (largest amount behind first): A2 −1500, A3 −1400, B1 −200, A4 0, A1 +50, A5 +600
    ranks = {p: (v["rank_completion_in_region"], v["rank_shortfall_in_region"]) for p, v in m6.items()}
    assert ranks == {
        "A5": (1, 6),
        "A1": (2, 5),
        "A4": (3, 4),
        "A3": (4, 2),
        "B1": (5, 3),
        "A2": (6, 1),
        "D1": (1, 1),
    }
    assert m6["A5"]["stage_at_month"] == "竣工投产" and m6["A2"]["stage_at_month"] == "储备"


def test_snail_criteria_per_month(warehouse):
    got = {
        (p, m): (c, s)
        for p, m, c, s in warehouse.execute(
            "SELECT project_id, month, snail_criteria, is_snail FROM marts.mart_project_progress "
            "WHERE snail_score > 0 AND region_code = '610728'"
        ).fetchall()
    }
    # thresholds: pace − 0.2 = 0.05 (m3), 0.133333 (m4), 0.216667 (m5), 0.3 (m6); grace: planned 3 → late from 5
    # month 2: pace 2/12 − 0.2 < 0, nothing can be behind
    assert got == {
        ("B1", 3): ("behind_pace", False),  # 20/500 = .04 < .05 — not a key project: not a snail
        ("B1", 4): ("behind_pace", False),  # .06 < .133333
        ("B1", 5): ("behind_pace", False),  # .08 < .216667
        ("B1", 6): ("behind_pace", False),  # .10 < .3
        ("A2", 5): ("late_start", True),  # planned March + 1 month grace, not started by 31 May
        ("A2", 6): ("late_start", True),
        ("A3", 5): ("behind_pace", True),  # 600/4000 = .15 < .216667 (April: .15 ≥ .133333)
        ("A3", 6): ("behind_pace|no_report", True),  # .15 < .3; no report for May and June
        ("A4", 5): ("suspended", True),  # 全部停缓建 in May; 450/1000 = .45 on pace
        ("A4", 6): ("suspended", True),
    }


def test_snail_list_monthly_and_quarterly(warehouse):
    rows = warehouse.execute(
        "SELECT list_type, month, snail_rank_in_region, project_id, snail_score, snail_reasons_zh, "
        "consecutive_months_flagged FROM marts.mart_snail_projects WHERE region_code = '610728' "
        "ORDER BY list_type, month, snail_rank_in_region, project_id"
    ).fetchall()
    # month 5: all score 1, ordered by gap: A2 0 − .416667, A3 .15 − .416667, A4 .45 − .416667
    # month 6: A3 score 2 first, then A2 (gap −.5), A4 (gap 0); Q1 (month 3) has no snail, Q2 = month 6
    a2 = "未按期开工：计划3月开工，截至6月末仍未开工"
    a3 = "投资进度滞后：完成年度计划的15.0%，序时进度50.0%，落后35.0个百分点；未按月报送：已连续2个月未报送调度数据（最近报送4月）"
    a4 = "停缓建：6月调度报送的建设状态为全部停缓建"
    assert rows == [
        ("month", 5, 1, "A2", 1, "未按期开工：计划3月开工，截至5月末仍未开工", 1),
        ("month", 5, 2, "A3", 1, "投资进度滞后：完成年度计划的15.0%，序时进度41.7%，落后26.7个百分点", 1),
        ("month", 5, 3, "A4", 1, "停缓建：5月调度报送的建设状态为全部停缓建", 1),
        ("month", 6, 1, "A3", 2, a3, 2),
        ("month", 6, 2, "A2", 1, a2, 2),
        ("month", 6, 3, "A4", 1, a4, 2),
        ("quarter", 6, 1, "A3", 2, a3, 2),
        ("quarter", 6, 2, "A2", 1, a2, 2),
        ("quarter", 6, 3, "A4", 1, a4, 2),
    ]


def test_four_batches_stock_and_flows(warehouse):
    rows = warehouse.execute(
        "SELECT month, stage, project_count, total_investment_wan, annual_plan_latest_wan, entered_count, "
        "left_count, main_inflow_count FROM marts.mart_four_batches "
        "WHERE region_code = '610728' AND month IN (2, 3, 5) AND stage <> '调出' ORDER BY month, stage_order"
    ).fetchall()
    # month 2: A1 not started yet → 储备 = A1 10000 + A2 60000 + C2 7000, plans 1500 + 3000;
    #          开工在建 = A3 + A4 + A5 + B1 = 8000 + 2000 + 3000 + 1000, plans 4000 + 1000 + 1200 + 500
    # month 3: A1 starts (储备→开工在建); month 5: A5 in operation 28 May (开工在建→竣工投产)
    assert rows == [
        (2, "谋划", 1, D("20000"), D("0"), 0, 0, None),
        (2, "储备", 3, D("77000"), D("4500"), 0, 0, 0),
        (2, "开工在建", 4, D("14000"), D("6700"), 0, 0, 0),
        (2, "竣工投产", 0, D("0"), D("0"), 0, 0, 0),
        (3, "谋划", 1, D("20000"), D("0"), 0, 0, None),
        (3, "储备", 2, D("67000"), D("3000"), 0, 1, 0),
        (3, "开工在建", 5, D("24000"), D("8200"), 1, 0, 1),
        (3, "竣工投产", 0, D("0"), D("0"), 0, 0, 0),
        (5, "谋划", 1, D("20000"), D("0"), 0, 0, None),
        (5, "储备", 2, D("67000"), D("3000"), 0, 0, 0),
        (5, "开工在建", 4, D("21000"), D("7000"), 0, 1, 0),
        (5, "竣工投产", 1, D("3000"), D("1200"), 1, 0, 1),
    ]


def test_project_metrics_for_target_binding(warehouse):
    def metrics(month: int) -> dict:
        return {
            k: (v, n, d)
            for k, v, n, d in warehouse.execute(
                "SELECT metric_key, actual_value, numerator, denominator FROM intermediate.int_metrics__projects "
                "WHERE region_code = '610728' AND year = 2024 AND month = ?",
                [month],
            ).fetchall()
        }

    m6 = metrics(6)
    # key list = A1..A5 (key level and a 2024 plan); city list = A2, A3, A5 (市级)
    # YTD at June: A1 800 + A2 0 + A3 600 (April, carried) + A4 500 + A5 1200 = 3100; city 0 + 600 + 1200 = 1800
    # 年初 plans: 2000 + 3000 + 4000 + 1000 + 1200 = 11200 → bound rate 3100 / 11200 = 0.276786;
    # latest plans (A1 cut to 1500): 10700 → @latest_plan 3100 / 10700 = 0.289720
    # city-assigned 四个一批: 谋划 C1 (no key level); 储备 A2 (市级) + C2 (no key level); 开工（在建）A3 + A5 (A5
    # completed in May, under construction in the year), 年初 plan 4000 + 1200; 竣工 in 2024: A5
    expected = {
        "key_project_count": 5,
        "key_project_new_start_count": 1,  # A1 started; A2 not
        "key_project_annual_investment": 3100,
        "city_key_project_count": 3,
        "city_key_project_new_start_count": 0,
        "city_key_project_annual_investment": 1800,
        "stage_count:谋划": 1,
        "stage_count:储备": 2,  # A2, C2
        "stage_count:开工在建": 4,  # A1, A3, A4, B1
        "stage_count:竣工投产": 1,  # A5
        "stage_investment:谋划": 20000,
        "stage_investment:储备": 67000,
        "stage_investment:竣工投产": 3000,
        "stage_annual_plan:开工在建": 7000,  # 1500 + 4000 + 1000 + 500
        "completed_project_count": 1,
        "completed_key_project_count": 1,
        "major_project_count": 1,  # A2 60000 ≥ 50000
        "new_capacity_project_count": 1,  # A5
        "city_batch_count:谋划": 1,
        "city_batch_investment:谋划": 20000,
        "city_batch_count:储备": 2,
        "city_batch_investment:储备": 67000,
        "city_batch_count:开工在建": 2,
        "city_batch_annual_plan:开工在建": 5200,
        "city_batch_annual_plan_latest:开工在建": 5200,
        "city_batch_count:竣工投产": 1,
        "city_batch_investment:竣工投产": 3000,
    }
    rates = ("rate:计划投资完成率", "rate:计划投资完成率@latest_plan")
    assert {k: v[0] for k, v in m6.items() if k not in rates} == {k: D(v) for k, v in expected.items()}
    assert m6["rate:计划投资完成率"] == (D("0.276786"), D("3100"), D("11200"))
    assert m6["rate:计划投资完成率@latest_plan"] == (D("0.289720"), D("3100"), D("10700"))
    # March: 100 + 0 + 400 + 250 + 600 = 1350 / 11200 = 0.120536 (latest 1350 / 10700 = 0.126168)
    m3 = metrics(3)
    assert m3["rate:计划投资完成率"] == (D("0.120536"), D("1350"), D("11200"))
    assert m3["rate:计划投资完成率@latest_plan"] == (D("0.126168"), D("1350"), D("10700"))
    assert m3["completed_project_count"][0] == 0
    # every report month 2..12 has every key (spine), and no other source is claimed
    n = warehouse.execute(
        "SELECT count(*), count(DISTINCT month), count(DISTINCT metric_key), min(actual_source), max(actual_source) "
        "FROM intermediate.int_metrics__projects WHERE region_code = '610728' AND year = 2024"
    ).fetchall()
    assert n == [(11 * 29, 11, 29, "project_data", "project_data")]

"""The rates marts (五率, 招商) end to end: real xlsx ledgers -> Dagster/GX/dbt -> marts; every figure is
compared with a value computed by hand in the comments. Definitions: docs/metrics/rates.md."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

import duckdb
import pytest
from ledgers import write_xlsx

from xmdw.core.paths import DataPaths
from xmdw.defs.pipeline import run_pipeline

pytestmark = pytest.mark.e2e

D = Decimal
ZB, BZ = "610728", "511902"
LANDING, PROCEDURE, START = "招商引资落地率", "前期手续办结率", "储备项目开工率"
COUNTY, CITY = "county_new_start_key", "city_new_start_key"

PROJECTS = [
    ["项目编号", "项目名称", "区划代码", "四个一批阶段", "总投资", "牵头单位", "重点项目级别",
     "实际开工时间", "实际竣工时间", "投产时间"],
    # K1 市级 key new start, started 03-15; K2 县级 key new start, started 05-10; K3 县级 key new start, not started
    ["K1", "镇巴县甲路", ZB, "开工在建", 5000, "县交通局", "市级", date(2024, 3, 15), None, None],
    ["K2", "镇巴县乙桥", ZB, "开工在建", 3000, "县交通局", "县级", date(2024, 5, 10), None, None],
    ["K3", "镇巴县丙渠", ZB, "储备", 2000, "县水利局", "县级", None, None, None],
    # C1 市级 key due to complete (竣工), in operation 06-20; N1 not key, due to complete in the year (11-10)
    ["C1", "镇巴县丁厂", ZB, "竣工投产", 4000, "县住建局", "市级", date(2022, 4, 1), None, date(2024, 6, 20)],
    ["N1", "镇巴县戊园", ZB, "开工在建", 900, "县经贸局", None, date(2024, 2, 20), date(2024, 11, 10), None],
]  # fmt: skip

PLANS = [
    ["项目编号", "计划年度", "计划版本", "项目类别", "年度计划投资", "计划开工月份", "是否年内竣工"],
    ["K1", 2024, "年初", "新开工", 1000, 3, "否"],
    ["K2", 2024, "年初", "新开工", 800, 4, "否"],
    ["K3", 2024, "年初", "新开工", 500, 6, "否"],
    ["C1", 2024, "年初", "竣工", 600, None, "是"],
    ["N1", 2024, "年初", "新开工", 200, 2, "是"],
]
PLANS_MID_YEAR = [
    ["项目编号", "计划年度", "计划版本", "项目类别", "年度计划投资", "计划开工月份", "是否年内竣工"],
    ["K2", 2024, "中期调整", "新开工", 600, 4, "否"],  # K2 cut from 800 to 600
]

PROGRESS = [
    ["项目编号", "项目名称", "年度", "月份", "本年完成投资", "开工累计完成投资"],
    ["K1", "甲", 2024, 6, 400, 400],
    ["K2", "乙", 2024, 6, 300, 300],
    ["C1", "丁", 2024, 6, 600, 3900],
]

PROCEDURES = [
    ["项目编号", "项目名称", "手续类型", "是否必需", "办理状态", "办结时间"],
    ["K1", "甲", "立项", "是", "已办结", date(2024, 1, 10)],
    ["K1", "甲", "环评", "是", "已办结", date(2024, 4, 15)],
    ["K1", "甲", "施工许可", "是", "办理中", None],
    ["K2", "乙", "立项", "是", "已办结", date(2024, 2, 1)],
    ["K2", "乙", "用地预审", "是", "已办结", date(2024, 3, 20)],
    ["K2", "乙", "林地草原", "否", "不适用", None],
    ["K3", "丙", "立项", "是", "未启动", None],
    ["K3", "丙", "环评", "是", "办理中", None],
    ["K3", "丙", "节能审查", "否", "未启动", None],
]

CONTRACTS = [
    ["签约编号", "签约项目名称", "区划代码", "投资方来源", "签约时间", "签约金额", "获批建设用地时间",
     "项目进展", "到位资金", "实际使用外资"],
    # 2023 deals (the cohort of Zhenba's "2023年招商引资签约项目落地率")
    ["Z1", "甲加工", ZB, "省外", date(2023, 3, 1), 5000, date(2023, 7, 1), "开工", 2000, None],
    ["Z2", "乙物流", ZB, "县外省内", date(2023, 9, 15), 3000, date(2024, 4, 10), "落地", 500, None],
    ["Z3", "丙康养", ZB, "省外", date(2023, 11, 20), 2000, None, "终止", None, None],
    # 2024 deals
    ["Z4", "丁食品", ZB, "省外", date(2024, 1, 15), 8000, date(2024, 5, 20), "落地", 3000, None],
    ["Z5", "戊茶业", ZB, "境外", date(2024, 2, 10), 1000, date(2024, 3, 5), "落地", None, 52],
    ["Z6", "己建材", ZB, "县外省内", date(2024, 4, 1), 2500, None, "终止", None, None],
    ["Z7", "庚光伏", ZB, "省外", date(2024, 8, 1), 4000, None, "签约", None, None],
    ["B1", "巴州辛园", BZ, "省外", date(2024, 3, 1), 9999, date(2024, 3, 20), "落地", 100, None],
]  # fmt: skip


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("rates") / "data"
    saved = {k: os.environ.get(k) for k in ("XMDW_DATA_DIR", "XMDW_WAREHOUSE")}
    os.environ["XMDW_DATA_DIR"] = str(root)
    os.environ["XMDW_WAREHOUSE"] = str(root / "warehouse.duckdb")
    try:
        paths = DataPaths(root).ensure()
        land = paths.landing
        write_xlsx(land / "县发改局_项目基本信息台账.xlsx", PROJECTS)
        write_xlsx(land / "县发改局_2024年度投资计划.xlsx", PLANS)
        write_xlsx(land / "县发改局_2024年度投资计划中期调整.xlsx", PLANS_MID_YEAR)
        write_xlsx(land / "各单位_2024年6月_月度进度.xlsx", PROGRESS)
        write_xlsx(land / "县发改局_前期手续办理台账.xlsx", PROCEDURES)
        write_xlsx(land / "县经合中心_招商引资签约项目台账.xlsx", CONTRACTS)
        summary = run_pipeline()
        assert summary.success, summary.failed_steps
        assert summary.rows["rejected"] == 0
        con = duckdb.connect(str(paths.warehouse), read_only=True)
        try:
            yield con
        finally:
            con.close()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _rate(con, rate_name, cohort, variant, month, region=ZB, lead_unit=None):
    scope = "region" if lead_unit is None else "lead_unit"
    rows = con.execute(
        "SELECT cohort_size, numerator, denominator, rate FROM marts.mart_five_rates "
        "WHERE region_code = ? AND year = 2024 AND month = ? AND rate_name = ? AND cohort = ? AND variant = ? "
        "AND scope = ? AND coalesce(lead_unit, '') = ?",
        [region, month, rate_name, cohort, variant, scope, lead_unit or ""],
    ).fetchall()
    assert len(rows) == 1, (rate_name, cohort, variant, month, rows)
    return rows[0]


def _metric(con, metric_key, month, region=ZB):
    return con.execute(
        "SELECT actual_value, numerator, denominator, actual_source FROM intermediate.int_metrics__rates "
        "WHERE region_code = ? AND year = 2024 AND month = ? AND metric_key = ?",
        [region, month, metric_key],
    ).fetchone()


def test_landing_rate_of_the_prior_year_cohort(warehouse):
    w = warehouse
    # 2023 deals Z1, Z2, Z3 (Z3 terminated stays in the denominator).
    #   March: only Z1 has land (2023-07-01) -> 1/3; June: Z2 landed 2024-04-10 -> 2/3.
    assert _rate(w, LANDING, "signed_prior_year", "count", 3) == (3, D(1), D(3), D("0.333333"))
    assert _rate(w, LANDING, "signed_prior_year", "count", 6) == (3, D(2), D(3), D("0.666667"))
    # amount-weighted, June: (5000 + 3000) / (5000 + 3000 + 2000) = 0.8
    assert _rate(w, LANDING, "signed_prior_year", "amount", 6)[3] == D("0.8")
    # in-year cohort, December: Z4..Z7 signed, Z4 and Z5 landed -> 2/4
    assert _rate(w, LANDING, "signed_in_year", "count", 12) == (4, D(2), D(4), D("0.5"))
    # the metric for target ZB2024-027/028 is the prior-year cohort
    assert _metric(w, "rate:招商引资落地率", 6) == (D("0.666667"), D(2), D(3), "project_data")
    # Bazhou has no 2023 deal: 0/0 and no value, but the row exists
    assert _metric(w, "rate:招商引资落地率", 6, BZ) == (None, D(0), D(0), "project_data")


def test_procedure_completion_rate_per_cohort(warehouse):
    w = warehouse
    # required procedures: K1 3 (立项, 环评, 施工许可), K2 2 (林地草原 不适用 is out), K3 2 (节能审查 否 is out)
    # county cohort = K1, K2, K3 (all key new starts, 县级 and 市级); city cohort = K1 (市级 only)
    #   March: K1 立项, K2 立项 + 用地预审 -> county 3/7, city 1/3
    #   June:  + K1 环评 (04-15)          -> county 4/7, city 2/3
    assert _rate(w, PROCEDURE, COUNTY, "procedure", 3) == (3, D(3), D(7), D("0.428571"))
    assert _rate(w, PROCEDURE, CITY, "procedure", 3) == (1, D(1), D(3), D("0.333333"))
    assert _metric(w, f"rate:{PROCEDURE}@{COUNTY}", 6)[:3] == (D("0.571429"), D(4), D(7))
    assert _metric(w, f"rate:{PROCEDURE}@{CITY}", 6)[:3] == (D("0.666667"), D(2), D(3))
    # project level, June: only K2 has all its required procedures done -> 1/3
    assert _rate(w, PROCEDURE, COUNTY, "project", 6) == (3, D(1), D(3), D("0.333333"))


def test_new_start_commencement_rate(warehouse):
    w = warehouse
    # March: K1 started 03-15 -> county 1/3, city 1/1; June: K1, K2 -> county 2/3
    assert _metric(w, f"rate:{START}@{COUNTY}", 3)[:3] == (D("0.333333"), D(1), D(3))
    assert _metric(w, f"rate:{START}@{CITY}", 3)[:3] == (D(1), D(1), D(1))
    assert _metric(w, f"rate:{START}@{COUNTY}", 6)[:3] == (D("0.666667"), D(2), D(3))
    # scheduled (序时) in April: K1 (month 3) and K2 (month 4) are due, K3 (month 6) not; only K1 started -> 1/2
    assert _rate(w, START, COUNTY, "scheduled", 4) == (2, D(1), D(2), D("0.5"))
    # per lead unit, June: 县交通局 K1 + K2 both started, 县水利局 K3 not
    assert _rate(w, START, COUNTY, "project", 6, lead_unit="县交通局") == (2, D(2), D(2), D(1))
    assert _rate(w, START, COUNTY, "project", 6, lead_unit="县水利局") == (1, D(0), D(1), D(0))


def test_plan_completion_and_completion_rates(warehouse):
    w = warehouse
    # 计划投资完成率, all key (K1, K2, K3, C1), June: (400 + 300 + 0 + 600) = 1300
    #   latest plan 1000 + 600 (K2 cut) + 500 + 600 = 2700 -> 0.481481; 年初 plan 2900 -> 0.448276
    assert _rate(w, "计划投资完成率", "all_key", "latest_plan", 6) == (4, D(1300), D(2700), D("0.481481"))
    assert _rate(w, "计划投资完成率", "all_key", "initial_plan", 6) == (4, D(1300), D(2900), D("0.448276"))
    # 竣工投产达效率, due to complete = C1 (竣工) + N1 (是否年内竣工): June C1 only -> 1/2, December both -> 2/2
    assert _metric(w, "rate:竣工投产达效率", 6)[:3] == (D("0.5"), D(1), D(2))
    assert _metric(w, "rate:竣工投产达效率", 12)[:3] == (D(1), D(2), D(2))


def test_investment_attraction_mart(warehouse):
    row = warehouse.execute(
        "SELECT deals_signed, signed_total_wan, deals_terminated, out_of_province_total_wan, overseas_total_wan, "
        "deals_landed, landing_rate, prior_year_landing_rate, foreign_capital_usd, domestic_capital_wan, "
        "domestic_capital_prior_year_wan, domestic_capital_growth "
        "FROM marts.mart_investment_attraction WHERE region_code = ? AND year = 2024 AND month = 12",
        [ZB],
    ).fetchone()
    # December: Z4 8000 + Z5 1000 + Z6 2500 (terminated, still signed) + Z7 4000 = 15500
    #   省外 incl. 境外: 8000 + 1000 + 4000 = 13000 (境外 1000); landed Z4, Z5 -> 2/4; prior year 2/3 (Z1, Z2)
    #   外资 52 万美元 (Z5); 内资 3000 (Z4) vs 2023 deals 2000 + 500 = 2500 -> +0.2
    assert row == (
        4, D(15500), 1, D(13000), D(1000), 2, D("0.5"), D("0.666667"), D(52), D(3000), D(2500), D("0.2"),
    )  # fmt: skip
    # March: signed Z4 + Z5 = 9000; 内资 3000 vs 2023 deals signed by 2023-03-31 (Z1 2000) -> +0.5
    assert _metric(warehouse, "attraction_signed_total", 3) == (D(9000), None, None, "project_data")
    assert _metric(warehouse, "attraction_domestic_capital_growth", 3)[:3] == (D("0.5"), D(1000), D(2000))
    assert _metric(warehouse, "attraction_out_of_province_total", 12)[0] == D(13000)
    assert _metric(warehouse, "attraction_foreign_capital_usd", 12)[0] == D(52)
    # Bazhou: its own deal only; no prior year -> growth null
    assert _metric(warehouse, "attraction_signed_total", 12, BZ)[0] == D(9999)
    growth_bz = _metric(warehouse, "attraction_domestic_capital_growth", 12, BZ)
    assert growth_bz == (None, None, None, "project_data")


def test_metric_long_form_has_every_month_and_key(warehouse):
    # 2 regions x 11 report months x 10 metric keys, one row each
    n, keys = warehouse.execute(
        "SELECT count(*), count(DISTINCT metric_key) FROM intermediate.int_metrics__rates WHERE year = 2024"
    ).fetchone()
    assert (n, keys) == (2 * 11 * 10, 10)
    # the mart's landing rate and the long form agree with the attraction mart's prior-year rate
    mart = warehouse.execute(
        "SELECT prior_year_landing_rate FROM marts.mart_investment_attraction "
        "WHERE region_code = ? AND year = 2024 AND month = 6",
        [ZB],
    ).fetchone()[0]
    assert mart == _metric(warehouse, "rate:招商引资落地率", 6)[0]

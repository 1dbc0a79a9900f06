"""Funds area end to end: real xlsx ledgers → Dagster → GX → dbt; 争取资金, bond deadlines, the statistics
bureau's investment structure and the funds metrics compared with figures computed by hand
(docs/metrics/funds.md)."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal as D

import duckdb
import pytest
from ledgers import write_xlsx

from xmdw.core.paths import DataPaths
from xmdw.defs.pipeline import run_pipeline

pytestmark = pytest.mark.e2e

PROJECTS = [
    ["项目编号", "项目名称", "区划代码", "四个一批阶段", "总投资", "牵头单位", "实际开工时间"],
    ["Z1", "镇巴县甲水厂", "610728", "开工在建", 3000, "县水利局", date(2024, 3, 5)],  # 增发国债, started on time
    ["Z2", "镇巴县乙河道", "610728", "开工在建", 2000, "县水利局", date(2024, 7, 10)],  # 增发国债, started late
    ["Z3", "镇巴县丙公路", "610728", "开工在建", 9000, "县交通局", date(2023, 5, 1)],  # 专项债 + 中央预算内
    ["Z4", "镇巴县丁园区", "610728", "储备", 8000, "县经贸局", None],  # 专项债 request only
    ["B1", "巴州区戊学校", "511902", "开工在建", 7000, "区教科局", date(2023, 9, 1)],
]  # fmt: skip

FUND_HEADER = [
    "项目编号", "项目名称", "资金类型", "资金年度", "批次", "资金性质", "申请金额",
    "下达金额", "下达时间", "到位金额", "到位时间", "已支付金额", "支付截至日期",
]  # fmt: skip

# Zhenba, June: first submission (payments as of 30 June)
FUNDS_JUNE = [
    FUND_HEADER,
    ["Z1", "甲", "增发国债", 2023, "第一批", None, 1200, 1000, date(2023, 12, 10), 1000, date(2023, 12, 20), 400, date(2024, 6, 30)],
    ["Z2", "乙", "增发国债", 2023, "第一批", None, 600, 500, date(2023, 12, 12), 500, date(2024, 1, 5), 100, date(2024, 6, 30)],
    ["Z3", "丙", "地方政府专项债券", 2024, "第一批", None, 2500, 2000, date(2024, 3, 20), 2000, date(2024, 4, 10), 500, date(2024, 6, 30)],
    ["Z3", "丙", "中央预算内投资", 2023, "第一批", None, 900, 800, date(2023, 4, 1), 800, date(2023, 4, 20), 800, date(2023, 12, 31)],
    ["Z4", "丁", "地方政府专项债券", 2024, "储备申报", None, 3000, None, None, None, None, None, None],
]  # fmt: skip

# Zhenba, December: corrected resubmission (payments as of 31 December) plus two new rows
FUNDS_DECEMBER = [
    FUND_HEADER,
    ["Z1", "甲", "增发国债", 2023, "第一批", None, 1200, 1000, date(2023, 12, 10), 1000, date(2023, 12, 20), 1000, date(2024, 12, 31)],
    ["Z2", "乙", "增发国债", 2023, "第一批", None, 600, 500, date(2023, 12, 12), 500, date(2024, 1, 5), 450, date(2024, 12, 31)],
    ["Z3", "丙", "地方政府专项债券", 2024, "第一批", None, 2500, 2000, date(2024, 3, 20), 2000, date(2024, 4, 10), 2000, date(2024, 12, 31)],
    ["Z3", "丙", "地方政府专项债券", 2024, "第二批", None, 1200, 1000, date(2024, 9, 10), 1000, date(2024, 9, 20), 1000, date(2024, 12, 31)],
    ["Z3", "丙", "中央预算内投资", 2024, "第一批", None, 400, 300, None, None, None, None, None],  # no issued date
]  # fmt: skip

# Bazhou: a project fund and a transfer payment without a registered project (placed by its submitting unit)
FUNDS_BAZHOU = [
    FUND_HEADER,
    ["B1", "戊", "中央预算内投资", 2024, None, "项目资金", 7000, 6000, date(2024, 4, 1), 6000, date(2024, 4, 15), 3000, date(2024, 12, 31)],
    ["FXM-001", "2024年转移支付", "其他", 2024, None, "非项目资金", 4000, 4000, date(2024, 5, 1), 4000, date(2024, 5, 10), 4000, date(2024, 12, 31)],
]  # fmt: skip

FAI = [
    ["区划代码", "指标代码", "指标名称", "年度", "月份", "本年累计", "同比增长", "占比"],
    ["610728", "FAI_TOTAL", "固定资产投资（不含农户）", 2024, 12, 10000, 0.09, None],
    ["610728", "FAI_PRIVATE", "民间投资", 2024, 12, 6500, 0.05, 0.61],
    ["610728", "FAI_SOCIAL_EX_RE", "社会资本投资（不含房地产开发）", 2024, 12, 8000, 0.085, 0.8],
    ["610728", "FAI_INDUSTRIAL", "产业投资", 2024, 12, 6000, 0.07, None],
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("funds") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XMDW_DATA_DIR", str(root))
        mp.setenv("XMDW_WAREHOUSE", str(root / "warehouse.duckdb"))
        paths = DataPaths(root).ensure()
        write_xlsx(paths.landing / "发改局_项目基本信息台账.xlsx", PROJECTS)
        june = write_xlsx(paths.landing / "县财政局_2024年06月_争取资金台账.xlsx", FUNDS_JUNE)
        december = write_xlsx(paths.landing / "县财政局_2024年12月_争取资金台账.xlsx", FUNDS_DECEMBER)
        write_xlsx(paths.landing / "区财政局_2024年12月_争取资金台账.xlsx", FUNDS_BAZHOU)
        write_xlsx(paths.landing / "县统计局_2024年12月_固定资产投资主要指标.xlsx", FAI)
        # the December file is a later submission than the June one: ingested after it (revision 2)
        stamp = june.stat().st_mtime
        os.utime(december, (stamp + 60, stamp + 60))
        summary = run_pipeline()
        assert summary.success, summary.failed_steps
        assert summary.rows["rejected"] == 0
        con = duckdb.connect(str(paths.warehouse), read_only=True)
        try:
            yield con
        finally:
            con.close()


def _rows(con, sql: str, params=()) -> list[dict]:
    cur = con.execute(sql, list(params))
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def test_funding_mart_amounts_subsets_and_growth(warehouse):
    funding = {
        (r["region_code"], r["year"], r["month"], r["fund_type"]): r
        for r in _rows(warehouse, "SELECT * FROM marts.mart_funding WHERE month IN (6, 12)")
    }
    # Zhenba 2024 合计, end of June: issued = 专项债 第一批 2000 (03-20); 中央预算内 300 has no date -> December.
    #   paid 500 = the June snapshot of 第一批 (the December resubmission did not erase it).
    #   Same period of 2023: 中央预算内 800 (04-01); 增发国债 1000 + 500 were issued in December -> not yet.
    #   growth (2000 − 800) / 800 = 1.5
    june = funding[("610728", 2024, 6, "合计")]
    assert (june["issued_wan"], june["paid_wan"], june["issued_undated_wan"]) == (
        D("2000"),
        D("500"),
        D("300"),
    )
    assert (june["policy_issued_wan"], june["prior_year_policy_issued_wan"], june["policy_growth"]) == (
        D("2000"),
        D("800"),
        D("1.5"),
    )
    # December: issued 2000 + 1000 (第二批 09-10) + 300 (undated) = 3300; received 2000 + 1000 = 3000;
    #   paid 2000 + 1000 = 3000; 2023 base 800 + 1000 + 500 = 2300 -> (3300 − 2300) / 2300 = 0.434783
    dec = funding[("610728", 2024, 12, "合计")]
    assert (dec["issued_wan"], dec["received_wan"], dec["paid_wan"]) == (D("3300"), D("3000"), D("3000"))
    assert (dec["prior_year_policy_issued_wan"], dec["policy_growth"]) == (D("2300"), D("0.434783"))
    # 中省 projects of 2024: Z3 (专项债, 中央预算内) and Z4 (专项债 request, 谋划) = 2; funded by December: Z3 only
    assert (dec["central_provincial_project_count"], dec["funded_project_count"], dec["requested_wan"]) == (
        2,
        1,
        D("2500") + D("1200") + D("400") + D("3000"),
    )
    # Zhenba free grants 2024: 中央预算内 300 only (专项债 is repayable, not 无偿)
    assert dec["free_grant_wan"] == D("300")
    # 2023 增发国债 row of the 2023 fund year: 1500 issued in December 2023; 500 received by then (Z2 in January)
    zfz = funding[("610728", 2023, 12, "增发国债")]
    assert (zfz["issued_wan"], zfz["received_wan"], zfz["paid_wan"]) == (D("1500"), D("1000"), D("0"))
    # Bazhou: 无偿补助资金 = 6000 (中央预算内, 项目资金) + 4000 (其他 classified 非项目资金, placed in 511902 by its
    #   submitting unit 区财政局) = 10000, of which 项目资金 6000; 政策性资金 6000 (其他 is no policy fund);
    #   FXM-001 is no project: 1 project
    bz = funding[("511902", 2024, 12, "合计")]
    assert (bz["free_grant_wan"], bz["project_fund_wan"], bz["policy_issued_wan"]) == (
        D("10000"),
        D("6000"),
        D("6000"),
    )
    assert (bz["project_count"], bz["central_provincial_project_count"], bz["policy_growth"]) == (1, 1, None)
    # money of the type rows adds up to the 合计 row
    sums = warehouse.execute(
        "SELECT region_code, year, month, sum(issued_wan), sum(paid_wan), sum(free_grant_wan) "
        "FROM marts.mart_funding WHERE NOT is_total_row GROUP BY 1, 2, 3 "
        "EXCEPT SELECT region_code, year, month, issued_wan, paid_wan, free_grant_wan "
        "FROM marts.mart_funding WHERE is_total_row"
    ).fetchall()
    assert sums == []


def test_fund_deadlines_status_by_month(warehouse):
    rows = _rows(
        warehouse,
        "SELECT project_id, batch, milestone, year, month, deadline_scope, progress_ratio, days_left, status, "
        "is_latest_month FROM marts.mart_fund_deadlines WHERE region_code = '610728'",
    )
    status = {(r["project_id"], r["batch"], r["milestone"], r["year"], r["month"]): r["status"] for r in rows}
    latest = {(r["project_id"], r["batch"], r["milestone"]): r for r in rows if r["is_latest_month"]}
    # tranches: Z1, Z2 (增发国债 2023), Z3 第一批/第二批 (专项债 2024); the Z4 request is no tranche;
    # the 2023 中央预算内 row is no bond
    assert sorted({(k[0], k[1]) for k in latest}) == [
        ("Z1", "第一批"),
        ("Z2", "第一批"),
        ("Z3", "第一批"),
        ("Z3", "第二批"),
    ]
    # the latest fund data is dated 2024-12-31 -> December is the current month
    assert {(r["year"], r["month"]) for r in latest.values()} == {(2024, 12)}
    # 全部开工 due 2024-06-30 (the 610728 row wins over the national one of the same date: scope 本地)
    assert latest[("Z1", "第一批", "全部开工")]["status"] == "按时完成"  # started 03-05
    assert latest[("Z1", "第一批", "全部开工")]["deadline_scope"] == "本地"
    assert status[("Z2", "第一批", "全部开工", 2024, 6)] == "逾期"  # not started by 06-30
    assert status[("Z2", "第一批", "全部开工", 2024, 5)] == "临近"  # 06-30 − 05-31 = 30 days ≤ 30
    assert latest[("Z2", "第一批", "全部开工")]["status"] == "逾期完成"  # started 07-10
    # 资金使用完毕 due 2024-12-31: Z1 paid 1000 / 1000 (December snapshot); Z2 450 / 500 = 0.9 -> overdue
    assert latest[("Z1", "第一批", "资金使用完毕")]["status"] == "按时完成"
    z2 = latest[("Z2", "第一批", "资金使用完毕")]
    assert (z2["status"], z2["progress_ratio"], z2["days_left"]) == ("逾期", D("0.9"), 0)
    # in June Z2 had paid 100 / 500 = 0.2 (June snapshot), 184 days left
    june = next(
        r
        for r in rows
        if (r["project_id"], r["milestone"], r["year"], r["month"]) == ("Z2", "资金使用完毕", 2024, 6)
    )
    assert (june["progress_ratio"], june["days_left"], june["status"]) == (D("0.2"), 184, "未到期")
    # 专项债 发行完毕 due 08-31: 第一批 issued 03-20 on time; 第二批 issued 09-10: overdue at the end of August
    # (the due day has passed), then done late
    assert latest[("Z3", "第一批", "新增债券发行完毕")]["status"] == "按时完成"
    assert status[("Z3", "第二批", "新增债券发行完毕", 2024, 7)] == "未到期"  # 31 days left > 30
    assert status[("Z3", "第二批", "新增债券发行完毕", 2024, 8)] == "逾期"
    assert latest[("Z3", "第二批", "新增债券发行完毕")]["status"] == "逾期完成"
    # 支付完毕 due 12-31: 第一批 2000 / 2000 and 第二批 1000 / 1000 by the December snapshot
    assert latest[("Z3", "第一批", "新增债券支付完毕")]["status"] == "按时完成"
    assert latest[("Z3", "第二批", "新增债券支付完毕")]["status"] == "按时完成"
    assert status[("Z3", "第一批", "新增债券支付完毕", 2024, 9)] == "未到期"


def test_funds_metrics_by_hand_and_consistent_with_the_mart(warehouse):
    metrics = {
        (r[0], r[1], r[2]): r[3:]
        for r in warehouse.execute(
            "SELECT region_code, month, metric_key, actual_value, numerator, denominator, actual_source "
            "FROM intermediate.int_metrics__funds WHERE year = 2024"
        ).fetchall()
    }

    def value(region, month, key):
        return metrics[(region, month, key)][0]

    assert value("610728", 6, "funding_policy_total") == D("2000")
    assert value("610728", 12, "funding_policy_total") == D("3300")
    assert metrics[("610728", 12, "funding_growth")] == (D("0.434783"), D("3300"), D("2300"), "project_data")
    assert value("610728", 12, "funding_central_provincial_project_count") == 2
    # 2024 new special bonds: 第一批 2000 + 第二批 1000 = 3000 issued in the year (the Z4 request is no bond)
    #   issued by end of August 2000 / 3000; by end of September 1.0
    assert metrics[("610728", 8, "bond_issue_deadline")][:3] == (D("0.666667"), D("2000"), D("3000"))
    assert value("610728", 9, "bond_issue_deadline") == D("1")
    #   paid: June 500 / 3000 = 0.166667 (September too: no newer snapshot); December 3000 / 3000
    assert value("610728", 6, "bond_pay_deadline") == D("0.166667")
    assert value("610728", 9, "bond_pay_deadline") == D("0.166667")
    assert value("610728", 12, "bond_pay_deadline") == D("1")
    # 2023 增发国债 (its deadlines fall in 2024): 1000 + 500 = 1500; started Z1 (03-05) by June, Z2 (07-10) by July;
    #   spent (400 + 100) / 1500 in June, (1000 + 450) / 1500 in December
    assert value("610728", 2, "treasury_bond_amount") == D("1500")
    assert (value("610728", 6, "treasury_bond_start"), value("610728", 7, "treasury_bond_start")) == (1, 2)
    assert metrics[("610728", 6, "treasury_bond_spend")][:3] == (D("0.333333"), D("500"), D("1500"))
    assert value("610728", 12, "treasury_bond_spend") == D("0.966667")
    # Bazhou 无偿补助资金 10000, of which 项目资金 6000; no 专项债 / 增发国债: ratios null, amounts 0
    assert (
        value("511902", 12, "funding_free_grant_total"),
        value("511902", 12, "funding_project_fund_total"),
    ) == (
        D("10000"),
        D("6000"),
    )
    assert (value("511902", 12, "bond_issue_deadline"), value("511902", 12, "treasury_bond_amount")) == (
        None,
        0,
    )
    # statistics bureau: published growth and share as published; 产业投资 share derived 6000 / 10000;
    #   民间投资 in 社会资本 6500 / 8000 = 0.8125; November not released -> null
    assert metrics[("610728", 12, "stats_aggregate:FAI_TOTAL")] == (D("0.09"), None, None, "stats_aggregate")
    assert metrics[("610728", 12, "stats_aggregate:FAI_PRIVATE_SHARE")][:3] == (D("0.61"), None, None)
    assert metrics[("610728", 12, "stats_aggregate:FAI_INDUSTRIAL_SHARE")][:3] == (
        D("0.6"),
        D("6000"),
        D("10000"),
    )
    assert metrics[("610728", 12, "stats_aggregate:FAI_PRIVATE_IN_SOCIAL_SHARE")][:3] == (
        D("0.8125"),
        D("6500"),
        D("8000"),
    )
    assert value("610728", 11, "stats_aggregate:FAI_TOTAL") is None
    # every region x report month has all 22 keys
    counts = warehouse.execute(
        "SELECT count(DISTINCT metric_key), count(*) FROM intermediate.int_metrics__funds WHERE year = 2024"
    ).fetchone()
    assert counts == (22, 2 * 11 * 22)
    # the metric and the mart's 合计 row agree in every month
    diff = warehouse.execute(
        "SELECT m.region_code, m.month FROM intermediate.int_metrics__funds m "
        "JOIN marts.mart_funding f ON f.region_code = m.region_code AND f.year = m.year AND f.month = m.month "
        "AND f.is_total_row WHERE m.metric_key = 'funding_policy_total' AND m.actual_value <> f.policy_issued_wan"
    ).fetchall()
    assert diff == []


def test_investment_structure_is_the_bureau_release(warehouse):
    rows = {
        r["indicator_code"]: r
        for r in _rows(
            warehouse,
            "SELECT indicator_code, indicator_name_zh, value_wan, yoy_growth, share, share_source, "
            "share_numerator_wan, share_denominator_wan, share_base_code, is_derived_indicator "
            "FROM marts.mart_investment_structure WHERE region_code = '610728' AND year = 2024 AND month = 12",
        )
    }
    assert set(rows) == {
        "FAI_TOTAL",
        "FAI_PRIVATE",
        "FAI_SOCIAL_EX_RE",
        "FAI_INDUSTRIAL",
        "FAI_PRIVATE_IN_SOCIAL_SHARE",
    }
    # published share kept although the levels give 6500 / 10000 = 0.65
    assert (rows["FAI_PRIVATE"]["share"], rows["FAI_PRIVATE"]["share_source"]) == (D("0.61"), "published")
    ind = rows["FAI_INDUSTRIAL"]
    assert (ind["share"], ind["share_source"], ind["share_numerator_wan"], ind["share_denominator_wan"]) == (
        D("0.6"),
        "derived",
        D("6000"),
        D("10000"),
    )
    mix = rows["FAI_PRIVATE_IN_SOCIAL_SHARE"]
    assert (mix["share"], mix["share_base_code"], mix["is_derived_indicator"], mix["value_wan"]) == (
        D("0.8125"),
        "FAI_SOCIAL_EX_RE",
        True,
        None,
    )
    assert mix["indicator_name_zh"] == "民间投资在社会资本投资（不含房地产开发）中的占比"
    assert (rows["FAI_TOTAL"]["yoy_growth"], rows["FAI_TOTAL"]["share"]) == (D("0.09"), None)

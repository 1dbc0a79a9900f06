"""The 文字通报 sentences and the 公文 date on small hand-made inputs (no warehouse); the charts are in
test_report_charts.py."""

from __future__ import annotations

from datetime import date

from xmdw.reports import narrative
from xmdw.reports.docx_out import chinese_date

ROW = {
    "region_scope_zh": "全县",
    "period_label": "1—11月",
    "month": 11,
    "key_projects": 45,
    "key_ytd_completed_wan": 491560.6,
    "key_annual_plan_wan": 558600.0,
    "key_completion_ratio": 0.879987,
    "key_pace_gap": -0.03668,
    "all_projects": 62,
    "all_completion_ratio": 0.909335,
    "all_pace_gap": 0.0,
    "regions_ranked": 1,
    "region_rank": 1,
    "best_lead_unit": "县住建局",
    "best_lead_unit_ratio": 0.970948,
    "worst_lead_unit": "县发改局",
    "worst_lead_unit_ratio": 0.762062,
    "lead_units_ranked": 9,
    "lead_units_behind_pace": 1,
    "snails_month": 4,
    "snails_month_new": 1,
    "snails_month_new_zh": "镇巴县甲项目",
    "deadlines_overdue": 0,
    "deadlines_near": 2,
    "deadlines_at_risk_zh": "乙项目（资金使用完毕）、丙项目（全部开工）",
    "targets_total": 10,
    "targets_completed": 2,
    "targets_not_completed": 1,
    "targets_met": 3,
    "targets_on_track": 2,
    "targets_behind": 1,
    "targets_severely_behind": 1,
    "targets_without_data": 0,
    "targets_forecast_missed": 2,
    "not_completed_zh": "开工率-二季度",
    "forecast_missed_zh": "竣工项目个数、新增产能项目个数",
}


def test_monthly_paragraph_reads_like_a_bulletin():
    n = narrative.monthly(ROW)
    assert n.text == (
        "1—11月，全县45个重点项目累计完成投资49.16亿元，占年度计划55.86亿元的88.0%，较序时进度慢3.7个百分点；"
        "全部62个计划项目投资完成率90.9%，与序时进度持平。"
        "分牵头单位看，县住建局完成率最高（97.1%），县发改局最低（76.2%）；9个牵头单位中有1个慢于序时进度。"
        "本月蜗牛项目4个，其中新上榜1个：镇巴县甲项目。"
        "资金与债券节点临近截止2个：乙项目（资金使用完毕）、丙项目（全部开工）。"
        "10项重点指标中，完成2项、未完成1项、达标3项、正常2项、滞后1项、严重滞后1项；已到期未完成的有开工率-二季度；"
        "按当前进度，2项年底预计难以完成：竣工项目个数、新增产能项目个数。"
    )
    assert n.figures["key_ytd_completed_wan"] == 491560.6 and n.shown["key_ytd_completed_wan"] == "49.16"


def test_long_lists_are_cut_with_the_marts_count_and_missing_progress_is_said():
    row = ROW | {"targets_forecast_missed": 7, "forecast_missed_zh": "、".join(f"指标{i}" for i in range(7))}
    row |= {"key_projects": None, "all_projects": None, "best_lead_unit": None}
    n = narrative.monthly(row)
    assert "按当前进度，7项年底预计难以完成：指标0、指标1、指标2、指标3、指标4等7项。" in n.text
    assert n.text.startswith("1—11月，全县尚无重点项目投资进度数据。")


def test_year_end_and_quarter_lead_with_targets():
    assert narrative.year_end(ROW | {"month": 12}, 2024).text.startswith("2024年，10项重点指标中，完成2项")
    assert narrative.year_end(ROW, 2024).text.startswith("2024年（数据截至11月末），")
    assert narrative.quarterly(ROW, 3).text.startswith("第三季度末，10项重点指标中")


def test_official_date_in_chinese_numerals():
    assert chinese_date(date(2024, 12, 6)) == "二〇二四年十二月六日"
    assert chinese_date(date(2025, 1, 10)) == "二〇二五年一月十日"
    assert chinese_date(date(2024, 11, 21)) == "二〇二四年十一月二十一日"
    assert chinese_date(date(2030, 10, 30)) == "二〇三〇年十月三十日"

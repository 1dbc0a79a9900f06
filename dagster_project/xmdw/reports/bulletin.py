"""The monthly bulletin (月通报), the quarterly scorecard (季考核) and the year-end evaluation (年终评).

Each is one xlsx workbook (formatted, native Excel charts), one offline HTML page (inline CSS and SVG) and,
when reportlab is installed, a PDF with real CJK glyphs — covering every region of the database: a summary
sheet ranking the regions, then one sheet (section) per region. Every figure comes from a mart
(`mart_reader` only selects, filters and sorts); contents and sources: docs/reports.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from xmdw.reports import mart_reader as mr
from xmdw.reports.document import Card, Cards, Chart, Col, Document, Part, Table, Text, number, records
from xmdw.reports.document import render_html as render_document_html
from xmdw.reports.render import unique_sheet_name
from xmdw.reports.xlsx_out import write_xlsx

SUMMARY_SHEET = "汇总"
COHORT_ZH = {
    "signed_in_year": "本年签约项目",
    "signed_prior_year": "上年签约项目",
    "county_new_start_key": "县级新开工重点项目",
    "city_new_start_key": "市级新开工重点项目",
    "all_new_start": "全部新开工项目",
    "all_key": "全部重点项目",
    "city_key": "市级以上重点项目",
    "all_planned": "全部计划项目",
    "all_due_completion": "年内应竣工项目",
    "key_due_completion": "年内应竣工重点项目",
}
COUNTED_IN_ZH = {"deal": "个（签约项目）", "project": "个（项目）", "procedure": "件（手续）", "万元": "万元"}
AT_RISK_DEADLINES = ("逾期", "临近")
NOTES = [
    "本报告所有数字均直接取自数仓专题表（marts），报告程序只做筛选、排序和格式化；各数字的口径见 docs/reports.md 和 docs/metrics.md。",
    "金额单位：万元（外资：万美元）；比率以百分数显示。投资完成数据为各单位调度数（非统计局法定数据）。",
    "序时进度 = 报告月份 / 12（1—2月为第一个报告期）。超序时进度为正表示快于序时，为负表示慢于序时（单位：百分点）。",
    "目标状态：达标＝已达到目标；正常＝达到序时应完成的95%以上；滞后＝80%—95%；严重滞后＝不足80%；无数据＝尚无实际值。",
    "年底预计：按当前进度线性推算到完成时限（年度目标即年底）的预计值，预计达不到目标的列为“年底预计难以完成”。",
    "蜗牛项目：重点项目中未按期开工、投资进度落后序时20个百分点以上、停缓建或连续2个月未报送调度数据的项目。",
]


class NoDataForPeriod(ValueError):
    """The database has no mart rows for the requested period."""


@dataclass
class ReportFiles:
    xlsx: Path
    html: Path
    pdf: Path | None
    headline: dict[str, object]


# ------------------------------------------------------------------------------------------------------
# Periods
# ------------------------------------------------------------------------------------------------------


def _label(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


def months_with_data(database: Path) -> list[str]:
    """'YYYY-MM' report months present in the marts (months with project data in at least one region)."""
    with mr.open_marts(Path(database)) as con:
        return [_label(y, m) for y, m in mr.report_months(con)]


def parse_month(month: str) -> tuple[int, int]:
    try:
        year, mon = (int(x) for x in month.split("-"))
    except ValueError as exc:
        raise ValueError(f"月份格式应为 YYYY-MM — month must be YYYY-MM: {month!r}") from exc
    if not 1 <= mon <= 12:
        raise ValueError(f"月份应为 01—12 — month must be 01..12: {month!r}")
    return year, mon


def _no_data(period_zh: str, period_en: str, available: list[tuple[int, int]]) -> NoDataForPeriod:
    have = "、".join(_label(y, m) for y, m in available) or "无"
    return NoDataForPeriod(
        f"{period_zh}没有数据（有数据的月份：{have}；1月不单独报告，1—2月合并为2月）— "
        f"no data for {period_en} (months with data: {have})"
    )


# ------------------------------------------------------------------------------------------------------
# Blocks (each a selection of mart rows)
# ------------------------------------------------------------------------------------------------------


def _of(frame: pd.DataFrame, region: str) -> pd.DataFrame:
    return frame[frame["region_code"] == region] if len(frame) else frame


def _one(frame: pd.DataFrame, region: str) -> dict:
    rows = records(_of(frame, region))
    return rows[0] if rows else {}


def _rate_row(rates: pd.DataFrame, region: str, rate: str, cohort: str, variant: str) -> dict:
    sel = _of(rates, region)
    sel = sel[(sel["rate_name"] == rate) & (sel["cohort"] == cohort) & (sel["variant"] == variant)]
    rows = records(sel)
    return rows[0] if rows else {}


def _rank_text(row: dict) -> str | None:
    if row.get("rank_completion") is None:
        return None
    return f"{int(row['rank_completion'])}/{int(row['groups_ranked'])}"


TARGET_COLS = [
    Col("target_id", "目标编号", width=12),
    Col("indicator_zh", "指标", width=30),
    Col("lead_unit", "牵头单位", width=14),
    Col("comparator", "比较", width=6),
    Col("target_value", "目标值", "num", 12),
    Col("unit", "单位", width=8),
    Col("actual_value", "实际值", "num", 12),
    Col("expected_by_now", "序时应完成", "num", 12),
    Col("actual_to_target", "完成目标比例", "ratio", 10),
    Col("status", "状态", "status", 9),
    Col("forecast_at_due", "按当前进度预计", "num", 12),
]


def targets_table(targets: pd.DataFrame, title: str, note: str = "") -> Table:
    return Table(title, TARGET_COLS, records(targets), note=note, empty="无目标")


def at_risk_table(targets: pd.DataFrame) -> Table:
    sel = targets[(targets["forecast_meets_target"] == False) & ~targets["status"].isin(["达标", "无数据"])]  # noqa: E712
    sel = sel.sort_values(["pace_ratio", "target_id"], na_position="last")
    cols = [*TARGET_COLS[:3], TARGET_COLS[4], TARGET_COLS[6], TARGET_COLS[10], Col("due_date", "完成时限", "date", 11),
            TARGET_COLS[9]]  # fmt: skip
    return Table(
        "年底预计难以完成的目标",
        cols,
        records(sel),
        note="按当前进度推算到完成时限仍达不到目标（已达标和无数据的除外），按序时完成比从低到高排列。",
        empty="无：按当前进度各项已计量目标均可完成。",
    )


def rates_table(rates: pd.DataFrame) -> Table:
    sel = rates.assign(
        label=rates["rate_name"] + "·" + rates["cohort"].map(COHORT_ZH).fillna(rates["cohort"]),
        unit_zh=rates["counted_in"].map(COUNTED_IN_ZH).fillna(rates["counted_in"]),
    )
    cols = [
        Col("label", "指标·口径", width=28),
        Col("numerator", "分子", "num", 12),
        Col("denominator", "分母", "num", 12),
        Col("unit_zh", "计量", width=12),
        Col("rate", "比率", "ratio", 10),
        Col("cohort_size", "口径项目数", "int", 10),
    ]
    chart = Chart("五率", "label", ("rate",))
    return Table("五率", cols, records(sel), chart=chart if len(sel) else None)


def four_batches_table(batches: pd.DataFrame) -> Table:
    cols = [
        Col("stage", "阶段", width=10),
        Col("project_count", "项目数", "int", 10),
        Col("total_investment_wan", "总投资（万元）", "wan", 14),
        Col("annual_plan_latest_wan", "年度计划（万元）", "wan", 14),
        Col("entered_count", "本月转入", "int", 9),
        Col("left_count", "本月转出", "int", 9),
        Col("main_inflow_label", "主要转入", width=16),
        Col("main_inflow_count", "主要转入数", "int", 10),
    ]
    chart = Chart("四个一批项目数", "stage", ("project_count",), ratio=False, horizontal=False)
    return Table("四个一批", cols, records(batches), chart=chart if len(batches) else None)


def ranking_table(ranking: pd.DataFrame, dimension: str, title: str) -> Table:
    sel = ranking[ranking["dimension"] == dimension]
    cols = [
        Col("rank_completion", "排名", "int", 6),
        Col("group_name", {"lead_unit": "牵头单位", "town": "镇街", "region": "区县"}[dimension], width=16),
        Col("projects_planned", "计划项目数", "int", 9),
        Col("projects_reporting", "本月报送", "int", 9),
        Col("annual_plan_latest_wan", "年度计划（万元）", "wan", 14),
        Col("ytd_completed_wan", "累计完成（万元）", "wan", 14),
        Col("completion_ratio", "计划投资完成率", "ratio", 10),
        Col("time_pace", "序时进度", "ratio", 9),
        Col("pace_gap", "超序时（百分点）", "pp", 10),
        Col("pace_gap_wan", "超序时金额（万元）", "wan", 14),
        Col("snail_projects", "蜗牛项目", "int", 8),
    ]
    chart = Chart(f"{title}：完成率与序时进度", "group_name", ("completion_ratio", "time_pace"))
    return Table(
        title,
        cols,
        records(sel),
        chart=chart if len(sel) else None,
        note="全部有年度计划的项目，调度数；完成率为累计完成之和除以年度计划之和；排名按完成率从高到低。",
    )


def snail_table(snails: pd.DataFrame, title: str) -> Table:
    cols = [
        Col("snail_rank_in_region", "排名", "int", 6),
        Col("project_name", "项目名称", width=30),
        Col("lead_unit", "牵头单位", width=14),
        Col("key_level", "级别", width=8),
        Col("annual_plan_latest_wan", "年度计划（万元）", "wan", 13),
        Col("ytd_completed_wan", "累计完成（万元）", "wan", 13),
        Col("completion_ratio", "完成率", "ratio", 9),
        Col("snail_score", "命中条数", "int", 8),
        Col("consecutive_months_flagged", "连续上榜月数", "int", 9),
        Col("snail_reasons_zh", "原因", width=60),
    ]
    return Table(title, cols, records(snails), empty="无蜗牛项目。")


def deadlines_table(deadlines: pd.DataFrame, title: str, statuses: tuple[str, ...] | None) -> Table:
    sel = deadlines if statuses is None else deadlines[deadlines["status"].isin(statuses)]
    sel = sel[sel["status"] != "无截止要求"] if statuses is None else sel
    cols = [
        Col("project_name", "项目", width=28),
        Col("fund_type", "资金类型", width=14),
        Col("fund_year", "资金年度", "text", 8),
        Col("batch", "批次", width=8),
        Col("milestone", "节点要求", width=22),
        Col("due_date", "截止日期", "date", 11),
        Col("days_left", "剩余天数", "int", 8),
        Col("spend_base_wan", "下达金额（万元）", "wan", 13),
        Col("paid_wan", "已支付（万元）", "wan", 13),
        Col("progress_ratio", "进度", "ratio", 8),
        Col("status", "状态", "status", 9),
    ]
    empty = "无逾期或临近截止的资金节点。" if statuses else "无。"
    return Table(title, cols, records(sel), empty=empty)


def funding_cards(funding: dict, attraction: dict) -> list[Cards]:
    funds = Cards(
        "争取资金（本年度资金，截至月末）",
        [
            Card("政策性资金（万元）", funding.get("policy_issued_wan"), "wan", "policy_issued_wan"),
            Card("同比增长", funding.get("policy_growth"), "ratio", "policy_growth"),
            Card("无偿补助资金（万元）", funding.get("free_grant_wan"), "wan", "free_grant_wan"),
            Card("其中项目资金（万元）", funding.get("project_fund_wan"), "wan", "project_fund_wan"),
            Card("中省资金项目数", funding.get("central_provincial_project_count"), "int", "cp_projects"),
            Card("已支付（万元）", funding.get("paid_wan"), "wan", "paid_wan"),
        ],
    )
    deals = Cards(
        "招商引资落地",
        [
            Card("本年签约项目", attraction.get("deals_signed"), "int", "deals_signed"),
            Card("签约总额（万元）", attraction.get("signed_total_wan"), "wan", "signed_total_wan"),
            Card("省外签约（万元）", attraction.get("out_of_province_total_wan"), "wan", "out_of_province"),
            Card("已落地项目", attraction.get("deals_landed"), "int", "deals_landed"),
            Card("本年签约落地率", attraction.get("landing_rate"), "ratio", "landing_rate"),
            Card(
                "上年签约落地率",
                attraction.get("prior_year_landing_rate"),
                "ratio",
                "prior_year_landing_rate",
            ),
            Card(
                "实际使用外资（万美元）", attraction.get("foreign_capital_usd"), "num", "foreign_capital_usd"
            ),
            Card("内资增长", attraction.get("domestic_capital_growth"), "ratio", "domestic_capital_growth"),
        ],
    )
    return [funds, deals]


def data_quality_table(dq: pd.DataFrame) -> Table:
    cols = [
        Col("submitting_unit", "报送单位", width=18),
        Col("files_received", "接收文件", "int", 9),
        Col("files_quarantined", "隔离文件", "int", 9),
        Col("rows_loaded", "入库行数", "int", 9),
        Col("rows_rejected", "退回行数", "int", 9),
        Col("fatal_findings", "致命问题", "int", 9),
        Col("warning_findings", "警告", "int", 8),
        Col("rows_held_back", "暂扣行数", "int", 9),
        Col("rules_failed", "涉及规则", "int", 9),
    ]
    checked = records(dq)[0].get("checked_at") if len(dq) else None
    note = (
        f"最近一次数据质量检查：{checked:%Y-%m-%d %H:%M}。明细见 数据质量报告.html 和 退回修改清单.xlsx。"
        if checked
        else ""
    )
    return Table("数据质量", cols, records(dq), note=note, empty="无数据质量检查记录。")


def headline_cards(snap: mr.Snapshot, region: str) -> Cards:
    region_rank = _one(snap.ranking[snap.ranking["dimension"] == "region"], region)
    key_rate = _rate_row(snap.rates, region, "计划投资完成率", "all_key", "latest_plan")
    status = _one(snap.status_summary, region)
    return Cards(
        "核心指标",
        [
            Card("重点项目计划投资完成率", key_rate.get("rate"), "ratio", "key_completion_ratio"),
            Card("全部计划项目完成率", region_rank.get("completion_ratio"), "ratio", "completion_ratio"),
            Card("序时进度", region_rank.get("time_pace"), "ratio", "time_pace"),
            Card("超序时（百分点）", region_rank.get("pace_gap"), "pp", "pace_gap"),
            Card("完成率排名", _rank_text(region_rank), "text", "rank"),
            Card("蜗牛项目", region_rank.get("snail_projects"), "int", "snail_projects"),
            Card("目标达标", status.get("targets_met"), "int", "targets_met"),
            Card("目标严重滞后", status.get("targets_severely_behind"), "int", "targets_severely_behind"),
            Card("年底预计难完成", status.get("targets_forecast_missed"), "int", "targets_forecast_missed"),
        ],
    )


# ------------------------------------------------------------------------------------------------------
# Summary across regions
# ------------------------------------------------------------------------------------------------------

SUMMARY_COLS = [
    Col("rank_completion", "排名", "int", 6),
    Col("region_name", "区县", width=12),
    Col("region_code", "区划代码", width=9),
    Col("key_completion_ratio", "重点项目计划投资完成率", "ratio", 12),
    Col("completion_ratio", "全部计划项目完成率", "ratio", 12),
    Col("time_pace", "序时进度", "ratio", 9),
    Col("pace_gap", "超序时（百分点）", "pp", 10),
    Col("snail_projects", "蜗牛项目", "int", 8),
    Col("targets_total", "目标数", "int", 7),
    Col("targets_met", "达标", "int", 6),
    Col("targets_on_track", "正常", "int", 6),
    Col("targets_behind", "滞后", "int", 6),
    Col("targets_severely_behind", "严重滞后", "int", 8),
    Col("targets_without_data", "无数据", "int", 7),
    Col("targets_forecast_missed", "年底预计难完成", "int", 10),
] + [Col(f"rate:{name}", name, "ratio", 11) for name, _, _ in mr.HEADLINE_RATES[1:]]


def summary_rows(snap: mr.Snapshot) -> list[dict]:
    """One row per region: the region's ranking row, target status counts and headline 五率 (a join of
    mart rows), sorted by the completion rank."""
    ranking = snap.ranking[snap.ranking["dimension"] == "region"]
    rows = []
    for region in records(snap.regions):
        code = region["region_code"]
        row = {"region_code": code, "region_name": region["region_name"]}
        row |= {k: v for k, v in _one(ranking, code).items() if k not in row}
        row |= {k: v for k, v in _one(snap.status_summary, code).items() if k not in row}
        for name, cohort, variant in mr.HEADLINE_RATES:
            key = "key_completion_ratio" if name == "计划投资完成率" else f"rate:{name}"
            row[key] = _rate_row(snap.rates, code, name, cohort, variant).get("rate")
        rows.append(row)
    return sorted(
        rows,
        key=lambda r: (r.get("rank_completion") is None, r.get("rank_completion") or 0, r["region_code"]),
    )


def summary_table(snap: mr.Snapshot, anchors: dict[str, str], title: str) -> Table:
    rows = summary_rows(snap)
    return Table(
        title,
        SUMMARY_COLS,
        rows,
        chart=Chart("各区县计划投资完成率与序时进度", "region_name", ("completion_ratio", "time_pace")),
        note="排名按全部计划项目的计划投资完成率；点击区县名称查看该区县的详细通报。",
        link_col="region_name",
        links={r["region_name"]: anchors[r["region_code"]] for r in rows if r["region_code"] in anchors},
    )


# ------------------------------------------------------------------------------------------------------
# Documents
# ------------------------------------------------------------------------------------------------------


def _region_parts(snap: mr.Snapshot, blocks_for) -> tuple[list[Part], dict[str, str]]:
    used: set[str] = {SUMMARY_SHEET, "口径说明"}
    parts, anchors = [], {}
    for region in records(snap.regions):
        code, name = region["region_code"], region["region_name"]
        anchors[code] = f"r{code}"
        sheet = unique_sheet_name(f"{name}", used)
        parts.append(Part(sheet, f"{name}（{code}）", blocks_for(code), anchor=anchors[code]))
    return parts, anchors


def monthly_document(snap: mr.Snapshot) -> Document:
    y, m = snap.year, snap.month

    def blocks(code: str) -> list:
        targets = _of(snap.targets, code)
        has_progress = code in set(snap.ranking["region_code"])
        out: list = []
        if not has_progress:
            out.append(
                Text(
                    f"本区县{m}月尚无项目进度数据（最近一次报送早于本月），以下仅列出目标和资金等情况。",
                    "warn",
                )
            )
        out += [
            headline_cards(snap, code),
            targets_table(targets, "重点指标完成情况"),
            rates_table(_of(snap.rates, code)),
            four_batches_table(_of(snap.four_batches, code)),
            ranking_table(_of(snap.ranking, code), "lead_unit", "投资完成情况（按牵头单位）"),
            ranking_table(_of(snap.ranking, code), "town", "投资完成情况（按镇街）"),
            snail_table(_of(snap.snails, code), f"蜗牛项目（{m}月）"),
            *funding_cards(_one(snap.funding, code), _one(snap.attraction, code)),
            deadlines_table(_of(snap.deadlines, code), "资金与债券节点：逾期或临近截止", AT_RISK_DEADLINES),
            at_risk_table(targets),
            data_quality_table(_of(snap.data_quality, code)),
        ]
        return out

    parts, anchors = _region_parts(snap, blocks)
    summary = Part(
        SUMMARY_SHEET,
        f"{y}年1—{m}月 各区县汇总",
        [summary_table(snap, anchors, "各区县排名")],
        anchor="summary",
    )
    return Document(
        title=f"{y}年1—{m}月 重点项目推进情况月通报",
        subtitle=f"报告期 {y}年1—{m}月 · 区县 {len(parts)} 个 · 数据来源：项目数据仓库专题表",
        stem=f"月通报_{_label(y, m)}",
        parts=[summary, *parts],
        notes=NOTES,
    )


SCORECARD_COLS = [
    Col("lead_unit", "牵头单位", width=18),
    Col("targets_owned", "牵头目标数", "int", 9),
    Col("targets_met", "达标", "int", 6),
    Col("targets_on_track", "正常", "int", 6),
    Col("targets_behind", "滞后", "int", 6),
    Col("targets_severely_behind", "严重滞后", "int", 8),
    Col("targets_without_data", "无数据", "int", 7),
    Col("targets_forecast_met", "预计完成", "int", 8),
    Col("on_track_share", "正常率", "ratio", 8),
]


def scorecard_table(scorecard: pd.DataFrame, title: str) -> Table:
    chart = Chart(
        "各牵头单位目标状态",
        "lead_unit",
        (
            "targets_met",
            "targets_on_track",
            "targets_behind",
            "targets_severely_behind",
            "targets_without_data",
        ),
        ratio=False,
        stacked=True,
    )
    return Table(
        title,
        SCORECARD_COLS,
        records(scorecard),
        chart=chart if len(scorecard) else None,
        note="按正常率（达标＋正常）/（牵头目标数－无数据）从高到低排列。",
        empty="无牵头目标。",
    )


def quarterly_document(snap: mr.Snapshot, quarter: int, scorecard: pd.DataFrame) -> Document:
    y, m = snap.year, snap.month

    def blocks(code: str) -> list:
        targets = _of(snap.targets, code).sort_values(["lead_unit", "target_id"])
        return [
            headline_cards(snap, code),
            scorecard_table(_of(scorecard, code), f"第{quarter}季度 牵头单位考核"),
            targets_table(targets, "各牵头单位目标完成情况（季末）", "按牵头单位排列。"),
            ranking_table(_of(snap.ranking, code), "lead_unit", "投资完成情况（按牵头单位）"),
            rates_table(_of(snap.rates, code)),
            snail_table(_of(snap.snails, code), f"第{quarter}季度 蜗牛项目名单"),
            at_risk_table(_of(snap.targets, code)),
        ]

    parts, anchors = _region_parts(snap, blocks)
    summary = Part(
        SUMMARY_SHEET,
        f"{y}年第{quarter}季度 各区县汇总",
        [summary_table(snap, anchors, "各区县排名")],
        "summary",
    )
    return Document(
        title=f"{y}年第{quarter}季度 重点项目推进考核",
        subtitle=f"考核期 {y}年第{quarter}季度（截至{m}月末）· 区县 {len(parts)} 个",
        stem=f"季考核_{y}Q{quarter}",
        parts=[summary, *parts],
        notes=NOTES,
    )


def year_end_document(snap: mr.Snapshot, scorecard: pd.DataFrame, conflicts: pd.DataFrame) -> Document:
    y, m = snap.year, snap.month
    partial = m < 12
    conflict_cols = [
        Col("conflict_group", "冲突组", width=22),
        Col("target_id", "目标编号", width=12),
        Col("indicator_zh", "指标", width=30),
        Col("target_value", "本条目标值", "num", 12),
        Col("unit", "单位", width=8),
        Col("conflict_kind", "冲突类型", width=22),
        Col("source_text", "原文", width=50),
    ]

    def blocks(code: str) -> list:
        out: list = []
        if partial:
            out.append(Text(f"{y}年12月数据尚未报送，以下为截至{m}月末的评价。", "warn"))
        quarter_title = (
            f"牵头单位考核（第{int(scorecard['quarter'].iloc[0])}季度末）"
            if len(scorecard)
            else "牵头单位考核"
        )
        out += [
            headline_cards(snap, code),
            targets_table(_of(snap.targets, code), "全年目标完成情况"),
            scorecard_table(_of(scorecard, code), quarter_title),
            rates_table(_of(snap.rates, code)),
            four_batches_table(_of(snap.four_batches, code)),
            ranking_table(_of(snap.ranking, code), "lead_unit", "投资完成情况（按牵头单位）"),
            ranking_table(_of(snap.ranking, code), "town", "投资完成情况（按镇街）"),
            snail_table(_of(snap.snails, code), "年末蜗牛项目名单"),
            *funding_cards(_one(snap.funding, code), _one(snap.attraction, code)),
            deadlines_table(_of(snap.deadlines, code), "资金与债券节点完成情况", None),
            Table(
                "计划文件自相矛盾的目标（两条均保留、分别计量）", conflict_cols, records(_of(conflicts, code))
            ),
        ]
        return out

    parts, anchors = _region_parts(snap, blocks)
    summary = Part(
        SUMMARY_SHEET, f"{y}年 各区县汇总", [summary_table(snap, anchors, "各区县排名")], "summary"
    )
    return Document(
        title=f"{y}年 重点项目推进年终评价",
        subtitle=f"评价年度 {y}年（数据截至{m}月末）· 区县 {len(parts)} 个",
        stem=f"年终评_{y}",
        parts=[summary, *parts],
        notes=NOTES,
    )


# ------------------------------------------------------------------------------------------------------
# Writing
# ------------------------------------------------------------------------------------------------------


def headline(snap: mr.Snapshot) -> dict[str, object]:
    """A few key figures per region for Dagster metadata (mart values, unchanged)."""
    by_region = {}
    for row in summary_rows(snap):
        by_region[row["region_code"]] = {
            "region_name": row["region_name"],
        } | {
            key: number(row.get(key))
            for key in ("key_completion_ratio", "completion_ratio", "snail_projects", "targets_met",
                        "targets_severely_behind")
        }  # fmt: skip
    return {"period": _label(snap.year, snap.month), "regions": len(by_region), "by_region": by_region}


def write_document(doc: Document, out_dir: Path, snap: mr.Snapshot) -> ReportFiles:
    out_dir.mkdir(parents=True, exist_ok=True)
    xlsx = write_xlsx(doc, out_dir / f"{doc.stem}.xlsx")
    html = out_dir / f"{doc.stem}.html"
    html.write_text(render_document_html(doc), encoding="utf-8")
    pdf = None
    try:
        from xmdw.reports.pdf_out import write_pdf
    except ImportError:  # reportlab not installed: xlsx and HTML only
        write_pdf = None
    if write_pdf is not None:
        pdf = write_pdf(doc, out_dir / f"{doc.stem}.pdf")
    return ReportFiles(xlsx=xlsx, html=html, pdf=pdf, headline=headline(snap))


# ------------------------------------------------------------------------------------------------------
# Public builders
# ------------------------------------------------------------------------------------------------------


def build_monthly_bulletin(database: Path, month: str, out_dir: Path) -> ReportFiles:
    """月通报 of report month 'YYYY-MM' (1—m月) for every region of the database."""
    year, mon = parse_month(month)
    with mr.open_marts(Path(database)) as con:
        available = mr.report_months(con)
        if (year, mon) not in available:
            raise _no_data(f"{year}年{mon}月", month, available)
        snap = mr.snapshot(con, year, mon)
    return write_document(monthly_document(snap), Path(out_dir), snap)


def build_quarterly_scorecard(database: Path, year: int, quarter: int, out_dir: Path) -> ReportFiles:
    """季考核 of a quarter: status at the quarter's last report month; the quarter must be reported."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"季度应为 1—4 — quarter must be 1..4: {quarter}")
    end = quarter * 3
    with mr.open_marts(Path(database)) as con:
        available = mr.report_months(con)
        if (year, end) not in available:
            raise _no_data(f"{year}年第{quarter}季度（{end}月）", f"{year}Q{quarter}", available)
        snap = mr.snapshot(con, year, end, snail_list="quarter")
        scorecard = mr.unit_scorecard(con, year, quarter)
    return write_document(quarterly_document(snap, quarter, scorecard), Path(out_dir), snap)


def build_year_end_evaluation(database: Path, year: int, out_dir: Path) -> ReportFiles:
    """年终评 of a year: December, or the latest reported month of the year when December is missing."""
    with mr.open_marts(Path(database)) as con:
        available = mr.report_months(con)
        months = [m for y, m in available if y == year]
        if not months:
            raise _no_data(f"{year}年", str(year), available)
        month = max(months)
        snap = mr.snapshot(con, year, month, snail_list="quarter" if month % 3 == 0 else "month")
        scorecard = mr.unit_scorecard(con, year, month // 3) if month >= 3 else pd.DataFrame()
        conflicts = mr.plan_conflicts(con, year)
    return write_document(year_end_document(snap, scorecard, conflicts), Path(out_dir), snap)

"""The blocks of the period reports (月通报, 季考核, 年终评): cards and tables, each a selection of mart rows
(`mart_reader` selects, filters and sorts; nothing here computes a figure), plus the summary across regions.
A block of figures that a mart marks incomplete is followed by its 数据说明 line (coverage_note_zh).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import pandas as pd

from xmdw.lineage.text import COHORT_ZH
from xmdw.reports import mart_reader as mr
from xmdw.reports.breakdown import Breakdown
from xmdw.reports.chart_spec import bar_chart
from xmdw.reports.document import Block, Card, Cards, Col, Table, Text, records

COUNTED_IN_ZH = {"deal": "个（签约项目）", "project": "个（项目）", "procedure": "件（手续）", "万元": "万元"}
AT_RISK_DEADLINES = ("逾期", "临近")
# ------------------------------------------------------------------------------------------------------
# Blocks (each a selection of mart rows)
# ------------------------------------------------------------------------------------------------------


# frame id (while alive) -> rows per region: a province report asks ~12 frames for 100 regions several times each
_SPLITS: dict[int, tuple[weakref.ref, dict[str, pd.DataFrame]]] = {}


def _split(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    held = _SPLITS.get(id(frame))
    if held is not None and held[0]() is frame:
        return held[1]
    split = dict(iter(frame.groupby("region_code", sort=False)))
    key = id(frame)
    _SPLITS[key] = (weakref.ref(frame, lambda _, key=key: _SPLITS.pop(key, None)), split)
    return split


def region_rows(frame: pd.DataFrame, region: str) -> pd.DataFrame:
    if not len(frame):
        return frame
    rows = _split(frame).get(region)
    return frame.iloc[0:0] if rows is None else rows


def region_row(frame: pd.DataFrame, region: str) -> dict:
    rows = records(region_rows(frame, region))
    return rows[0] if rows else {}


def _rate_row(rates: pd.DataFrame, region: str, rate: str, cohort: str, variant: str | None) -> dict:
    """The rate's row of a cohort; `variant` None = the headline (is_primary) variant the mart marks."""
    sel = region_rows(rates, region)
    sel = sel[(sel["rate_name"] == rate) & (sel["cohort"] == cohort)]
    sel = sel[sel["variant"] == variant] if variant else sel[sel["is_primary"].fillna(False).astype(bool)]
    rows = records(sel)
    return rows[0] if rows else {}


def _rank_text(row: dict) -> str | None:
    if row.get("rank_completion") is None:
        return None
    return f"{int(row['rank_completion'])}/{int(row['groups_ranked'])}"


# values in the target's own unit: a ratio target (growth 8%左右) prints as a percentage, never "0.08 ratio"
TARGET_COLS = [
    Col("target_id", "目标编号", width=12),
    Col("indicator_zh", "指标", width=30),
    Col("lead_unit", "牵头单位", width=14),
    Col("comparator", "比较", width=6),
    Col("target_value", "目标值", "measure", 12),
    Col("unit", "单位", "unit", 8),
    Col("actual_value", "实际值", "measure", 12),
    Col("expected_by_now", "序时应完成", "measure", 12),
    Col("actual_to_target", "完成目标比例", "ratio", 10),
    Col("report_status", "状态", "status", 9),
    Col("forecast_at_due", "按当前进度预计", "measure", 12),
]
STATUS_NOTE = (
    "状态：到完成时限前为达标、正常（达到序时应完成的95%以上）、滞后（80%—95%）、严重滞后（不足80%）；"
    "到完成时限后只有完成或未完成。"
)


def coverage_notes(rows: list[dict], label: Callable[[dict], str]) -> list[Text]:
    """数据说明 lines under figures a mart marks incomplete (coverage_note_zh); none when the column is absent."""
    return [
        Text(f"数据说明（{label(r)}）：{r['coverage_note_zh']}") for r in rows if r.get("coverage_note_zh")
    ]


def targets_table(
    targets: pd.DataFrame, title: str, note: str = "", breakdown: Breakdown | None = None, region: str = ""
) -> Table:
    if "report_status" not in targets.columns and "status" in targets.columns:
        targets = targets.assign(report_status=targets["status"])  # a mart_target_progress selection
    rows = records(targets)
    links = (
        breakdown.links("target", region, {r["target_id"]: r["target_id"] for r in rows}) if breakdown else {}
    )
    note = f"{note}{STATUS_NOTE}" if note else STATUS_NOTE
    return Table(title, TARGET_COLS, rows, note=note, empty="无目标", link_col="target_id", links=links)


def target_blocks(
    targets: pd.DataFrame, title: str, breakdown: Breakdown | None, region: str, note: str = ""
) -> list[Block]:
    """The targets table, each target linked to its breakdown, then the 数据说明 of incomplete targets."""
    table = targets_table(targets, title, note, breakdown, region)
    return [table, *coverage_notes(table.rows, lambda r: f"{r['target_id']} {r['indicator_zh']}")]


def at_risk_table(targets: pd.DataFrame) -> Table:
    """Targets the mart marks at risk (is_forecast_miss: not yet due, behind the 正常 band, and the forecast at
    the due date misses), lowest pace first."""
    sel = targets[targets["is_forecast_miss"].fillna(False).astype(bool)] if len(targets) else targets
    if len(sel):
        sel = sel.sort_values(["pace_ratio", "target_id"], na_position="last")
    cols = [*TARGET_COLS[:3], TARGET_COLS[4], TARGET_COLS[5], TARGET_COLS[6], TARGET_COLS[10],
            Col("due_date", "完成时限", "date", 11), TARGET_COLS[9]]  # fmt: skip
    return Table(
        "年底预计难以完成的目标",
        cols,
        records(sel),
        note="尚未到完成时限、进度滞后或严重滞后，且按当前进度推算到完成时限仍达不到目标的，按序时完成比从低到高排列。",
        empty="无：按当前进度，尚未到期的目标均可完成或处于正常进度。",
    )


def rates_table(rates: pd.DataFrame, breakdown: Breakdown | None = None, region: str = "") -> Table:
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
    rows = records(sel)
    ids = {r["label"]: f"{r['rate_name']}/{r['cohort']}/{r['variant']}" for r in rows}
    links = breakdown.links("five_rate", region, ids) if breakdown else {}
    chart = bar_chart("五率", cols, rows, "label", ("rate",))
    return Table("五率", cols, rows, chart=chart, link_col="label", links=links)


def rate_blocks(rates: pd.DataFrame, breakdown: Breakdown | None, region: str) -> list[Block]:
    table = rates_table(rates, breakdown, region)
    return [table, *coverage_notes(table.rows, lambda r: r["label"])]


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
    rows = records(batches)
    chart = bar_chart(
        "四个一批项目数", cols, rows, "stage", ("project_count",), ratio=False, horizontal=False
    )
    return Table("四个一批", cols, rows, chart=chart)


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
    rows = records(sel)
    chart = bar_chart(
        f"{title}：完成率与序时进度", cols, rows, "group_name", ("completion_ratio", "time_pace")
    )
    return Table(
        title,
        cols,
        rows,
        chart=chart,
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


def headline_cards(snap: mr.Snapshot, region: str, breakdown: Breakdown | None = None) -> Cards:
    ranks = region_rows(snap.ranking, region)
    region_rank = region_row(ranks[ranks["dimension"] == "region"], region)
    key_rate = _rate_row(snap.rates, region, "计划投资完成率", "all_key", None)
    status = region_row(snap.status_summary, region)
    key_figure = f"计划投资完成率/all_key/{key_rate.get('variant')}"
    key_href = breakdown.href("five_rate", key_figure, region) if breakdown and key_rate else ""
    all_href = breakdown.href("region_completion", "region_completion", region) if breakdown else ""
    return Cards(
        "核心指标",
        [
            Card(
                "重点项目计划投资完成率", key_rate.get("rate"), "ratio", "key_completion_ratio", href=key_href
            ),
            Card(
                "全部计划项目完成率",
                region_rank.get("completion_ratio"),
                "ratio",
                "completion_ratio",
                href=all_href,
            ),
            Card("序时进度", region_rank.get("time_pace"), "ratio", "time_pace"),
            Card("超序时（百分点）", region_rank.get("pace_gap"), "pp", "pace_gap"),
            Card("完成率排名", _rank_text(region_rank), "text", "rank"),
            Card("蜗牛项目", region_rank.get("snail_projects"), "int", "snail_projects"),
            Card("目标完成或已达标", status.get("targets_achieved"), "int", "targets_achieved"),
            Card("到期未完成", status.get("targets_not_completed"), "int", "targets_not_completed"),
            Card("目标严重滞后", status.get("targets_severely_behind"), "int", "targets_severely_behind"),
            Card("年底预计难完成", status.get("targets_forecast_missed"), "int", "targets_forecast_missed"),
        ],
    )


def headline_blocks(snap: mr.Snapshot, region: str, breakdown: Breakdown | None = None) -> list[Block]:
    """The 核心指标 cards, then the 数据说明 of the two completion figures when they are incomplete."""
    key_rate = _rate_row(snap.rates, region, "计划投资完成率", "all_key", None)
    completion = region_row(snap.region_monthly, region)
    return [
        headline_cards(snap, region, breakdown),
        *coverage_notes([key_rate], lambda _: "重点项目计划投资完成率"),
        *coverage_notes([completion], lambda _: "全部计划项目完成率"),
    ]


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
    Col("targets_completed", "完成", "int", 6),
    Col("targets_not_completed", "未完成", "int", 7),
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
        row |= {k: v for k, v in region_row(ranking, code).items() if k not in row}
        row |= {k: v for k, v in region_row(snap.status_summary, code).items() if k not in row}
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
        chart=bar_chart(
            "各区县计划投资完成率与序时进度",
            SUMMARY_COLS,
            rows,
            "region_name",
            ("completion_ratio", "time_pace"),
        ),
        note="排名按全部计划项目的计划投资完成率；点击区县名称查看该区县的详细通报。",
        link_col="region_name",
        links={r["region_name"]: anchors[r["region_code"]] for r in rows if r["region_code"] in anchors},
    )

"""The monthly bulletin (月通报), the quarterly scorecard (季考核) and the year-end evaluation (年终评).

Each is one xlsx workbook (formatted, native Excel charts), one offline HTML page (templates/document.html:
inline CSS and SVG) and a PDF with an embedded CJK font (skipped only when no such font is installed) — covering every region of the database: a summary
sheet ranking the regions, then one sheet (section) per region. Every figure comes from a mart
(`mart_reader` only selects, filters and sorts); contents and sources: docs/reports.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from xmdw.core.atomic import write_text_atomic
from xmdw.reports import mart_reader as mr
from xmdw.reports import narrative
from xmdw.reports.blocks import (
    AT_RISK_DEADLINES,
    at_risk_table,
    data_quality_table,
    deadlines_table,
    four_batches_table,
    funding_cards,
    headline_blocks,
    ranking_table,
    rate_blocks,
    region_row,
    region_rows,
    snail_table,
    summary_rows,
    summary_table,
    target_blocks,
)
from xmdw.reports.breakdown import Breakdown, write_breakdowns
from xmdw.reports.data_version import date_document, record_report_version
from xmdw.reports.document import Document, Part, Text, number, records
from xmdw.reports.document import render_html as render_document_html
from xmdw.reports.docx_out import write_monthly_docx
from xmdw.reports.pdf_font import FontMissing
from xmdw.reports.render import unique_sheet_name
from xmdw.reports.scorecard import conflicts_table, scorecard_table
from xmdw.reports.xlsx_out import write_xlsx

SUMMARY_SHEET = "汇总"

NOTES = [
    "本报告所有数字均直接取自项目数据仓库的专题统计表，报告程序只做筛选、排序和格式化，不另行计算；"
    "各项数字的统计口径由数据管理员负责解释。",
    "金额单位：万元（外资：万美元；文字通报中为亿元）；比率以百分数显示。投资完成数据为各单位调度数（非统计局法定数据）。",
    "序时进度 = 报告月份 / 12（1—2月为第一个报告期）。超序时进度为正表示快于序时，为负表示慢于序时（单位：百分点）。",
    "目标状态：到完成时限前，达标＝已达到目标；正常＝达到序时应完成的95%以上；滞后＝80%—95%；严重滞后＝不足80%；"
    "到完成时限后只有完成或未完成；无数据＝尚无实际值。",
    "年底预计难以完成：尚未到完成时限、进度滞后或严重滞后，且按当前进度线性推算到完成时限仍达不到目标的指标。",
    "蜗牛项目：重点项目中未按期开工、投资进度落后序时20个百分点以上、停缓建或连续2个月未报送调度数据的项目。",
]
# printed when the report covers 巴州区, whose work report names no lead units (docs/reports.md#bazhou-lead-units)
ASSIGNED_LEADS_NOTE = {
    "511902": "巴州区工作报告未附任务分工表，其目标的牵头单位按部门职能确定（如争取资金、重点项目由区发改局牵头，"
    "农业和乡村振兴由区农业农村局牵头，工业由区经信局牵头），以区政府正式分工为准。",
}


def notes_for(snap: mr.Snapshot) -> list[str]:
    codes = set(snap.regions["region_code"]) if len(snap.regions) else set()
    return NOTES + [note for code, note in ASSIGNED_LEADS_NOTE.items() if code in codes]


class NoDataForPeriod(ValueError):
    """The database has no mart rows for the requested period."""


@dataclass
class ReportFiles:
    xlsx: Path
    html: Path
    pdf: Path | None
    headline: dict[str, object]
    docx: list[Path] = field(default_factory=list)  # 月通报: the Word 公文 of each region


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
# Documents
# ------------------------------------------------------------------------------------------------------


def narrative_block(snap: mr.Snapshot, region: str, write) -> list[Text]:
    """The 文字通报 paragraph of a region: `write(row)` picks the report's sentences (narrative.py)."""
    row = region_row(snap.bulletin_figures, region)
    return [Text(write(row).text, "lead")] if row else []


NARRATIVE_IN_SUMMARY_MAX = 10  # regions whose paragraphs also open the summary (a county or a city)


def summary_narratives(snap: mr.Snapshot, write) -> list[Text]:
    """The report opens with the 文字通报 of every region when there are few (the region parts repeat it)."""
    if len(snap.regions) > NARRATIVE_IN_SUMMARY_MAX:
        return []
    out: list[Text] = []
    for region in records(snap.regions):
        for text in narrative_block(snap, region["region_code"], write):
            prefix = f"{region['region_name']}：" if len(snap.regions) > 1 else ""
            out.append(Text(prefix + text.text, "lead"))
    return out


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
    stem = f"月通报_{_label(y, m)}"
    bd = Breakdown(stem, snap.figures)

    def blocks(code: str) -> list:
        targets = region_rows(snap.targets, code)
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
            *narrative_block(snap, code, narrative.monthly),
            *headline_blocks(snap, code, bd),
            *target_blocks(targets, "重点指标完成情况", bd, code),
            *rate_blocks(region_rows(snap.rates, code), bd, code),
            four_batches_table(region_rows(snap.four_batches, code)),
            ranking_table(region_rows(snap.ranking, code), "lead_unit", "投资完成情况（按牵头单位）"),
            ranking_table(region_rows(snap.ranking, code), "town", "投资完成情况（按镇街）"),
            snail_table(region_rows(snap.snails, code), f"蜗牛项目（{m}月）"),
            *funding_cards(region_row(snap.funding, code), region_row(snap.attraction, code)),
            deadlines_table(
                region_rows(snap.deadlines, code), "资金与债券节点：逾期或临近截止", AT_RISK_DEADLINES
            ),
            at_risk_table(targets),
            data_quality_table(region_rows(snap.data_quality, code)),
        ]
        return out

    parts, anchors = _region_parts(snap, blocks)
    summary = Part(
        SUMMARY_SHEET,
        f"{y}年1—{m}月 各区县汇总",
        [*summary_narratives(snap, narrative.monthly), summary_table(snap, anchors, "各区县排名")],
        anchor="summary",
    )
    return Document(
        title=f"{y}年1—{m}月 重点项目推进情况月通报",
        subtitle=f"报告期 {y}年1—{m}月 · 区县 {len(parts)} 个 · 数据来源：项目数据仓库专题表",
        stem=stem,
        parts=[summary, *parts],
        notes=notes_for(snap),
    )


def quarterly_document(snap: mr.Snapshot, quarter: int, scorecard: pd.DataFrame) -> Document:
    y, m = snap.year, snap.month
    stem = f"季考核_{y}Q{quarter}"
    bd = Breakdown(stem, snap.figures)

    def blocks(code: str) -> list:
        targets = region_rows(snap.targets, code).sort_values(["lead_unit", "target_id"])
        return [
            *narrative_block(snap, code, lambda row: narrative.quarterly(row, quarter)),
            *headline_blocks(snap, code, bd),
            scorecard_table(region_rows(scorecard, code), f"第{quarter}季度 牵头单位考核"),
            *target_blocks(targets, "各牵头单位目标完成情况（季末）", bd, code, "按牵头单位排列。"),
            ranking_table(region_rows(snap.ranking, code), "lead_unit", "投资完成情况（按牵头单位）"),
            *rate_blocks(region_rows(snap.rates, code), bd, code),
            snail_table(region_rows(snap.snails, code), f"第{quarter}季度 蜗牛项目名单"),
            at_risk_table(region_rows(snap.targets, code)),
        ]

    parts, anchors = _region_parts(snap, blocks)
    summary = Part(
        SUMMARY_SHEET,
        f"{y}年第{quarter}季度 各区县汇总",
        [
            *summary_narratives(snap, lambda row: narrative.quarterly(row, quarter)),
            summary_table(snap, anchors, "各区县排名"),
        ],
        "summary",
    )
    return Document(
        title=f"{y}年第{quarter}季度 重点项目推进考核",
        subtitle=f"考核期 {y}年第{quarter}季度（截至{m}月末）· 区县 {len(parts)} 个",
        stem=stem,
        parts=[summary, *parts],
        notes=notes_for(snap),
    )


def year_end_document(snap: mr.Snapshot, scorecard: pd.DataFrame, conflicts: pd.DataFrame) -> Document:
    y, m = snap.year, snap.month
    stem = f"年终评_{y}"
    bd = Breakdown(stem, snap.figures)
    partial = m < 12

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
            *narrative_block(snap, code, lambda row: narrative.year_end(row, y)),
            *headline_blocks(snap, code, bd),
            *target_blocks(region_rows(snap.targets, code), "全年目标完成情况", bd, code),
            scorecard_table(region_rows(scorecard, code), quarter_title),
            *rate_blocks(region_rows(snap.rates, code), bd, code),
            four_batches_table(region_rows(snap.four_batches, code)),
            ranking_table(region_rows(snap.ranking, code), "lead_unit", "投资完成情况（按牵头单位）"),
            ranking_table(region_rows(snap.ranking, code), "town", "投资完成情况（按镇街）"),
            snail_table(region_rows(snap.snails, code), "年末蜗牛项目名单"),
            *funding_cards(region_row(snap.funding, code), region_row(snap.attraction, code)),
            deadlines_table(region_rows(snap.deadlines, code), "资金与债券节点完成情况", None),
            conflicts_table(region_rows(conflicts, code)),
        ]
        return out

    parts, anchors = _region_parts(snap, blocks)
    summary = Part(
        SUMMARY_SHEET,
        f"{y}年 各区县汇总",
        [
            *summary_narratives(snap, lambda row: narrative.year_end(row, y)),
            summary_table(snap, anchors, "各区县排名"),
        ],
        "summary",
    )
    return Document(
        title=f"{y}年 重点项目推进年终评价",
        subtitle=f"评价年度 {y}年（数据截至{m}月末）· 区县 {len(parts)} 个",
        stem=stem,
        parts=[summary, *parts],
        notes=notes_for(snap),
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


def _write_pdf(doc: Document, path: Path) -> Path | None:
    """The PDF, unless no CJK TrueType font can be embedded (`make fonts`): then xlsx and HTML only."""
    try:
        from xmdw.reports.pdf_out import write_pdf  # registers the font when imported
    except FontMissing:
        return None
    return write_pdf(doc, path)


def write_document(
    doc: Document, out_dir: Path, snap: mr.Snapshot, database: Path | None = None
) -> ReportFiles:
    out_dir.mkdir(parents=True, exist_ok=True)
    doc = date_document(doc, snap)
    xlsx = write_xlsx(doc, out_dir / f"{doc.stem}.xlsx")
    html = write_text_atomic(out_dir / f"{doc.stem}.html", render_document_html(doc))
    pdf = _write_pdf(doc, out_dir / f"{doc.stem}.pdf")
    write_breakdowns(out_dir, doc.stem, doc.title, snap)
    record_report_version(database, doc, snap, [p for p in (xlsx, html, pdf) if p is not None])
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
        snap = mr.snapshot(con, year, mon, database=Path(database))
    doc = monthly_document(snap)
    files = write_document(doc, Path(out_dir), snap, database)
    files.docx = write_monthly_docx(snap, Path(out_dir), doc.stem)
    return files


def build_quarterly_scorecard(database: Path, year: int, quarter: int, out_dir: Path) -> ReportFiles:
    """季考核 of a quarter: status at the quarter's last report month; the quarter must be reported."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"季度应为 1—4 — quarter must be 1..4: {quarter}")
    end = quarter * 3
    with mr.open_marts(Path(database)) as con:
        available = mr.report_months(con)
        if (year, end) not in available:
            raise _no_data(f"{year}年第{quarter}季度（{end}月）", f"{year}Q{quarter}", available)
        snap = mr.snapshot(con, year, end, snail_list="quarter", database=Path(database))
        scorecard = mr.unit_scorecard(con, year, quarter)
    return write_document(quarterly_document(snap, quarter, scorecard), Path(out_dir), snap, database)


def build_year_end_evaluation(database: Path, year: int, out_dir: Path) -> ReportFiles:
    """年终评 of a year: December, or the latest reported month of the year when December is missing."""
    with mr.open_marts(Path(database)) as con:
        available = mr.report_months(con)
        months = [m for y, m in available if y == year]
        if not months:
            raise _no_data(f"{year}年", str(year), available)
        month = max(months)
        snail_list = "quarter" if month % 3 == 0 else "month"
        snap = mr.snapshot(con, year, month, snail_list=snail_list, database=Path(database))
        scorecard = mr.unit_scorecard(con, year, month // 3) if month >= 3 else pd.DataFrame()
        conflicts = mr.plan_conflicts(con, year)
    return write_document(year_end_document(snap, scorecard, conflicts), Path(out_dir), snap, database)

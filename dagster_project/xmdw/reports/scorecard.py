"""The blocks only the 季考核 and the 年终评 have: the lead units' scorecard (report statuses, 完成/未完成 once a
target is due) with its stacked chart in the status colours, and the plan's conflicting targets."""

from __future__ import annotations

import pandas as pd

from xmdw.reports.chart_spec import bar_chart
from xmdw.reports.document import Col, Table, records

SCORECARD_COLS = [
    Col("unit_rank", "排名", "int", 6),
    Col("lead_unit", "牵头单位", width=18),
    Col("targets_owned", "牵头目标数", "int", 9),
    Col("targets_completed", "完成", "int", 6),
    Col("targets_not_completed", "未完成", "int", 7),
    Col("targets_met", "达标", "int", 6),
    Col("targets_on_track", "正常", "int", 6),
    Col("targets_behind", "滞后", "int", 6),
    Col("targets_severely_behind", "严重滞后", "int", 8),
    Col("targets_without_data", "无数据", "int", 7),
    Col("targets_forecast_missed", "年底预计难完成", "int", 10),
    Col("on_track_share", "考核完成率", "ratio", 9),
]
# the stacked chart's series and the status (table colour) each stands for
SCORECARD_SERIES = (
    ("targets_completed", "完成"),
    ("targets_not_completed", "未完成"),
    ("targets_met", "达标"),
    ("targets_on_track", "正常"),
    ("targets_behind", "滞后"),
    ("targets_severely_behind", "严重滞后"),
    ("targets_without_data", "无数据"),
)


def scorecard_table(scorecard: pd.DataFrame, title: str) -> Table:
    rows = records(scorecard)
    chart = bar_chart(
        "各牵头单位目标状态",
        SCORECARD_COLS,
        rows,
        "lead_unit",
        tuple(key for key, _ in SCORECARD_SERIES),
        ratio=False,
        stacked=True,
        series_status=tuple(status for _, status in SCORECARD_SERIES),
        total="targets_owned",
    )
    return Table(
        title,
        SCORECARD_COLS,
        rows,
        chart=chart,
        note="按考核完成率（完成＋达标＋正常）/（牵头目标数－无数据）从高到低排列；到期未完成的目标不计为完成。",
        empty="无牵头目标。",
    )


def conflict_rows(conflicts: pd.DataFrame) -> list[dict]:
    """Conflict groups numbered 第1组, 第2组 … in order (the group codes are developers' ids) and the kind
    in Chinese only (the mart's label reads "数值不同 different values")."""
    groups: dict[str, str] = {}
    rows = records(conflicts)
    for row in rows:
        row["conflict_no"] = groups.setdefault(row["conflict_group"], f"第{len(groups) + 1}组")
        row["conflict_kind"] = str(row.get("conflict_kind") or "").split(" ")[0]
    return rows


CONFLICT_COLS = [
    Col("conflict_no", "冲突组", width=8),
    Col("target_id", "目标编号", width=12),
    Col("indicator_zh", "指标", width=30),
    Col("target_value", "本条目标值", "measure", 12),
    Col("unit", "单位", "unit", 8),
    Col("conflict_kind", "冲突类型", width=22),
    Col("source_text", "原文", width=50),
]


def conflicts_table(conflicts: pd.DataFrame) -> Table:
    """年终评: the plan's targets that contradict each other (both kept and measured separately)."""
    return Table("计划文件自相矛盾的目标（两条均保留、分别计量）", CONFLICT_COLS, conflict_rows(conflicts))

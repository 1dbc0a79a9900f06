"""The 文字通报 paragraph that opens each region of a period report, in the register of a county's 月通报:
"1—11月，全县45个重点项目累计完成投资49.16亿元，占年度计划的88.0%，较序时进度慢3.7个百分点……".

Every number is a value of `marts.mart_bulletin_figures` (one row per region × month); this module only
chooses sentences and formats values (万元 shown in 亿元, fractions as percentages). Each paragraph records
the figures it printed (`Narrative.figures`: mart column → value, `Narrative.shown`: column → text), so a
test can compare every number with the marts and find it in the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from xmdw.reports.document import is_missing, number

FigKind = Literal["int", "yi", "pct", "pp", "text"]
LIST_LIMIT = 5  # names printed before "等N个"
QUARTER_ZH = {1: "一", 2: "二", 3: "三", 4: "四"}


@dataclass
class Narrative:
    """A paragraph and the mart figures it prints."""

    row: dict
    sentences: list[str] = field(default_factory=list)
    figures: dict[str, object] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)

    def has(self, key: str) -> bool:
        return not is_missing(self.row.get(key))

    def f(self, key: str, kind: FigKind) -> str:
        """The row's value of `key` formatted as `kind`, recorded as printed."""
        value = self.row.get(key)
        text = format_figure(value, kind)
        self.figures[key] = value
        self.shown[key] = text
        return text

    def names(self, key: str, count_key: str, unit: str) -> str:
        """A '、'-joined list from the mart, cut after LIST_LIMIT names with "等N<unit>" (N from the mart)."""
        items = [x for x in str(self.row.get(key) or "").split("、") if x]
        if len(items) <= LIST_LIMIT:
            return "、".join(items)
        return "、".join(items[:LIST_LIMIT]) + f"等{self.f(count_key, 'int')}{unit}"

    @property
    def text(self) -> str:
        return "".join(self.sentences)


def format_figure(value, kind: FigKind) -> str:
    if is_missing(value):
        return "—"
    if kind == "text":
        return str(value)
    n = float(number(value))
    if kind == "int":
        return f"{n:,.0f}"
    if kind == "yi":  # 万元 → 亿元
        return f"{n / 10000:,.2f}"
    if kind == "pct":
        return f"{n * 100:.1f}%"
    return f"{abs(n) * 100:.1f}"  # pp: the sign is said in words (快/慢)


def _pace(n: Narrative, key: str) -> str:
    """ "较序时进度快/慢X个百分点" from a signed gap column (a fraction)."""
    gap = number(n.row.get(key))
    if gap is None:
        return ""
    shown = n.f(key, "pp")
    if shown == "0.0":
        return "，与序时进度持平"
    return f"，较序时进度{'快' if gap > 0 else '慢'}{shown}个百分点"


def investment_sentence(n: Narrative, period: str) -> None:
    """The key projects' completion against the 年初 plan and the time pace; every project's rank."""
    scope = n.f("region_scope_zh", "text")
    if not n.has("key_projects"):
        n.sentences.append(f"{period}，{scope}尚无重点项目投资进度数据。")
        return
    s = (
        f"{period}，{scope}{n.f('key_projects', 'int')}个重点项目累计完成投资{n.f('key_ytd_completed_wan', 'yi')}亿元，"
        f"占年度计划{n.f('key_annual_plan_wan', 'yi')}亿元的{n.f('key_completion_ratio', 'pct')}"
        f"{_pace(n, 'key_pace_gap')}"
    )
    if n.has("all_projects"):
        s += (
            f"；全部{n.f('all_projects', 'int')}个计划项目投资完成率{n.f('all_completion_ratio', 'pct')}"
            f"{_pace(n, 'all_pace_gap')}"
        )
        if (number(n.row.get("regions_ranked")) or 0) > 1:
            s += f"，在{n.f('regions_ranked', 'int')}个区县中排第{n.f('region_rank', 'int')}位"
    n.sentences.append(s + "。")


def lead_unit_sentence(n: Narrative) -> None:
    if not n.has("best_lead_unit"):
        return
    s = f"分牵头单位看，{n.f('best_lead_unit', 'text')}完成率最高（{n.f('best_lead_unit_ratio', 'pct')}）"
    if n.has("worst_lead_unit"):
        s += f"，{n.f('worst_lead_unit', 'text')}最低（{n.f('worst_lead_unit_ratio', 'pct')}）"
    behind = number(n.row.get("lead_units_behind_pace")) or 0
    s += f"；{n.f('lead_units_ranked', 'int')}个牵头单位中"
    s += f"有{n.f('lead_units_behind_pace', 'int')}个慢于序时进度。" if behind else "均达到序时进度。"
    n.sentences.append(s)


def snail_sentence(n: Narrative, list_key: str, label: str) -> None:
    """蜗牛 projects of the monthly (`snails_month`) or quarterly (`snails_quarter`) list."""
    total = number(n.row.get(list_key)) or 0
    new = number(n.row.get(f"{list_key}_new")) or 0
    if not total:
        n.sentences.append(f"{label}无蜗牛项目。")
        return
    s = f"{label}蜗牛项目{n.f(list_key, 'int')}个"
    if new:
        s += f"，其中新上榜{n.f(f'{list_key}_new', 'int')}个：{n.names(f'{list_key}_new_zh', f'{list_key}_new', '个')}"
    else:
        s += "，无新上榜项目"
    n.sentences.append(s + "。")


def deadline_sentence(n: Narrative) -> None:
    overdue = number(n.row.get("deadlines_overdue")) or 0
    near = number(n.row.get("deadlines_near")) or 0
    if not overdue and not near:
        n.sentences.append("资金与债券节点无逾期或临近截止。")
        return
    parts = []
    if overdue:
        parts.append(f"逾期{n.f('deadlines_overdue', 'int')}个")
    if near:
        parts.append(f"临近截止{n.f('deadlines_near', 'int')}个")
    n.sentences.append(f"资金与债券节点{'、'.join(parts)}：{n.row.get('deadlines_at_risk_zh') or ''}。")


STATUS_COUNTS = [
    ("targets_completed", "完成"),
    ("targets_not_completed", "未完成"),
    ("targets_met", "达标"),
    ("targets_on_track", "正常"),
    ("targets_behind", "滞后"),
    ("targets_severely_behind", "严重滞后"),
    ("targets_without_data", "无数据"),
]


def target_sentence(n: Narrative, lead: str) -> None:
    """Target statuses (完成/未完成 once due, the pace status before) and those at risk."""
    if not n.has("targets_total"):
        return
    counts = [f"{label}{n.f(key, 'int')}项" for key, label in STATUS_COUNTS if number(n.row.get(key))]
    s = f"{lead}{n.f('targets_total', 'int')}项重点指标中，{'、'.join(counts)}"
    if number(n.row.get("targets_not_completed")):
        s += f"；已到期未完成的有{n.names('not_completed_zh', 'targets_not_completed', '项')}"
    if number(n.row.get("targets_forecast_missed")):
        s += (
            f"；按当前进度，{n.f('targets_forecast_missed', 'int')}项年底预计难以完成："
            f"{n.names('forecast_missed_zh', 'targets_forecast_missed', '项')}"
        )
    n.sentences.append(s + "。")


def scorecard_sentence(n: Narrative) -> None:
    if not n.has("best_units") or (number(n.row.get("units_ranked")) or 0) < 2:
        return
    s = (
        f"{n.f('scored_units', 'int')}个牵头单位中，考核完成率最高的是{n.f('best_units', 'text')}"
        f"（{n.f('best_units_share', 'pct')}）"
    )
    if n.has("worst_units"):
        s += f"，最低的是{n.f('worst_units', 'text')}（{n.f('worst_units_share', 'pct')}）"
    n.sentences.append(s + "。")


# ------------------------------------------------------------------------------------------------------
# The three reports
# ------------------------------------------------------------------------------------------------------


def monthly(row: dict) -> Narrative:
    """月通报: investment against plan and pace, best/worst lead units, new 蜗牛, deadlines, targets."""
    n = Narrative(row)
    period = n.f("period_label", "text")
    investment_sentence(n, period)
    lead_unit_sentence(n)
    snail_sentence(n, "snails_month", "本月")
    deadline_sentence(n)
    target_sentence(n, "")
    return n


def quarterly(row: dict, quarter: int) -> Narrative:
    """季考核: the quarter's target statuses per lead unit first, then investment and 蜗牛 of the quarter."""
    n = Narrative(row)
    target_sentence(n, f"第{QUARTER_ZH[quarter]}季度末，")
    scorecard_sentence(n)
    investment_sentence(n, n.f("period_label", "text"))
    lead_unit_sentence(n)
    snail_sentence(n, "snails_quarter", "本季度")
    return n


def year_end(row: dict, year: int) -> Narrative:
    """年终评: the year's targets 完成/未完成 first, then the year's investment, units and 蜗牛."""
    n = Narrative(row)
    month = number(row.get("month")) or 12
    lead = f"{year}年，" if month == 12 else f"{year}年（数据截至{int(month)}月末），"
    target_sentence(n, lead)
    scorecard_sentence(n)
    investment_sentence(n, n.f("period_label", "text"))
    lead_unit_sentence(n)
    snail_sentence(n, "snails_quarter" if month % 3 == 0 else "snails_month", "年末")
    deadline_sentence(n)
    return n

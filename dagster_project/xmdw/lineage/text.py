"""Chinese wording shared by `xmdw explain`, `xmdw diff` and the bulletin's breakdown pages."""

from __future__ import annotations

from decimal import Decimal

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

# How each kind of figure is computed, in the words a reader of the bulletin uses (docs/metrics/*.md).
DEFINITIONS_ZH = {
    "region_completion": "全部有年度计划项目的本年累计完成投资之和 ÷ 年度计划投资之和（调度数；本月未报送的项目沿用最近一次报送的累计数）。",
    "计划投资完成率": "口径内项目本年累计完成投资之和 ÷ 年度计划投资之和（调度数，最新计划版本）。",
    "招商引资落地率": "已取得供地批复的签约项目数 ÷ 签约项目数（本年签约：截至月末已签约的；上年签约：全部）。",
    "前期手续办结率": "口径内项目的必需前期手续中截至月末已办结的件数 ÷ 必需手续件数。",
    "储备项目开工率": "口径内计划新开工项目中截至月末已实际开工的个数 ÷ 计划新开工项目个数。",
    "竣工投产达效率": "年内计划竣工项目中截至月末已竣工或投产的个数 ÷ 年内计划竣工项目个数。",
}

ENTITY_ZH = {
    "monthly_progress": "月度投资进度台账",
    "annual_plans": "年度投资计划台账",
    "projects": "项目基本信息台账",
    "procedures": "前期手续办理台账",
    "investment_contracts": "招商引资签约项目台账",
    "indicator_reports": "单位指标报表",
}


def period_zh(year: int, month: int) -> str:
    return f"{year}年1—{month}月"


def _number(value: object) -> float | None:
    if value is None:
        return None
    try:
        number = float(Decimal(str(value)))
    except (ArithmeticError, ValueError):
        return None
    return None if number != number else number  # NaN from pandas is missing


def num_text(value: object) -> str:
    """A number as 1,234.5 (up to 4 decimals, trailing zeros dropped: a 0.01 万元 change stays visible)."""
    number = _number(value)
    if number is None:
        return "—"
    text = f"{number:,.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def value_text(value: object, unit: str | None) -> str:
    """A published value with its unit: ratios as percentages (2 decimals), others with their unit."""
    number = _number(value)
    if number is None:
        return "无数据"
    if unit == "ratio":
        return f"{number * 100:.2f}%"
    return f"{num_text(number)}{unit or ''}"


def source_text(file: object, sheet: object, row: object, revision: object, unit: object = None) -> str:
    """Where a ledger row came from: 文件 ｜ 工作表 ｜ 第n行 ｜ 第k版（报送单位）."""
    if file is None:
        return "（无来源行）"
    parts = [str(file)]
    if sheet:
        parts.append(f"工作表 {sheet}")
    if row is not None:
        parts.append(f"第{int(row)}行")
    if revision is not None:
        kind = "首次报送" if int(revision) == 1 else "更正重报"
        parts.append(f"第{int(revision)}版（{kind}" + (f"，{unit}" if unit else "") + "）")
    return " ｜ ".join(parts)


def field_value_text(value: object) -> str:
    """A source field's value as text: numbers without the storage's trailing zeros (96760.0000 -> 96,760)."""
    if value is None:
        return ""
    text = str(value)
    try:
        Decimal(text)
    except ArithmeticError:
        return text
    return num_text(text)

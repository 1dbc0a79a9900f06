"""Blank ledger templates a unit fills in, written from the contract (`xmdw template DIR`).

Each template: a title row, a `填报单位 / 报告期 / 填报日期 / 单位` line, the Chinese headers (required ones
marked *), a units row, one example row (skipped at ingestion) and, for the rows a clerk fills:
- a Chinese comment on every header (what the column means, how to write it, whether it is required);
- drop-down lists for every code (code lists, 是/否, region codes, indicator codes from
  seeds/plan_targets.csv), fed from a hidden 代码表 sheet;
- data validation from the contract: numbers within their range (≥ 0 where the contract says so),
  dates 1950–2100, report months 2–12, years 2000–2100;
- key and code columns formatted as text, so Excel keeps 18-digit ids and leading zeros.
Nothing in a template is English: a clerk reads all of it.
"""

from __future__ import annotations

import csv
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from xmdw.contract import Column, Contract, Entity, load_contract
from xmdw.core.paths import SEEDS_DIR
from xmdw.ingestion.values import DATE_HINT, DATE_RANGE

EXAMPLE_MARK = "示例"
EXAMPLE_VALUES = {
    "text": "（示例）",
    "int": 1,
    "year": 2024,
    "month": 3,
    "money": 1234.5,
    "usd": 10,
    "ratio": "85%",
    "number": 12.5,
    "date": "2024-03-15",
    "bool": "是",
}
CODE_SHEET = "代码表"
TITLE_ROW, UNIT_LINE_ROW, HEADER_ROW, UNITS_ROW, EXAMPLE_ROW = 0, 1, 2, 3, 4
LAST_ROW = 2000  # validations and formats cover the rows a clerk fills
# The prefix of plan_targets.metric_key naming the indicator codes each ledger reports.
INDICATOR_PREFIX = {"indicator_reports": "indicator_report:", "fai_aggregates": "stats_aggregate:"}
TYPE_HINT = {
    "money": "金额，单位万元；按元或亿元填写时，请把第4行的单位改为“元”或“亿元”",
    "usd": "金额，单位万美元",
    "number": "数字；百分数可写作 12.5%",
    "int": "整数",
    "year": "年度，如 2024",
    "date": DATE_HINT,
    "bool": "填“是”或“否”（可从下拉列表选择）",
    "code": "从下拉列表选择",
}


def header_text(col: Column) -> str:
    return f"*{col.zh}" if col.required and col.default is None else col.zh


def has_period(entity: Entity) -> bool:
    return any(c.default in ("file.year", "file.month") for c in entity.columns)


def unit_line(entity: Entity) -> str:
    """The line under the title; 报告期 only where the ledger has a period (the 填报日期 never is one)."""
    period = "报告期：      年      月            " if has_period(entity) else ""
    return f"填报单位：                    {period}填报日期：            单位：万元"


def _example(col: Column, contract: Contract) -> object:
    if col.type == "code":
        return contract.code_lists[col.code_list].labels[0]
    if col.name == "project_id":
        return "610728-2024-001"
    if col.name == "region_code":
        return "610728"
    return EXAMPLE_VALUES[col.type]


def _is_report_month(col: Column) -> bool:
    return col.type == "month" and col.default == "file.month"


def _ratio_hint(col: Column) -> str:
    if col.ratio_scale == "percent_points":
        return "按百分点填写：8.2 表示 8.2%（也可写 8.2%）"
    return "比例：填 45、45% 或 0.45 都表示 45%"


def comment_text(col: Column) -> str:
    """The Chinese header comment: meaning, required or not, how to write it, allowed range."""
    lines = [f"{col.zh}：{col.help}" if col.help else col.zh]
    if col.required and col.default is None:
        lines.append("必填")
    elif col.required:
        lines.append("必填（本列不填时按说明从报告期、标题或文件名读取）")
    else:
        lines.append("选填")
    if col.is_identifier:
        lines.append("请按文本填写（本列已设为文本格式），不要写成科学计数法")
    elif _is_report_month(col):
        lines.append("月份填 2—12；1—2月合并在2月报送")
    elif col.type == "month":
        lines.append("月份填 1—12")
    elif col.type == "ratio":
        lines.append(_ratio_hint(col))
    elif col.type in TYPE_HINT:
        lines.append(TYPE_HINT[col.type])
    if col.range is not None and col.type in ("money", "usd", "number") and col.range[0] == 0:
        lines.append("不能为负数")
    return "\n".join(lines)


def _validation(col: Column) -> dict | None:
    """Excel/WPS data validation for a non-list column, from the contract's type and range."""
    stop = {"error_type": "stop", "error_title": "填写有误"}
    if col.type == "date":
        low, high = (datetime(d.year, d.month, d.day) for d in DATE_RANGE)
        return stop | {
            "validate": "date",
            "criteria": "between",
            "minimum": low,
            "maximum": high,
            "error_message": f"{DATE_HINT}，且在1950年至2100年之间",
        }
    if col.range is None:
        return None
    low, high = col.range
    if _is_report_month(col):
        low = Decimal(2)  # January is reported with February (1—2月)
    if col.type == "ratio":
        low, high = low * 100, high * 100  # what a clerk types: 45 or 45%
    whole = col.type in ("int", "year", "month")
    message = f"请填写 {low.normalize():f} 至 {high.normalize():f} 之间的{'整数' if whole else '数字'}"
    if col.type == "ratio":
        message += "（45、45% 或 0.45 均可）"
    return stop | {
        "validate": "integer" if whole else "decimal",
        "criteria": "between",
        "minimum": int(low) if whole else float(low),
        "maximum": int(high) if whole else float(high),
        "error_message": message,
    }


def _plan_codes(prefix: str) -> list[str]:
    with (SEEDS_DIR / "plan_targets.csv").open(encoding="utf-8") as f:
        keys = {r["metric_key"] for r in csv.DictReader(f) if r["metric_key"].startswith(prefix)}
    return sorted(k[len(prefix) :] for k in keys)


def _region_codes() -> list[str]:
    """The regions this deployment's plans cover (dim_region is the national list: 2,800 codes are no
    drop-down; the list only warns, so another county's code can still be typed)."""
    with (SEEDS_DIR / "plan_targets.csv").open(encoding="utf-8") as f:
        return sorted({r["region_code"] for r in csv.DictReader(f)})


def drop_down(col: Column, entity: Entity, contract: Contract) -> tuple[list[str], bool] | None:
    """(values, strict) of a column's drop-down list; strict lists refuse other values, the region
    list (a county may report a code the seed does not list yet) only warns."""
    if col.type == "code":
        return contract.code_lists[col.code_list].labels, True
    if col.type == "bool":
        return ["是", "否"], True
    if col.name == "indicator_code" and entity.name in INDICATOR_PREFIX:
        return _plan_codes(INDICATOR_PREFIX[entity.name]), True
    if col.name == "region_code":
        return _region_codes(), False
    return None


class _Writer:
    """One template workbook: the ledger sheet and its hidden code sheet."""

    def __init__(self, entity: Entity, path: Path, contract: Contract):
        self.entity, self.contract = entity, contract
        self.wb = xlsxwriter.Workbook(str(path))
        self.wb.set_properties({"title": entity.zh, "comments": "项目数据仓库台账模板", "created": None})
        self.ws = self.wb.add_worksheet(entity.zh[:31])
        self.codes = self.wb.add_worksheet(CODE_SHEET)
        self.codes.hide()
        self.code_col = 0
        f = self.wb.add_format
        self.title = f({"bold": True, "font_size": 14, "align": "center"})
        self.head = f(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "align": "center"}
        )
        self.unit = f({"italic": True, "font_color": "#666666", "align": "center"})
        self.example = f({"italic": True, "font_color": "#999999"})
        self.text = f({"num_format": "@"})
        self.date = f({"num_format": "yyyy-mm-dd"})

    def write(self) -> None:
        ws, entity = self.ws, self.entity
        ws.merge_range(TITLE_ROW, 0, TITLE_ROW, len(entity.columns), f"××县（区）{entity.zh}", self.title)
        ws.write(UNIT_LINE_ROW, 0, unit_line(entity))
        ws.write(HEADER_ROW, 0, "序号", self.head)
        ws.write(UNITS_ROW, 0, None)
        ws.write(EXAMPLE_ROW, 0, EXAMPLE_MARK, self.example)
        for i, col in enumerate(entity.columns, start=1):
            self.column(i, col)
        ws.freeze_panes(UNITS_ROW + 1, 2)
        self.wb.close()

    def column(self, i: int, col: Column) -> None:
        ws = self.ws
        ws.write(HEADER_ROW, i, header_text(col), self.head)
        ws.write_comment(HEADER_ROW, i, comment_text(col), {"x_scale": 2, "y_scale": 1.6})
        ws.write(UNITS_ROW, i, col.unit_zh or "", self.unit)
        ws.write(EXAMPLE_ROW, i, _example(col, self.contract), self.example)
        width = max(10, len(col.zh) * 2 + 2)
        cell_format = self.text if col.is_identifier else (self.date if col.type == "date" else None)
        ws.set_column(i, i, width, cell_format)
        first = EXAMPLE_ROW + 1
        listed = drop_down(col, self.entity, self.contract)
        if listed:
            values, strict = listed
            ws.data_validation(first, i, LAST_ROW, i, self.list_validation(col, values, strict))
            return
        rule = _validation(col)
        if rule:
            ws.data_validation(first, i, LAST_ROW, i, rule)

    def list_validation(self, col: Column, values: list[str], strict: bool) -> dict:
        self.codes.write(0, self.code_col, col.zh)
        self.codes.write_column(1, self.code_col, values, self.text)
        letter = xl_col_to_name(self.code_col)
        self.code_col += 1
        return {
            "validate": "list",
            "source": f"={CODE_SHEET}!${letter}$2:${letter}${len(values) + 1}",
            "error_type": "stop" if strict else "warning",
            "error_title": "填写有误",
            "error_message": "请从下拉列表中选择" if strict else "该代码不在列表中，请核对后再填写",
        }


def write_template(entity: Entity, folder: Path, contract: Contract) -> Path:
    path = folder / entity.template_file
    _Writer(entity, path, contract).write()
    return path


def write_templates(folder: Path, contract: Contract | None = None) -> list[Path]:
    contract = contract or load_contract()
    folder.mkdir(parents=True, exist_ok=True)
    return [write_template(e, folder, contract) for e in contract.entities.values()]

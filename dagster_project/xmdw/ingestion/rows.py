"""Parse the data rows of one located table: skip what is not data, read every cell as its contract
column, and sort what cannot be read into row problems and findings.

A row is rejected only when a *required* value is unreadable or missing; an unreadable *optional* value
becomes null with a finding (raw.value_findings) and the row is kept (issue 10: an unreadable 本月完成投资
must not drop the row's 本年完成投资).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal

from xmdw.contract import Column, Contract
from xmdw.ingestion import values as V
from xmdw.ingestion.context import FileContext
from xmdw.ingestion.layout import Layout, normalise_cached
from xmdw.ingestion.natural_keys import natural_key_json
from xmdw.ingestion.problems import Problem
from xmdw.ingestion.workbook import Sheet

TOTAL_RE = re.compile(r"^(合计|小计|总计|共计|累计合计|全县合计|全区合计)")
NOTE_RE = re.compile(
    r"^(填报单位|填表单位|报送单位|填报人|填表人|联系人|联系电话|审核人|负责人|单位负责人|制表|备注|注[:：]|说明|填报日期)"
)
UNIT_CELL_RE = re.compile(
    r"^[（(]?(单位[:：])?(元|千元|万元|亿元|美元|万美元|%|个|项|家|亩|公里|座|条|口|户|头|平方米|人|月|年)[）)]?$"
)
SECTION_RE = re.compile(r"^([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)]|[A-Z][、.．])")
EXAMPLE_MARKS = {"示例", "例", "填写示例", "样例"}
KEPT_NOTE_ZH = "；该值未导入（按空值处理），本行其他数据已正常导入，请改正后重新报送"
KEPT_NOTE_EN = "; the value was left empty, the rest of the row was loaded"
DEFAULT_HINT = "（也可在报告期、标题或文件名中注明，如“2024年3月”；填报日期不作为报告期）"
QUANTUM = {"money": Decimal("0.0001"), "usd": Decimal("0.0001"), "ratio": Decimal("0.000001")}


@dataclass
class ParsedSheet:
    name: str
    rows_read: int
    skipped: Counter = field(default_factory=Counter)
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)  # (row, kind)
    months: Counter = field(default_factory=Counter)  # (year, month) typed in the table's own cells


@dataclass
class SheetResult:
    sheet: ParsedSheet
    rows: list[dict]
    rejected: list[Problem]
    findings: list[Problem]
    money_units: dict[str, str]


def cell_text(v: object) -> str:
    return "" if v is None else str(v).strip()


def row_texts(row: list) -> list[str]:
    return [t for t in (cell_text(v) for v in row) if t]


def classify(row: list, layout: Layout) -> str | None:
    """'blank' | 'example' | 'total' | 'section' | 'note' | 'units' | 'header' for rows that are not data;
    None for data."""
    texts = row_texts(row)
    if not texts:
        return "blank"
    first = re.sub(r"\s+", "", texts[0])
    if first in EXAMPLE_MARKS:
        return "example"  # the template's example row
    if NOTE_RE.match(first) and len(texts) <= 4:
        return "note"
    for t in texts[:3]:
        if TOTAL_RE.match(re.sub(r"\s+", "", t)):
            return "total"
    if len(texts) <= 2 and SECTION_RE.match(first):
        return "section"  # 一、新开工项目（30个）: a group heading inside the table
    if all(UNIT_CELL_RE.match(re.sub(r"\s+", "", t)) for t in texts):
        return "units"
    # every row is checked: the memoised normalisation (the same dozen headers each time)
    mapped_headers = layout.mapped_headers
    if sum(1 for t in texts if normalise_cached(t) in mapped_headers) >= max(2, len(layout.columns) // 2):
        return "header"  # header repeated (page breaks, pasted blocks)
    return None


def _units_row_units(row: list, layout: Layout) -> dict[int, tuple[str, str]]:
    out = {}
    for m in layout.columns:
        v = cell_text(row[m.index]) if m.index < len(row) else ""
        unit = V.find_unit(v) if v else None
        if unit:
            out[m.index] = unit
    return out


def factor_of(col: Column, unit: tuple[str, str] | None) -> tuple[Decimal, str]:
    """Conversion factor to the canonical unit for a money/usd column and the unit declared."""
    if col.type == "money":
        if unit and unit[0] == "money":
            return V.MONEY_UNITS[unit[1]], unit[1]
        return Decimal(1), "万元"
    if unit and unit[0] == "usd":
        return V.USD_UNITS[unit[1]], unit[1]
    return Decimal(1), "万美元"


def _fmt_decimal(d: Decimal) -> str:
    """Exact decimal text without trailing zeros (1234.5000 -> 1234.5, 1E+3 -> 1000)."""
    return format(d.normalize(), "f")


def check_range(value: Decimal, low: Decimal, high: Decimal, zh: str, unit: str) -> None:
    """Refuse a value outside the column's declared range (contract.yml), naming the column and limit."""
    if low <= value <= high:
        return
    shown, lo, hi = (format_limit(x) for x in (value, low, high))
    raise V.ValueProblem(
        "ING-RANGE",
        f"“{zh}”的值 {shown}{unit} 超出允许范围（应在 {lo}{unit} 至 {hi}{unit} 之间），请核对数值和单位",
        f"'{zh}' = {shown} {unit} is outside its allowed range [{lo}, {hi}] {unit}; check the value and unit",
    )


def format_limit(d: Decimal) -> str:
    """1E+10 -> 10,000,000,000; 0.850000 -> 0.85 (how a clerk reads a number)."""
    return f"{d.normalize():,f}"


def _in_range(col: Column, value: Decimal) -> Decimal:
    if col.range is None:
        return value
    low, high = col.range
    if col.type == "ratio":  # a clerk reads ratios as percentages
        check_range(value * 100, low * 100, high * 100, col.zh, "%")
    else:
        check_range(value, low, high, col.zh, col.unit_zh or "")
    return value


def parse_cell(
    col: Column, raw: object, contract: Contract, factor: Decimal, percent_header: bool
) -> str | None:
    """One cell to its canonical string form (what the raw table's CAST expects); raises ValueProblem."""
    t = col.type
    if t == "text":
        return V.parse_identifier(raw, col.zh) if col.is_identifier else V.raw_text(raw)
    if t == "code":
        s = V.clean_text(raw)
        if s is None:
            return None
        # Unknown codes are kept as written: the code-list check is a data-quality rule, not a type error.
        return contract.code_lists[col.code_list].normalise(s) or s
    if t in ("money", "usd", "ratio", "number"):
        if t == "ratio":
            d = V.parse_ratio(raw, percent_header, col.ratio_scale == "percent_points")
        elif t == "number":
            d, pct = V.parse_decimal(raw)
            d = None if d is None else (d / 100 if pct else d)
        else:
            d = V.parse_amount(raw, factor)
        if d is None:
            return None
        d = _in_range(col, d)
        return _fmt_decimal(d.quantize(QUANTUM[t]) if t in QUANTUM else d)
    if t in ("int", "year", "month"):
        i = {"int": V.parse_int, "year": V.parse_year, "month": V.parse_month}[t](raw)
        return None if i is None else _fmt_decimal(_in_range(col, Decimal(i)))
    if t == "date":
        d = V.parse_date(raw)
        return None if d is None else d.isoformat()
    if t == "bool":
        b = V.parse_bool(raw)
        return None if b is None else ("true" if b else "false")
    raise AssertionError(t)


def default_value(col: Column, ctx: FileContext) -> str | None:
    if col.default is None:
        return None
    if col.default.startswith("file."):
        value = {
            "file.year": ctx.year,
            "file.month": ctx.month,
            "file.region": ctx.region_code,
            "file.plan_version": ctx.plan_version,
        }[col.default]
        return None if value is None else str(value)
    return col.default


def merged_fill(sheet: Sheet, first_data_row: int) -> dict[int, list[tuple[int, object]]]:
    """Per data row, the (column, value) a merged range shows there: a 牵头单位 merged over five projects'
    rows belongs to each of them. Only down a column (the range's first column): a range merged across
    columns shows one value, not one per column."""
    fill: dict[int, list[tuple[int, object]]] = {}
    for r0, c0, r1, _c1 in sheet.merged:
        if r0 >= first_data_row and r1 > r0:
            value = sheet.cell(r0, c0)
            for r in range(r0 + 1, r1 + 1):
                fill.setdefault(r, []).append((c0, value))
    return fill


def _filled(row: list, fill: list[tuple[int, object]]) -> list:
    row = list(row) + [None] * max(0, max(c for c, _ in fill) + 1 - len(row))
    for c, v in fill:
        if row[c] is None:
            row[c] = v
    return row


FORMULA_PROBLEM = V.ValueProblem(
    "ING-FORMULA",
    "该单元格是公式，但文件中没有保存计算结果（文件可能由程序生成、未在 Excel/WPS 中打开保存过）；"
    "请在 Excel/WPS 中打开并保存后重新报送，或直接填写数值",
    "the cell holds a formula without a cached result; open and save the file in Excel/WPS, or type the value",
)


@dataclass
class RowInput:
    """One data row and what is known about where it is."""

    cells: list
    r: int  # 0-based
    sheet_name: str
    uncached: set  # 0-based columns of this row holding a formula without a cached value


ColumnPlan = list[tuple[Column, int | None, str, Decimal, bool]]  # col, sheet index, header, factor, %
Issue = tuple[bool, Problem]  # (the column is required, the problem)


def column_plan(layout: Layout, col_units: dict[int, tuple[str, str] | None], ctx: FileContext) -> ColumnPlan:
    """How each contract column is read in this table (computed once per table, not once per cell)."""
    plan = []
    mapped = layout.by_name
    for col in layout.entity.columns:
        m = mapped.get(col.name)
        unit = (col_units.get(m.index) if m else None) or ctx.table_unit
        factor = factor_of(col, unit)[0] if col.type in ("money", "usd") else Decimal(1)
        percent_header = bool(unit and unit[0] == "percent")
        plan.append((col, m.index if m else None, m.header if m else col.zh, factor, percent_header))
    return plan


def _read_cell(
    row: RowInput, col: Column, index: int | None, header: str, contract: Contract, factor: Decimal, pct: bool
) -> tuple[str | None, Problem | None]:
    """(value, None) or (None, the problem located at its sheet, row and column) for one cell."""
    raw = row.cells[index] if index is not None and index < len(row.cells) else None
    try:
        if index is not None and index in row.uncached:
            raise FORMULA_PROBLEM
        return parse_cell(col, raw, contract, factor, pct), None
    except V.ValueProblem as p:
        return None, Problem(
            p.rule, p.message_zh, p.message_en, row.sheet_name, row.r + 1, header, V.raw_text(raw), col.name
        )


def _missing_required(row: RowInput, col: Column, header: str) -> Problem:
    # a column defaulting to the file's period can also be filled from the title or file name: say so
    hint = DEFAULT_HINT if (col.default or "").startswith("file.") else ""
    return Problem(
        "ING-REQ",
        f"必填项“{col.zh}”为空{hint}",
        f"required field '{col.zh}' ({col.name}) is empty",
        row.sheet_name,
        row.r + 1,
        header,
        None,
        col.name,
    )


def _read_columns(
    row: RowInput, plan: ColumnPlan, ctx: FileContext, contract: Contract
) -> tuple[dict, list[Issue], dict[str, str | None]]:
    """(values by column, issues, values as typed before defaults) for every contract column of a row."""
    record: dict = {}
    issues: list[Issue] = []
    typed: dict[str, str | None] = {}
    for col, index, header, factor, percent_header in plan:
        value, problem = _read_cell(row, col, index, header, contract, factor, percent_header)
        if problem is not None:
            issues.append((col.required, problem))
            record[col.name] = None
            continue
        typed[col.name] = value
        if value is None and col.default is not None:
            default = default_value(col, ctx)
            # a literal default (e.g. 是) is written as a unit would type it: parse it like a cell
            value = (
                parse_cell(col, default, contract, factor, percent_header) if default is not None else None
            )
        if value is None and col.required:
            issues.append((True, _missing_required(row, col, header)))
        record[col.name] = value
    return record, issues, typed


def _extra_json(row: RowInput, layout: Layout) -> str | None:
    """Columns outside the contract, kept as written (JSON) so nothing a unit typed is lost."""
    extra = {
        h: V.raw_text(row.cells[i])
        for i, h in layout.extra_columns.items()
        if i < len(row.cells) and V.raw_text(row.cells[i])
    }
    return json.dumps(extra, ensure_ascii=False) if extra else None


def parse_row(
    row: RowInput, layout: Layout, plan: ColumnPlan, ctx: FileContext, contract: Contract
) -> tuple[dict, list[Problem], list[Problem], tuple[str | None, str | None]]:
    """(record, row problems (reject), findings (keep), (year, month) as typed in the row)."""
    record, issues, typed = _read_columns(row, plan, ctx, contract)
    record["_extra"] = _extra_json(row, layout)
    record["_sheet"] = row.sheet_name
    record["_source_row"] = row.r + 1
    if any(required for required, _ in issues):
        return record, [p for _, p in issues], [], (None, None)  # every problem of the row at once
    findings = [_kept(p) for _, p in issues]
    return record, [], findings, (typed.get("year"), typed.get("month"))


def _kept(p: Problem) -> Problem:
    return Problem(
        p.rule,
        p.message_zh + KEPT_NOTE_ZH,
        p.message_en + KEPT_NOTE_EN,
        p.sheet,
        p.row,
        p.column,
        p.value,
        p.column_name,
    )


def parse_sheet(sheet: Sheet, layout: Layout, ctx: FileContext, contract: Contract) -> SheetResult:
    ps = ParsedSheet(sheet.name, rows_read=len(sheet.rows))

    def skip(r: int, kind: str) -> None:
        ps.skipped[kind] += 1
        ps.skipped_rows.append((r + 1, kind))

    for r in range(layout.first_data_row):
        skip(
            r, "header" if r in layout.header_rows else ("blank" if not row_texts(sheet.rows[r]) else "title")
        )

    col_units: dict[int, tuple[str, str] | None] = {m.index: m.unit for m in layout.columns}
    plan = column_plan(layout, col_units, ctx)
    fill = merged_fill(sheet, layout.first_data_row)
    uncached: dict[int, set[int]] = {}
    for r, c in getattr(sheet, "uncached_formulas", None) or ():  # (row, col) 0-based, from workbook.py
        uncached.setdefault(r, set()).add(c)
    rows, rejected, findings = [], [], []
    for r in range(layout.first_data_row, len(sheet.rows)):
        row = sheet.rows[r]
        line_problem = (getattr(sheet, "line_problems", None) or {}).get(r)
        if line_problem is not None:  # the reader could not read this row faithfully (workbook/csv_reader)
            rejected.append(line_problem)
            continue
        kind = classify(row, layout)
        if kind == "units":
            for idx, unit in _units_row_units(row, layout).items():
                col_units[idx] = col_units.get(idx) or unit
            plan = column_plan(layout, col_units, ctx)
        if kind:
            skip(r, kind)
            continue
        if r in fill:
            row = _filled(row, fill[r])
        record, problems, kept, typed = parse_row(
            RowInput(row, r, sheet.name, uncached.get(r, set())), layout, plan, ctx, contract
        )
        key = natural_key_json(layout.entity, record) if problems or kept else None
        if problems:
            rejected += [replace(p, key=key) for p in problems]
            continue
        rows.append(record)
        findings += [replace(p, key=key) for p in kept]
        if typed[1] is not None:
            ps.months[typed] += 1

    money_units = {}
    for m in layout.columns:
        if m.column.type in ("money", "usd"):
            money_units[m.column.name] = factor_of(m.column, col_units.get(m.index) or ctx.table_unit)[1]
    for rec in rows:
        rec["_money_units"] = json.dumps(money_units, ensure_ascii=False)
    return SheetResult(ps, rows, rejected, findings, money_units)

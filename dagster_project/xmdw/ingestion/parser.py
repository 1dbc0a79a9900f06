"""Turn one submitted file into canonical rows of one contract entity.

Pure: reads the file, returns what was loaded, rejected and skipped, touches no database.
Invariant checked by the tests: rows_read == loaded + rejected + skipped, per file.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from xmdw.contract import Column, Contract, Entity
from xmdw.ingestion import values as V
from xmdw.ingestion.layout import Layout, MappedColumn, detect_layout, normalise_cached
from xmdw.ingestion.problems import FileRejected, Problem
from xmdw.ingestion.workbook import Sheet, UnreadableFile, read_file
from xmdw.paths import SEEDS_DIR

TOTAL_RE = re.compile(r"^(合计|小计|总计|共计|累计合计|全县合计|全区合计)")
NOTE_RE = re.compile(
    r"^(填报单位|填表单位|报送单位|填报人|填表人|联系人|联系电话|审核人|负责人|单位负责人|制表|备注|注[:：]|说明|填报日期)"
)
UNIT_CELL_RE = re.compile(
    r"^[（(]?(单位[:：])?(元|千元|万元|亿元|美元|万美元|%|个|项|家|亩|公里|座|条|口|户|头|平方米|人|月|年)[）)]?$"
)
UNIT_LINE_RE = re.compile(r"(金额)?单位[:：]\s*(元|千元|万元|亿元|万美元|美元)")
REPORTER_RE = re.compile(
    r"(?:填报单位|填表单位|报送单位)[:：][ \t]*(?!填报|填表|日期)([^\s,，;；:：]+?)(?=\s|$|[,，;；]|填报人|填表人|联系|日期)"
)
PERIOD_RE = re.compile(r"(20\d{2})\s*年\s*(?:(?:1|一)\s*[-—–~至到]\s*)?(\d{1,2})\s*月")
FILENAME_PERIOD_RE = re.compile(r"(20\d{2})[-_.年]?(\d{2})(?!\d)")
DATE_NOTE_RE = re.compile(r"(填报日期|填表日期|报送日期|日期)[:：]\s*\S+")
SECTION_RE = re.compile(r"^([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)]|[A-Z][、.．])")
EXAMPLE_MARKS = {"示例", "例", "填写示例", "样例"}
UNIT_SUFFIXES = (
    "局",
    "中心",
    "镇",
    "街道",
    "办事处",
    "办",
    "公司",
    "委",
    "院",
    "所",
    "室",
    "站",
    "队",
    "政府",
)


@dataclass
class FileContext:
    """Facts a ledger states outside its table (title, units line, notes) or in its file name."""

    year: int | None = None
    month: int | None = None
    region_code: str | None = None
    plan_version: str | None = None
    submitting_unit: str | None = None
    table_unit: tuple[str, str] | None = None  # from 单位：万元 above the table


@dataclass
class ParsedSheet:
    name: str
    rows_read: int
    skipped: Counter = field(default_factory=Counter)
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)  # (row, kind)


@dataclass
class ParsedFile:
    path: Path
    entity: Entity | None
    context: FileContext
    rows: list[dict]  # canonical column -> canonical string value, plus lineage
    rejected: list[Problem]
    sheets: list[ParsedSheet]
    money_units: dict[str, str]
    unknown_columns: list[str]
    encoding: str | None = None

    @property
    def rows_read(self) -> int:
        return sum(s.rows_read for s in self.sheets)

    @property
    def rows_skipped(self) -> int:
        return sum(sum(s.skipped.values()) for s in self.sheets)

    @property
    def rows_rejected(self) -> int:
        return len({(p.sheet, p.row) for p in self.rejected})

    @property
    def skipped_by_kind(self) -> dict[str, int]:
        total: Counter = Counter()
        for s in self.sheets:
            total.update(s.skipped)
        return dict(total)


@cache
def _region_names() -> tuple[tuple[str, str], ...]:
    """(name, code) of county-level regions, longest names first (镇巴县 before 镇巴)."""
    out = []
    with (SEEDS_DIR / "dim_region.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["level"] in ("county", "district"):
                out += [(r["name_zh"], r["region_code"]), (r["short_name_zh"], r["region_code"])]
    return tuple(sorted(out, key=lambda x: -len(x[0])))


def _cell_text(v: object) -> str:
    return "" if v is None else str(v).strip()


def _row_texts(row: list) -> list[str]:
    return [t for t in (_cell_text(v) for v in row) if t]


def _read_context(path: Path, title_lines: list[str], note_lines: list[str]) -> FileContext:
    """Period, region, plan version, submitting unit and table unit from the title rows, the notes
    below the table and the file name. The period is looked for in the title, then the file name,
    then the notes — never in a 填报日期 (the date a ledger was filled in is not its period)."""
    ctx = FileContext()
    title = " ".join(title_lines)
    notes = DATE_NOTE_RE.sub(" ", " ".join(note_lines))
    text = f"{title} {notes}"
    for source in (title, path.stem, notes):
        m = PERIOD_RE.search(source)
        if m and ctx.year is None:
            ctx.year, ctx.month = int(m.group(1)), int(m.group(2))
    if ctx.year is None:
        m = FILENAME_PERIOD_RE.search(path.stem)
        if m and 1 <= int(m.group(2)) <= 12:
            ctx.year, ctx.month = int(m.group(1)), int(m.group(2))
    if ctx.year is None:
        m = re.search(r"(20\d{2})\s*年", title + " " + path.stem)
        if m:
            ctx.year = int(m.group(1))
    for name, code in _region_names():
        if name in text or name in path.stem:
            ctx.region_code = code
            break
    ctx.plan_version = "中期调整" if ("中期调整" in text or "中期调整" in path.stem) else "年初"
    m = REPORTER_RE.search(text.replace("填报日期", "日期") + " ")
    if m:
        ctx.submitting_unit = m.group(1)
    else:
        head = re.split(r"[_\-—\s]", path.stem)[0]
        if head.endswith(UNIT_SUFFIXES):
            ctx.submitting_unit = head
    m = UNIT_LINE_RE.search(text.replace(" ", ""))
    if m:
        ctx.table_unit = V.find_unit(m.group(2))
    return ctx


def _classify(row: list, layout: Layout) -> str | None:
    """'blank' | 'example' | 'total' | 'section' | 'note' | 'units' | 'header' for rows that are not data;
    None for data."""
    texts = _row_texts(row)
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
    mapped_headers = {normalise_cached(m.header.split("/")[-1]) for m in layout.columns}
    if sum(1 for t in texts if normalise_cached(t) in mapped_headers) >= max(2, len(layout.columns) // 2):
        return "header"  # header repeated (page breaks, pasted blocks)
    return None


def _units_row_units(row: list, layout: Layout) -> dict[int, tuple[str, str]]:
    out = {}
    for m in layout.columns:
        v = _cell_text(row[m.index]) if m.index < len(row) else ""
        unit = V.find_unit(v) if v else None
        if unit:
            out[m.index] = unit
    return out


def _factor(col: Column, unit: tuple[str, str] | None) -> tuple[Decimal, str]:
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


def parse_cell(
    col: Column, raw: object, contract: Contract, factor: Decimal, percent_header: bool
) -> str | None:
    """One cell to its canonical string form (what the raw table's CAST expects); raises ValueProblem."""
    t = col.type
    if t == "text":
        return V.clean_text(raw) if col.name.endswith(("_id", "_code")) else V.raw_text(raw)
    if t == "code":
        s = V.clean_text(raw)
        if s is None:
            return None
        # Unknown codes are kept as written: the code-list check is a data-quality rule, not a type error.
        return contract.code_lists[col.code_list].normalise(s) or s
    if t in ("money", "usd"):
        d = V.parse_amount(raw, factor)
        return None if d is None else _fmt_decimal(d.quantize(Decimal("0.0001")))
    if t == "ratio":
        d = V.parse_ratio(raw, percent_header)
        return None if d is None else _fmt_decimal(d.quantize(Decimal("0.000001")))
    if t == "number":
        d, pct = V.parse_decimal(raw)
        if d is None:
            return None
        return _fmt_decimal(d / 100 if pct else d)
    if t == "int":
        i = V.parse_int(raw)
        return None if i is None else str(i)
    if t == "year":
        i = V.parse_year(raw)
        return None if i is None else str(i)
    if t == "month":
        i = V.parse_month(raw)
        return None if i is None else str(i)
    if t == "date":
        d = V.parse_date(raw)
        return None if d is None else d.isoformat()
    if t == "bool":
        b = V.parse_bool(raw)
        return None if b is None else ("true" if b else "false")
    raise AssertionError(t)


def _default(col: Column, ctx: FileContext) -> str | None:
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


def _parse_sheet(
    sheet: Sheet, layout: Layout, ctx: FileContext, contract: Contract
) -> tuple[ParsedSheet, list[dict], list[Problem], dict[str, str]]:
    ps = ParsedSheet(sheet.name, rows_read=len(sheet.rows))

    def skip(r: int, kind: str) -> None:
        ps.skipped[kind] += 1
        ps.skipped_rows.append((r + 1, kind))

    for r in range(layout.first_data_row):
        skip(
            r,
            "header" if r in layout.header_rows else ("blank" if not _row_texts(sheet.rows[r]) else "title"),
        )

    col_units: dict[int, tuple[str, str] | None] = {m.index: m.unit for m in layout.columns}
    rows, problems = [], []
    for r in range(layout.first_data_row, len(sheet.rows)):
        row = sheet.rows[r]
        kind = _classify(row, layout)
        if kind == "units":
            for idx, unit in _units_row_units(row, layout).items():
                col_units[idx] = col_units.get(idx) or unit
        if kind:
            skip(r, kind)
            continue
        record, row_problems = _parse_row(row, r, sheet.name, layout, col_units, ctx, contract)
        if row_problems:
            problems += row_problems
        else:
            rows.append(record)

    money_units = {}
    for m in layout.columns:
        if m.column.type in ("money", "usd"):
            money_units[m.column.name] = _factor(m.column, col_units.get(m.index) or ctx.table_unit)[1]
    for rec in rows:
        rec["_money_units"] = json.dumps(money_units, ensure_ascii=False)
    return ps, rows, problems, money_units


def _parse_row(
    row: list,
    r: int,
    sheet_name: str,
    layout: Layout,
    col_units: dict[int, tuple[str, str] | None],
    ctx: FileContext,
    contract: Contract,
) -> tuple[dict, list[Problem]]:
    record: dict = {}
    problems: list[Problem] = []
    mapped: dict[str, MappedColumn] = layout.by_name
    for col in layout.entity.columns:
        m = mapped.get(col.name)
        raw = row[m.index] if m and m.index < len(row) else None
        unit = (col_units.get(m.index) if m else None) or ctx.table_unit
        factor, _ = _factor(col, unit) if col.type in ("money", "usd") else (Decimal(1), "")
        percent_header = bool(unit and unit[0] == "percent")
        try:
            value = parse_cell(col, raw, contract, factor, percent_header)
        except V.ValueProblem as p:
            problems.append(
                Problem(
                    p.rule,
                    p.message_zh,
                    p.message_en,
                    sheet_name,
                    r + 1,
                    m.header if m else col.zh,
                    V.raw_text(raw),
                )
            )
            continue
        if value is None and col.default is not None:
            default = _default(col, ctx)
            # a literal default (e.g. 是) is written as a unit would type it: parse it like a cell
            value = (
                parse_cell(col, default, contract, factor, percent_header) if default is not None else None
            )
        if value is None and col.required:
            problems.append(
                Problem(
                    "ING-REQ",
                    f"必填项“{col.zh}”为空",
                    f"required field '{col.zh}' ({col.name}) is empty",
                    sheet_name,
                    r + 1,
                    m.header if m else col.zh,
                    None,
                )
            )
        record[col.name] = value
    extra = {
        h: V.raw_text(row[i]) for i, h in layout.extra_columns.items() if i < len(row) and V.raw_text(row[i])
    }
    record["_extra"] = json.dumps(extra, ensure_ascii=False) if extra else None
    record["_sheet"] = sheet_name
    record["_source_row"] = r + 1
    return record, problems


def _reject_duplicate_keys(entity: Entity, rows: list[dict], problems: list[Problem]) -> list[dict]:
    """Rows sharing a natural key inside one file are all rejected: we cannot tell which is right."""
    keys = Counter(tuple(r.get(k) for k in entity.natural_key) for r in rows)
    dup = {k for k, n in keys.items() if n > 1}
    if not dup:
        return rows
    kept = []
    key_zh = "、".join(entity.column(k).zh for k in entity.natural_key)
    for rec in rows:
        k = tuple(rec.get(c) for c in entity.natural_key)
        if k in dup:
            problems.append(
                Problem(
                    "ING-DUP",
                    f"同一文件中（{key_zh}）重复：{'/'.join(str(x) for x in k)}，请只保留一行",
                    f"duplicate key ({', '.join(entity.natural_key)}) = {k} within the file: keep one row",
                    rec["_sheet"],
                    rec["_source_row"],
                    None,
                    None,
                )
            )
        else:
            kept.append(rec)
    return kept


def parse_file(path: Path, contract: Contract) -> ParsedFile:
    """Parse one file. Raises FileRejected (quarantine) when the file as a whole cannot be used."""
    try:
        read = read_file(path)
    except UnreadableFile as exc:
        raise FileRejected(Problem(exc.rule, exc.message_zh, exc.message_en)) from exc

    candidates = []
    for sheet in read.sheets:
        if not any(_row_texts(r) for r in sheet.rows):
            continue
        layout = detect_layout(sheet, contract)
        candidates.append((sheet, layout))
    if not candidates:
        raise FileRejected(Problem("ING-F5", "文件是空的，没有任何数据", "the file is empty"))

    usable = [(s, lay) for s, lay in candidates if lay is not None and not lay.missing_required()]
    if not usable:
        _reject_unrecognised(candidates)

    # One ledger per file: the entity of the best-matching sheet; other sheets of the same entity
    # are loaded too, sheets of no/another entity are skipped and counted.
    entity = max(usable, key=lambda x: len(x[1].columns))[1].entity
    sheets_out, rows, problems, money_units, unknown = [], [], [], {}, []
    for sheet in read.sheets:
        layout = next((lay for s, lay in usable if s is sheet and lay.entity is entity), None)
        if layout is None:
            ps = ParsedSheet(sheet.name, rows_read=len(sheet.rows))
            for r, row in enumerate(sheet.rows):
                ps.skipped["blank" if not _row_texts(row) else "other_sheet"] += 1
                ps.skipped_rows.append((r + 1, "blank" if not _row_texts(row) else "other_sheet"))
            sheets_out.append(ps)
            continue
        title_lines = [" ".join(_row_texts(sheet.rows[r])) for r in range(layout.header_rows[0])]
        note_lines = [
            " ".join(_row_texts(r))
            for r in sheet.rows[layout.first_data_row :]
            if _row_texts(r) and NOTE_RE.match(_row_texts(r)[0].replace(" ", ""))
        ]
        ctx = _read_context(path, title_lines, note_lines)
        _require_file_defaults(sheet, layout, ctx)
        ps, sheet_rows, sheet_problems, units = _parse_sheet(sheet, layout, ctx, contract)
        sheets_out.append(ps)
        for rec in sheet_rows:
            rec["_submitting_unit"] = ctx.submitting_unit
        rows += sheet_rows
        problems += sheet_problems
        money_units.update(units)
        unknown += [h for h in layout.extra_columns.values() if h not in unknown]
        file_ctx = ctx
    rows = _reject_duplicate_keys(entity, rows, problems)
    return ParsedFile(path, entity, file_ctx, rows, problems, sheets_out, money_units, unknown, read.encoding)


def _require_file_defaults(sheet: Sheet, layout: Layout, ctx: FileContext) -> None:
    """A required column that is neither in the table nor stated in the title/file name (e.g. the
    report month) is a file-level problem: quarantine instead of rejecting every row."""
    present = set(layout.by_name)
    for col in layout.entity.required:
        if col.name not in present and _default(col, ctx) is None:
            raise FileRejected(
                Problem(
                    "ING-F3",
                    f"缺少“{col.zh}”：表格中没有该列，标题和文件名中也未注明（如“2024年3月”）",
                    f"'{col.zh}' ({col.name}) is missing: not a column, and not stated in the title or "
                    f"file name (e.g. 2024年3月)",
                    sheet=sheet.name,
                    row=layout.header_rows[0] + 1,
                    column=col.zh,
                )
            )


def _reject_unrecognised(candidates: list) -> None:
    layouts = [(s, lay) for s, lay in candidates if lay is not None]
    if not layouts:
        raise FileRejected(
            Problem(
                "ING-F1",
                "无法识别台账类型：表头中没有找到任何已知列名（如“项目编号”“项目名称”），请使用标准模板（xmdw template）",
                "cannot identify the ledger: no known column headers found (e.g. 项目编号, 项目名称); "
                "use the standard template (xmdw template)",
                sheet=candidates[0][0].name,
            )
        )
    sheet, lay = max(layouts, key=lambda x: len(x[1].columns))
    missing = lay.missing_required()
    names_zh = "、".join(f"“{c.zh}”" for c in missing)
    names_en = ", ".join(f"{c.zh} ({c.name})" for c in missing)
    raise FileRejected(
        Problem(
            "ING-F1",
            f"看起来是{lay.entity.zh}，但缺少必需列 {names_zh}（表头在第{lay.header_rows[0] + 1}行）",
            f"looks like {lay.entity.name} but required column(s) missing: {names_en} "
            f"(header at row {lay.header_rows[0] + 1})",
            sheet=sheet.name,
            row=lay.header_rows[0] + 1,
            column=missing[0].zh,
        )
    )

"""Facts a ledger states outside its table: report period, region, plan version, submitting unit and
the unit of its amounts — read from the title rows, the notes below the table and the file name.

The report period comes from the ledger's own cells (the title, `报告期：2024年11月`, `年度：2024 月份：11`)
or from the file name; a fill-in date (`填报日期：2024年12月5日`, anywhere) is never a period, and a
title that contradicts the file name is a file problem (ING-F7), not a silent choice.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from xmdw.core.paths import SEEDS_DIR
from xmdw.ingestion import values as V
from xmdw.ingestion.problems import FileRejected, Problem

UNIT_LINE_RE = re.compile(r"(金额)?单位[:：]\s*(元|千元|万元|亿元|万美元|美元)")
REPORTER_RE = re.compile(
    r"(?:填报单位|填表单位|报送单位)[:：][ \t]*(?!填报|填表|日期|报告期)([^\s,，;；:：]+?)"
    r"(?=\s|$|[,，;；]|填报人|填表人|联系|日期|报告期)"
)
PERIOD_RE = re.compile(r"(20\d{2})\s*年\s*(?:(?:1|一)\s*[-—–~至到]\s*)?(\d{1,2})\s*月")
FILENAME_PERIOD_RE = re.compile(r"(20\d{2})[-_.年]?(\d{2})(?!\d)")
YEAR_RE = re.compile(r"(20\d{2})\s*年")
# Explicit period cells: 年度：2024 / 月份：11 (the label may sit in the cell before the value).
YEAR_CELL_RE = re.compile(r"(?:报告|填报)?(?:年度|年份)\s*[:：]?\s*(20\d{2})")
MONTH_CELL_RE = re.compile(r"(?:报告|填报)?月份\s*[:：]?\s*(?:1\s*[-—–~至到]\s*)?(\d{1,2})(?!\d)")
# A fill-in date with its label, wherever it is: 填报日期：2024年12月5日, 填表时间 2024-12-05, 日期：2024.12.5.
# 截止日期 / 截至 are not fill-in dates (they state the period) and are left alone.
_DATE_EXPR = (
    r"\d{4}\s*[年./\-]\s*\d{1,2}\s*(?:[月./\-]\s*(?:\d{1,2}\s*日?)?)?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
)
FILL_DATE_RE = re.compile(
    rf"(?:(?:填报|填表|报送|制表|报表|上报)\s*(?:日期|时间)|(?<![截止至])日期)\s*[:：]?\s*(?:{_DATE_EXPR})?"
)
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
    period_source: str | None = None  # where the period was read, in Chinese (for messages)


@dataclass(frozen=True)
class Period:
    year: int | None
    month: int | None
    source: str  # Chinese, e.g. 文件名“…” / 表内“…”

    def zh(self) -> str:
        return f"{self.year}年" + (f"{self.month}月" if self.month else "")


@cache
def _region_names() -> tuple[tuple[str, str], ...]:
    """(name, code) of the county-level regions a title or file name may name, longest names first (镇巴县
    before 镇巴). dim_region is the national list, where many names repeat (鼓楼区 four times) and short names
    are common words (城区): every region is recognised by its full name when that name is unique and has
    three characters or more; short names only for the regions this deployment's plans cover."""
    with (SEEDS_DIR / "plan_targets.csv").open(encoding="utf-8") as f:
        deployment = {r["region_code"] for r in csv.DictReader(f)}
    with (SEEDS_DIR / "dim_region.csv").open(encoding="utf-8") as f:
        regions = [r for r in csv.DictReader(f) if r["level"] in ("county", "district")]
    counts = Counter(r["name_zh"] for r in regions)
    out = [
        (r["name_zh"], r["region_code"])
        for r in regions
        if counts[r["name_zh"]] == 1 and len(r["name_zh"]) >= 3
    ]
    out += [
        (name, r["region_code"])
        for r in regions
        if r["region_code"] in deployment
        for name in (r["name_zh"], r["short_name_zh"])
    ]
    return tuple(sorted(set(out), key=lambda x: (-len(x[0]), x[0])))


@cache
def _region_index() -> tuple[dict[str, int], tuple[int, ...]]:
    """Each region name's first position in _region_names(), and the lengths names have."""
    first: dict[str, int] = {}
    for i, (name, _code) in enumerate(_region_names()):
        first.setdefault(name, i)
    return first, tuple(sorted({len(n) for n in first}))


def _region_code(*texts: str) -> str | None:
    """The code of the first region of _region_names() whose name occurs in one of the texts — what
    testing every name in turn gives, found by looking up the texts' substrings instead (thousands of
    names against a file name of a few dozen characters: 10 ms per file at province scale)."""
    first, lengths = _region_index()
    best: int | None = None
    for text in texts:
        for n in lengths:
            for i in range(len(text) - n + 1):
                j = first.get(text[i : i + n])
                if j is not None and (best is None or j < best):
                    best = j
    return None if best is None else _region_names()[best][1]


def strip_fill_dates(text: str) -> str:
    """The text without its fill-in dates (label and date), so no date a clerk signs is a period."""
    return FILL_DATE_RE.sub(" ", text)


def _valid(year: int | None, month: int | None) -> bool:
    return year is not None and (month is None or 1 <= month <= 12)


def cell_period(lines: list[str]) -> Period | None:
    """The period the ledger's own cells state: 年度/月份 cells, else a 2024年1-11月 in the title."""
    for line in lines:
        text = strip_fill_dates(line)
        y, m = YEAR_CELL_RE.search(text), MONTH_CELL_RE.search(text)
        if y:
            month = int(m.group(1)) if m else None
            if _valid(int(y.group(1)), month):
                return Period(int(y.group(1)), month, f"表内“{line.strip()[:40]}”")
    for line in lines:
        text = strip_fill_dates(line)
        m = PERIOD_RE.search(text)
        if m and _valid(int(m.group(1)), int(m.group(2))):
            return Period(int(m.group(1)), int(m.group(2)), f"表内“{line.strip()[:40]}”")
    for line in lines:
        m = YEAR_RE.search(strip_fill_dates(line))
        if m:
            return Period(int(m.group(1)), None, f"表内“{line.strip()[:40]}”")
    return None


def name_period(path: Path) -> Period | None:
    """The period in the file name: 县交通局_2024年11月_…, …_202411_…, …2024年度…"""
    stem, source = path.stem, f"文件名“{path.name}”"
    for regex in (PERIOD_RE, FILENAME_PERIOD_RE):
        m = regex.search(stem)
        if m and _valid(int(m.group(1)), int(m.group(2))):
            return Period(int(m.group(1)), int(m.group(2)), source)
    m = YEAR_RE.search(stem) or re.search(r"(?<!\d)(20\d{2})(?!\d)", stem)
    return Period(int(m.group(1)), None, source) if m else None


def period_conflict(a: Period, b: Period, sheet: str | None = None) -> FileRejected | None:
    """A file problem when two statements of the period disagree on the year or the month."""
    if a.year == b.year and (a.month is None or b.month is None or a.month == b.month):
        return None
    return FileRejected(
        Problem(
            "ING-F7",
            f"报告期不一致：{a.source}为{a.zh()}，{b.source}为{b.zh()}；请核对报告期，"
            "改正后重新报送（填报日期不是报告期）",
            f"the report period disagrees: {a.source} says {a.year}-{a.month or ''}, "
            f"{b.source} says {b.year}-{b.month or ''}; correct it and submit again",
            sheet=sheet,
        )
    )


def choose_period(path: Path, title_lines: list[str], note_lines: list[str], sheet: str) -> Period | None:
    """The ledger's period: its cells (title area) or its file name, which must agree; else the notes."""
    cells, name = cell_period(title_lines), name_period(path)
    if cells and name:
        conflict = period_conflict(cells, name, sheet)
        if conflict:
            raise conflict
    # the more precise of two agreeing statements (a title 2024年 with a file name 2024年11月)
    found = name if cells is None or (cells.month is None and name and name.month) else cells
    notes = cell_period(note_lines)
    if notes and (found is None or (found.month is None and notes.year == found.year)):
        return notes  # 备注：本表为2024年3月数据 under a title without a month
    return found


def read_context(path: Path, title_lines: list[str], note_lines: list[str], sheet: str) -> FileContext:
    """Period, region, plan version, submitting unit and table unit of one sheet's ledger."""
    ctx = FileContext()
    title = " ".join(title_lines)
    notes = strip_fill_dates(" ".join(note_lines))
    text = f"{title} {notes}"
    period = choose_period(path, title_lines, note_lines, sheet)
    if period:
        ctx.year, ctx.month, ctx.period_source = period.year, period.month, period.source
    ctx.region_code = _region_code(text, path.stem)
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

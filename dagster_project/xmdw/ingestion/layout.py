"""Find the table in a sheet: which ledger it is, where its header is, which column is which.

Real ledgers have title rows above the header, a units row, one- or two-level (merged) headers,
a 序号 column and columns the contract does not know. This module only locates and maps; parsing
the rows is the loader's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache

from xmdw.contract import Column, Contract, Entity, normalise_header
from xmdw.ingestion.values import find_unit
from xmdw.ingestion.workbook import Sheet

HEADER_SCAN_ROWS = 60  # a header below a long title block or instructions (row 31) is found
MIN_MATCHED_COLUMNS = 2
IGNORED_HEADERS = {"序号", "编号序号", "排序", "No.", "NO", "no"}
_ANY_BRACKET = re.compile(r"[（(\[【][^）)\]】]*[）)\]】]$")
_BRACKET_UNIT = re.compile(r"[（(\[【]([^）)\]】]*)[）)\]】]$")

# Header detection tries every entity at every candidate header row of every file, so the same few
# dozen header texts are normalised and looked up millions of times per batch (72 % of the ingestion
# time at province scale, docs/benchmarks.md). normalise_header and split_unit are pure: memoised.
normalise_cached = lru_cache(maxsize=1 << 16)(normalise_header)


@dataclass
class MappedColumn:
    index: int  # 0-based column in the sheet
    column: Column
    header: str  # header text as in the file (joined for two-level headers)
    unit: tuple[str, str] | None  # declared unit found in the header, e.g. ("money", "亿元")


@dataclass
class Layout:
    entity: Entity
    header_rows: list[int]  # 0-based rows forming the header (1 or 2)
    columns: list[MappedColumn]
    extra_columns: dict[int, str]  # unknown columns: index -> header text (kept in _extra)
    ignored_columns: list[int] = field(default_factory=list)  # 序号 and empty headers
    uses_top: int = 0  # two-level headers: columns the first row contributes to
    # a contract column whose header appears more than once: name -> every sheet column it is in
    duplicates: dict[str, list[int]] = field(default_factory=dict)

    @property
    def first_data_row(self) -> int:
        return self.header_rows[-1] + 1

    @property
    def by_name(self) -> dict[str, MappedColumn]:
        return {m.column.name: m for m in self.columns}

    @cached_property
    def mapped_headers(self) -> frozenset[str]:
        """Normalised texts of the mapped headers (to spot a header repeated inside the table)."""
        return frozenset(normalise_cached(m.header.split("/")[-1]) for m in self.columns)

    def missing_required(self) -> list[Column]:
        present = {m.column.name for m in self.columns}
        return [c for c in self.entity.required_in_header if c.name not in present]


@lru_cache(maxsize=1 << 16)
def split_unit(header: str) -> tuple[str, tuple[str, str] | None]:
    """'总投资（亿元）' -> ('总投资', ('money', '亿元')); '形象进度(%)' -> ('形象进度', ('percent', '%'))."""
    m = _BRACKET_UNIT.search(header)
    if m:
        unit = find_unit(m.group(0))
        if unit:
            return header[: m.start()], unit
    for sep in ("/", "／"):
        if sep in header:
            head, _, tail = header.rpartition(sep)
            unit = find_unit(tail)
            if unit and head:
                return head, unit
    return header, None


@cache
def _lookup_table(entity: Entity) -> dict[str, Column]:
    """Normalised header spelling -> column, built once per entity (callers only read it)."""
    table: dict[str, Column] = {}
    for col in entity.columns:
        for h in col.headers:
            table.setdefault(h, col)
    return table


def match_header(text: str, lookup: dict[str, Column]) -> tuple[Column | None, tuple[str, str] | None]:
    """Match one header cell: first as written (aliases may contain brackets), then without its unit."""
    norm = normalise_cached(text)
    if not norm:
        return None, None
    if norm in lookup:
        return lookup[norm], split_unit(norm)[1]
    stripped, unit = split_unit(norm)
    if stripped in lookup:
        return lookup[stripped], unit
    # a trailing remark in brackets that is not a unit: 年度计划投资（调整后）
    m = _ANY_BRACKET.search(stripped)
    return (lookup.get(stripped[: m.start()]), unit) if m else (None, unit)


def _header_texts(sheet: Sheet, top: int, depth: int, width: int) -> list[tuple[str, str, str]]:
    """For each column: (top text, bottom text, joined text). Merged cells fill their whole span."""
    out = []
    for c in range(width):
        t = sheet.merged_value(top, c)
        t = "" if t is None else str(t)
        if depth == 1:
            out.append((t, "", t))
            continue
        b = sheet.merged_value(top + 1, c)
        b = "" if b is None else str(b)
        if b == t:  # vertically merged: one header spanning both rows
            b = ""
        out.append((t, b, f"{t}{b}"))
    return out


def _texts_at(sheet: Sheet, top: int, depth: int) -> list[tuple[str, str, str]]:
    width = max((len(r) for r in sheet.rows[top : top + depth]), default=0)
    return _header_texts(sheet, top, depth, width)


@cache
def _union_lookup(entities: tuple[Entity, ...]) -> dict[str, Column]:
    """Every entity's header spellings in one table (only to rule rows out, see _may_be_header)."""
    table: dict[str, Column] = {}
    for entity in entities:
        for h, col in _lookup_table(entity).items():
            table.setdefault(h, col)
    return table


def _may_be_header(texts: list[tuple[str, str, str]], union: dict[str, Column]) -> bool:
    """Can any entity match MIN_MATCHED_COLUMNS columns here? A text that matches one entity's table
    matches the union too, so fewer union matches than the minimum rules every entity out (data rows:
    most of the HEADER_SCAN_ROWS rows scanned in a CSV)."""
    matched = 0
    for t, b, joined in texts:
        if any(match_header(x, union)[0] is not None for x in ((b, joined, t) if b else (t,))):
            matched += 1
            if matched >= MIN_MATCHED_COLUMNS:
                return True
    return False


def _map(
    entity: Entity, sheet: Sheet, top: int, depth: int, texts: list[tuple[str, str, str]] | None = None
) -> Layout:
    lookup = _lookup_table(entity)
    used: set[str] = set()
    columns, extra, ignored = [], {}, []
    duplicates: dict[str, list[int]] = {}
    uses_top = 0  # columns whose match or unit came from the first of two header rows
    for c, (t, b, joined) in enumerate(texts if texts is not None else _texts_at(sheet, top, depth)):
        candidates = [b, joined, t] if b else [t]
        col, unit = None, None
        for i, text in enumerate(candidates):
            col, unit = match_header(text, lookup)
            if col is not None:
                uses_top += depth == 2 and (i > 0 or not b)
                break
        # A unit may sit in the merged parent header: 投资完成情况（万元） over 本年 / 累计.
        if col is not None and unit is None and b:
            unit = split_unit(normalise_cached(t))[1]
            uses_top += unit is not None
        label = "/".join(x for x in (t, b) if x) or ""
        if col is not None and col.name not in used:
            used.add(col.name)
            columns.append(MappedColumn(c, col, label, unit))
        elif col is not None:
            first = next(m.index for m in columns if m.column.name == col.name)
            duplicates.setdefault(col.name, [first]).append(c)
            extra[c] = label
        elif normalise_cached(label) in IGNORED_HEADERS or not label.strip():
            ignored.append(c)
        else:
            extra[c] = label
    layout = Layout(entity, list(range(top, top + depth)), columns, extra, ignored, duplicates=duplicates)
    layout.uses_top = uses_top
    return layout


def _score(layout: Layout) -> tuple[int, int, int]:
    required = sum(1 for m in layout.columns if m.column.required)
    # prefer more matches, then more required matches, then the deeper header: when a two-level
    # header matches as much as its second row alone, the first row is the parent (it may carry
    # the unit, e.g. 投资完成情况（亿元）), not a title.
    return (len(layout.columns), required, len(layout.header_rows))


def detect_layout(sheet: Sheet, contract: Contract) -> Layout | None:
    """The best (entity, header rows) for a sheet, or None when nothing looks like a known ledger."""
    best: Layout | None = None
    entities = tuple(contract.entities.values())
    union = _union_lookup(entities)
    for top in range(min(HEADER_SCAN_ROWS, len(sheet.rows))):
        row = sheet.rows[top]
        if sum(1 for v in row if isinstance(v, str) and v.strip()) < MIN_MATCHED_COLUMNS:
            continue
        # header texts once per (row, depth), not once per entity; rows no entity can match skipped
        texts = {depth: _texts_at(sheet, top, depth) for depth in (1, 2) if top + depth <= len(sheet.rows)}
        texts = {depth: t for depth, t in texts.items() if _may_be_header(t, union)}
        for entity in entities:
            for depth in (1, 2):
                if depth not in texts:
                    continue
                layout = _map(entity, sheet, top, depth, texts[depth])
                if len(layout.columns) < MIN_MATCHED_COLUMNS:
                    continue
                if depth == 2 and (
                    layout.uses_top == 0 or len(layout.columns) <= len(_map(entity, sheet, top, 1).columns)
                ):
                    # the first row contributes nothing (a 填报单位/单位 line above the header) or the
                    # second adds nothing (data or a units row): not a two-level header
                    continue
                if best is None or _score(layout) > _score(best):
                    best = layout
    return best

"""Who a finding goes back to, and the report's one line per rule × unit (issue 12 item 7).

Attribution, in order: the unit on the finding (the row's `_submitting_unit`), the unit the ingest log
recorded for its file, the unit in the file name; a file that names no unit goes to its region's lead
unit (the region's 发改 department in `seeds/dim_unit.csv`, which leads the key-project work) or, for a
region with no known units, to the region itself (`宜君县（610222，未署名单位）`), so a province's
counties each get their own lines and sheet. Only a finding without any file (a mart or whole-table
check) is the data manager's: `（全局/数据管理员）`.

Aggregation: the HTML page shows one line per (unit, rule) with the count and the first rows; the xlsx
keeps every row (units need them all to correct their ledgers).
"""

from __future__ import annotations

import csv
from functools import cache

import pandas as pd

from xmdw.core.paths import SEEDS_DIR

EXAMPLES = 5  # rows shown per (unit, rule) line in the HTML page
LEAD_MARK = "发改"  # the department that leads key-project work in a county (牵头单位)
AGG_COLUMNS = ["unit", "rule_id", "rule_title", "severity", "kind", "action", "count", "problem", "examples"]


@cache
def _seed(name: str) -> list[dict]:
    path = SEEDS_DIR / name
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def region_unit(region_code: str | None) -> str | None:
    """The unit a file of `region_code` without a named unit is returned to (None: unknown region)."""
    if not isinstance(region_code, str) or not region_code:
        return None
    leads = [
        u["unit_name_zh"]
        for u in _seed("dim_unit.csv")
        if u.get("region_code") == region_code and u.get("unit_kind") == "department"
        and LEAD_MARK in u.get("unit_name_zh", "")
    ]  # fmt: skip
    if leads:
        return leads[0]
    names = {r["region_code"]: r["name_zh"] for r in _seed("dim_region.csv")}
    return f"{names.get(region_code, '区划')}（{region_code}，未署名单位）"


def attribute(
    unit: str | None, file_unit: str | None, name_unit: str | None, region_code: str | None, has_file: bool,
    global_unit: str, unknown_unit: str,
) -> str:  # fmt: skip
    """The unit a finding is listed under (see the module docstring for the order)."""
    for candidate in (unit, file_unit, name_unit):
        if isinstance(candidate, str) and candidate:
            return candidate
    if not has_file:
        return global_unit
    return region_unit(region_code) or unknown_unit


def _where(r) -> str:
    """`文件 · 工作表 · 第N行 · 字段=值` of one finding (the parts it has)."""
    parts = [str(v) for v in (r.file_name, r.sheet) if v is not None and v == v and v != ""]
    if r.source_row is not None and r.source_row == r.source_row:
        parts.append(f"第{int(r.source_row)}行")
    field = r.field if isinstance(r.field, str) and r.field else ""
    observed = r.observed if r.observed is not None and r.observed == r.observed else ""
    if field or observed != "":
        parts.append(f"{field}={observed}" if field else f"值={observed}")
    return " · ".join(parts)


def aggregate(problems: pd.DataFrame, examples: int = EXAMPLES) -> pd.DataFrame:
    """One row per (unit, rule_id): count, the shared problem text and the first `examples` rows (in the
    problems' order: newest submission first, then file, sheet, row). Where the problem text differs
    between rows (ingestion messages), each example carries its own text."""
    if problems.empty:
        return pd.DataFrame(columns=AGG_COLUMNS)
    rows = []
    for (unit, rule_id), g in problems.groupby(["unit", "rule_id"], sort=True, dropna=False):
        texts = g["problem"].dropna().unique()
        shared = str(texts[0]) if len(texts) == 1 else ""
        sample = [_where(r) + ("" if shared else f"：{r.problem}") for r in g.head(examples).itertuples()]
        first = g.iloc[0]
        rows.append([unit, rule_id, first["rule_title"], first["severity"], first["kind"], first["action"],
                     len(g), shared, sample])  # fmt: skip
    out = pd.DataFrame(rows, columns=AGG_COLUMNS)
    return out.sort_values(["unit", "count", "rule_id"], ascending=[True, False, True]).reset_index(drop=True)

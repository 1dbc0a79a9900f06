"""`xmdw explain FIGURE --region R --month YYYY-MM`: one published figure down to the ledger rows.

Reads the published copy (or any database with marts.figure_values / marts.figure_sources): the figure,
the plan sentence or definition it measures, its value, every contributing member (project, procedure,
deal, indicator report) with what it adds, and for each its file, sheet, row and revision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from xmdw.lineage.frames import frame
from xmdw.lineage.published import open_published, published_version
from xmdw.lineage.text import (
    COHORT_ZH,
    DEFINITIONS_ZH,
    ENTITY_ZH,
    field_value_text,
    num_text,
    period_zh,
    source_text,
    value_text,
)
from xmdw.serving.versions import to_cst


class FigureNotFound(LookupError):
    """No published figure with that id, region and month."""


@dataclass
class Explanation:
    figure_kind: str
    figure_id: str
    region_code: str
    region_name: str
    year: int
    month: int
    label: str
    unit: str | None
    value: object
    numerator: object
    denominator: object
    is_traced: bool
    reconciles: bool | None
    definition: str
    status: str | None = None
    coverage_note: str | None = None
    version: dict | None = None
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)  # figure_sources rows of this figure

    @property
    def is_ratio(self) -> bool:
        return self.numerator is not None or self.denominator is not None


def _records(con: Any, sql: str, params: list) -> list[dict]:
    rows = frame(con, sql, params)
    return [{k: (None if _missing(v) else v) for k, v in r.items()} for r in rows.to_dict("records")]


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def resolve_region(con: Any, region: str) -> tuple[str, str]:
    """A region given by code (610728) or name (镇巴县 / 镇巴) -> (code, name)."""
    rows = con.execute(
        "SELECT region_code, name_zh FROM ref.dim_region WHERE region_code = ? OR name_zh = ? "
        "OR short_name_zh = ? ORDER BY region_code LIMIT 1",
        [region, region, region],
    ).fetchall()
    return (rows[0][0], rows[0][1]) if rows else (region, region)


def _definition(con: Any, fig: dict) -> str:
    if fig["figure_kind"] == "target":
        row = con.execute(
            "SELECT source_text FROM ref.plan_targets WHERE target_id = ? AND region_code = ? LIMIT 1",
            [fig["figure_id"], fig["region_code"]],
        ).fetchall()
        return f"计划原文：{row[0][0]}" if row and row[0][0] else ""
    if fig["figure_kind"] == "region_completion":
        return "口径：" + DEFINITIONS_ZH["region_completion"]
    rate = fig["figure_id"].split("/")[0]
    return "口径：" + DEFINITIONS_ZH.get(rate, "")


def _target_extras(con: Any, fig: dict) -> tuple[str | None, str | None]:
    """Status and 数据说明 of a target (the coverage note only where the mart has that column)."""
    if fig["figure_kind"] != "target":
        return None, None
    cols = {c for (c,) in con.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'marts' AND table_name = 'mart_target_progress'"
    ).fetchall()}  # fmt: skip
    note = "coverage_note_zh" if "coverage_note_zh" in cols else "NULL"
    row = con.execute(
        f"SELECT status, {note} FROM marts.mart_target_progress "
        "WHERE target_id = ? AND region_code = ? AND plan_year = ? AND month = ?",
        [fig["figure_id"], fig["region_code"], fig["year"], fig["month"]],
    ).fetchall()
    return (row[0][0], row[0][1]) if row else (None, None)


def explain(database: Path, figure_id: str, region: str, year: int, month: int) -> Explanation:
    """The figure `figure_id` (target id, 'region_completion' or 'rate/cohort/variant') of a region and month."""
    with open_published(database) as con:
        code, name = resolve_region(con, region)
        figures = _records(
            con,
            "SELECT * FROM marts.figure_values WHERE figure_id = ? AND region_code = ? AND year = ? AND month = ?",
            [figure_id, code, year, month],
        )
        if not figures:
            raise FigureNotFound(
                f"没有找到数字 {figure_id}（{name}，{period_zh(year, month)}）。可用 `xmdw explain --list` 查看编号。"
                f" — no figure {figure_id} for region {code} in {year}-{month:02d}"
            )
        fig = figures[0]
        status, note = _target_extras(con, fig)
        sources = frame(
            con,
            "SELECT * FROM marts.figure_sources WHERE figure_kind = ? AND figure_id = ? AND region_code = ? "
            "AND year = ? AND month = ? ORDER BY member_name, member_id, source_entity, source_key",
            [fig["figure_kind"], figure_id, code, year, month],
        )
        version = published_version(con, database)
        definition = _definition(con, fig)
    return Explanation(
        figure_kind=fig["figure_kind"],
        figure_id=figure_id,
        region_code=code,
        region_name=name,
        year=year,
        month=month,
        label=fig["label_zh"] or figure_id,
        unit=fig["unit"],
        value=fig["value"],
        numerator=fig["numerator"],
        denominator=fig["denominator"],
        is_traced=bool(fig["is_traced"]),
        reconciles=fig["reconciles"],
        definition=definition,
        status=status,
        coverage_note=note,
        version=version,
        sources=sources,
    )


def list_figures(database: Path, region: str, year: int, month: int) -> list[tuple[str, str, str]]:
    """(figure_id, label, value text) of every figure of a region and month — what `explain` accepts."""
    with open_published(database) as con:
        code, _ = resolve_region(con, region)
        rows = con.execute(
            "SELECT figure_id, label_zh, value, unit FROM marts.figure_values "
            "WHERE region_code = ? AND year = ? AND month = ? ORDER BY figure_kind DESC, figure_id",
            [code, year, month],
        ).fetchall()
    return [(fid, label or "", value_text(value, unit)) for fid, label, value, unit in rows]


# --- Chinese text ---------------------------------------------------------------------------------------


def _headline_lines(e: Explanation) -> list[str]:
    title = e.label
    if e.figure_kind == "five_rate":
        rate, cohort, _ = e.figure_id.split("/")
        title = f"{rate}（{COHORT_ZH.get(cohort, cohort)}）"
    lines = [
        f"数字溯源：{e.figure_id} {title}（{e.region_name} {e.region_code}，{period_zh(e.year, e.month)}）"
    ]
    if e.definition:
        lines.append(f"  {e.definition}")
    value = f"  发布值：{value_text(e.value, e.unit)}"
    if e.is_ratio:
        value += f" ＝ 分子 {num_text(e.numerator)} ÷ 分母 {num_text(e.denominator)}"
    if e.status:
        value += f"    状态：{e.status}"
    lines.append(value)
    if e.coverage_note:
        lines.append(f"  数据说明：{e.coverage_note}")
    if e.version:
        when = to_cst(e.version["published_at"]) if e.version.get("published_at") else ""
        lines.append(f"  数据版本：{e.version['version_id']}（{when} 发布）")
    return lines


def _member_lines(e: Explanation) -> list[str]:
    lines: list[str] = []
    for i, (member_id, rows) in enumerate(e.sources.groupby("member_id", sort=False), start=1):
        first = rows.iloc[0]
        lines.append(f"  {i}. {first['member_name'] or member_id}（{member_id}）")
        for r in rows.to_dict("records"):
            r = {k: (None if _missing(v) else v) for k, v in r.items()}
            if r["numerator_part"] is not None:
                share = f"计入分子 {num_text(r['numerator_part'])}"
            elif r["denominator_part"] is not None:
                share = f"计入分母 {num_text(r['denominator_part'])}"
            else:
                share = f"计入 {num_text(r['value_part'])}"
            if r["numerator_part"] is not None and r["denominator_part"] is not None:
                share += f"、分母 {num_text(r['denominator_part'])}"
            field_value = f"＝{field_value_text(r['source_value'])}" if r["source_value"] else ""
            lines.append(f"     {share}：{r['source_field_zh']}{field_value}")
            lines.append(
                f"       来源：{ENTITY_ZH.get(r['source_entity'], r['source_entity'])} "
                + source_text(
                    r["source_file"], r["source_sheet"], r["source_row"], r["revision"], r["submitting_unit"]
                )  # fmt: skip
            )
    return lines


def render_zh(e: Explanation) -> str:
    """The chain figure → definition → value → members → source rows, as Chinese text."""
    lines = _headline_lines(e)
    if not e.is_traced:
        lines.append(
            "  该数字来自统计局发布数据、资金或招商台账的汇总，暂未逐行溯源；原始数据见数据质量报告和对应台账。"
        )
        return "\n".join(lines)
    members = e.sources["member_id"].nunique() if len(e.sources) else 0
    check = {True: "分项合计与发布值一致", False: "注意：分项合计与发布值不一致，请联系数据管理员", None: ""}
    lines.append(f"  构成：{members} 个对象，来源行 {len(e.sources)} 行。{check[e.reconciles]}")
    if not len(e.sources):
        lines.append("  （口径内没有对象：发布值为 0 或无数据）")
    lines += _member_lines(e)
    return "\n".join(lines)

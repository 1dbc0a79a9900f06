"""数字溯源 pages next to a report: <stem>_溯源/<region>.html, one section per headline figure of the month
with the ledger rows that make it up (marts.figure_sources) — the HTML bulletin links each traced figure
(targets, 五率, completion cards) to its section. One page per region keeps each page small at any scale.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
from markupsafe import Markup, escape

from xmdw.core.atomic import write_text_atomic
from xmdw.lineage.text import ENTITY_ZH, field_value_text, num_text, period_zh, value_text
from xmdw.reports.document import records
from xmdw.reports.render import display
from xmdw.reports.templating import render

SUFFIX = "_溯源"
KIND_ZH = {"target": "重点指标", "region_completion": "计划投资完成率（全部计划项目）", "five_rate": "五率"}


def anchor(figure_kind: str, figure_id: str) -> str:
    """A stable, URL-safe HTML id for a figure (ids of 五率 cohorts contain Chinese and '/')."""
    return "fig-" + hashlib.sha1(f"{figure_kind}/{figure_id}".encode()).hexdigest()[:12]


class Breakdown:
    """Which figures of a report have a breakdown page, and the link to each."""

    def __init__(self, stem: str, figures: pd.DataFrame) -> None:
        self.dir_name = f"{stem}{SUFFIX}"
        self.traced = (
            {(r["figure_kind"], r["figure_id"], r["region_code"]) for r in records(figures)}
            if len(figures)
            else set()
        )

    def href(self, figure_kind: str, figure_id: str, region: str) -> str:
        """Relative link from the report to the figure's section; '' when the figure is not traced."""
        if (figure_kind, figure_id, region) not in self.traced:
            return ""
        return f"{self.dir_name}/{region}.html#{anchor(figure_kind, figure_id)}"

    def links(self, figure_kind: str, region: str, ids: dict[str, str]) -> dict[str, str]:
        """Cell value -> link for a table column: `ids` maps the cell value to its figure_id."""
        out = {value: self.href(figure_kind, fid, region) for value, fid in ids.items()}
        return {k: v for k, v in out.items() if v}


SOURCE_HEADERS = ["对象", "计入分子", "计入分母", "计入数值", "取用字段", "字段值", "来源台账", "文件", "工作表", "行", "版次",
                  "报送单位"]  # fmt: skip


# the columns a source row shows: only these are converted to Python values (a province month has 100,000 rows)
SOURCE_COLUMNS = ["member_name", "member_id", "numerator_part", "denominator_part", "value_part", "source_field_zh",
                  "source_value", "source_entity", "source_file", "source_sheet", "source_row", "revision",
                  "submitting_unit"]  # fmt: skip
NUMERIC_CELLS = frozenset({1, 2, 3, 9, 10})  # right-aligned columns of SOURCE_HEADERS


def _source_rows(rows: list[dict]) -> list[list[str]]:
    """The cells of each source row, as page text (escaped when the rows are written, `_rows_html`)."""
    out = []
    for r in rows:
        parts = [
            num_text(r[k]) if r[k] is not None else ""
            for k in ("numerator_part", "denominator_part", "value_part")
        ]
        out.append(
            [
                f"{r['member_name'] or ''}（{r['member_id']}）",
                *parts,
                display(r["source_field_zh"]),
                display(field_value_text(r["source_value"])),
                display(ENTITY_ZH.get(r["source_entity"], r["source_entity"])),
                *(
                    display(r[k])
                    for k in ("source_file", "source_sheet", "source_row", "revision", "submitting_unit")
                ),
            ]
        )
    return out


def _rows_html(cells: list[list[str]]) -> Markup:
    """The table rows, escaped here (markupsafe.escape, as the template's autoescape does) rather than by a
    template macro per cell: the same markup, without a Jinja call per cell (1.2 M cells at province)."""
    return Markup(
        "".join(
            "<tr>"
            + "".join(
                f'<td class="n">{escape(c)}</td>' if i in NUMERIC_CELLS else f"<td>{escape(c)}</td>"
                for i, c in enumerate(row)
            )
            + "</tr>"
            for row in cells
        )
    )


def _figure(figure: dict, rows: list[dict]) -> dict:
    """What a figure's section says: published value (= numerator ÷ denominator), members, source rows."""
    value = value_text(figure["value"], figure["unit"])
    if figure["numerator"] is not None or figure["denominator"] is not None:
        value += f" ＝ {num_text(figure['numerator'])} ÷ {num_text(figure['denominator'])}"
    sources = _source_rows(rows)
    return {
        "anchor": anchor(figure["figure_kind"], figure["figure_id"]),
        "figure_id": display(figure["figure_id"]),
        "label_zh": display(figure["label_zh"]),
        "value_raw": display(num_text(figure["value"])),
        "value_text": value,
        "members": len({r["member_id"] for r in rows if r["member_id"] is not None}),  # nunique()
        "source_count": len(sources),
        "rows_html": _rows_html(sources),
        "check": "分项合计与发布值一致。" if figure["reconciles"] else "注意：分项合计与发布值不一致。",
    }


def _rows_by_figure(sources: pd.DataFrame) -> dict[tuple[str, str], list[dict]]:
    """A region's source rows per (figure_kind, figure_id), in the query's order, as Python values (one
    conversion per region rather than one per figure)."""
    by_figure: dict[tuple[str, str], list[dict]] = {}
    if not len(sources):
        return by_figure
    keys = zip(sources["figure_kind"], sources["figure_id"], strict=True)
    for key, row in zip(keys, records(sources[SOURCE_COLUMNS]), strict=True):
        by_figure.setdefault(key, []).append(row)
    return by_figure


def region_page(title: str, report_file: str, figures: pd.DataFrame, sources: pd.DataFrame) -> str:
    """One region's page (templates/breakdown.html): its figures by kind, each with its source rows."""
    by_figure = _rows_by_figure(sources)
    groups = []
    for kind, kind_zh in KIND_ZH.items():
        kind_figures = [f for f in records(figures) if f["figure_kind"] == kind]
        if kind_figures:
            sections = [_figure(f, by_figure.get((kind, f["figure_id"]), [])) for f in kind_figures]
            groups.append((kind_zh, sections))
    return render(
        "breakdown.html", title=title, report_file=report_file, groups=groups, headers=SOURCE_HEADERS
    )


def write_breakdowns(out_dir: Path, stem: str, title: str, snap) -> list[Path]:
    """One page per region with traced figures in the snapshot's month; nothing when lineage is not built."""
    if not len(snap.figures):
        return []
    folder = Path(out_dir) / f"{stem}{SUFFIX}"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    names = (
        dict(zip(snap.regions["region_code"], snap.regions["region_name"], strict=True))
        if len(snap.regions)
        else {}
    )
    for region, figures in snap.figures.groupby("region_code"):
        sources = snap.figure_sources[snap.figure_sources["region_code"] == region]
        page_title = f"{title} 数字溯源 — {names.get(region, region)}（{period_zh(snap.year, snap.month)}）"
        page = region_page(page_title, f"{stem}.html", figures, sources)
        written.append(write_text_atomic(folder / f"{region}.html", page))  # a reader never sees half a page
    return written

"""数字溯源 pages next to a report: <stem>_溯源/<region>.html, one section per headline figure of the month
with the ledger rows that make it up (marts.figure_sources) — the HTML bulletin links each traced figure
(targets, 五率, completion cards) to its section. One page per region keeps each page small at any scale.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from xmdw.lineage.text import ENTITY_ZH, field_value_text, num_text, period_zh, value_text
from xmdw.reports.document import records
from xmdw.reports.render import CSS, esc, html_table

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


def _source_rows(rows: pd.DataFrame) -> list[list[str]]:
    out = []
    for r in records(rows):
        out.append(
            [
                esc(f"{r['member_name'] or ''}（{r['member_id']}）"),
                esc(num_text(r["numerator_part"]) if r["numerator_part"] is not None else ""),
                esc(num_text(r["denominator_part"]) if r["denominator_part"] is not None else ""),
                esc(num_text(r["value_part"]) if r["value_part"] is not None else ""),
                esc(r["source_field_zh"]),
                esc(field_value_text(r["source_value"])),
                esc(ENTITY_ZH.get(r["source_entity"], r["source_entity"])),
                esc(r["source_file"]),
                esc(r["source_sheet"]),
                esc(r["source_row"]),
                esc(r["revision"]),
                esc(r["submitting_unit"]),
            ]
        )
    return out


def _section(figure: dict, rows: pd.DataFrame) -> str:
    value = value_text(figure["value"], figure["unit"])
    if figure["numerator"] is not None or figure["denominator"] is not None:
        value += f" ＝ {num_text(figure['numerator'])} ÷ {num_text(figure['denominator'])}"
    check = "分项合计与发布值一致。" if figure["reconciles"] else "注意：分项合计与发布值不一致。"
    members = rows["member_id"].nunique() if len(rows) else 0
    return (
        f"<section id='{anchor(figure['figure_kind'], figure['figure_id'])}'>"
        f"<h3>{esc(figure['figure_id'])} {esc(figure['label_zh'])}</h3>"
        f"<p data-key='{esc(figure['figure_id'])}' data-value='{esc(num_text(figure['value']))}'>"
        f"发布值：{esc(value)}；构成对象 {members} 个，来源行 {len(rows)} 行。{check}</p>"
        + (
            html_table(SOURCE_HEADERS, _source_rows(rows), numeric={1, 2, 3, 9, 10})
            if len(rows)
            else "<p>口径内没有对象。</p>"
        )
        + "</section>"
    )


def region_page(title: str, report_file: str, figures: pd.DataFrame, sources: pd.DataFrame) -> str:
    by_figure = (
        {key: rows for key, rows in sources.groupby(["figure_kind", "figure_id"], sort=False)}
        if len(sources)
        else {}
    )
    out = [
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f"<p class='meta'>每个数字由下列台账行构成：文件、工作表、行号和版次即报送单位上报的原始位置。"
        f"<a href='../{esc(report_file)}'>返回通报</a></p>",
    ]
    for kind, kind_zh in KIND_ZH.items():
        kind_figures = [f for f in records(figures) if f["figure_kind"] == kind]
        if not kind_figures:
            continue
        out.append(f"<h2>{esc(kind_zh)}</h2>")
        for figure in kind_figures:
            out.append(_section(figure, by_figure.get((kind, figure["figure_id"]), pd.DataFrame())))
    out.append("</body></html>")
    return "\n".join(out)


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
        path = folder / f"{region}.html"
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(region_page(page_title, f"{stem}.html", figures, sources), encoding="utf-8")
        tmp.replace(path)  # a reader never sees half a page
        written.append(path)
    return written

"""A report as data: parts (one xlsx sheet / one HTML section / one PDF chapter each) made of cards,
tables and charts over rows selected from the marts. The same document is rendered to HTML (here), xlsx
(`xlsx_out`) and PDF (`pdf_out`), so the three formats cannot disagree.

Renderers only format values: every figure is a mart value passed through unchanged. HTML cells and cards
carry the raw value in `data-key`/`data-value`, so tests (and scripts) can compare them with the marts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

import pandas as pd

from xmdw.reports.render import CSS, STATUS_CSS, STATUS_STYLES, esc

# text · int · wan (万元, 1 decimal) · num (2 decimals) · ratio (fraction shown as %) · pp (fraction shown as
# percentage points) · date · status (text with a status colour) · measure (a target's value in the row's
# `unit`: a percentage when the unit is ratio, else num) · unit (a unit name; ratio shown as %)
Kind = Literal["text", "int", "wan", "num", "ratio", "pp", "date", "status", "measure", "unit"]
NUMERIC_KINDS = {"int", "wan", "num", "ratio", "pp", "measure"}
UNIT_ZH = {"ratio": "%"}


@dataclass(frozen=True)
class Col:
    key: str
    title: str
    kind: Kind = "text"
    width: int = 12


@dataclass(frozen=True)
class Chart:
    """A bar chart over a table's rows: one bar group per row (`category` column), one series per value
    column. `horizontal` bars suit long category names (lead units, towns, regions)."""

    title: str
    category: str
    values: tuple[str, ...]
    ratio: bool = True
    stacked: bool = False
    horizontal: bool = True
    # the status each series stands for (达标, 正常 …): its bars take that status's table colours
    series_status: tuple[str, ...] = ()
    # stacked charts: the column holding each row's total, printed at the end of its bar
    total: str | None = None


@dataclass
class Table:
    title: str
    cols: list[Col]
    rows: list[dict]
    chart: Chart | None = None
    note: str = ""
    empty: str = "无"
    # column whose cell links elsewhere: value -> a part anchor, or a page (`x.html#anchor`, HTML only)
    link_col: str | None = None
    links: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Card:
    label: str
    value: object
    kind: Kind = "ratio"
    key: str = ""
    status: str | None = None
    href: str = ""  # HTML only: the figure's breakdown (数字溯源) page


@dataclass
class Cards:
    title: str
    items: list[Card]


@dataclass
class Text:
    text: str
    # lead: the 文字通报 paragraph that opens a report part (body size, not a note)
    style: Literal["note", "ok", "warn", "bad", "lead"] = "note"


Block = Table | Cards | Text


@dataclass
class Part:
    name: str  # short name: xlsx sheet name and HTML anchor
    title: str
    blocks: list[Block]
    anchor: str = ""


@dataclass
class Document:
    title: str
    subtitle: str
    stem: str  # file name without extension
    parts: list[Part]
    notes: list[str] = field(default_factory=list)
    footer: str = ""  # HTML footer (the data version read); xlsx/PDF carry it as the last note


# ------------------------------------------------------------------------------------------------------
# Values
# ------------------------------------------------------------------------------------------------------


def is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def records(frame: pd.DataFrame) -> list[dict]:
    """DataFrame rows as dicts with None for missing values (pandas NA/NaN/NaT)."""
    if frame.empty:
        return []
    return [{k: (None if is_missing(v) else v) for k, v in row.items()} for row in frame.to_dict("records")]


def number(value) -> float | int | None:
    """A numeric cell value for xlsx/data attributes (Decimal/numpy → float/int)."""
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return int(value)
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return int(f) if f.is_integer() and abs(f) < 1e15 else f


def cell_kind(col: Col, row: dict) -> Kind:
    """The kind a cell is shown as: a `measure` is a percentage in a row whose unit is ratio (a growth
    target of 0.08 prints as 8.0%, never as 0.08 ratio), a plain number otherwise."""
    if col.kind == "measure":
        return "ratio" if row.get("unit") == "ratio" else "num"
    return col.kind


def fmt(value, kind: Kind) -> str:
    """A value as display text (not escaped)."""
    if kind == "unit":
        return "" if is_missing(value) else UNIT_ZH.get(str(value), str(value))
    if kind == "measure":
        kind = "num"
    if is_missing(value):
        return "—" if kind in NUMERIC_KINDS else ""
    if kind in NUMERIC_KINDS:
        n = number(value)
        if n is None:
            return str(value)
        if kind == "int":
            return f"{n:,.0f}"
        if kind == "wan":
            return f"{n:,.1f}"
        if kind == "num":
            return f"{n:,.2f}"
        if kind == "ratio":
            return f"{n * 100:.1f}%"
        return f"{n * 100:+.1f}"
    if kind == "date" and isinstance(value, datetime | pd.Timestamp | date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


# ------------------------------------------------------------------------------------------------------
# HTML
# ------------------------------------------------------------------------------------------------------

EXTRA_CSS = """
nav.toc{columns:4 160px;font-size:13px;margin:8px 0 16px} nav.toc a{display:block}
section.part{margin-top:28px;border-top:3px solid #9fb3c8;padding-top:6px}
.card.st-met,.card.st-ok,.card.st-behind,.card.st-severe,.card.st-none{font-weight:normal}
svg text{font-family:inherit} a{color:#1f4e79}
td a{white-space:nowrap} p.lead{font-size:16px;line-height:1.9;text-indent:2em;margin:10px 0 14px;max-width:60em}
@media print{section.part{page-break-before:always} nav.toc{display:none}}
"""


def _attrs(key: str, value, kind: Kind) -> str:
    if kind in NUMERIC_KINDS:
        n = number(value)
        raw = "" if n is None else repr(n)
    else:
        raw = "" if is_missing(value) else fmt(value, kind)
    return f' data-key="{esc(key)}" data-value="{esc(raw)}"'


def _status_class(value) -> str:
    style = STATUS_STYLES.get(str(value)) if not is_missing(value) else None
    return f" {style[0]}" if style else ""


def _html_cards(block: Cards) -> str:
    items = []
    for c in block.items:
        shown = esc(fmt(c.value, c.kind))
        if c.href:
            shown = f'<a href="{esc(c.href)}" title="查看数字溯源">{shown}</a>'
        items.append(
            f'<div class="card{_status_class(c.status)}"{_attrs(c.key or c.label, c.value, c.kind)}>'
            f'<div class="n">{shown}</div><div class="l">{esc(c.label)}'
            + (f"（{esc(c.status)}）" if c.status else "")
            + "</div></div>"
        )
    return f"<h3>{esc(block.title)}</h3><div class='cards'>{''.join(items)}</div>"


def _html_cell(table: Table, col: Col, row: dict) -> str:
    value = row.get(col.key)
    kind = cell_kind(col, row)
    cls = "n" if kind in NUMERIC_KINDS else ""
    if kind == "status":
        cls += _status_class(value)
    text = esc(fmt(value, kind))
    if table.link_col == col.key and str(value) in table.links:
        target = table.links[str(value)]
        href = target if ".html" in target else f"#{target}"
        text = f'<a href="{esc(href)}">{text}</a>'
    cls_attr = f' class="{cls.strip()}"' if cls.strip() else ""
    return f"<td{cls_attr}{_attrs(col.key, value, kind)}>{text}</td>"


def _html_table(table: Table) -> str:
    out = [f"<h3>{esc(table.title)}</h3>"]
    if table.note:
        out.append(f"<p class='small'>{esc(table.note)}</p>")
    if not table.rows:
        out.append(f"<p>{esc(table.empty)}</p>")
        return "".join(out)
    if table.chart is not None:
        from xmdw.reports import charts  # charts lays out over this module's Table

        out.append(charts.to_svg(charts.layout(table)))
    head = "".join(f"<th>{esc(c.title)}</th>" for c in table.cols)
    body = "".join(
        "<tr>" + "".join(_html_cell(table, c, row) for c in table.cols) + "</tr>" for row in table.rows
    )
    out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    return "".join(out)


def _html_block(block: Block) -> str:
    if isinstance(block, Cards):
        return _html_cards(block)
    if isinstance(block, Table):
        return _html_table(block)
    css = {"note": "small", "ok": "banner ok", "warn": "banner warn", "bad": "banner bad", "lead": "lead"}[
        block.style
    ]
    return f"<p class='{css}'>{esc(block.text)}</p>"


def render_html(doc: Document) -> str:
    out = [
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{esc(doc.title)}</title><style>{CSS}{STATUS_CSS}{EXTRA_CSS}</style></head><body>",
        f"<h1>{esc(doc.title)}</h1><div class='meta'>{esc(doc.subtitle)}</div>",
    ]
    if len(doc.parts) > 2:
        links = "".join(f"<a href='#{esc(p.anchor)}'>{esc(p.title)}</a>" for p in doc.parts)
        out.append(f"<nav class='toc'>{links}</nav>")
    for part in doc.parts:
        out.append(f"<section class='part' id='{esc(part.anchor)}'><h2>{esc(part.title)}</h2>")
        out.extend(_html_block(b) for b in part.blocks)
        out.append("</section>")
    notes = [n for n in doc.notes if n != doc.footer]
    if notes:
        out.append("<h2>口径说明</h2><ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    if doc.footer:
        out.append(f"<footer class='small' id='data-version'>{esc(doc.footer)}</footer>")
    out.append("</body></html>")
    return "\n".join(out)

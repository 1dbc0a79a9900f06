"""A report as data: parts (one xlsx sheet / one HTML section / one PDF chapter each) made of cards,
tables and charts over rows selected from the marts. The same document is rendered to HTML (here, through the
`document.html` template), xlsx (`xlsx_out`) and PDF (`pdf_out`), so the three formats cannot disagree; a table's
chart is one `ChartSpec` (chart_spec.py) that each format renders.

Renderers only format values: every figure is a mart value passed through unchanged. HTML cells and cards
carry the raw value in `data-key`/`data-value`, so tests (and scripts) can compare them with the marts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from xmdw.reports.chart_spec import ChartSpec
from xmdw.reports.chart_svg import to_svg
from xmdw.reports.templating import render
from xmdw.reports.values import (  # noqa: F401 (re-exported: the report modules format through document)
    NUMERIC_KINDS,
    UNIT_ZH,
    Col,
    Kind,
    cell_kind,
    fmt,
    is_missing,
    number,
    records,
)


@dataclass
class Table:
    block_type: ClassVar[str] = "table"  # which macro of templates/_blocks.html draws it
    title: str
    cols: list[Col]
    rows: list[dict]
    chart: ChartSpec | None = None  # chart_spec.bar_chart over these rows
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
    block_type: ClassVar[str] = "cards"
    title: str
    items: list[Card]


@dataclass
class Text:
    block_type: ClassVar[str] = "text"
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


def render_html(doc: Document) -> str:
    """The document as one offline HTML page (templates/document.html, autoescaped)."""
    notes = [n for n in doc.notes if n != doc.footer]  # the footer prints the data version once
    return render("document.html", doc=doc, notes=notes, svg=to_svg)

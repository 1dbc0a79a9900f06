"""One chart spec per chart, built once from the figures and rendered by each format: SVG in the HTML
(`chart_svg`), a native Excel chart (`xlsx_out`) and a reportlab chart in the PDF (`pdf_charts`). The spec holds
what the reader sees — categories, series with their values, value labels already formatted the way the table
prints them, colours from the report palette, the legend names (the table's column headers) — and nothing about
geometry: each renderer lays it out with its own engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from xmdw.reports.render import SERIES_COLOURS, status_colours
from xmdw.reports.values import Col, Kind, fmt, number

ChartKind = Literal["bar", "column"]  # bar: horizontal bars (long category names); column: vertical


@dataclass(frozen=True)
class Series:
    key: str  # the table column holding the values: the xlsx chart refers to its cells
    name: str  # legend label: the column's header, the same words in every format
    values: tuple[float, ...]  # drawn lengths (a missing value draws nothing)
    labels: tuple[str, ...]  # value label of each bar, formatted as the table prints the value
    fill: str
    stroke: str


@dataclass(frozen=True)
class ChartSpec:
    kind: ChartKind
    title: str
    category_key: str  # the table column naming each category (xlsx refers to its cells)
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: Kind = "ratio"  # how values and the value axis are shown: ratio (%), int, num, wan
    stacked: bool = False
    totals: tuple[str, ...] = ()  # stacked: each category's total (a mart column), printed after its bar
    rows_total: int = 0  # categories in the table; a format with no room for all draws the first n

    @property
    def axis_max(self) -> float:
        """The value axis' end: the longest bar (stack), at least 100% for ratios."""
        if self.stacked:
            longest = [sum(s.values[i] for s in self.series) for i in range(len(self.categories))]
        else:
            longest = [v for s in self.series for v in s.values]
        top = max([*longest, 1e-9])
        return max(top, 1.0) if self.unit == "ratio" else top

    def head(self, n: int) -> ChartSpec:
        """The first n categories (the PDF draws what fits on a page; the table lists every row)."""
        if n >= len(self.categories):
            return self
        series = tuple(replace(s, values=s.values[:n], labels=s.labels[:n]) for s in self.series)
        return replace(self, categories=self.categories[:n], series=series, totals=self.totals[:n])

    @property
    def shortened_note(self) -> str:
        """Said under a chart that shows fewer categories than its table."""
        if len(self.categories) >= self.rows_total:
            return ""
        return f"图中列出前{len(self.categories)}项，共{self.rows_total}项见下表。"


def series_colours(j: int, status: str | None = None) -> tuple[str, str]:
    """(fill, outline) of series j: a status series takes its table cell's colours, others the palette."""
    if status:
        return status_colours(status)
    colour = SERIES_COLOURS[j % len(SERIES_COLOURS)]
    return colour, colour


def bar_chart(
    title: str,
    cols: Sequence[Col],
    rows: Sequence[dict],
    category: str,
    values: Sequence[str],
    *,
    ratio: bool = True,
    horizontal: bool = True,
    stacked: bool = False,
    series_status: Sequence[str] = (),
    total: str | None = None,
) -> ChartSpec | None:
    """A bar chart over a table's rows: one category per row (`category` column), one series per value
    column; None when there is no row. `series_status` names the status each series stands for (its bars
    take that status's table colours); `total` is the column holding a stacked bar's total (a mart value,
    never summed here)."""
    if not rows:
        return None
    kinds = {c.key: c.kind for c in cols}
    titles = {c.key: c.title for c in cols}

    def kind_of(key: str) -> Kind:
        return "ratio" if ratio else (kinds.get(key) if kinds.get(key) not in (None, "text") else "num")

    series = []
    for j, key in enumerate(values):
        fill, stroke = series_colours(j, series_status[j] if series_status else None)
        series.append(
            Series(
                key=key,
                name=titles.get(key, key),
                values=tuple(float(number(r.get(key)) or 0) for r in rows),
                labels=tuple(fmt(r.get(key), kind_of(key)) for r in rows),
                fill=fill,
                stroke=stroke,
            )
        )
    return ChartSpec(
        kind="bar" if horizontal else "column",
        title=title,
        category_key=category,
        categories=tuple(fmt(r.get(category), "text") for r in rows),
        series=tuple(series),
        unit=kind_of(values[0]),
        stacked=stacked,
        totals=tuple(fmt(r.get(total), "int") for r in rows) if stacked and total else (),
        rows_total=len(rows),
    )

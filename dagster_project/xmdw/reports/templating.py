"""The Jinja2 environment of every HTML page the reports write (templates/): the bulletins (月通报, 季考核,
年终评), their 数字溯源 pages and the data-quality report extend one layout (`base.html`). Autoescape is on, so
ledger text (project, unit and file names) can never become markup; an undefined name fails loudly."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import NamedTuple

import jinja2

from xmdw.reports.render import STATUS_STYLES, display
from xmdw.reports.values import NUMERIC_KINDS, Col, cell_kind, fmt, raw_value

TEMPLATES = Path(__file__).resolve().parent / "templates"


def status_class(value) -> str:
    """' st-…' for a status the palette colours (a table cell or card takes its fill and font colour)."""
    style = STATUS_STYLES.get(display(value))
    return f" {style[0]}" if style else ""


class Cell(NamedTuple):
    cls: str  # "n" for numbers, plus the status colour class
    raw: str  # data-value: the mart value unchanged
    text: str  # what the cell shows
    href: str  # a link to a part anchor or a 数字溯源 page, or ""


def table_cell(col: Col, row: dict, table) -> Cell:
    """One table cell of a report (`document.Table`): a filter, so the template calls Python once per cell."""
    value = row.get(col.key)
    kind = cell_kind(col, row)
    cls = ("n" if kind in NUMERIC_KINDS else "") + (status_class(value) if kind == "status" else "")
    target = table.links.get(display(value), "") if table.link_col == col.key else ""
    href = target if ".html" in target or not target else f"#{target}"
    return Cell(cls.strip(), raw_value(value, kind), fmt(value, kind), href)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters |= {
        "fmt": fmt,
        "raw": raw_value,
        "show": display,
        "status_class": status_class,
        "cell": table_cell,
    }
    env.globals |= {
        # one rule per status class: the palette every format shares (render.STATUS_STYLES)
        "status_palette": list({v[0]: v for v in STATUS_STYLES.values()}.values()),
    }
    return env


def render(name: str, **context) -> str:
    """A template rendered with its context (autoescaped)."""
    return environment().get_template(name).render(**context)

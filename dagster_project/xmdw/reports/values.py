"""How a mart value is shown: a report column (`Col`) names its kind, and `fmt` turns a value into the text
every format prints (HTML, PDF, chart labels); xlsx keeps the number and applies the matching number format.
Formatting only: a value is never recomputed here."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import pandas as pd

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


def is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def records(frame: pd.DataFrame) -> list[dict]:
    """DataFrame rows as dicts with None for missing values (pandas NA/NaN/NaT)."""
    if frame.empty:
        return []
    # to_numpy(dtype=object) boxes values as to_dict("records") does (int, float, bool, Timestamp, NA) at a
    # tenth of its per-call cost, which a province report pays ~4,000 times (a row of a region, mostly)
    cols = list(frame.columns)
    rows = frame.to_numpy(dtype=object).tolist()
    return [{k: (None if is_missing(v) else v) for k, v in zip(cols, row, strict=True)} for row in rows]


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


def _fmt_number(n: float | int, kind: Kind) -> str:
    if kind == "int":
        return f"{n:,.0f}"
    if kind == "wan":
        return f"{n:,.1f}"
    if kind == "num":
        return f"{n:,.2f}"
    if kind == "ratio":
        return f"{n * 100:.1f}%"
    return f"{n * 100:+.1f}"


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
        return str(value) if n is None else _fmt_number(n, kind)
    if kind == "date" and isinstance(value, datetime | pd.Timestamp | date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def raw_value(value, kind: Kind) -> str:
    """The value a cell carries in `data-value`: the mart number unchanged (repr), else the shown text."""
    if kind in NUMERIC_KINDS:
        n = number(value)
        return "" if n is None else repr(n)
    return "" if is_missing(value) else fmt(value, kind)

"""How a county unit dresses its ledger, drawn once per unit and ledger and kept all year: title rows, units
lines, 序号 and 合计 rows, header aliases, two-level headers, date styles, numbers typed as text …

`imperfection_rate` is the chance of each real-world quirk; a unit that puts a title and a 合计 row on its
March ledger does so every month. The header aliases, extra columns and two-level groups are data
(`tables/ledger_headers.yml`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

from xmdw.contract import Entity
from xmdw_demo import catalog as C
from xmdw_demo.table_files import read_yaml
from xmdw_demo.writer import Col, Style

_HEADERS = read_yaml("ledger_headers.yml")
# Header aliases units really use, per entity and column (all accepted by the contract).
ALIASES: dict[str, dict[str, list[str]]] = _HEADERS["aliases"]
# Columns the contract does not know that units add (kept in _extra by the ingestion): (header, type).
EXTRAS: dict[str, tuple[str, str]] = {name: tuple(ht) for name, ht in _HEADERS["extras"].items()}
# Two-level headers: parent text -> child columns.
GROUPS: dict[str, dict[str, list[str]]] = _HEADERS["groups"]


@dataclass
class Fmt:
    """A unit's ledger format for one entity, kept all year."""

    title: bool = False
    unit_line: str | None = None
    units_row: bool = False
    seq: bool = False
    total_row: bool = False
    total_first: bool = False
    blank_rows: bool = False
    notes: bool = False
    num_text: bool = False
    fullwidth: bool = False
    pct_text: bool = False
    pct_header: bool = False
    date_style: str = "excel"
    month_only_planned: bool = False
    period_text: bool = False
    period_in_title_only: bool = False
    two_level: bool = False
    money_header: str | None = None  # unit written into money headers: 万元 | 亿元
    headers: dict[str, str] = field(default_factory=dict)
    extras: bool = False
    extra_sheet: bool = False
    sheet_name: str = "Sheet1"
    csv: str | None = None  # None = xlsx; else the CSV encoding


def draw_format(r: random.Random, rate: float, year: int, entity: str) -> Fmt:
    """The quirks of one unit's ledger of `entity`, each with chance `rate` × a factor (the draw order is
    part of the output: the same seed gives the same formats)."""

    def p(factor: float = 1.0) -> bool:
        return r.random() < min(1.0, rate * factor)

    f = Fmt()
    f.title = p(2.5)
    f.unit_line = "万元" if p(1.2) else None
    f.units_row = p()
    f.seq = p(3)
    f.total_row = p() and entity in ("projects", "annual_plans", "monthly_progress", "funds")
    f.total_first = f.total_row and r.random() < 0.3
    f.blank_rows = p(0.7)
    f.notes = p(1.5)
    f.num_text = p()
    f.fullwidth = p(0.5)
    f.pct_header = p(1.5)
    f.pct_text = not f.pct_header and p()
    if p(2):
        f.date_style = r.choice(["iso", "slash", "dot", "cn", "compact", "serial", "mixed"])
    f.month_only_planned = p(0.5)
    f.period_text = p(0.7)
    f.period_in_title_only = p() and entity in ("monthly_progress", "indicator_reports")
    f.two_level = p(0.8) and entity in GROUPS
    f.money_header = "万元" if p(1.5) else None
    if p(2):
        f.headers = {k: r.choice(v) for k, v in ALIASES.get(entity, {}).items() if r.random() < 0.5}
    f.extras = p(2)
    f.extra_sheet = p(0.4)
    if p():
        f.sheet_name = r.choice(["Sheet1", "台账", "汇总表", f"{year}年"])
    return f


def columns(ent: Entity, fields: list[str], f: Fmt, unit_cols: tuple[str, ...] = ()) -> list[Col]:
    """The columns of a ledger as the unit heads them. `unit_cols` ("column:unit") declares a money unit in a
    header (亿元, 美元)."""
    groups = GROUPS.get(ent.name, {}) if f.two_level else {}
    parent_of = {c: p for p, cs in groups.items() for c in cs}
    declared = dict(uc.partition(":")[::2] for uc in unit_cols)
    out = [Col("seq", "序号", "seq")] if f.seq else []
    for name in fields:
        if name.startswith("x:"):
            label, typ = EXTRAS[name]
            out.append(Col(name, label, typ))
            continue
        c = ent.column(name)
        header = f.headers.get(name, c.zh)
        unit = None
        if c.type in ("money", "usd"):
            if name in declared or (f.money_header and c.type == "money"):
                unit = declared.get(name) or f.money_header
                header = f"{header}（{unit}）"
        elif c.type == "ratio" and f.pct_header:
            unit = "%"
            header = f"{header}（%）"
        parent = None
        if name in parent_of:
            parent = parent_of[name]
            if c.type == "money" and unit is None:
                unit = f.unit_line or "万元"
                parent = f"{parent}（{unit}）"
                header = f.headers.get(name, c.zh)
        out.append(Col(name, header, c.type, unit, parent))
    return _ungroup_scattered(out)


def _ungroup_scattered(out: list[Col]) -> list[Col]:
    """A group whose children are not adjacent or only one present falls back to one-level headers."""
    for p in {c.parent for c in out if c.parent}:
        idx = [i for i, c in enumerate(out) if c.parent == p]
        if len(idx) < 2 or idx != list(range(idx[0], idx[-1] + 1)):
            for i in idx:
                out[i] = replace(out[i], parent=None)
    return out


def dress(f: Fmt, r: random.Random, title: str, unit: str, region: str) -> Style:
    """The `Style` of one file: the format plus what changes per file (the notes' phone and name)."""
    notes = []
    if f.notes:
        phone = ("0916-" if region == C.ZB else "0827-") + f"{r.randint(3100000, 3999999)}"
        who = r.choice(["王XX", "李XX", "张XX", "刘XX", "陈XX", "杨XX"])
        if r.random() < 0.5:
            notes = [f"填报单位：{unit}\t填报人：{who}\t联系电话：{phone}"]
        else:
            notes = [
                f"填报单位：{unit}    填报人：{who}    联系电话：{phone}",
                f"备注：数据截至报告期末，{who}负责解释",
            ]
    extra_sheet = None
    if f.extra_sheet:
        extra_sheet = [
            "填表说明：",
            "1. 金额单位为万元，保留两位小数；",
            "2. 项目编号以县项目库编号为准；",
        ]
    return Style(
        title=[title] if f.title else [],
        unit_line=f.unit_line,
        units_row=f.units_row,
        total_row=f.total_row,
        total_first=f.total_first,
        blank_rows=f.blank_rows and r.random() < 0.6,
        notes=notes,
        num_text=f.num_text,
        fullwidth=f.fullwidth,
        pct_text=f.pct_text,
        date_style=f.date_style if (f.csv is None or f.date_style not in ("excel",)) else "iso",
        month_only_planned=f.month_only_planned,
        period_text=f.period_text,
        sheet_name=f.sheet_name,
        extra_sheet=extra_sheet,
    )

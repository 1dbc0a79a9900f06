"""The 争取资金台账 of a county region: the finance bureau's cumulative ledger every quarter (镇巴县) or half
year (巴州区), the 发改局's own, and 镇巴县's ledger of last year's funds. 巴州区's December ledger states
its amounts in 亿元 and carries one unreadable amount."""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import date, datetime

from xmdw_demo import catalog as C
from xmdw_demo.county_writer import CountyWriter, cols_header
from xmdw_demo.summary import VALUE_FINDING
from xmdw_demo.unit_formats import Fmt
from xmdw_demo.world_model import FundItem, RegionWorld
from xmdw_demo.writer import Col, fmt_num


def write_funds(cw: CountyWriter, w: RegionWorld) -> None:
    y = cw.year
    zb = w.code == C.ZB
    fin, dev = w.unit("财政局"), w.unit("发改局")
    plan = [(fin, m) for m in (3, 6, 9, 12)] if zb else [(fin, 6), (fin, 12)]
    if zb:
        plan += [(dev, 6), (dev, 12)]
    for unit, m in plan:
        as_of = date(y, m, calendar.monthrange(y, m)[1])
        items = [
            fi for fi in w.funds
            if fi.unit == unit and (fi.issued_date is None or fi.issued_date <= as_of or fi.fund_year < y)
            and not (fi.issued_date is None and m < 12)
        ]  # fmt: skip
        f = cw.fmt(w.code, unit, "funds")
        if cw.bad and not zb and m == 12:
            f = replace(f, unit_line="亿元", money_header=None, two_level=False, units_row=False)
        _write_funds_file(cw, w, unit, f, items, m, as_of, f"{unit}_{y}年{m:02d}月_争取资金台账")
    if zb:
        hist = [fi for fi in w.funds if fi.unit == "history"]
        f = cw.fmt(w.code, dev + "-history", "funds")
        _write_funds_file(cw, w, dev, f, hist, 12, date(y - 1, 12, 31), f"{dev}_{y - 1}年度_争取资金台账",
                          when=datetime(y, 1, 20, 10))  # fmt: skip


def _write_funds_file(cw: CountyWriter, w: RegionWorld, unit: str, f: Fmt, items: list[FundItem], m: int,
                      as_of: date, name: str, when: datetime | None = None) -> None:  # fmt: skip
    y = as_of.year
    zb = w.code == C.ZB
    fields = ["project_id", "project_name", "fund_type", "fund_year", "batch"]
    if not zb:
        fields += ["fund_category"]
    fields += ["requested_amount", "issued_amount", "issued_date", "received_amount", "received_date",
               "paid_amount", "paid_as_of", "doc_no"]  # fmt: skip
    cols = cw.cols("funds", fields, f)
    rows = _fund_rows(items, as_of)
    if cw.bad and not zb and m == 12:
        _inject_bad_funds(rows, cols)
    period = f"截至{y}年{m}月底"
    title = f"{w.name}争取中省资金及债券资金台账（{period}）"
    st = cw.style(f, title, unit, ("funds", w.code, name), w.code)
    if when is None:
        when = datetime(y + (m == 12), m % 12 + 1, 10, 10)
    cw.write("funds", w.code, name, cols, rows, st, when)


def _fund_rows(items: list[FundItem], as_of: date) -> list[dict]:
    """The ledger as of `as_of`: only what had been received by then counts as received and paid."""
    rows = []
    for fi in sorted(items, key=lambda x: (x.fund_type, x.pid)):
        received = fi.received_date is not None and fi.received_date <= as_of
        rows.append({
            "project_id": fi.pid, "project_name": fi.name, "fund_type": fi.fund_type, "fund_year": fi.fund_year,
            "batch": fi.batch or None, "fund_category": fi.category, "requested_amount": fi.requested,
            "issued_amount": fi.issued, "issued_date": fi.issued_date,
            "received_amount": fi.issued if received else None, "received_date": fi.received_date if received else None,
            "paid_amount": fi.paid_at(as_of) if received else None, "paid_as_of": as_of if received else None,
            "doc_no": fi.doc_no,
        })  # fmt: skip
    return rows


def _inject_bad_funds(rows: list[dict], cols: list[Col]) -> None:
    """An amount typed as "1.2亿"; the last rows checked for the 亿元 → 万元 conversion."""
    target = next(rw for rw in rows if rw["issued_amount"])
    target["__raw__"] = {"issued_amount": "1.2亿"}
    target["__inject__"] = [dict(kind="not_a_number", expect=VALUE_FINDING, column="@issued_amount", entity="funds",
                                 value="1.2亿", rule="ING-NUM")]  # fmt: skip
    for rw in rows[-2:]:
        if rw["issued_amount"] and "__raw__" not in rw:
            wan = float(rw["issued_amount"])
            rw["__check__"] = [dict(column=cols_header(cols, "issued_amount"), declared_unit="亿元",
                                    written=fmt_num(wan / 10000, 6), expected_wanyuan=fmt_num(wan, 2))]  # fmt: skip

"""The 招商引资签约项目台账 of a county region: one ledger a year. 镇巴县's is a GBK CSV with Chinese dates and
the foreign deal's money in 美元; it also carries an unreadable amount and a land approval dated before the
signing."""

from __future__ import annotations

from datetime import datetime, timedelta

from xmdw_demo import catalog as C
from xmdw_demo.county_writer import CountyWriter, cols_header
from xmdw_demo.summary import DQ_WARNING, VALUE_FINDING
from xmdw_demo.world_model import RegionWorld
from xmdw_demo.writer import Col, fmt_num

CONTRACT_FIELDS = ["contract_id", "project_name", "investor", "investor_origin", "signing_event", "signed_date",
                   "contract_amount", "land_approved_date", "land_doc_no", "status", "funds_in_place",
                   "funds_in_place_usd"]  # fmt: skip


def write_contracts(cw: CountyWriter, w: RegionWorld) -> None:
    y = cw.year
    zb = w.code == C.ZB
    unit = "县经合中心" if zb else "区投资促进局"
    force: dict = {}
    if cw.bad and zb:
        force = dict(csv="gbk", two_level=False, title=True, date_style="cn")
    f = cw.fmt(w.code, unit, "investment_contracts", **force)
    fields = list(CONTRACT_FIELDS)
    if not f.title:
        fields.insert(2, "region_code")
    unit_cols = ("funds_in_place_usd:美元",) if cw.bad and zb else ()
    cols = cw.cols("investment_contracts", fields, f, unit_cols)
    rows = _contract_rows(w, cols, bool(unit_cols))
    if cw.bad and zb:
        _inject_bad_contracts(w, rows, y)
    title = f"{w.name}招商引资签约项目台账（{y - 1}—{y}年）" if zb else f"{w.name}{y}年招商引资签约项目台账"
    st = cw.style(f, title, unit, ("contracts", w.code), w.code)
    name = f"{unit}_{y}_招商引资签约项目台账"
    cw.write("investment_contracts", w.code, name, cols, rows, st, datetime(y + 1, 1, 6, 11), f.csv)


def _contract_rows(w: RegionWorld, cols: list[Col], usd_in_dollars: bool) -> list[dict]:
    rows = []
    for c in w.contracts:
        rows.append({
            "contract_id": c.cid, "project_name": c.name, "investor": c.investor, "investor_origin": c.origin,
            "signing_event": c.event, "signed_date": c.signed, "contract_amount": c.amount,
            "land_approved_date": c.land_date, "land_doc_no": c.land_doc, "status": c.status,
            "funds_in_place": c.funds_in_place, "funds_in_place_usd": c.funds_usd, "region_code": c.region,
        })  # fmt: skip
        if c.funds_usd and usd_in_dollars:
            rows[-1]["__check__"] = [dict(column=cols_header(cols, "funds_in_place_usd"), declared_unit="美元",
                                          written=fmt_num(c.funds_usd * 10000, 0),
                                          expected_wanmeiyuan=fmt_num(c.funds_usd, 2))]  # fmt: skip
    return rows


def _inject_bad_contracts(w: RegionWorld, rows: list[dict], y: int) -> None:
    bad_amount = next(
        rw for rw, c in zip(rows, w.contracts, strict=True) if c.signed.year < y and not c.land_date
    )
    bad_amount["__raw__"] = {"contract_amount": "待定"}
    bad_amount["__inject__"] = [dict(kind="not_a_number", expect=VALUE_FINDING, column="@contract_amount",
                                     entity="investment_contracts", value="待定", rule="ING-NUM")]  # fmt: skip
    early = next(rw for rw, c in zip(rows, w.contracts, strict=True) if c.signed.year == y and c.land_date)
    early["land_approved_date"] = early["signed_date"] - timedelta(days=20)
    early["__inject__"] = [dict(kind="land_before_signing", expect=DQ_WARNING, column="@land_approved_date",
                                entity="investment_contracts", contract_id=early["contract_id"],
                                rule="获批建设用地时间不应早于签约时间")]  # fmt: skip

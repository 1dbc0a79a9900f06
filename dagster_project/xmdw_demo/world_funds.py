"""Funds secured from above (争取资金): bonds, central and provincial grants, what was issued, received and paid,
and which unit's ledger keeps each row. Magnitudes from the plan documents (镇巴县: 增发国债 1.16亿, 专项债
4.2亿 …; 巴州区: 16.6亿 project funds and 13.9亿 not tied to a project). Deterministic for a given random.Random."""

from __future__ import annotations

import random
from datetime import date, timedelta

from xmdw_demo import catalog as C
from xmdw_demo.draws import rdate, round_to, split_total
from xmdw_demo.world_model import FundItem, Project
from xmdw_demo.world_projects import Builder


class _FundMaker:
    """One fund row: requested a bit more than issued, received 10–45 days after issue, paid over months."""

    def __init__(self, rng: random.Random, zb: bool):
        self.rng, self.zb = rng, zb

    def item(self, p: Project, ftype: str, fyear: int, batch: str, amount: float, issued: date | None,
             unit: str, category: str | None = None, paid_final: float | None = None) -> FundItem:  # fmt: skip
        rng, zb = self.rng, self.zb
        received = None if issued is None else issued + timedelta(days=rng.randint(10, 45))
        pf = paid_final if paid_final is not None else (1.0 if rng.random() < 0.8 else rng.uniform(0.7, 0.95))
        return FundItem(
            p.pid, p.name, ftype, fyear, batch, category, round_to(amount * rng.uniform(1.0, 1.3), 10),
            amount if issued else None, issued, received, pf, rng.randint(3, 9),
            f"{'陕' if zb else '川'}财建〔{fyear}〕{rng.randint(10, 300)}号" if issued else None, unit,
        )  # fmt: skip


def build_funds(b: Builder) -> list[FundItem]:
    make = _FundMaker(b.rng, b.w.code == C.ZB)
    if b.w.code == C.ZB:
        return _zhenba_funds(b, make)
    return _bazhou_funds(b, make)


def _zhenba_funds(b: Builder, make: _FundMaker) -> list[FundItem]:
    rng, y = b.rng, b.year
    ps = b.w.projects
    fin, dev = b.w.unit("财政局"), b.w.unit("发改局")
    govt = [p for p in ps if p.annual > 0 and p.inv_type in ("政府投资", "PPP")]
    started = [p for p in ps if p.annual > 0]
    item = make.item
    out: list[FundItem] = []
    bond = [p for p in ps if "bond" in p.flags]
    for p, amt in zip(bond, split_total(rng, 11600, len(bond)), strict=True):
        late = "late" in p.flags
        out.append(item(p, "增发国债", y - 1, "第一批", amt, rdate(rng, y - 1, 12, 10, 25), fin,
                        paid_final=0.82 if late else 1.0))  # fmt: skip
    spec_bond = rng.sample(govt, 8)
    batches = [("第一批", 3), ("第一批", 3), ("第二批", 6), ("第二批", 6), ("第三批", 8), ("第三批", 8),
               ("第三批", 8), ("第四批", 9)]  # fmt: skip
    for p, amt, (batch, m) in zip(spec_bond, split_total(rng, 42000, 8, 100), batches, strict=True):
        out.append(item(p, "地方政府专项债券", y, batch, amt, rdate(rng, y, m, 5, 26), fin))
    for p, amt in zip(rng.sample(started, 12), split_total(rng, 15000, 12), strict=True):
        out.append(item(p, "省级专项资金", y, "", amt, rdate(rng, y, rng.randint(3, 10)), fin))
    for p, amt in zip(rng.sample(started, 15), split_total(rng, 21000, 15), strict=True):
        out.append(item(p, "中央预算内投资", y, rng.choice(["第一批", "第二批"]), amt,
                        rdate(rng, y, rng.randint(3, 10)), dev))  # fmt: skip
    for p, amt in zip(rng.sample(govt, 6), split_total(rng, 16000, 6, 100), strict=True):
        out.append(item(p, "超长期特别国债", y, "", amt, rdate(rng, y, rng.randint(7, 11)), dev))
    have = {f.pid for f in out if f.fund_year == y}
    ask = [p for p in ps if p.national_code and p.pid not in have and not p.added_mid_year]
    for p in rng.sample(ask, max(0, min(len(ask), 84 - len(have)))):
        ftype = rng.choice(["中央预算内投资", "超长期特别国债", "地方政府专项债券"])
        out.append(item(p, ftype, y, "储备申报", round_to(p.total * rng.uniform(0.1, 0.3), 10), None, dev))
    # last year's funds (for the growth rate): a separate historical ledger
    for p, amt in zip(rng.sample(ps[:70], 24), split_total(rng, 72900, 24), strict=True):
        ftype = rng.choice(["中央预算内投资", "地方政府专项债券", "省级专项资金"])
        out.append(
            item(p, ftype, y - 1, "", amt, rdate(rng, y - 1, rng.randint(3, 11)), "history", paid_final=1.0)
        )
    return out


def _bazhou_funds(b: Builder, make: _FundMaker) -> list[FundItem]:
    rng, y = b.rng, b.year
    fin = b.w.unit("财政局")
    started = [p for p in b.w.projects if p.annual > 0]
    item = make.item
    out: list[FundItem] = []
    for p, amt in zip(rng.sample(started, 50), split_total(rng, 166000, 50), strict=True):
        ftype = rng.choice(
            ["中央预算内投资", "超长期特别国债", "省级专项资金", "市级专项资金", "中央预算内投资"]
        )
        out.append(item(p, ftype, y, "", amt, rdate(rng, y, rng.randint(2, 11)), fin, "项目资金"))
    names = C.FUND_NAMES_NON_PROJECT
    for k, (name, amt) in enumerate(zip(names, split_total(rng, 139000, len(names)), strict=True)):
        pseudo = Project(f"{b.w.code}-FXM-{k + 1:03d}", b.w.code, f"{y}年{name}", fin, "", "", "", "", "",
                         None, "", None, 0, 0, 0, None, "", "", "", None, None)  # fmt: skip
        ftype = "省级专项资金" if "省" in name or k % 3 == 0 else "其他"
        out.append(item(pseudo, ftype, y, "", amt, rdate(rng, y, rng.randint(2, 11)), fin, "非项目资金"))
    return out

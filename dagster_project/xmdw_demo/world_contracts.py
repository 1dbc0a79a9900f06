"""招商引资 deals: who signed what, when, for how much, whether the land was approved and money arrived.
镇巴县 signs over two years (> 13.56亿 in the plan year, ≥ 11.06亿 from outside the province), 巴州区 one.
Deterministic for a given random.Random."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import NamedTuple

from xmdw_demo import catalog as C
from xmdw_demo.draws import rdate, round_to, split_total
from xmdw_demo.world_model import Contract
from xmdw_demo.world_projects import Builder


class _Deal(NamedTuple):
    year: int  # year signed
    number: int  # 1-based within the year
    origin: str  # 省外 | 县外省内 | 境外
    amount: float
    landed: bool
    terminated: bool


def _investor(rng: random.Random, region: str, origin: str) -> str:
    word, trade = rng.choice(C.INVESTOR_WORDS), rng.choice(C.INVESTOR_TRADES)
    if origin == "境外":
        return f"香港{word}{trade}投资有限公司"
    city = rng.choice(C.INVESTOR_CITIES_OUT if origin == "省外" else C.INVESTOR_CITIES_IN[region])
    return f"{city}{word}{trade}有限公司"


def build_contracts(b: Builder) -> list[Contract]:
    rng, y = b.rng, b.year
    zb = b.w.code == C.ZB
    out: list[Contract] = []
    # (sign year, deals, total 万元, landed share). Zhenba 2024: > 13.56亿 signed, ≥ 11.06亿 省外.
    plans = [(y - 1, 18, 120000.0, 0.84), (y, 25, 142000.0, 0.76)] if zb else [(y, 6, 58000.0, 0.67)]
    for year, n, total, land_share in plans:
        amounts = sorted(split_total(rng, total, n, 100), reverse=True)
        n_out = n * 3 // 4
        origins = ["省外"] * n_out + ["县外省内"] * (n - n_out - 1) + ["境外"]
        landed = set(rng.sample(range(n - 1), round(n * land_share) - 1)) | {n - 1}  # the 境外 deal landed
        terminated = max(i for i in range(n - 1) if i not in landed)  # a small deal that fell through
        for i in range(n):
            deal = _Deal(year, i + 1, origins[i], amounts[i], i in landed, i == terminated)
            out.append(_contract(rng, b.w.code, y, deal))
    out.sort(key=lambda c: (c.signed, c.cid))
    return out


def _contract(rng: random.Random, code: str, y: int, deal: _Deal) -> Contract:
    zb = code == C.ZB
    signed, land, status = _signing_and_land(rng, y, deal)
    place = rng.choice(C.ZB_TOWNS if zb else C.BZ_TOWNS)
    amount = deal.amount
    funds = None if status in ("签约", "终止") else round_to(amount * rng.uniform(0.1, 0.6), 10)
    usd = None
    if deal.origin == "境外":
        usd, funds = round(rng.uniform(50, 58), 1), None
    return Contract(
        cid=f"{'ZBQY' if zb else 'BZQY'}{deal.year}-{deal.number:03d}",
        name=f"{C.REGION_NAMES[code]}{place.removesuffix('街道').removesuffix('镇')}{rng.choice(C.DEAL_PRODUCTS)}项目",
        region=code,
        investor=_investor(rng, code, deal.origin),
        origin=deal.origin,
        event=rng.choice(C.SIGNING_EVENTS[code]),
        signed=signed,
        amount=amount,
        land_date=land,
        land_doc=None
        if land is None
        else f"{'镇' if zb else '巴州'}自然资供〔{land.year}〕{rng.randint(1, 90)}号",
        status=status,
        funds_in_place=funds,
        funds_usd=usd,
        pid=None,
    )


def _signing_and_land(rng: random.Random, y: int, deal: _Deal) -> tuple[date, date | None, str]:
    """Signing date, land approval date (landed deals only) and the deal's status at year end."""
    if deal.landed:
        signed = rdate(rng, deal.year, rng.randint(1, 8))
        land = signed + timedelta(days=rng.randint(30, 120))
        status = rng.choice(["落地", "开工", "开工", "投产"] if deal.year < y else ["落地", "落地", "开工"])
        return signed, land, status
    signed = rdate(rng, deal.year, rng.randint(3, 11))
    return signed, None, "终止" if deal.terminated else "签约"

"""The simulated truth for the county scale: the two regions of the seed documents, built project by project
to the magnitudes of the plans, then simulated through the year (progress, the 中期调整, approvals, funds,
deals).

Everything here is canonical (万元, fractions, dates); the county ledger writers (`county.py`) turn it into
ledgers. Deterministic for a given random.Random. The parts: `world_model` (the types), `world_projects`
(making projects), `world_progress`, `world_procedures`, `world_funds`, `world_contracts`.
"""

from __future__ import annotations

import random
from datetime import date

from xmdw_demo import catalog as C
from xmdw_demo.draws import rdate, round_to
from xmdw_demo.world_contracts import build_contracts
from xmdw_demo.world_funds import build_funds
from xmdw_demo.world_model import Project, RegionWorld
from xmdw_demo.world_procedures import build_procedures
from xmdw_demo.world_progress import simulate_progress
from xmdw_demo.world_projects import Builder


def _scale(specs: list[C.KeySpec], target: float) -> list[float]:
    raw = sum(s.annual for s in specs)
    vals = [round_to(s.annual * target / raw, 10) for s in specs]
    vals[0] += target - sum(vals)
    return vals


def _start_months(rng: random.Random, n: int, by_q1: int, by_q2: int, later: list[int]) -> list[int | None]:
    months: list[int | None] = []
    months += [rng.choice([1, 2, 2, 3, 3, 3]) for _ in range(by_q1)]
    months += [rng.choice([4, 5, 6]) for _ in range(by_q2 - by_q1)]
    months += later
    months += [None] * (n - len(months))
    return months


def build_zhenba(year: int, rng: random.Random, clean: bool) -> RegionWorld:
    b = Builder(C.ZB, year, rng, clean)
    city = [s for s in C.ZB_KEY if s.level == "市级"]
    county = [s for s in C.ZB_KEY if s.level == "县级"]
    for specs, target, (q1, q2, later) in (
        (city, 433400.0, (13, 16, [9])),
        (county, 125200.0, (12, 12, [])),
    ):
        annuals = _scale(specs, target)
        new = [s for s in specs if s.category == "新开工"]
        months = _start_months(rng, len(new), q1, q2, later)
        # the project flagged `nostart` never starts; `stop` projects start in Q1
        order = sorted(new, key=lambda s: ("nostart" in s.flags, "stop" not in s.flags, rng.random()))
        start_of = dict(
            zip([s.name for s in order], sorted(months, key=lambda m: 99 if m is None else m), strict=True)
        )
        for spec, annual in zip(specs, annuals, strict=True):
            start = start_of.get(spec.name) if spec.category == "新开工" else 0
            if "nostart" in spec.flags:
                start = None
            b.add(b.started_project(spec, annual, spec.level, start))
    for spec in C.ZB_OTHER_STARTED:
        start = rng.choice([3, 4, 4, 5]) if spec.category == "新开工" else 0
        b.add(b.started_project(spec, spec.annual, None, start))
    # 谋划 ~50 / 150亿 (two big ones named in the plan), 储备 30 / 85亿 (+2 promoted mid-year).
    for name, unit, town, ind, it, hold, tot in C.ZB_BIG_CONCEIVED:
        b.add(b.unstarted_project(name, unit, town, ind, it, hold, tot, "谋划", True))
    big = sum(t[-1] for t in C.ZB_BIG_CONCEIVED)
    b.generated(48, 1500000 * rng.uniform(1.0, 1.03) - big, "谋划", 0.25)
    named = sum(t[-1] for t in C.ZB_RESERVE_NAMED)
    for name, unit, town, ind, it, hold, tot in C.ZB_RESERVE_NAMED:
        b.add(b.unstarted_project(name, unit, town, ind, it, hold, tot, "储备", True))
    reserve = b.generated(24, 850000 * rng.uniform(1.0, 1.03) - named, "储备", 0.9)
    _promote_mid_year(b, reserve, 2)
    _finish(b)
    return b.w


def build_bazhou(year: int, rng: random.Random, clean: bool) -> RegionWorld:
    b = Builder(C.BZ, year, rng, clean)
    named = [
        C.KeySpec(n, u, t, i, nat, it, h, tot, a, cat, "市级")
        for n, u, t, i, nat, it, h, tot, a, cat in C.BZ_NAMED
    ]
    # 135 市区重点项目: 50 新开工, 14 竣工, the rest 续建.
    counts = {"新开工": 50, "竣工": 14, "续建": 135 - 64}
    have = {k: sum(1 for s in named if s.category == k) for k in counts}
    specs = list(named)
    for cat, n in counts.items():
        for _ in range(n - have[cat]):
            pattern, unit, ind, it, hold, typical = rng.choice(C.TEMPLATES)
            t, t2 = rng.sample(C.BZ_TOWNS, 2)
            name = pattern.format(t=f"巴州区{t}", t2=t2.removesuffix("镇").removesuffix("街道"), c="巴州区")
            total = round_to(typical * rng.lognormvariate(1.3, 0.5), 10)
            nature = "新建" if cat == "新开工" else rng.choice(["新建", "扩建", "改建"])
            specs.append(C.KeySpec(name, b.unit_for(unit), t, ind, nature, it, hold, total,
                                   total * rng.uniform(0.25, 0.45), cat, ""))  # fmt: skip
    rng.shuffle(specs)
    levels = ["市级"] * 40 + ["县级"] * (len(specs) - 40)
    annuals = _scale(specs, round_to(1500000.0 * rng.uniform(1.0, 1.02), 100))
    new = [s for s in specs if s.category == "新开工"]
    months = _start_months(rng, len(new), 38, 47, [7, 8])
    start_of = dict(zip([s.name for s in new], months, strict=True))
    lag_pool = [s.name for s in specs if s.category in ("续建", "新开工")]
    laggards = set(rng.sample(lag_pool, 8))
    stopped = set(rng.sample(sorted(laggards), 2))
    for spec, annual, level in zip(specs, annuals, levels, strict=True):
        flags = (
            spec.flags + (",lag" if spec.name in laggards else "") + (",stop" if spec.name in stopped else "")
        )
        spec = C.KeySpec(spec.name, spec.unit, spec.town, spec.industry, spec.nature, spec.inv_type, spec.holding,
                         spec.total, spec.annual, spec.category, level, flags)  # fmt: skip
        start = start_of.get(spec.name) if spec.category == "新开工" else 0
        if "stop" in spec.flags and spec.category == "新开工":
            start = 2
        b.add(b.started_project(spec, annual, level, start))
    for name, unit, town, ind, it, hold, tot in C.BZ_RESERVE_NAMED:
        b.add(b.unstarted_project(name, unit, town, ind, it, hold, tot, "储备", True))
    reserve = b.generated(10, 180000, "储备", 0.9)
    b.generated(12, 260000, "谋划", 0.2)
    _promote_mid_year(b, reserve, 1)
    _finish(b)
    return b.w


def _promote_mid_year(b: Builder, reserve: list[Project], n: int) -> None:
    """Reserve projects added to the plan at the 中期调整 and started in the second half."""
    rng, y = b.rng, b.year
    for p in sorted(reserve, key=lambda p: p.total)[2 : 2 + n]:
        p.added_mid_year = True
        p.stage = "开工在建"
        p.mid_category = "新开工"
        p.actual_start = rdate(rng, y, rng.choice([8, 9]))
        p.planned_start = date(y, p.actual_start.month, 1)
        p.mid_plan = round_to(p.total * rng.uniform(0.15, 0.3), 10)
        p.annual = 0.0
        p.final_ratio = 1.0
        p.in_stats = p.total >= 500
        p.stats_entry = date(y, p.actual_start.month, 1)
        if p.national_code is None:
            p.national_code = b.codes.make(p.region, rdate(rng, y, 3), p.industry, p.inv_type)
        p.leader = p.leader or rng.choice(b.leaders)


def _finish(b: Builder) -> None:
    rng, y = b.rng, b.year
    w = b.w
    for p in w.projects:
        if p.added_mid_year:
            # progress from the mid-year plan
            p.annual, saved = p.mid_plan or 0.0, p.annual
            simulate_progress(p, rng, y)
            p.annual = saved
        else:
            simulate_progress(p, rng, y)
    _mid_year_plan(b)
    w.procedures = build_procedures(b)
    w.funds = build_funds(b)
    w.contracts = build_contracts(b)


def _mid_year_plan(b: Builder) -> None:
    """~15 % of planned projects revised at mid-year: laggards cut, fast ones raised."""
    rng = b.rng
    planned = [p for p in b.w.projects if p.annual > 0]
    n = max(3, round(len(planned) * 0.15)) - sum(1 for p in b.w.projects if p.added_mid_year)
    lag = [p for p in planned if p.final_ratio < 0.7 and p.actual_start is not None]
    fast = sorted((p for p in planned if p.final_ratio > 1.05), key=lambda p: -p.final_ratio)
    chosen = lag[: max(1, n // 2)] + fast[: n - min(len(lag), max(1, n // 2))]
    for p in chosen:
        target = p.annual * p.final_ratio
        if p.final_ratio < 0.7:
            p.mid_plan = round_to(max(target * rng.uniform(1.2, 1.5), p.annual * 0.5), 10)
        else:
            p.mid_plan = round_to(target * rng.uniform(0.97, 1.02), 10)
        p.mid_category = p.category

"""The simulated truth for the county scale: projects, their monthly progress, approvals, funds, deals.

Everything here is canonical (万元, fractions, dates); `county.py` turns it into ledgers.
Deterministic for a given random.Random.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from xmdw_demo import catalog as C

MONTHS = range(2, 13)  # report months: January is reported together with February


@dataclass
class Project:
    pid: str
    region: str
    name: str
    unit: str
    town: str
    industry: str
    nature: str
    inv_type: str
    holding: str
    key_level: str | None
    stage: str  # year-end 四个一批 stage
    category: str | None  # plan category in the 年初 plan (None: not in the annual plan)
    total: float
    annual: float  # 年初 annual plan (0 when not in the plan)
    prior: float  # investment completed before the plan year
    national_code: str | None
    owner: str
    leader: str
    content: str
    planned_start: date | None
    planned_completion: date | None
    actual_start: date | None = None
    actual_completion: date | None = None
    actual_operation: date | None = None
    in_stats: bool = False
    stats_entry: date | None = None
    industrial: bool = False
    new_capacity: bool = False
    flags: frozenset[str] = frozenset()
    final_ratio: float = 1.0  # year-to-date completion in December / 年初 plan
    stop_month: int | None = None  # 停缓建 from this month
    complete_month: int | None = None
    mid_plan: float | None = None  # 中期调整 plan
    mid_category: str | None = None
    added_mid_year: bool = False
    ytd: dict[int, float] = field(default_factory=dict)  # report month -> cumulative 万元
    funds_ytd: dict[int, float] = field(default_factory=dict)
    stats_factor: float = 1.0

    @property
    def started_in_year(self) -> bool:
        return self.actual_start is not None

    @property
    def is_key(self) -> bool:
        return bool(self.key_level)

    def first_month(self, year: int) -> int | None:
        """First report month this project appears in the progress ledgers of `year`."""
        if self.actual_start is None or self.actual_start.year > year:
            return None
        if self.actual_start.year < year:
            return 2
        return max(2, self.actual_start.month)


@dataclass
class ProcedureRow:
    pid: str
    name: str
    ptype: str
    required: bool
    status: str
    submitted: date | None
    approved: date | None
    doc_no: str | None
    dept: str | None


@dataclass
class FundItem:
    pid: str
    name: str
    fund_type: str
    fund_year: int
    batch: str
    category: str | None
    requested: float
    issued: float | None
    issued_date: date | None
    received_date: date | None
    paid_final: float  # fraction of issued paid by 31 December
    pay_months: int  # months from receipt to reach paid_final
    doc_no: str | None
    unit: str  # unit that keeps this row in its ledger

    def paid_at(self, as_of: date) -> float | None:
        if self.issued is None or self.received_date is None or as_of < self.received_date:
            return None if self.issued is None else 0.0
        months = (as_of.year - self.received_date.year) * 12 + as_of.month - self.received_date.month + 1
        frac = min(1.0, months / max(1, self.pay_months)) * self.paid_final
        return round(self.issued * frac, 2)


@dataclass
class Contract:
    cid: str
    name: str
    region: str
    investor: str
    origin: str
    event: str
    signed: date
    amount: float
    land_date: date | None
    land_doc: str | None
    status: str
    funds_in_place: float | None
    funds_usd: float | None
    pid: str | None


@dataclass
class RegionWorld:
    code: str
    name: str
    year: int
    projects: list[Project] = field(default_factory=list)
    procedures: list[ProcedureRow] = field(default_factory=list)
    funds: list[FundItem] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)

    def project(self, pid: str) -> Project:
        return next(p for p in self.projects if p.pid == pid)

    @property
    def prefix(self) -> str:
        return C.REGION_PREFIX[self.code]

    def unit(self, suffix: str) -> str:
        return self.prefix + suffix


# -- helpers -----------------------------------------------------------------------------------------


def rdate(rng: random.Random, y: int, m: int, lo: int = 1, hi: int = 28) -> date:
    return date(y, m, rng.randint(lo, hi))


def clamp_year(d: date, year: int) -> date:
    return min(d, date(year, 12, 31))


def round_to(x: float, step: float) -> float:
    return round(x / step) * step


def industry_div(code: str) -> int:
    return int(code[:2]) if code[:2].isdigit() else 0


def is_industrial(code: str) -> bool:
    d = industry_div(code)
    return d <= 45 or d in (51, 52, 59, 61, 62, 64, 65, 73, 75, 85) or code.startswith("786")


class CodeMaker:
    """National project codes dddd-dddddd-dd-dd-dddddd with the region in segment 2, unique per run."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def make(self, region: str, when: date, industry: str, inv_type: str) -> str:
        kind = "01" if inv_type in ("政府投资", "PPP") else self.rng.choice(["02", "03", "03"])
        cls = f"{max(1, industry_div(industry)) % 100:02d}"
        while True:
            code = f"{when.year % 100:02d}{when.month:02d}-{region}-{cls}-{kind}-{self.rng.randint(100000, 999999)}"
            if code not in self.used:
                self.used.add(code)
                return code


def owner_for(region: str, unit: str, inv_type: str, holding: str, industry: str, rng: random.Random) -> str:
    owners = C.ZB_OWNERS if region == C.ZB else C.BZ_OWNERS
    govt, soe = owners.get(
        unit, (f"{C.REGION_NAMES[region]}{unit}", f"{C.REGION_NAMES[region]}城市建设投资有限公司")
    )
    if holding == "私人控股":
        head = "陕西" if region == C.ZB else "四川"
        suffix = C.PRIVATE_SUFFIX.get(industry[:2], "实业有限公司")
        return f"{head}{rng.choice(C.PRIVATE_WORDS)}{suffix}"
    return govt if inv_type == "政府投资" and rng.random() < 0.6 else soe


def content_for(name: str, total: float, rng: random.Random) -> str:
    if "公路" in name or "道路" in name or "大道" in name:
        km = max(1.0, round(total / rng.uniform(900, 2600), 1))
        return f"改（新）建道路{km}公里，配套桥涵、排水及交通安全设施"
    if "水" in name and ("供水" in name or "饮水" in name):
        return f"新建取水工程及净水厂1座，铺设供水管网{rng.randint(20, 160)}公里"
    if "治理" in name or "防洪" in name or "水库" in name:
        return f"新建堤防及护岸{rng.randint(2, 18)}公里，配套排洪设施"
    if "变电站" in name or "电网" in name or "输变电" in name:
        return f"新建（改造）主变{rng.randint(1, 3)}台，配套线路{rng.randint(5, 60)}公里"
    if "厂房" in name or "园" in name:
        return f"建设标准化厂房及配套用房{rng.randint(2, 12)}万平方米，配套道路、管网等基础设施"
    if "景区" in name or "旅游" in name or "宿集" in name or "露营" in name or "康养" in name:
        return "建设游客服务中心、游步道、停车场、民宿及配套设施"
    if "生产线" in name or "加工" in name or "基地" in name:
        return f"建设生产车间{rng.randint(1, 4)}万平方米，购置生产线{rng.randint(1, 5)}条及配套设备"
    return "主体工程及配套设施建设"


# -- progress ------------------------------------------------------------------------------------------


def progress_curve(rng: random.Random, start: int, end: int) -> dict[int, float]:
    """Cumulative share of the year's investment at the end of each month 1..12 (S-curve, 1.0 at `end`)."""
    n = max(1, end - start + 1)
    weights = {}
    for k, m in enumerate(range(start, end + 1)):
        w = 0.55 + math.sin(math.pi * (k + 0.5) / n)
        if m in (1, 2):
            w *= 0.55  # Spring Festival
        if m in (7, 8):
            w *= 0.85  # flood season
        weights[m] = w * rng.uniform(0.75, 1.25)
    total = sum(weights.values())
    cum, out = 0.0, {}
    for m in range(1, 13):
        cum += weights.get(m, 0.0)
        out[m] = min(1.0, cum / total) if m >= start else 0.0
    return out


def simulate_progress(p: Project, rng: random.Random, year: int) -> None:
    first = p.first_month(year)
    if first is None:
        return
    start = 1 if p.actual_start and p.actual_start.year < year else p.actual_start.month  # type: ignore[union-attr]
    end = 12
    if p.complete_month:
        end = p.complete_month
    if p.stop_month:
        end = min(end, p.stop_month - 1)
    end = max(end, start)
    curve = progress_curve(rng, start, end)
    amount = p.annual * p.final_ratio if p.annual else p.total * 0.3
    fund_k = rng.uniform(0.82, 1.12)
    funds = 0.0
    for m in MONTHS:
        if m < first:
            continue
        p.ytd[m] = round(amount * curve[m], 1)
        funds = max(funds, round(p.ytd[m] * fund_k * rng.uniform(0.96, 1.04), 1))
        p.funds_ytd[m] = funds
    p.stats_factor = rng.uniform(0.86, 1.0)


# -- builders ------------------------------------------------------------------------------------------


def _scale(specs: list[C.KeySpec], target: float) -> list[float]:
    raw = sum(s.annual for s in specs)
    vals = [round_to(s.annual * target / raw, 10) for s in specs]
    vals[0] += target - sum(vals)
    return vals


class Builder:
    def __init__(self, code: str, year: int, rng: random.Random, clean: bool):
        self.w = RegionWorld(code, C.REGION_NAMES[code], year)
        self.rng = rng
        self.year = year
        self.clean = clean
        self.codes = CodeMaker(rng)
        self.seq = 0
        self.towns = C.ZB_TOWNS if code == C.ZB else C.BZ_TOWNS
        self.leaders = C.ZB_LEADERS if code == C.ZB else C.BZ_LEADERS
        self.names: set[str] = set()

    # ids: <region>-<year entered the county library>-<serial>
    def new_pid(self, entry_year: int) -> str:
        self.seq += 1
        return f"{self.w.code}-{entry_year}-{self.seq:03d}"

    def unique_name(self, name: str) -> str:
        base, k = name, 2
        while name in self.names:
            name = f"{base}（{'一二三四五六七八九'[k - 1]}期）" if k < 10 else f"{base}{k}"
            k += 1
        self.names.add(name)
        return name

    def add(self, p: Project) -> Project:
        self.w.projects.append(p)
        return p

    def started_project(
        self,
        spec: C.KeySpec,
        annual: float,
        level: str | None,
        start_month: int | None,
        stage_override: str | None = None,
    ) -> Project:
        """A project in the annual plan: 新开工 (starts this year), 续建 or 竣工 (started earlier)."""
        rng, y = self.rng, self.year
        total = spec.total
        cat = spec.category
        if cat != "新开工" and annual > total * 0.7:
            total = round_to(annual / rng.uniform(0.35, 0.65), 10)
        if cat == "新开工":
            prior = 0.0
            total = max(total, round_to(annual / 0.75, 10))
            planned_m = min(start_month or 6, rng.choice([2, 3, 3, 4, 5]))
            planned_start = rdate(rng, y, planned_m)
            actual = None if start_month is None else rdate(rng, y, start_month)
            if "late" in spec.flags:
                actual = rdate(rng, y, 7)
            planned_completion = rdate(rng, y + rng.choice([1, 1, 2, 3]), rng.randint(3, 12))
            if total < 3000:
                planned_completion = rdate(rng, y, rng.randint(10, 12))
            entry = y - 1 if rng.random() < 0.7 else y
        else:
            started = rdate(rng, y - rng.choice([1, 1, 2, 3]), rng.randint(2, 11))
            if "bond" in spec.flags:
                started = rdate(rng, y - 1, 12, 1, 20)
            if cat == "续建":
                prior = round_to(total * rng.uniform(0.18, 0.5), 10)
                prior = min(prior, total - annual * 1.2)
                planned_completion = rdate(rng, y + rng.choice([1, 1, 2]), rng.randint(3, 12))
            else:  # 竣工
                prior = max(0.0, round_to(total - annual * rng.uniform(1.0, 1.04), 10))
                planned_completion = rdate(rng, y, rng.randint(6, 11))
            planned_start = started - timedelta(days=rng.randint(0, 60))
            actual = started
            entry = started.year if rng.random() < 0.5 else started.year - 1
        p = Project(
            pid=self.new_pid(entry),
            region=self.w.code,
            name=self.unique_name(spec.name),
            unit=spec.unit,
            town=spec.town,
            industry=spec.industry,
            nature=spec.nature,
            inv_type=spec.inv_type,
            holding=spec.holding,
            key_level=level,
            stage="开工在建",
            category=cat,
            total=float(total),
            annual=float(annual),
            prior=float(max(0.0, prior)),
            national_code=None,
            owner=owner_for(self.w.code, spec.unit, spec.inv_type, spec.holding, spec.industry, rng),
            leader=rng.choice(self.leaders),
            content=content_for(spec.name, total, rng),
            planned_start=planned_start,
            planned_completion=planned_completion,
            actual_start=actual,
            industrial=is_industrial(spec.industry),
            new_capacity="cap" in spec.flags,
            flags=frozenset(f for f in spec.flags.split(",") if f),
        )
        code_date = min(planned_start, actual or planned_start) - timedelta(days=rng.randint(60, 300))
        p.national_code = self.codes.make(self.w.code, code_date, p.industry, p.inv_type)
        if cat == "竣工":
            p.complete_month = max(p.planned_completion.month + rng.choice([0, 0, 1, 2]), 4)  # type: ignore[union-attr]
            p.complete_month = min(p.complete_month, 12)
            p.actual_completion = rdate(rng, y, p.complete_month)
            p.actual_operation = clamp_year(p.actual_completion + timedelta(days=rng.randint(0, 45)), y)
            p.stage = "竣工投产"
            p.final_ratio = rng.uniform(0.97, 1.04)
        elif actual is None:
            p.stage = stage_override or "储备"
            p.final_ratio = 0.0
        else:
            p.final_ratio = rng.uniform(0.93, 1.14)
        if "lag" in p.flags:
            p.final_ratio = rng.uniform(0.36, 0.55)
        if "stop" in p.flags:
            p.stop_month = rng.choice([7, 8])
        if actual is not None:
            p.in_stats = p.total >= 500 or "tiny" in p.flags and not self.clean
            stats_from = max(actual, date(y, 1, 1)) if actual.year == y else actual
            p.stats_entry = date(stats_from.year, stats_from.month, 1) if p.in_stats else None
        return p

    def unstarted_project(self, name: str, unit: str, town: str, industry: str, inv_type: str, holding: str,
                          total: float, stage: str, with_code: bool) -> Project:  # fmt: skip
        rng, y = self.rng, self.year
        if stage == "储备":
            ps = rdate(rng, y + 1, rng.randint(1, 9))
        else:
            ps = rdate(rng, y + rng.choice([1, 2, 2, 3]), rng.randint(1, 12))
        pc = rdate(rng, ps.year + rng.choice([1, 2, 3]), rng.randint(1, 12))
        p = Project(
            pid=self.new_pid(y if rng.random() < 0.6 else y - 1),
            region=self.w.code,
            name=self.unique_name(name),
            unit=unit,
            town=town,
            industry=industry,
            nature=rng.choice(["新建", "新建", "新建", "扩建", "改扩建"]),
            inv_type=inv_type,
            holding=holding,
            key_level=None,
            stage=stage,
            category=None,
            total=float(total),
            annual=0.0,
            prior=0.0,
            national_code=None,
            owner=owner_for(self.w.code, unit, inv_type, holding, industry, rng),
            leader=rng.choice(self.leaders) if total >= 10000 else "",
            content=content_for(name, total, rng),
            planned_start=ps,
            planned_completion=pc,
            industrial=is_industrial(industry),
            final_ratio=0.0,
        )
        if with_code:
            p.national_code = self.codes.make(
                self.w.code, rdate(rng, y, rng.randint(1, 11)), industry, inv_type
            )
        return p

    def unit_for(self, suffix: str) -> str:
        zb = self.w.code == C.ZB
        table = {
            "电力": "国网镇巴分公司" if zb else "区发改局",
            "商务": "县经贸局" if zb else "区商务局",
            "卫健": "县发改局" if zb else "区卫生健康局",
            "经贸局": "县经贸局" if zb else "区经信局",
            "交通局": "县交通局" if zb else "区交通运输局",
            "农业农村局": "农业农村局" if zb else "区农业农村局",
        }
        return table.get(suffix, self.w.prefix + suffix)

    def generated(self, n: int, target_total: float, stage: str, code_share: float) -> list[Project]:
        rng = self.rng
        specs = []
        for _ in range(n):
            pattern, unit, ind, it, hold, typical = rng.choice(C.TEMPLATES)
            t, t2 = rng.sample(self.towns[1:] if len(self.towns) > 2 else self.towns, 2)
            name = pattern.format(t=f"{self.w.name}{t}", t2=t2.removesuffix("镇"), c=self.w.name)
            specs.append((name, self.unit_for(unit), t, ind, it, hold, typical * rng.lognormvariate(0, 0.45)))
        scale = target_total / sum(s[6] for s in specs)
        out = []
        for name, unit, town, ind, it, hold, tot in specs:
            total = round_to(min(tot * scale, 95000), 10)
            out.append(self.add(self.unstarted_project(
                name, unit, town, ind, it, hold, total, stage, rng.random() < code_share)))  # fmt: skip
        return out


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
    w.procedures = _procedures(b)
    w.funds = _funds(b)
    w.contracts = _contracts(b)


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


# -- procedures ------------------------------------------------------------------------------------------


def _doc_no(region: str, ptype: str, d: date, n: int, code: str | None) -> tuple[str | None, str]:
    zb = region == C.ZB
    short = "镇" if zb else "巴州"
    city = "汉" if zb else "巴"
    y = d.year
    table = {
        "赋码": (code, f"{C.REGION_NAMES[region]}发展和改革局"),
        "立项": (f"{short}发改发〔{y}〕{n}号", f"{C.REGION_NAMES[region]}发展和改革局"),
        "用地预审": (f"{short}自然资预〔{y}〕{n}号", f"{C.REGION_NAMES[region]}自然资源局"),
        "用地规划许可": (f"地字第{region}{y}{n:04d}号", f"{C.REGION_NAMES[region]}自然资源局"),
        "土地供应": (f"{short}自然资供〔{y}〕{n}号", f"{C.REGION_NAMES[region]}自然资源局"),
        "林地草原": (f"{'陕' if zb else '川'}林资许准〔{y}〕{n}号", "省林业局"),
        "环评": (
            f"{city}环批复〔{y}〕{n}号",
            f"{'汉中' if zb else '巴中'}市生态环境局{C.REGION_NAMES[region]}分局",
        ),
        "节能审查": (f"{short}发改能审〔{y}〕{n}号", f"{C.REGION_NAMES[region]}发展和改革局"),
        "水土保持": (f"{short}水保批〔{y}〕{n}号", f"{C.REGION_NAMES[region]}水利局"),
        "社会稳定风险评估": (f"{short}稳评备〔{y}〕{n}号", f"{C.REGION_NAMES[region]}委政法委"),
        "初步设计": (f"{short}发改投资〔{y}〕{n}号", f"{C.REGION_NAMES[region]}发展和改革局"),
        "工程规划许可": (f"建字第{region}{y}{n:04d}号", f"{C.REGION_NAMES[region]}自然资源局"),
        "施工许可": (f"{region}{d:%Y%m%d}{n:02d}01", f"{C.REGION_NAMES[region]}住房和城乡建设局"),
    }
    return table[ptype]


def _procedures(b: Builder) -> list[ProcedureRow]:
    rng, y = b.rng, b.year
    out: list[ProcedureRow] = []
    end = date(y, 12, 31)
    n = 0
    for p in b.w.projects:
        is_new = p.category == "新开工" or p.added_mid_year
        if not (is_new or p.stage == "储备"):
            continue
        if p.industry.startswith("48"):
            kinds = C.PROCS_LINEAR
        elif p.inv_type == "企业投资":
            kinds = C.PROCS_ENTERPRISE
        else:
            kinds = C.PROCS_GOVT
        anchor = p.actual_start
        blocked = False
        for i, kind in enumerate(kinds):
            n += 1
            required = not (
                (kind == "节能审查" and p.total < 5000)
                or (kind == "社会稳定风险评估" and p.total < 3000)
                or (kind == "林地草原" and rng.random() < 0.3)
            )
            status, sub, app = "不适用", None, None
            if required:
                if anchor is not None:
                    app = anchor - timedelta(days=int((len(kinds) - i) * rng.uniform(12, 35)))
                    status = "已办结"
                    if kind in ("施工许可", "土地供应") and rng.random() < 0.12:
                        app = anchor + timedelta(days=rng.randint(10, 90))  # obtained after breaking ground
                    if rng.random() < 0.04 and kind != "赋码":
                        app = None
                        status = "办理中"
                else:
                    done = kind == "赋码" and p.national_code is not None
                    if not done and not blocked:
                        done = rng.random() < (0.75 if i < 3 else 0.35)
                    if done:
                        app = rdate(rng, y, rng.randint(1, 11))
                        status = "已办结"
                    else:
                        blocked = True
                        status = "办理中" if rng.random() < 0.55 else "未启动"
                        if status == "办理中":
                            sub = rdate(rng, y, rng.randint(6, 12))
                if app is not None and app > end:
                    app, status = None, "办理中"
                    sub = end - timedelta(days=rng.randint(5, 40))
                if app is not None:
                    sub = app - timedelta(days=rng.randint(7, 60))
            doc, dept = (None, None)
            if status == "已办结" and app is not None:
                doc, dept = _doc_no(p.region, kind, app, n % 97 + 1, p.national_code)
            elif status == "办理中":
                dept = _doc_no(p.region, kind, end, 1, None)[1]
            out.append(ProcedureRow(p.pid, p.name, kind, required, status, sub, app, doc, dept))
    return out


# -- funds -----------------------------------------------------------------------------------------------


def _split(rng: random.Random, total: float, n: int, step: float = 10) -> list[float]:
    w = [rng.lognormvariate(0, 0.5) for _ in range(n)]
    vals = [round_to(total * x / sum(w), step) for x in w]
    vals[0] += total - sum(vals)
    return vals


def _funds(b: Builder) -> list[FundItem]:
    rng, y = b.rng, b.year
    ps = b.w.projects
    zb = b.w.code == C.ZB
    fin, dev = b.w.unit("财政局"), b.w.unit("发改局")
    govt = [p for p in ps if p.annual > 0 and p.inv_type in ("政府投资", "PPP")]
    started = [p for p in ps if p.annual > 0]
    out: list[FundItem] = []

    def item(p: Project, ftype: str, fyear: int, batch: str, amount: float, issued: date | None,
             unit: str, category: str | None = None, paid_final: float | None = None) -> FundItem:  # fmt: skip
        received = None if issued is None else issued + timedelta(days=rng.randint(10, 45))
        pf = paid_final if paid_final is not None else (1.0 if rng.random() < 0.8 else rng.uniform(0.7, 0.95))
        return FundItem(
            p.pid, p.name, ftype, fyear, batch, category, round_to(amount * rng.uniform(1.0, 1.3), 10),
            amount if issued else None, issued, received, pf, rng.randint(3, 9),
            f"{'陕' if zb else '川'}财建〔{fyear}〕{rng.randint(10, 300)}号" if issued else None, unit,
        )  # fmt: skip

    if zb:
        bond = [p for p in ps if "bond" in p.flags]
        for p, amt in zip(bond, _split(rng, 11600, len(bond)), strict=True):
            late = "late" in p.flags
            out.append(item(p, "增发国债", y - 1, "第一批", amt, rdate(rng, y - 1, 12, 10, 25), fin,
                            paid_final=0.82 if late else 1.0))  # fmt: skip
        spec_bond = rng.sample(govt, 8)
        batches = [("第一批", 3), ("第一批", 3), ("第二批", 6), ("第二批", 6), ("第三批", 8), ("第三批", 8),
                   ("第三批", 8), ("第四批", 9)]  # fmt: skip
        for p, amt, (batch, m) in zip(spec_bond, _split(rng, 42000, 8, 100), batches, strict=True):
            out.append(item(p, "地方政府专项债券", y, batch, amt, rdate(rng, y, m, 5, 26), fin))
        for p, amt in zip(rng.sample(started, 12), _split(rng, 15000, 12), strict=True):
            out.append(item(p, "省级专项资金", y, "", amt, rdate(rng, y, rng.randint(3, 10)), fin))
        for p, amt in zip(rng.sample(started, 15), _split(rng, 21000, 15), strict=True):
            out.append(item(p, "中央预算内投资", y, rng.choice(["第一批", "第二批"]), amt,
                            rdate(rng, y, rng.randint(3, 10)), dev))  # fmt: skip
        for p, amt in zip(rng.sample(govt, 6), _split(rng, 16000, 6, 100), strict=True):
            out.append(item(p, "超长期特别国债", y, "", amt, rdate(rng, y, rng.randint(7, 11)), dev))
        have = {f.pid for f in out if f.fund_year == y}
        ask = [p for p in ps if p.national_code and p.pid not in have and not p.added_mid_year]
        for p in rng.sample(ask, max(0, min(len(ask), 84 - len(have)))):
            ftype = rng.choice(["中央预算内投资", "超长期特别国债", "地方政府专项债券"])
            out.append(
                item(p, ftype, y, "储备申报", round_to(p.total * rng.uniform(0.1, 0.3), 10), None, dev)
            )
        # last year's funds (for the growth rate): a separate historical ledger
        for p, amt in zip(rng.sample(ps[:70], 24), _split(rng, 72900, 24), strict=True):
            ftype = rng.choice(["中央预算内投资", "地方政府专项债券", "省级专项资金"])
            f = item(
                p, ftype, y - 1, "", amt, rdate(rng, y - 1, rng.randint(3, 11)), "history", paid_final=1.0
            )
            out.append(f)
    else:
        for p, amt in zip(rng.sample(started, 50), _split(rng, 166000, 50), strict=True):
            ftype = rng.choice(
                ["中央预算内投资", "超长期特别国债", "省级专项资金", "市级专项资金", "中央预算内投资"]
            )
            out.append(item(p, ftype, y, "", amt, rdate(rng, y, rng.randint(2, 11)), fin, "项目资金"))
        for k, (name, amt) in enumerate(zip(C.FUND_NAMES_NON_PROJECT, _split(rng, 139000, len(C.FUND_NAMES_NON_PROJECT)),
                                            strict=True)):  # fmt: skip
            pseudo = Project(f"{b.w.code}-FXM-{k + 1:03d}", b.w.code, f"{y}年{name}", fin, "", "", "", "", "",
                             None, "", None, 0, 0, 0, None, "", "", "", None, None)  # fmt: skip
            ftype = "省级专项资金" if "省" in name or k % 3 == 0 else "其他"
            out.append(item(pseudo, ftype, y, "", amt, rdate(rng, y, rng.randint(2, 11)), fin, "非项目资金"))
    return out


# -- investment contracts -------------------------------------------------------------------------------


def _investor(rng: random.Random, region: str, origin: str) -> str:
    word, trade = rng.choice(C.INVESTOR_WORDS), rng.choice(C.INVESTOR_TRADES)
    if origin == "境外":
        return f"香港{word}{trade}投资有限公司"
    city = rng.choice(C.INVESTOR_CITIES_OUT if origin == "省外" else C.INVESTOR_CITIES_IN[region])
    return f"{city}{word}{trade}有限公司"


def _contracts(b: Builder) -> list[Contract]:
    rng, y = b.rng, b.year
    code = b.w.code
    zb = code == C.ZB
    tag = "ZBQY" if zb else "BZQY"
    out: list[Contract] = []
    things = ["中药材精深加工", "富硒食品加工", "茶叶精深加工", "魔芋制品生产", "农旅融合康养", "新型建材生产",
              "冷链物流", "光伏发电", "生猪屠宰及肉制品加工", "竹木制品加工", "民宿集群", "电子元器件生产",
              "预制菜生产", "生物有机肥生产", "户外运动基地", "数据服务外包"]  # fmt: skip
    # (sign year, deals, total 万元, landed share). Zhenba 2024: > 13.56亿 signed, ≥ 11.06亿 省外.
    plans = [(y - 1, 18, 120000.0, 0.84), (y, 25, 142000.0, 0.76)] if zb else [(y, 6, 58000.0, 0.67)]
    for year, n, total, land_share in plans:
        amounts = sorted(_split(rng, total, n, 100), reverse=True)
        n_out = n * 3 // 4
        origins = ["省外"] * n_out + ["县外省内"] * (n - n_out - 1) + ["境外"]
        landed = set(rng.sample(range(n - 1), round(n * land_share) - 1)) | {n - 1}  # the 境外 deal landed
        terminated = max(i for i in range(n - 1) if i not in landed)  # a small deal that fell through
        for i in range(n):
            origin = origins[i]
            if i in landed:
                signed = rdate(rng, year, rng.randint(1, 8))
                land = signed + timedelta(days=rng.randint(30, 120))
                status = rng.choice(
                    ["落地", "开工", "开工", "投产"] if year < y else ["落地", "落地", "开工"]
                )
            else:
                signed = rdate(rng, year, rng.randint(3, 11))
                land = None
                status = "终止" if i == terminated else "签约"
            place = rng.choice(C.ZB_TOWNS if zb else C.BZ_TOWNS)
            amount = amounts[i]
            funds = None if status in ("签约", "终止") else round_to(amount * rng.uniform(0.1, 0.6), 10)
            usd = None
            if origin == "境外":
                usd, funds = round(rng.uniform(50, 58), 1), None
            out.append(
                Contract(
                    cid=f"{tag}{year}-{i + 1:03d}",
                    name=f"{C.REGION_NAMES[code]}{place.removesuffix('街道').removesuffix('镇')}{rng.choice(things)}项目",
                    region=code,
                    investor=_investor(rng, code, origin),
                    origin=origin,
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
            )
    out.sort(key=lambda c: (c.signed, c.cid))
    return out

"""Making the projects of one region: ids, unique names, national codes, owners, construction contents, the
schedule of a project in the annual plan and of one that has not started. Deterministic for a given
random.Random: every draw happens in a fixed order, so the same seed gives the same projects."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import NamedTuple

from xmdw_demo import catalog as C
from xmdw_demo.draws import clamp_year, rdate, round_to
from xmdw_demo.world_model import Project, RegionWorld


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


class _Schedule(NamedTuple):
    """When a planned project was (or will be) prepared, started and completed, and what it had spent."""

    total: float
    prior: float
    planned_start: date
    actual: date | None
    planned_completion: date
    entry: int  # year it entered the county project library


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
        rng = self.rng
        total = spec.total
        cat = spec.category
        if cat != "新开工" and annual > total * 0.7:
            total = round_to(annual / rng.uniform(0.35, 0.65), 10)
        if cat == "新开工":
            sched = self._new_start(spec, total, annual, start_month)
        else:
            sched = self._earlier_start(cat, total, annual, "bond" in spec.flags)
        total = sched.total
        p = Project(
            pid=self.new_pid(sched.entry),
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
            prior=float(max(0.0, sched.prior)),
            national_code=None,
            owner=owner_for(self.w.code, spec.unit, spec.inv_type, spec.holding, spec.industry, rng),
            leader=rng.choice(self.leaders),
            content=content_for(spec.name, total, rng),
            planned_start=sched.planned_start,
            planned_completion=sched.planned_completion,
            actual_start=sched.actual,
            industrial=is_industrial(spec.industry),
            new_capacity="cap" in spec.flags,
            flags=frozenset(f for f in spec.flags.split(",") if f),
        )
        planned_start, actual = sched.planned_start, sched.actual
        code_date = min(planned_start, actual or planned_start) - timedelta(days=rng.randint(60, 300))
        p.national_code = self.codes.make(self.w.code, code_date, p.industry, p.inv_type)
        self._year_outcome(p, cat, actual, stage_override)
        return p

    def _new_start(self, spec: C.KeySpec, total: float, annual: float, start_month: int | None) -> _Schedule:
        """新开工: planned to start this year (`start_month` None: it does not start)."""
        rng, y = self.rng, self.year
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
        return _Schedule(total, prior, planned_start, actual, planned_completion, entry)

    def _earlier_start(self, cat: str, total: float, annual: float, bond: bool) -> _Schedule:
        """续建 or 竣工: started one to three years before the plan year (a 2023 增发国债 project in December)."""
        rng, y = self.rng, self.year
        started = rdate(rng, y - rng.choice([1, 1, 2, 3]), rng.randint(2, 11))
        if bond:
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
        return _Schedule(total, prior, planned_start, actual, planned_completion, entry)

    def _year_outcome(self, p: Project, cat: str, actual: date | None, stage_override: str | None) -> None:
        """How the plan year ends for the project: completed, not started, on track, lagging or stopped."""
        rng, y = self.rng, self.year
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

"""Province and nation scales: synthetic counties, clean UTF-8 CSV ledgers, two plan years.

Written streaming: one region's projects are in memory at a time, rows go straight to csv.writer.
Layout: out_dir/<region_code>/<region_code>_<ledger>.csv; monthly progress one file per region per
month (province) or one file per region holding all months (nation, with 年度/月份 columns).

Per project the simulation is a start month, a duration and an even spend with a seasonal profile
over a 24-month window (January of plan_year-1 … December of plan_year); year-to-date and
since-start figures are cumulative sums of it, so they are consistent by construction.
"""

from __future__ import annotations

import calendar
import csv
import os
import random
from datetime import datetime
from pathlib import Path

from xmdw_demo.summary import REJECTED_ROW, DemoSummary

SYLLABLES = (
    "安宁平康泰和丰兴昌隆永清河山阳川源城华德顺庆福寿乐新东西南北云溪石林水汉秦岭泉宝凤龙鹤金玉青白红"
    "翠桃梅松柏岳江湖海沙马望潼岚崇嘉陵蓝田武定盛远通远靖边绥德略镇宁陕洛商旬邑礼泉"
)
SIZES = {"province": (100, 150), "nation": (2790, 358)}
SEASON = [0.45, 0.6, 0.95, 1.05, 1.1, 1.15, 0.9, 0.9, 1.1, 1.15, 1.15, 1.2]
UNITS = ["发改局", "交通局", "水利局", "住建局", "文旅局", "经贸局", "农业农村局", "自然资源局"]
KINDS = [
    # name pattern, unit index, industry, investment type, holding
    ("{t}道路改扩建工程", 1, "4812", "政府投资", "国有控股"),
    ("{t}农村供水保障工程", 2, "4610", "政府投资", "国有控股"),
    ("{t}河道综合治理工程", 2, "4822", "政府投资", "国有控股"),
    ("{t}安置小区建设项目", 3, "4710", "政府投资", "国有控股"),
    ("{t}污水处理厂建设项目", 3, "4620", "政府投资", "国有控股"),
    ("{t}乡村旅游综合开发项目", 4, "7869", "企业投资", "私人控股"),
    ("{t}农产品加工项目", 5, "1371", "企业投资", "私人控股"),
    ("{t}标准化厂房建设项目", 5, "4790", "政府投资", "国有控股"),
    ("{t}光伏发电项目", 0, "4416", "企业投资", "私人控股"),
    ("{t}现代农业产业园项目", 6, "01", "企业投资", "私人控股"),
    ("{t}生猪养殖场建设项目", 6, "0313", "企业投资", "私人控股"),
    ("{t}土地综合整治项目", 7, "79", "政府投资", "国有控股"),
    ("{t}物流园区建设项目", 5, "5990", "企业投资", "国有控股"),
    ("{t}商贸综合体建设项目", 5, "7010", "企业投资", "私人控股"),
]
STAGE_P = [("谋划", 0.16), ("储备", 0.14), ("开工在建", 0.52), ("竣工投产", 0.18)]
FAI_CODES = [("FAI_TOTAL", "固定资产投资（不含农户）", 1.0), ("FAI_MANUF", "制造业投资", 0.2),
             ("FAI_HITECH", "高技术产业投资", 0.05), ("FAI_CULTURE_ENT", "文化和娱乐业投资", 0.025),
             ("FAI_RETAIL_WHOLESALE", "批发和零售业投资", 0.02), ("FAI_HOSPITALITY", "住宿和餐饮业投资", 0.012),
             ("FAI_PRIVATE", "民间投资", 0.6), ("FAI_INDUSTRIAL", "产业投资", 0.6),
             ("FAI_SOCIAL_EX_RE", "社会资本投资（不含房地产开发）", 0.72), ("FAI_INDUSTRY_TECH", "工业和技改投资", 0.26)]  # fmt: skip
FAI_CUM = [0, 0.08, 0.08, 0.17, 0.25, 0.34, 0.46, 0.54, 0.62, 0.72, 0.81, 0.9, 1.0]

H_PROJECTS = ["项目编号", "项目代码", "项目名称", "区划代码", "所在镇街", "行业代码", "建设性质", "投资类型",
              "控股情况", "重点项目级别", "四个一批阶段", "牵头单位", "项目业主", "总投资", "计划开工时间",
              "计划竣工时间", "实际开工时间", "实际竣工时间", "是否入库", "是否产业项目"]  # fmt: skip
H_PLANS = [
    "项目编号",
    "项目名称",
    "计划年度",
    "计划版本",
    "项目类别",
    "年度计划投资",
    "计划开工月份",
    "是否年内竣工",
]
H_PROGRESS = ["项目编号", "项目名称", "年度", "月份", "本月完成投资", "本年完成投资", "开工累计完成投资",
              "本年到位资金", "形象进度比例", "建设状态"]  # fmt: skip
H_PROCS = ["项目编号", "项目名称", "手续类型", "办理状态", "申报时间", "办结时间", "批复文号"]
H_CONTRACTS = ["签约编号", "签约项目名称", "区划代码", "投资方", "投资方来源", "签约时间", "签约金额",
               "获批建设用地时间", "项目进展", "到位资金"]  # fmt: skip
H_FUNDS = ["项目编号", "项目名称", "资金类型", "资金年度", "批次", "申请金额", "下达金额", "下达时间", "到位金额",
           "已支付金额", "支付截至日期"]  # fmt: skip
H_FAI = ["区划代码", "指标代码", "指标名称", "年度", "月份", "本年累计", "同比增长", "占比"]
PROCS = ["赋码", "立项", "用地预审", "环评", "施工许可"]


def _real_counties(scale: str) -> list[tuple[str, str]]:
    """County-level regions of the national list (seeds/dim_region.csv): Shaanxi's for the province scale,
    the whole country's for the nation scale — so every code a synthetic unit sends is a real one."""
    from xmdw.core.paths import SEEDS_DIR

    with (SEEDS_DIR / "dim_region.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["level"] in ("county", "district")]
    if scale == "province":
        rows = [r for r in rows if r["region_code"].startswith("61")]
    return [(r["region_code"], r["name_zh"]) for r in sorted(rows, key=lambda r: r["region_code"])]


def _regions(scale: str, seed: int, n: int) -> list[tuple[str, str]]:
    real = _real_counties(scale)[:n]
    if len(real) == n:
        return real
    # More regions asked for than the list has: invented ones beyond it (codes 99xxxx, never real).
    r = random.Random(f"{seed}:{scale}:regions")
    names = {name for _, name in real}
    out = list(real)
    k = 0
    while len(out) < n:
        name = r.choice(SYLLABLES) + r.choice(SYLLABLES) + ("区" if r.random() < 0.15 else "县")
        if name not in names and name[0] != name[1]:
            names.add(name)
            out.append((f"99{k // 100:02d}{k % 100:02d}", name))
            k += 1
    return out


def _d(y: int, k: int, day: int) -> str:
    """Date of window month k (0 = January of y) as ISO text."""
    yy, mm = y + k // 12, k % 12 + 1
    return f"{yy:04d}-{mm:02d}-{min(day, 28):02d}"


def _f(x: float) -> str:
    s = f"{x:.1f}"
    return s[:-2] if s.endswith(".0") else s


class RegionGen:
    def __init__(self, code: str, name: str, scale: str, seed: int, year: int, n_projects: int):
        self.code, self.name, self.scale, self.y0 = code, name, scale, year - 1
        self.year = year
        self.r = random.Random(f"{seed}:{scale}:{code}")
        self.n = max(5, int(n_projects * self.r.uniform(0.7, 1.3)))
        self.prefix = "区" if name.endswith("区") else "县"
        self.towns = [f"{self.r.choice(SYLLABLES)}{self.r.choice(SYLLABLES)}镇" for _ in range(12)]

    def projects(self):
        """Yield project dicts with a 24-month spend array (window months 0..23)."""
        r, y0 = self.r, self.y0
        for i in range(self.n):
            x = r.random()
            acc = 0.0
            stage = "开工在建"
            for st, p in STAGE_P:
                acc += p
                if x < acc:
                    stage = st
                    break
            pattern, ui, ind, it, hold = KINDS[i % len(KINDS)] if r.random() < 0.5 else r.choice(KINDS)
            town = r.choice(self.towns)
            total = round(min(500000.0, max(300.0, r.lognormvariate(8.9, 1.1))), -1)
            spend = None
            s = d = None
            prior = 0.0
            if stage in ("开工在建", "竣工投产"):
                d = r.randint(8, 40)
                if stage == "开工在建":
                    s = r.randint(24 - d + 1, 22) if r.random() < 0.6 else r.randint(-18, 22)
                    if s + d <= 24:
                        d = 24 - s + r.randint(1, 12)
                else:
                    e = r.randint(0, 23)
                    s = e - d + 1
                monthly = total / d
                jitter = r.uniform(0.8, 1.2)
                spend = [
                    monthly * jitter * SEASON[k % 12] if s <= k < s + d else 0.0 for k in range(24)
                ]  # fmt: skip
                prior = monthly * max(0, min(d, -s))
            entry = y0 + (s // 12 if s is not None else r.randint(0, 1))
            yield {
                "pid": f"{self.code}-{entry}-{i + 1:04d}",
                "name": f"{self.name}{pattern.format(t=town)}",
                "town": town,
                "unit": self.prefix + UNITS[ui],
                "industry": ind,
                "inv_type": it,
                "holding": hold,
                "total": total,
                "stage": stage,
                "s": s,
                "d": d,
                "spend": spend,
                "prior": prior,
                "key": ("县级" if r.random() < 0.7 else "市级") if stage != "谋划" and total >= 5000 else "",
                "code": None if stage == "谋划" and r.random() < 0.7 else
                f"{y0 % 100:02d}{r.randint(1, 12):02d}-{self.code}-{ind[:2]}-0{r.randint(1, 3)}-{r.randint(100000, 999999)}",
            }  # fmt: skip


def generate_synthetic(
    out_dir: Path,
    scale: str,
    seed: int,
    rate: float,
    year: int,
    summary: DemoSummary,
    regions: int | None = None,
    projects_per_region: int | None = None,
) -> None:
    n_regions, per_region = SIZES[scale]
    n_regions = regions or n_regions
    per_region = projects_per_region or per_region
    by_month = scale == "province"
    for idx, (code, name) in enumerate(_regions(scale, seed, n_regions)):
        summary.regions.append(code)
        summary.region_names[code] = name
        gen = RegionGen(code, name, scale, seed, year, per_region)
        folder = out_dir / code
        folder.mkdir(parents=True, exist_ok=True)
        inject = rate > 0 and idx == 0
        writers = _Writers(folder, code, summary)
        projects = list(gen.projects())
        _write_projects(writers, gen, projects, inject)
        _write_plans(writers, gen, projects)
        _write_procedures(writers, gen, projects)
        _write_contracts(writers, gen)
        _write_funds(writers, gen, projects)
        _write_progress(writers, gen, projects, by_month, inject)
        _write_fai(writers, gen)
        writers.close(idx)
        del projects


class _Writers:
    """Open CSV files of one region; each gets an mtime in submission order when closed."""

    def __init__(self, folder: Path, code: str, summary: DemoSummary):
        self.folder, self.code, self.summary = folder, code, summary
        self.files: dict[str, tuple] = {}  # name -> (fh, writer, entity, rows, submitted)

    def open(self, name: str, entity: str, header: list[str], submitted: datetime, lines: tuple = ()):
        path = self.folder / f"{self.code}_{name}.csv"
        fh = path.open("w", encoding="utf-8", newline="", buffering=1 << 20)
        w = csv.writer(fh, lineterminator="\n")
        for line in lines:
            w.writerow(line)
        w.writerow(header)
        self.files[name] = [fh, w, entity, 0, submitted, path]
        return w

    def count(self, name: str, n: int = 1) -> None:
        self.files[name][3] += n

    def close(self, idx: int) -> None:
        for fh, _, entity, rows, submitted, path in sorted(self.files.values(), key=lambda f: f[4]):
            fh.close()
            self.summary.add_file(entity, rows, path.stat().st_size)
            ts = calendar.timegm(submitted.timetuple()) + idx
            os.utime(path, (ts, ts))


def _write_projects(ws: _Writers, g: RegionGen, projects: list[dict], inject: bool) -> None:
    lines = (
        (
            (f"{g.name}重点项目基本信息台账",),
            ("", "", "", "", "", "", "", "", "", "", "", "", "", "单位：万元"),
        )
        if inject
        else ()
    )
    w = ws.open("项目基本信息台账", "projects", H_PROJECTS, datetime(g.year + 1, 1, 8), lines)
    for p in projects:
        s, d = p["s"], p["d"]
        ps = _d(g.y0, s, 10) if s is not None else _d(g.y0, 24 + g.r.randint(0, 18), 15)
        pc = _d(g.y0, (s + d - 1) if s is not None else 36 + g.r.randint(0, 24), 20)
        started = s is not None and s <= 23
        done = p["stage"] == "竣工投产"
        w.writerow([
            p["pid"], p["code"] or "", p["name"], g.code, p["town"], p["industry"], "新建", p["inv_type"],
            p["holding"], p["key"], p["stage"], p["unit"], f"{g.name}{p['unit'][1:]}" if p["inv_type"] == "政府投资"
            else f"{g.name}{p['town'][:2]}实业有限公司", _f(p["total"]), ps, pc, ps if started else "",
            pc if done else "", "是" if started and p["total"] >= 500 else "否",
            "是" if p["inv_type"] == "企业投资" else "否",
        ])  # fmt: skip
        ws.count("项目基本信息台账")


def _year_spend(p: dict, block: int) -> float:
    return sum(p["spend"][block * 12 : block * 12 + 12]) if p["spend"] else 0.0


def _write_plans(ws: _Writers, g: RegionGen, projects: list[dict]) -> None:
    w = ws.open("年度投资计划", "annual_plans", H_PLANS, datetime(g.year, 2, 20))
    r = g.r
    for block in (0, 1):
        y = g.y0 + block
        for p in projects:
            spent = _year_spend(p, block)
            if spent <= 0:
                continue
            s, d = p["s"], p["d"]
            cat = "新开工" if s >= block * 12 else ("竣工" if s + d <= block * 12 + 12 else "续建")
            w.writerow([
                p["pid"], p["name"], y, "年初", cat, _f(round(spent * r.uniform(0.85, 1.2), -1)),
                (s % 12 + 1) if cat == "新开工" else "", "是" if cat == "竣工" else "否",
            ])  # fmt: skip
            ws.count("年度投资计划")


def _write_procedures(ws: _Writers, g: RegionGen, projects: list[dict]) -> None:
    w = ws.open("前期手续办理台账", "procedures", H_PROCS, datetime(g.year + 1, 1, 8))
    r = g.r
    for p in projects:
        s = p["s"]
        new = s is not None and s >= 12
        if not (new or p["stage"] == "储备"):
            continue
        for i, kind in enumerate(PROCS):
            if new:
                k = max(0, s - (len(PROCS) - i))
                w.writerow(
                    [
                        p["pid"],
                        p["name"],
                        kind,
                        "已办结",
                        _d(g.y0, k, 3),
                        _d(g.y0, k, 20),
                        f"批〔{g.year}〕{i + 1}号",
                    ]
                )
            elif r.random() < 0.5 - 0.1 * i:
                w.writerow(
                    [
                        p["pid"],
                        p["name"],
                        kind,
                        "已办结",
                        _d(g.y0, 18, 3),
                        _d(g.y0, 19, 20),
                        f"批〔{g.year}〕{i + 1}号",
                    ]
                )
            else:
                w.writerow([p["pid"], p["name"], kind, r.choice(["办理中", "未启动"]), "", "", ""])
            ws.count("前期手续办理台账")


def _write_contracts(ws: _Writers, g: RegionGen) -> None:
    w = ws.open("招商引资签约项目台账", "investment_contracts", H_CONTRACTS, datetime(g.year + 1, 1, 6))
    r = g.r
    for block in (0, 1):
        for i in range(r.randint(3, 12)):
            k = block * 12 + r.randint(0, 10)
            landed = r.random() < 0.75
            amount = round(r.lognormvariate(8.5, 0.8), -2)
            w.writerow([
                f"{g.code}QY{g.y0 + block}-{i + 1:03d}", f"{g.name}{r.choice(KINDS)[0].format(t='')}", g.code,
                f"{r.choice(['深圳', '西安', '成都', '杭州', '重庆'])}{r.choice(SYLLABLES)}{r.choice(SYLLABLES)}实业有限公司",
                r.choice(["省外", "省外", "县外省内"]), _d(g.y0, k, 12), _f(amount),
                _d(g.y0, min(23, k + r.randint(1, 6)), 18) if landed else "", "落地" if landed else "签约",
                _f(round(amount * r.uniform(0.1, 0.5), -1)) if landed else "",
            ])  # fmt: skip
            ws.count("招商引资签约项目台账")


def _write_funds(ws: _Writers, g: RegionGen, projects: list[dict]) -> None:
    w = ws.open("争取资金台账", "funds", H_FUNDS, datetime(g.year + 1, 1, 10))
    r = g.r
    for p in projects:
        if p["code"] is None or r.random() > 0.25:
            continue
        block = r.choice((0, 1))
        issued = round(p["total"] * r.uniform(0.05, 0.3), -1)
        k = block * 12 + r.randint(2, 10)
        w.writerow([
            p["pid"], p["name"], r.choice(["中央预算内投资", "地方政府专项债券", "超长期特别国债", "省级专项资金"]),
            g.y0 + block, "", _f(issued * 1.2), _f(issued), _d(g.y0, k, 15), _f(issued),
            _f(round(issued * r.uniform(0.5, 1.0), -1)), f"{g.y0 + block}-12-31",
        ])  # fmt: skip
        ws.count("争取资金台账")


def _write_progress(ws: _Writers, g: RegionGen, projects: list[dict], by_month: bool, inject: bool) -> None:
    started = [p for p in projects if p["spend"] is not None]
    for p in started:  # cumulative spend over the window
        acc, cum = 0.0, []
        for x in p["spend"]:
            acc += x
            cum.append(acc)
        p["cum"] = cum
    single = None if by_month else "月度投资进度"
    if single:
        ws.open(single, "monthly_progress", H_PROGRESS, datetime(g.year + 1, 1, 5))
    bad_left = 2 if inject else 0
    for block in (0, 1):
        y = g.y0 + block
        base = block * 12
        for m in range(2, 13):
            key = single or f"{y}年{m:02d}月_月度投资进度"
            if not single:
                ws.open(key, "monthly_progress", H_PROGRESS, datetime(y + (m == 12), m % 12 + 1, 5))
            w = ws.files[key][1]
            kend = base + m - 1
            n = 0
            for p in started:
                s, d = p["s"], p["d"]
                if s > kend or s + d <= base:
                    continue
                cum = p["cum"]
                before = cum[base - 1] if base else 0.0
                ytd = cum[kend] - before
                month = ytd if m == 2 else cum[kend] - cum[kend - 1]
                since = p["prior"] + cum[kend]
                row = [
                    p["pid"], p["name"] if by_month else "", y, m, _f(month), _f(ytd), _f(since),
                    _f(ytd * 0.95), f"{min(1.0, since / p['total']):.2f}", "2" if s + d - 1 <= kend else "1",
                ]  # fmt: skip
                if bad_left and block == 1 and m == 6 and n in (1, 3):
                    bad_left -= 1
                    row[5] = "约" + row[5]
                    path = ws.files[key][5]
                    ws.summary.inject(kind="not_a_number", file=f"{g.code}/{path.name}", expect=REJECTED_ROW,
                                      sheet=path.name, row=ws.files[key][3] + 2, column="本年完成投资",
                                      entity="monthly_progress", project_id=p["pid"], rule="ING-NUM")  # fmt: skip
                w.writerow(row)
                ws.count(key)
                n += 1


def _write_fai(ws: _Writers, g: RegionGen) -> None:
    w = ws.open("固定资产投资主要指标", "fai_aggregates", H_FAI, datetime(g.year + 1, 1, 15))
    r = g.r
    level = r.lognormvariate(13.2, 0.5)
    for block in (0, 1):
        y = g.y0 + block
        lv = level * (1.0 if block == 0 else r.uniform(1.0, 1.15))
        growths = {c: r.gauss(0.07, 0.04) for c, _, _ in FAI_CODES}
        for m in range(2, 13):
            for c, name, share in FAI_CODES:
                value = lv * share * FAI_CUM[m]
                w.writerow(
                    [
                        g.code,
                        c,
                        name,
                        y,
                        m,
                        _f(value),
                        f"{growths[c]:.4f}",
                        "" if share == 1 else f"{share:.4f}",
                    ]
                )
                ws.count("固定资产投资主要指标")

"""Writing the synthetic scales' ledgers: clean UTF-8 CSV, one file per region per ledger (monthly progress:
per region per month at province scale, all months in one file at nation scale), rows streamed straight to
csv.writer. Every file gets an mtime in submission order."""

from __future__ import annotations

import calendar
import csv
import os
from datetime import datetime
from pathlib import Path

from xmdw_demo.summary import REJECTED_ROW, DemoSummary
from xmdw_demo.synthetic_world import KINDS, SYLLABLES, RegionGen, num_text, window_date
from xmdw_demo.table_files import read_rows

# code, name, share of FAI_TOTAL
FAI_CODES = read_rows("synthetic_fai_indicators.csv", numeric=("share",))
FAI_CUM = [0, 0.08, 0.08, 0.17, 0.25, 0.34, 0.46, 0.54, 0.62, 0.72, 0.81, 0.9, 1.0]  # by month 1..12

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


class Writers:
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


def write_projects(ws: Writers, g: RegionGen, projects: list[dict], inject: bool) -> None:
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
        ps = window_date(g.y0, s, 10) if s is not None else window_date(g.y0, 24 + g.r.randint(0, 18), 15)
        pc = window_date(g.y0, (s + d - 1) if s is not None else 36 + g.r.randint(0, 24), 20)
        started = s is not None and s <= 23
        done = p["stage"] == "竣工投产"
        w.writerow([
            p["pid"], p["code"] or "", p["name"], g.code, p["town"], p["industry"], "新建", p["inv_type"],
            p["holding"], p["key"], p["stage"], p["unit"], f"{g.name}{p['unit'][1:]}" if p["inv_type"] == "政府投资"
            else f"{g.name}{p['town'][:2]}实业有限公司", num_text(p["total"]), ps, pc, ps if started else "",
            pc if done else "", "是" if started and p["total"] >= 500 else "否",
            "是" if p["inv_type"] == "企业投资" else "否",
        ])  # fmt: skip
        ws.count("项目基本信息台账")


def _year_spend(p: dict, block: int) -> float:
    return sum(p["spend"][block * 12 : block * 12 + 12]) if p["spend"] else 0.0


def write_plans(ws: Writers, g: RegionGen, projects: list[dict]) -> None:
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
                p["pid"], p["name"], y, "年初", cat, num_text(round(spent * r.uniform(0.85, 1.2), -1)),
                (s % 12 + 1) if cat == "新开工" else "", "是" if cat == "竣工" else "否",
            ])  # fmt: skip
            ws.count("年度投资计划")


def write_procedures(ws: Writers, g: RegionGen, projects: list[dict]) -> None:
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
                        window_date(g.y0, k, 3),
                        window_date(g.y0, k, 20),
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
                        window_date(g.y0, 18, 3),
                        window_date(g.y0, 19, 20),
                        f"批〔{g.year}〕{i + 1}号",
                    ]
                )
            else:
                w.writerow([p["pid"], p["name"], kind, r.choice(["办理中", "未启动"]), "", "", ""])
            ws.count("前期手续办理台账")


def write_contracts(ws: Writers, g: RegionGen) -> None:
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
                r.choice(["省外", "省外", "县外省内"]), window_date(g.y0, k, 12), num_text(amount),
                window_date(g.y0, min(23, k + r.randint(1, 6)), 18) if landed else "", "落地" if landed else "签约",
                num_text(round(amount * r.uniform(0.1, 0.5), -1)) if landed else "",
            ])  # fmt: skip
            ws.count("招商引资签约项目台账")


def write_funds(ws: Writers, g: RegionGen, projects: list[dict]) -> None:
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
            g.y0 + block, "", num_text(issued * 1.2), num_text(issued), window_date(g.y0, k, 15), num_text(issued),
            num_text(round(issued * r.uniform(0.5, 1.0), -1)), f"{g.y0 + block}-12-31",
        ])  # fmt: skip
        ws.count("争取资金台账")


def write_progress(ws: Writers, g: RegionGen, projects: list[dict], by_month: bool, inject: bool) -> None:
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
                    p["pid"], p["name"] if by_month else "", y, m, num_text(month), num_text(ytd), num_text(since),
                    num_text(ytd * 0.95), f"{min(1.0, since / p['total']):.2f}", "2" if s + d - 1 <= kend else "1",
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


def write_fai(ws: Writers, g: RegionGen) -> None:
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
                        num_text(value),
                        f"{growths[c]:.4f}",
                        "" if share == 1 else f"{share:.4f}",
                    ]
                )
                ws.count("固定资产投资主要指标")

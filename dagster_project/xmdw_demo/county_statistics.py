"""Statistics ledgers of a county region: each lead unit's quarterly 目标任务完成情况 report on the plan's
indicators (targets from seeds/plan_targets.csv), and the statistics bureau's monthly 固定资产投资主要指标
(FAI aggregates; the FAI series are data: `tables/county_fai_indicators.csv`)."""

from __future__ import annotations

import csv
import random
from dataclasses import replace
from datetime import datetime

from xmdw.core.paths import SEEDS_DIR
from xmdw_demo import catalog as C
from xmdw_demo.county_writer import CountyWriter
from xmdw_demo.table_files import read_rows
from xmdw_demo.world_model import MONTHS, RegionWorld
from xmdw_demo.writer import fmt_num

# code, name, share of FAI_TOTAL, target growth
FAI = read_rows("county_fai_indicators.csv", numeric=("share", "target_growth"))
# Cumulative share of the year's investment reported by the end of each month.
FAI_CUM = {2: 0.08, 3: 0.17, 4: 0.25, 5: 0.34, 6: 0.46, 7: 0.54, 8: 0.62, 9: 0.72, 10: 0.81, 11: 0.9, 12: 1.0}
# Units of indicators counted in whole things (reported as integers).
COUNT_UNITS = {"个", "家", "座", "口", "条", "处", "项", "人", "户", "头", "G"}
QUARTER_ENDS = (3, 6, 9, 12)


def bazhou_unit(indicator: str) -> str:
    """Lead unit for a Bazhou target (the excerpt has no task table): by topic."""
    for words, unit in (
        (("危房", "厕所", "污水", "传统村落"), "区住建局"),
        (("5G", "厂房", "企业", "基金", "专项资金"), "区经信局"),
        (("商贸", "服务业"), "区商务局"),
        (("电网", "线路"), "区发改局"),
        (("农", "粮", "玉米", "生猪", "肉牛", "村", "园区"), "区农业农村局"),
    ):
        if any(w in indicator for w in words):
            return unit
    return "区发改局"


def _indicator_targets(cw: CountyWriter, w: RegionWorld) -> dict[str, dict]:
    """The region's indicator_report targets of the plan year, by indicator code (empty: none, noted)."""
    path = SEEDS_DIR / "plan_targets.csv"
    if not path.exists():
        note = "indicator_reports skipped: seeds/plan_targets.csv not found"
        if note not in cw.s.notes:
            cw.s.notes.append(note)
        return {}
    y = cw.year
    targets: dict[str, dict] = {}
    with path.open(encoding="utf-8") as fh:
        for t in csv.DictReader(fh):
            mk = t.get("metric_key") or ""
            if t.get("region_code") != w.code or not mk.startswith("indicator_report:"):
                continue
            if str(t.get("plan_year") or y) != str(y):
                continue
            code = mk.split(":", 1)[1]
            targets.setdefault(code, t)
    if not targets:
        cw.s.notes.append(f"indicator_reports: no indicator_report targets for {w.code}")
    return targets


def write_indicators(cw: CountyWriter, w: RegionWorld) -> None:
    """Each lead unit reports its indicators at the end of every quarter."""
    targets = _indicator_targets(cw, w)
    by_unit: dict[str, list[tuple[str, dict]]] = {}
    for code, t in targets.items():
        unit = (t.get("lead_unit") or "").strip() or bazhou_unit(t.get("indicator_zh", ""))
        by_unit.setdefault(unit, []).append((code, t))
    for u_idx, (unit, items) in enumerate(sorted(by_unit.items())):
        _write_unit_indicators(cw, w, u_idx, unit, items)


def _write_unit_indicators(cw: CountyWriter, w: RegionWorld, u_idx: int, unit: str,
                           items: list[tuple[str, dict]]) -> None:  # fmt: skip
    y = cw.year
    f = cw.fmt(w.code, unit, "indicator_reports")
    r = cw.rng("indicators", w.code, unit)
    paths = {}
    for code, _t in items:  # cumulative share of the target at Q1..Q4; a few end below it
        q = [r.uniform(0.12, 0.3), r.uniform(0.38, 0.58), r.uniform(0.62, 0.82)]
        final = r.uniform(1.0, 1.25) if r.random() < 0.82 else r.uniform(q[2] + 0.03, 0.95)
        paths[code] = [*q, final]
    for qi, m in enumerate(QUARTER_ENDS):
        fields = ["indicator_code", "indicator_name", "unit", "x:target", "value", "note"]
        if f.extras or not f.title:
            fields = ["region_code"] + fields
        if not f.period_in_title_only:
            fields += ["year", "month"]
        cols = cw.cols("indicator_reports", fields, f)
        rows = [_indicator_row(w, y, m, code, t, paths[code][qi], qi) for code, t in items]
        title = f"{w.name}{y}年1-{m}月目标任务完成情况报送表（{unit}）"
        st = cw.style(f, title, unit, ("ind", w.code, unit, m), w.code)
        when = datetime(y + (m == 12), m % 12 + 1, 8, 9 + u_idx % 8)
        name = f"{unit}_{y}年{m:02d}月_指标完成情况报送表"
        cw.write("indicator_reports", w.code, name, cols, rows, st, when)


def _indicator_row(w: RegionWorld, y: int, m: int, code: str, t: dict, share: float, qi: int) -> dict:
    """One indicator at quarter `qi`: `share` of the target done (ratios as "85.0%", counts as integers)."""
    target = float(t["target_value"])
    unit_t = t.get("unit") or ""
    v = target * share
    if unit_t == "ratio":
        value: object = f"{fmt_num(v * 100, 1)}%"
        unit_t = "%"
    elif unit_t in COUNT_UNITS or target >= 50:
        value = float(max(0, round(v)))
    else:
        value = round(v, 2)
    return {
        "region_code": w.code, "indicator_code": code, "indicator_name": t.get("indicator_zh"),
        "unit": unit_t, "x:target": t["target_value"], "value": value, "year": y, "month": m,
        "note": None if share >= 0.25 * (qi + 1) else "受季节因素影响，进度偏慢",
    }  # fmt: skip


def write_fai(cw: CountyWriter, w: RegionWorld) -> None:
    """The statistics bureau's monthly FAI aggregates (镇巴县's June file is a UTF-8-with-BOM CSV)."""
    y = cw.year
    zb = w.code == C.ZB
    unit = w.unit("统计局")
    r = cw.rng("fai", w.code)
    level, series = _fai_series(r, zb)
    for m in MONTHS:
        force: dict = {}
        if cw.bad and zb and m == 6:
            force = dict(csv="utf-8-sig")
        f = cw.fmt(w.code, unit, "fai_aggregates")
        f = replace(f, **force) if force else f
        fields = [
            "region_code",
            "indicator_code",
            "indicator_name",
            "value",
            "yoy_growth",
            "share",
            "year",
            "month",
        ]
        cols = cw.cols("fai_aggregates", fields, f)
        rows = _fai_rows(r, w.code, y, m, level, series)
        title = f"{w.name}{y}年1-{m}月固定资产投资主要指标"
        st = cw.style(f, title, unit, ("fai", w.code, m), w.code)
        when = datetime(y + (m == 12), m % 12 + 1, 15, 16)
        name = f"{unit}_{y}年{m:02d}月_固定资产投资主要指标"
        cw.write("fai_aggregates", w.code, name, cols, rows, st, when, f.csv)


def _fai_series(r: random.Random, zb: bool) -> tuple[float, list[tuple]]:
    """The year's FAI level (万元) and, per series, (code, name, share, growth, drift): most series meet their
    growth target, a quarter miss it; growth drifts towards the year-end figure."""
    level = 860000.0 * r.uniform(0.97, 1.03) if zb else 2350000.0 * r.uniform(0.97, 1.03)
    series = []
    for code, name, share, target in FAI:
        g = target + r.gauss(0, 0.012) if r.random() < 0.75 else target - r.uniform(0.02, 0.05)
        drift = r.uniform(-0.04, 0.07)
        series.append((code, name, share * r.uniform(0.97, 1.03), g, drift))
    if not zb:
        series.append(("IND_OUTPUT_ABOVE_SCALE", "规上工业总产值", 620000.0 / level, 0.09, 0.02))
    return level, series


def _fai_rows(
    r: random.Random, code_region: str, y: int, m: int, level: float, series: list[tuple]
) -> list[dict]:
    rows = []
    for code, name, share, g, drift in series:
        cum = FAI_CUM[m] * r.uniform(0.98, 1.02)
        value = round(level * share * cum, 1)
        growth = round(g + drift * (12 - m) / 10, 4)
        withheld = code in ("FAI_HOSPITALITY", "FAI_CULTURE_ENT") and m in (
            2,
            4,
            5,
        )  # not published that month: typed "—"
        rows.append({
            "region_code": code_region, "indicator_code": code, "indicator_name": name,
            "value": None if withheld else value, "yoy_growth": growth,
            "share": None if code in ("FAI_TOTAL", "IND_OUTPUT_ABOVE_SCALE") else round(share, 4),
            "year": y, "month": m,
        })  # fmt: skip
        if withheld:
            rows[-1]["__raw__"] = {"value": "—"}
    return rows

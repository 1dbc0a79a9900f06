"""The simulated regions and projects of the province and nation scales.

Regions are the real county-level codes of the national list (Shaanxi's for the province scale), then
invented ones (99xxxx) if more are asked for. Per project the simulation is a start month, a duration and
an even spend with a seasonal profile over a 24-month window (January of plan_year-1 … December of
plan_year); year-to-date and since-start figures are cumulative sums of it, so they are consistent by
construction. Name parts are data (`tables/synthetic_names.yml`, `tables/synthetic_project_kinds.csv`).
"""

from __future__ import annotations

import csv
import random

from xmdw_demo.table_files import read_rows, read_yaml

_NAMES = read_yaml("synthetic_names.yml")
SYLLABLES: str = _NAMES["syllables"]
UNITS: list[str] = _NAMES["units"]
# name pattern, unit index (into UNITS), industry, investment type, holding
KINDS = read_rows("synthetic_project_kinds.csv", numeric=("unit_index",))
SIZES = {"province": (100, 150), "nation": (2790, 358)}  # regions, projects per region
SEASON = [0.45, 0.6, 0.95, 1.05, 1.1, 1.15, 0.9, 0.9, 1.1, 1.15, 1.15, 1.2]  # spend factor by calendar month
STAGE_P = [("谋划", 0.16), ("储备", 0.14), ("开工在建", 0.52), ("竣工投产", 0.18)]


def _real_counties(scale: str) -> list[tuple[str, str]]:
    """County-level regions of the national list (seeds/dim_region.csv): Shaanxi's for the province scale,
    the whole country's for the nation scale — so every code a synthetic unit sends is a real one."""
    from xmdw.core.paths import SEEDS_DIR

    with (SEEDS_DIR / "dim_region.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["level"] in ("county", "district")]
    if scale == "province":
        rows = [r for r in rows if r["region_code"].startswith("61")]
    return [(r["region_code"], r["name_zh"]) for r in sorted(rows, key=lambda r: r["region_code"])]


def regions_of(scale: str, seed: int, n: int) -> list[tuple[str, str]]:
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


def window_date(y: int, k: int, day: int) -> str:
    """Date of window month k (0 = January of y) as ISO text."""
    yy, mm = y + k // 12, k % 12 + 1
    return f"{yy:04d}-{mm:02d}-{min(day, 28):02d}"


def num_text(x: float) -> str:
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

"""Province and nation scales: synthetic counties, clean UTF-8 CSV ledgers, two plan years.

Written streaming: one region's projects are in memory at a time, rows go straight to csv.writer.
Layout: out_dir/<region_code>/<region_code>_<ledger>.csv; monthly progress one file per region per
month (province) or one file per region holding all months (nation, with 年度/月份 columns).

The regions and projects are simulated in `synthetic_world`, the files written by `synthetic_ledgers`.
"""

from __future__ import annotations

from pathlib import Path

from xmdw_demo.summary import DemoSummary
from xmdw_demo.synthetic_ledgers import (
    Writers,
    write_contracts,
    write_fai,
    write_funds,
    write_plans,
    write_procedures,
    write_progress,
    write_projects,
)
from xmdw_demo.synthetic_world import SIZES, RegionGen, regions_of


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
    for idx, (code, name) in enumerate(regions_of(scale, seed, n_regions)):
        summary.regions.append(code)
        summary.region_names[code] = name
        gen = RegionGen(code, name, scale, seed, year, per_region)
        folder = out_dir / code
        folder.mkdir(parents=True, exist_ok=True)
        inject = rate > 0 and idx == 0
        writers = Writers(folder, code, summary)
        projects = list(gen.projects())
        write_projects(writers, gen, projects, inject)
        write_plans(writers, gen, projects)
        write_procedures(writers, gen, projects)
        write_contracts(writers, gen)
        write_funds(writers, gen, projects)
        write_progress(writers, gen, projects, by_month, inject)
        write_fai(writers, gen)
        writers.close(idx)
        del projects

"""County scale: the ledgers 镇巴县 and 巴州区 units would really mail in for one plan year.

The world (`world.py`) is simulated first; then each ledger writer turns it into the files units submit.
Each unit keeps its own ledger format all year (`unit_formats.py`); `imperfection_rate` is the chance of
each real-world quirk in a format. A fixed list of deliberately bad things is injected when the rate is
above zero and recorded in the summary.

Writers: `county_projects` (register, annual plans, approvals), `county_progress` (monthly progress and
统计数), `county_contracts`, `county_funds`, `county_statistics` (indicator reports, FAI aggregates),
`county_non_ledgers`; shared machinery in `county_writer`.
"""

from __future__ import annotations

from pathlib import Path

from xmdw_demo import catalog as C
from xmdw_demo.county_contracts import write_contracts
from xmdw_demo.county_funds import write_funds
from xmdw_demo.county_non_ledgers import write_non_ledgers
from xmdw_demo.county_progress import write_progress
from xmdw_demo.county_projects import write_annual_plans, write_procedures, write_projects
from xmdw_demo.county_statistics import write_fai, write_indicators
from xmdw_demo.county_writer import CountyWriter
from xmdw_demo.summary import DemoSummary
from xmdw_demo.world import build_bazhou, build_zhenba

# The order files are written in: it fixes the order of the summary's lists and breaks ties between files
# submitted at the same time (file times come from each file's submission date).
LEDGER_WRITERS = (
    write_projects,
    write_annual_plans,
    write_progress,
    write_procedures,
    write_contracts,
    write_funds,
    write_indicators,
    write_fai,
)


def generate_county(out_dir: Path, seed: int, rate: float, year: int, summary: DemoSummary) -> None:
    cw = CountyWriter(out_dir, seed, rate, year, summary)
    clean = not cw.bad
    worlds = [
        build_zhenba(year, cw.rng("world", C.ZB), clean),
        build_bazhou(year, cw.rng("world", C.BZ), clean),
    ]
    for w in worlds:
        summary.regions.append(w.code)
        summary.region_names[w.code] = w.name
        for write in LEDGER_WRITERS:
            write(cw, w)
    if cw.bad:
        write_non_ledgers(cw)
    cw.finish()

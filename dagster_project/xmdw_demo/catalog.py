"""Names and magnitudes for the two regions of the seed documents (镇巴县 610728, 巴州区 511902).

The tables themselves are data files in `xmdw_demo/tables/`; this module reads them once and gives them the
shapes the world builder uses. Project names mix those the plan documents mention (S27洋镇高速,
城乡供水一体化, 楮溪源4A级景区, 莲山湖大道, 津桥湖片区安置还房 …) with generated ones. Leaders use generic
names (王XX副县长). Amounts are 万元.

- ``zhenba_key_projects.csv``: 镇巴县's 45 county key projects, 30 市级 (17 新开工) + 15 县级 (13 新开工).
  Annual weights are scaled to 433,400 (市级) and 125,200 (县级) 万元; 12 have a total of 5亿 or more.
- ``zhenba_other_started_projects.csv``: started projects that are not county key projects: five 2023
  增发国债 water projects (with three key water projects above, 8 in all), eight completing this year, one
  tiny 入库 project.
- ``bazhou_named_projects.csv``: 巴州区's projects named in the work report (level 市级 is added by the builder).
- ``named_unstarted_projects.csv``: 谋划 / 储备 projects named in the plans.
- ``project_name_templates.csv``: generated names: {t} = a town, {t2} = another town, {c} = the county name;
  the unit is a suffix (县/区 + suffix, or a region-specific unit); typical total in 万元.
- ``county_vocabulary.yml``: towns, leaders, owners, companies, procedures, funds, investors, notes.
"""

from __future__ import annotations

from dataclasses import dataclass

from xmdw_demo.table_files import read_rows, read_yaml


@dataclass(frozen=True)
class KeySpec:
    name: str
    unit: str
    town: str
    industry: str
    nature: str  # 建设性质 label
    inv_type: str  # 政府投资 | 企业投资 | PPP
    holding: str  # 国有控股 | 私人控股 …
    total: float  # 总投资, 万元
    annual: float  # weight of the annual plan before scaling to the document's total
    category: str  # 新开工 | 续建 | 竣工
    level: str  # 市级 | 县级
    flags: str = ""  # cap = 新增产能, bond = 2023 增发国债 water project, lag = lags badly, stop = 停缓建


ZB = "610728"
BZ = "511902"

REGION_NAMES = {ZB: "镇巴县", BZ: "巴州区"}
REGION_PREFIX = {ZB: "县", BZ: "区"}  # 县发改局 / 区发改局

_AMOUNTS = ("total", "annual", "typical_total")


def _unstarted(region: str, stage: str) -> list[tuple]:
    """(name, unit, town, industry, inv_type, holding, total) of the named projects of one region and stage."""
    rows = read_rows("named_unstarted_projects.csv", numeric=_AMOUNTS)
    return [r[2:] for r in rows if r[0] == region and r[1] == stage]


def _by_region(table: dict[str, list[str]]) -> dict[str, list[str]]:
    return {ZB: table[ZB], BZ: table[BZ]}


_V = read_yaml("county_vocabulary.yml")

ZB_TOWNS: list[str] = _V["zhenba_towns"]
BZ_TOWNS: list[str] = _V["bazhou_towns"]
ZB_LEADERS: list[str] = _V["zhenba_leaders"]
BZ_LEADERS: list[str] = _V["bazhou_leaders"]
# Owner (项目业主) by lead unit: (government owner, state-owned company).
ZB_OWNERS = {unit: tuple(pair) for unit, pair in _V["zhenba_owners"].items()}
BZ_OWNERS = {unit: tuple(pair) for unit, pair in _V["bazhou_owners"].items()}
PRIVATE_WORDS: list[str] = _V["private_words"]
PRIVATE_SUFFIX: dict[str, str] = _V["private_suffix"]

ZB_KEY = [KeySpec(*r) for r in read_rows("zhenba_key_projects.csv", numeric=_AMOUNTS)]
ZB_OTHER_STARTED = [KeySpec(*r) for r in read_rows("zhenba_other_started_projects.csv", numeric=_AMOUNTS)]
ZB_BIG_CONCEIVED = _unstarted(ZB, "谋划")
ZB_RESERVE_NAMED = _unstarted(ZB, "储备")
TEMPLATES = read_rows("project_name_templates.csv", numeric=_AMOUNTS)
# name, unit, town, industry, nature, inv_type, holding, total, annual, category
BZ_NAMED = read_rows("bazhou_named_projects.csv", numeric=_AMOUNTS)
BZ_RESERVE_NAMED = _unstarted(BZ, "储备")

# Procedures each kind of project needs (procedure_type codes from seeds/code_lists.csv).
PROCS_GOVT: list[str] = _V["procedures_government"]
PROCS_ENTERPRISE: list[str] = _V["procedures_enterprise"]
PROCS_LINEAR: list[str] = _V["procedures_linear"]
PROC_LABELS: dict[str, str] = _V["procedure_labels"]
FUND_NAMES_NON_PROJECT: list[str] = _V["fund_names_non_project"]
INVESTOR_CITIES_OUT: list[str] = _V["investor_cities_out_of_province"]
INVESTOR_CITIES_IN = _by_region(_V["investor_cities_in_province"])
INVESTOR_WORDS: list[str] = _V["investor_words"]
INVESTOR_TRADES: list[str] = _V["investor_trades"]
SIGNING_EVENTS = _by_region(_V["signing_events"])
DEAL_PRODUCTS: list[str] = _V["deal_products"]
PROBLEMS: list[str] = _V["problems"]
NOTES_DONE: list[str] = _V["notes_done"]

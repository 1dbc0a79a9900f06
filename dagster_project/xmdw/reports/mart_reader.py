"""Everything the bulletins read, as plain selections from schemas `marts` and `ref` of a warehouse (or of
its published BI copy; on PostgreSQL the server's published schemas, xmdw.lineage.published). No figure is
computed here: queries select, filter and sort mart rows only, in SQL both engines accept.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from xmdw.core.paths import SEEDS_DIR
from xmdw.lineage import frames, published

RATE_SEED = SEEDS_DIR / "dim_rate.csv"


def headline_rates(seed: Path = RATE_SEED) -> list[tuple[str, str, str]]:
    """(rate_name, cohort, variant) of the one figure per rate the bulletins show, in their order: the rows of
    seeds/dim_rate.csv with a headline_order, the same seed mart_five_rates reads (docs/metrics/rates.md)."""
    with seed.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["headline_order"].strip()]
    rows.sort(key=lambda r: int(r["headline_order"]))
    return [(r["rate_name"], r["cohort"], r["variant"]) for r in rows]


# The headline variant of each of the 五率 (the target-bound definitions; 计划投资完成率 first: the summary table
# shows it as its own column). Read once: the seed is part of the code, not of the data.
HEADLINE_RATES: list[tuple[str, str, str]] = headline_rates()


@contextmanager
def open_marts(database: Path) -> Iterator[Any]:
    """A read-only connection to the published marts `database` stands for (the served copy, or on
    PostgreSQL the server's published schemas), always closed (the warehouse may be rebuilt meanwhile)."""
    with published.open_published(Path(database)) as con:
        yield con


def frame(con: Any, sql: str, params: list | None = None) -> pd.DataFrame:
    """The full result as a DataFrame (fetched completely: DuckDB 2.0 rejects unfinished results), with
    DuckDB's column types on both engines (xmdw.lineage.frames)."""
    return frames.frame(con, sql, params)


def report_months(con: Any) -> list[tuple[int, int]]:
    """(year, month) of every report month with project data: the months of the regions' rows in
    mart_investment_ranking (which stops at each region's latest reported month)."""
    rows = con.execute(
        "SELECT DISTINCT year, month FROM marts.mart_investment_ranking WHERE dimension = 'region' ORDER BY 1, 2"
    ).fetchall()
    return [(int(y), int(m)) for y, m in rows]


def regions(con: Any, year: int, month: int) -> pd.DataFrame:
    """Regions with targets or project data in the month, with their names, in code order."""
    return frame(
        con,
        """
        WITH present AS (
            SELECT region_code FROM marts.mart_target_status_summary WHERE plan_year = ? AND month = ?
            UNION
            SELECT region_code FROM marts.mart_investment_ranking WHERE year = ? AND month = ?
        )
        SELECT present.region_code, coalesce(r.name_zh, present.region_code) AS region_name,
               r.city_zh, r.province_zh
        FROM present LEFT JOIN ref.dim_region AS r ON r.region_code = present.region_code
        ORDER BY present.region_code
        """,
        [year, month, year, month],
    )


@dataclass
class Snapshot:
    """Mart rows of every region at one report month (year, month)."""

    year: int
    month: int
    regions: pd.DataFrame
    status_summary: pd.DataFrame
    targets: pd.DataFrame
    ranking: pd.DataFrame
    rates: pd.DataFrame
    four_batches: pd.DataFrame
    snails: pd.DataFrame
    deadlines: pd.DataFrame
    funding: pd.DataFrame
    attraction: pd.DataFrame
    data_quality: pd.DataFrame
    region_monthly: pd.DataFrame = field(default_factory=pd.DataFrame)
    # the figures of the 文字通报 paragraph (mart_bulletin_figures)
    bulletin_figures: pd.DataFrame = field(default_factory=pd.DataFrame)
    # lineage of the month's headline figures (marts.figure_values / figure_sources); empty when not built
    figures: pd.DataFrame = field(default_factory=pd.DataFrame)
    figure_sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    version: dict | None = None  # the published version read (meta.publish_version); None: a build warehouse


# Snapshot field -> the month's selection (parameters: year, month). Every one a plain filter and sort of a mart,
# sorted down to a unique key: row order is the page's order, and an engine may return ties in any order.
MONTH_QUERIES: dict[str, str] = {
    # report statuses: 完成/未完成 once a target is due (marts/reports, docs/reports.md)
    "status_summary": "SELECT * FROM marts.mart_report_target_summary WHERE plan_year = ? AND month = ? "
    "ORDER BY region_code",
    "targets": "SELECT * FROM marts.mart_report_targets WHERE plan_year = ? AND month = ? "
    "ORDER BY region_code, target_id",
    "bulletin_figures": "SELECT * FROM marts.mart_bulletin_figures WHERE year = ? AND month = ? ORDER BY region_code",
    "ranking": "SELECT * FROM marts.mart_investment_ranking WHERE year = ? AND month = ? "
    "ORDER BY region_code, dimension, rank_completion NULLS LAST, group_name",
    "rates": "SELECT * FROM marts.mart_five_rates WHERE year = ? AND month = ? AND scope = 'region' "
    "AND is_primary ORDER BY region_code, rate_name, cohort, variant",
    "four_batches": "SELECT b.* FROM marts.mart_four_batches AS b WHERE b.year = ? AND b.month = ? "
    "ORDER BY b.region_code, CASE b.stage WHEN '谋划' THEN 1 WHEN '储备' THEN 2 WHEN '开工在建' THEN 3 "
    "WHEN '竣工投产' THEN 4 ELSE 5 END",
    "deadlines": "SELECT * FROM marts.mart_fund_deadlines WHERE year = ? AND month = ? "
    "ORDER BY region_code, days_left NULLS LAST, project_id, milestone, fund_row_key",
    "funding": "SELECT * FROM marts.mart_funding WHERE year = ? AND month = ? AND is_total_row ORDER BY region_code",
    "attraction": "SELECT * FROM marts.mart_investment_attraction WHERE year = ? AND month = ? ORDER BY region_code",
    "region_monthly": "SELECT * FROM marts.mart_region_monthly_investment WHERE year = ? AND month = ? "
    "ORDER BY region_code",
}
# Lineage tables are optional: a warehouse built before they existed still gives a bulletin.
OPTIONAL_MONTH_QUERIES: dict[str, tuple[str, str]] = {
    "figures": (
        "figure_values",
        "SELECT * FROM marts.figure_values WHERE year = ? AND month = ? AND is_traced "
        "ORDER BY region_code, figure_kind, figure_id",
    ),
    "figure_sources": (
        "figure_sources",
        "SELECT * FROM marts.figure_sources WHERE year = ? AND month = ? "
        "ORDER BY region_code, figure_kind, figure_id, member_name, member_id, source_entity, source_key",
    ),
}
# One 数字溯源 page (breakdown.py): a region's lineage rows of the month, the columns the page shows, in its
# order. The bulletin reads the whole month once (figure_sources above) and splits it by region; a reader of one
# page or a BI user looking up a region's lineage asks for this (bench/bi_load.py runs it).
FIGURE_SOURCES_PAGE_SQL = (
    "SELECT figure_kind, figure_id, member_name, member_id, numerator_part, denominator_part, value_part, "
    "source_field_zh, source_value, source_entity, source_file, source_sheet, source_row, revision, "
    "submitting_unit FROM marts.figure_sources WHERE year = ? AND month = ? AND region_code = ? "
    "ORDER BY figure_kind, figure_id, member_name, member_id, source_entity, source_key"
)
SNAILS_SQL = (
    "SELECT * FROM marts.mart_snail_projects WHERE year = ? AND month = ? AND list_type = ? "
    "ORDER BY region_code, snail_rank_in_region, project_id"
)
DATA_QUALITY_SQL = (
    "SELECT * FROM marts.mart_data_quality_summary WHERE is_latest_run "
    "ORDER BY region_code, fatal_findings DESC, warning_findings DESC, submitting_unit"
)


def snapshot(
    con: Any, year: int, month: int, snail_list: str = "month", database: Path | None = None
) -> Snapshot:
    """`database`: the path `con` was opened for (a server's data version is named by its served copy)."""
    ym = [year, month]
    month_frames = {name: frame(con, sql, ym) for name, sql in MONTH_QUERIES.items()}
    optional = {name: _optional(con, table, sql, ym) for name, (table, sql) in OPTIONAL_MONTH_QUERIES.items()}
    return Snapshot(
        year=year,
        month=month,
        regions=regions(con, year, month),
        snails=frame(con, SNAILS_SQL, [year, month, snail_list]),
        data_quality=frame(con, DATA_QUALITY_SQL),
        version=published.published_version(con, database),
        **month_frames,
        **optional,
    )


def has_table(con: Any, name: str, schema: str = "marts") -> bool:
    return published.has_table(con, schema, name)


def _optional(con: Any, table: str, sql: str, params: list) -> pd.DataFrame:
    """A selection from a mart that an older warehouse may not have yet (empty then)."""
    return frame(con, sql, params) if has_table(con, table) else pd.DataFrame()


def unit_scorecard(con: Any, year: int, quarter: int) -> pd.DataFrame:
    return frame(
        con,
        "SELECT * FROM marts.mart_report_unit_scorecard WHERE plan_year = ? AND quarter = ? "
        "ORDER BY region_code, unit_rank, lead_unit",
        [year, quarter],
    )


def plan_conflicts(con: Any, year: int) -> pd.DataFrame:
    return frame(
        con,
        "SELECT * FROM marts.mart_plan_conflicts WHERE plan_year = ? ORDER BY region_code, conflict_group, target_id",
        [year],
    )

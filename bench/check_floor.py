"""Check that the floor (bench/floor.sql) computes the marts' figures: a floor that computes different
numbers is not a floor.

    .venv/bin/python bench/check_floor.py [WAREHOUSE]     # default: the warehouse of XMDW_DATA_DIR

WAREHOUSE must hold dbt's marts (after `xmdw run` or `dbt build`). The floor runs on a temporary copy of
it (schema `floor`), then every floor mart is compared with marts.<same name> row for row on their common
columns (symmetric EXCEPT ALL; doubles rounded to 6 places), and a few headline figures are printed side
by side. Exit status 1 on any difference. The benchmark runner calls `check()` after its first build.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

BENCH_DIR = Path(__file__).resolve().parent
FLOOR_SQL = BENCH_DIR / "floor.sql"
SEEDS_DIR = BENCH_DIR.parent / "seeds"

FLOOR_MARTS = (
    "mart_target_progress",
    "mart_five_rates",
    "mart_investment_attraction",
    "mart_project_progress",
    "mart_snail_projects",
    "mart_region_monthly_investment",
    "mart_funding",
    "mart_fund_deadlines",
)

# Headline figures, each one query over schema {s} (floor or marts): same query, both schemas.
HEADLINES = {
    "本年完成投资 total of all region-months": (
        "select sum(ytd_completed_wan) from {s}.mart_region_monthly_investment"
    ),
    "本年完成投资 region-months (count, checksum)": (
        "select count(*), sum(hash(region_code, year, month, ytd_completed_wan)) "
        "from {s}.mart_region_monthly_investment"
    ),
    "计划投资完成率 per region, latest month (checksum)": (
        "select count(*), sum(hash(region_code, year, rate)) from {s}.mart_five_rates "
        "where rate_name = '计划投资完成率' and scope = 'region' and is_primary "
        "and (region_code, year, month) in (select region_code, year, max(month) "
        "from {s}.mart_five_rates group by all)"
    ),
    "蜗牛 projects (project-months flagged)": "select count(*) from {s}.mart_project_progress where is_snail",
    "蜗牛 list rows": "select count(*) from {s}.mart_snail_projects",
    "target-progress statuses (checksum)": (
        "select count(*), sum(hash(target_id, region_code, month, status, actual_value)) "
        "from {s}.mart_target_progress"
    ),
    "funding rows, deadline rows": (
        "select (select count(*) from {s}.mart_funding), (select count(*) from {s}.mart_fund_deadlines)"
    ),
}


NOT_BUILT = ("not built",)


@dataclass
class MartDiff:
    mart: str
    columns: int
    floor_rows: int
    mart_rows: int | None  # None: dbt did not build the mart (skipped behind a failed test)
    only_in_floor: int = 0
    only_in_mart: int = 0

    @property
    def missing(self) -> bool:
        return self.mart_rows is None

    @property
    def equal(self) -> bool:
        return not self.missing and self.only_in_floor == 0 and self.only_in_mart == 0


def run_floor(con: duckdb.DuckDBPyConnection) -> None:
    """Execute bench/floor.sql on an open warehouse (writes schema `floor`)."""
    con.execute(f"SET file_search_path = '{SEEDS_DIR}'")
    con.execute(FLOOR_SQL.read_text(encoding="utf-8"))


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    return dict(rows)


def _select_list(columns: dict[str, str]) -> str:
    # Doubles are summed in parallel in no fixed order: compare them to 6 places, everything else exactly.
    return ", ".join(f'round("{c}", 6)' if t in ("DOUBLE", "FLOAT") else f'"{c}"' for c, t in columns.items())


def diff_mart(con: duckdb.DuckDBPyConnection, mart: str) -> MartDiff:
    floor_cols, mart_cols = _columns(con, "floor", mart), _columns(con, "marts", mart)

    def count(sql: str) -> int:
        return con.execute(f"select count(*) from ({sql})").fetchall()[0][0]

    if not mart_cols:
        return MartDiff(mart, 0, count(f"select * from floor.{mart}"), None)
    common = {c: t for c, t in floor_cols.items() if c in mart_cols}
    cols = _select_list(common)
    f_sql, m_sql = f"select {cols} from floor.{mart}", f"select {cols} from marts.{mart}"

    return MartDiff(
        mart,
        len(common),
        count(f_sql),
        count(m_sql),
        count(f"{f_sql} except all {m_sql}"),
        count(f"{m_sql} except all {f_sql}"),
    )


def headlines(con: duckdb.DuckDBPyConnection) -> list[tuple[str, tuple, tuple]]:
    out = []
    for name, sql in HEADLINES.items():
        floor = con.execute(sql.format(s="floor")).fetchall()[0]
        try:
            marts = con.execute(sql.format(s="marts")).fetchall()[0]
        except duckdb.CatalogException:  # a mart dbt did not build
            marts = NOT_BUILT
        out.append((name, floor, marts))
    return out


def check(warehouse: Path, verbose: bool = True) -> bool:
    """Run the floor on a copy of `warehouse` and compare it with the marts there. True when equal."""
    with tempfile.TemporaryDirectory(prefix="xmdw-floor-check-") as tmp:
        copy = Path(tmp) / "warehouse.duckdb"
        shutil.copy2(warehouse, copy)
        con = duckdb.connect(str(copy))
        try:
            run_floor(con)
            diffs = [diff_mart(con, m) for m in FLOOR_MARTS]
            figures = headlines(con)
        finally:
            con.close()
    # A mart dbt did not build (skipped behind a failed dbt test) cannot be compared: said, not failed.
    ok = all(d.equal or d.missing for d in diffs) and all(f == m or m == NOT_BUILT for _, f, m in figures)
    if verbose:
        missing = [d.mart for d in diffs if d.missing]
        print(
            f"floor check on {warehouse}: {'EQUAL' if ok else 'DIFFERENT'}"
            + (f" (not built by dbt, not compared: {', '.join(missing)})" if missing else "")
        )
        for d in diffs:
            mark = "--  " if d.missing else "ok  " if d.equal else "DIFF"
            print(
                f"  {mark} {d.mart}: {d.floor_rows} rows (marts {d.mart_rows}), {d.columns} columns, "
                f"only in floor {d.only_in_floor}, only in marts {d.only_in_mart}"
            )
        for name, f, m in figures:
            mark = "ok  " if f == m else "--  " if m == NOT_BUILT else "DIFF"
            print(f"  {mark} {name}: floor {f} / marts {m}")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("warehouse", nargs="?", help="DuckDB file with dbt's marts (default: XMDW_DATA_DIR's)")
    args = ap.parse_args()
    if args.warehouse:
        warehouse = Path(args.warehouse)
    else:
        from xmdw.core.paths import data_paths

        warehouse = data_paths().warehouse
    return 0 if check(warehouse) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Issue 15, item 4: the monthly models are incremental by partition ((region, year), or (project, year) for the
carried-forward progress; dbt_models/macros/incremental_partitions.sql). On a copy of the county demo, a unit's
resubmission of an earlier month (a new revision in raw) and a new month arrive in region 610728; the incremental
`dbt run` must then equal a `--full-refresh` run of the same data, relation for relation (EXCEPT ALL both ways),
and must not have rebuilt the untouched partition (region 511902, 2024): a marker written into its rows before
the build is still there after it, while the marker in the corrected partition is gone (rebuilt). A marker in a
model another model's fingerprint reads would (rightly) rebuild that model's partition, so the two upstream models
are marked and built first (`--select +int_project_stage_monthly`), their markers restored, then the three others;
then the rest of the project is built from the restored rows.

`dbt run`, not `dbt build`: what is tested is the materialisation; the data tests have their own tests, and one
failing on the corrected data would skip models in one build and not the other.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from dbt_runner import run_dbt

pytestmark = pytest.mark.e2e

CHANGED, UNTOUCHED = "610728", "511902"  # the demo's two regions
YEAR, NEW_YEAR = 2024, 2025

# partitioned model -> schema; int_progress_monthly_filled is partitioned by (project_id, year), the others by
# (region_code, year)
PARTITIONED = {
    "int_progress_monthly_filled": "intermediate",
    "int_project_stage_monthly": "intermediate",
    "int_planned_project_months": "intermediate",
    "int_plan_completion_members": "intermediate",
    "mart_project_progress": "marts",
}

# the project whose May report is resubmitted: the first of region CHANGED with a May dispatch report
PROJECT = f"""
select min(progress.project_id)
from staging.stg_raw__monthly_progress as progress
inner join intermediate.int_projects_enriched as projects on progress.project_id = projects.project_id
where projects.region_code = '{CHANGED}' and progress.year = {YEAR} and progress.month = 5
    and progress.basis = 'DISPATCH'
"""

# the resubmission: a new revision of its latest May report (a new file), the YTD raised
RESUBMIT = f"""
insert into raw.monthly_progress
select * replace (
    ytd_completed + 123.4 as ytd_completed, 'test-resubmission' as _file_id, _revision + 1 as _revision,
    _ingested_at + interval 1 day as _ingested_at
)
from raw.monthly_progress as src
where project_id = ? and year = {YEAR} and month = 5 and basis = 'DISPATCH'
    and _revision = (
        select max(_revision) from raw.monthly_progress as r
        where r.project_id = src.project_id and r.year = src.year and r.month = src.month and r.basis = src.basis
    )
"""

# the new month: the next report month after December is February of the next year (January is reported with
# February); the region's February reports again, a year on
NEW_MONTH = f"""
insert into raw.monthly_progress
select progress.* replace (
    {NEW_YEAR} as year, 'test-new-month' as _file_id, 1 as _revision, _ingested_at + interval 1 year as _ingested_at
)
from raw.monthly_progress as progress
where year = {YEAR} and month = 2
    and project_id in (select project_id from intermediate.int_projects_enriched where region_code = '{CHANGED}')
"""


def _dbt_run(warehouse: Path, workdir: Path, *args: str) -> None:
    proc = run_dbt(["run", *args], workdir, {"XMDW_WAREHOUSE": str(warehouse)}, timeout=900)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


# a text column of each model to write the marker into
MARK_COLUMN = {
    "int_progress_monthly_filled": "problems",
    "int_project_stage_monthly": "stage_at_month",
    "int_planned_project_months": "project_name",
    "int_plan_completion_members": "town",
    "mart_project_progress": "project_name",
}
UPSTREAM = ("int_progress_monthly_filled", "int_project_stage_monthly")  # read by the others' fingerprints


def _in(projects: str) -> str:
    """Rows of year YEAR whose project matches `projects` (a condition on int_projects_enriched)."""
    return f"year = {YEAR} and project_id in (select project_id from intermediate.int_projects_enriched where {projects})"


def _partitions(project: str, other: str) -> dict[str, tuple[str, str]]:
    """model -> (an untouched partition, the corrected one): project-years for the (project_id, year) model (an
    untouched one of the same region: its region-year is rebuilt anyway), region-years for the others."""
    by_region = (_in(f"region_code = '{UNTOUCHED}'"), _in(f"region_code = '{CHANGED}'"))
    by_project = (_in(f"project_id = '{other}'"), _in(f"project_id = '{project}'"))
    return {m: by_project if m == "int_progress_monthly_filled" else by_region for m in PARTITIONED}


def _mark(con: duckdb.DuckDBPyConnection, model: str, where: str) -> None:
    con.execute(f"update {PARTITIONED[model]}.{model} set {MARK_COLUMN[model]} = 'MARK' where {where}")


def _marks(con: duckdb.DuckDBPyConnection, model: str, where: str) -> tuple[int, int]:
    """(rows, rows with the marker) of `model` where `where`."""
    return con.execute(
        f"select count(*), count(*) filter ({MARK_COLUMN[model]} = 'MARK') "
        f"from {PARTITIONED[model]}.{model} where {where}"
    ).fetchone()


def _build_marked(warehouse: Path, workdir: Path, models: list[str], parts: dict, *select: str) -> None:
    """Mark the untouched and the corrected partition of `models`, build, check that the untouched one kept its
    rows (all still marked) and the corrected one was rebuilt (none marked), then restore the untouched rows."""
    with duckdb.connect(str(warehouse)) as con:
        for model in models:
            untouched, corrected = parts[model]
            con.execute(
                f"create table main.kept_{model} as select * from {PARTITIONED[model]}.{model} where {untouched}"
            )
            _mark(con, model, untouched)
            _mark(con, model, corrected)
    _dbt_run(warehouse, workdir, *select)
    with duckdb.connect(str(warehouse)) as con:
        for model in models:
            untouched, corrected = parts[model]
            rows, marked = _marks(con, model, untouched)
            assert rows and marked == rows, (
                f"{model}: untouched partition rebuilt ({marked} of {rows} rows kept)"
            )
            rows, marked = _marks(con, model, corrected)
            assert rows and marked == 0, f"{model}: corrected partition not rebuilt ({marked} of {rows} rows)"
            con.execute(f"delete from {PARTITIONED[model]}.{model} where {untouched}")
            con.execute(f"insert into {PARTITIONED[model]}.{model} select * from main.kept_{model}")
            con.execute(f"drop table main.kept_{model}")


def _relations(con: duckdb.DuckDBPyConnection) -> list[str]:
    names = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() where database_name = current_database() "
        "and schema_name = 'marts' order by 1"
    ).fetchall()
    return [n for (n,) in names] + [
        f"intermediate.{m}" for m, s in PARTITIONED.items() if s == "intermediate"
    ]


def _differences(con: duckdb.DuckDBPyConnection, relation: str) -> int:
    """Rows in one build and not the other (EXCEPT ALL, both ways), `full_build` being the attached full refresh."""
    return con.execute(
        f"select (select count(*) from (select * from {relation} except all select * from full_build.{relation})) "
        f"+ (select count(*) from (select * from full_build.{relation} except all select * from {relation}))"
    ).fetchone()[0]


def test_incremental_build_equals_a_full_refresh_and_keeps_untouched_partitions(county_demo_copy, tmp_path):
    warehouse, full = county_demo_copy.warehouse, tmp_path / "full.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        (project,) = con.execute(PROJECT).fetchone()
        (other,) = con.execute(PROJECT.replace("min(", "max(")).fetchone()
        before = con.execute(
            "select * from marts.mart_project_progress where " + _in(f"project_id = '{project}'")
        ).fetchall()
        con.execute(RESUBMIT, [project])
        con.execute(NEW_MONTH)
    shutil.copy(warehouse, full)
    assert project != other

    parts, workdir = _partitions(project, other), tmp_path / "dbt"
    _build_marked(warehouse, workdir, list(UPSTREAM), parts, "--select", "+int_project_stage_monthly")
    leaves = [m for m in PARTITIONED if m not in UPSTREAM]
    _build_marked(warehouse, workdir, leaves, parts, "--select", "int_inputs__project_progress", *leaves)
    _dbt_run(warehouse, workdir)  # the rest, from the restored rows
    _dbt_run(full, workdir, "--full-refresh")

    with duckdb.connect(str(warehouse)) as con:
        # the correction and the new month are in the marts
        after = con.execute(
            "select * from marts.mart_project_progress where " + _in(f"project_id = '{project}'")
        ).fetchall()
        assert sorted(map(str, after)) != sorted(map(str, before))
        assert con.execute(
            f"select count(*) from marts.mart_project_progress where year = {NEW_YEAR}"
        ).fetchone()[0]
        con.execute(f"attach '{full}' as full_build (read_only)")
        differences = {r: n for r in _relations(con) if (n := _differences(con, r))}
    assert not differences, f"incremental and full builds differ (rows): {differences}"

"""The whole pipeline on a real PostgreSQL server equals the default DuckDB run (issue 14, "done when"):
`XMDW_ENGINE=postgres xmdw run --demo-if-empty` on an empty database, against the county demo built on DuckDB
from the same generated ledgers — every published relation row for row (numbers within 0.0001), every raw
table's row count, the same report files with the same visible text, and Dagster's run history on the server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from engine_compare import compare_relations
from engine_report_reading import html_text
from pg_server import fresh_database

from xmdw.warehouse.connect import connection
from xmdw.warehouse.postgres import PgConnection

pytestmark = pytest.mark.e2e

XMDW = str(Path(sys.executable).with_name("xmdw"))
# What legitimately differs between two runs: when they ran, how long they took, the run's id, the engine.
_VOLATILE = re.compile(
    r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?|\d{4}年\d{1,2}月\d{1,2}日\s*\d{1,2}[:时]\d{2}|[0-9a-f]{12}|"
    r"\d+(\.\d+)?\s*(秒|s\b)|[0-9a-f]{8}(-[0-9a-f]{1,12})+"
)
# Columns two runs differ in by construction (as in tests/golden/mart_digest.py): their ids and clocks.
RUN_COLUMNS = {"run_id", "checked_at", "ingested_at", "data_version", "published_at", "latest_run_id"}


@dataclass(frozen=True)
class PgRun:
    root: Path
    dsn: str
    stdout: str


@pytest.fixture(scope="module")
def pg_run(pg_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgRun]:
    root = tmp_path_factory.mktemp("pg_pipeline") / "data"
    with fresh_database(pg_server) as dsn:
        env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
        env |= {
            "XMDW_DATA_DIR": str(root),
            "XMDW_WAREHOUSE": str(root / "warehouse.duckdb"),
            "XMDW_ENGINE": "postgres",
            "XMDW_PG_DSN": dsn,
            "DBT_TARGET_PATH": str(root.parent / "dbt_target"),
        }
        proc = subprocess.run(
            [XMDW, "run", "--demo-if-empty"], env=env, capture_output=True, text=True, timeout=1800
        )
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
        yield PgRun(root, dsn, proc.stdout)


def _published(con) -> list[str]:
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_schema in ('marts', 'ref') order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def test_published_relations_equal_duckdb_row_for_row(pg_run: PgRun, county_demo) -> None:
    with (
        connection(county_demo.paths.served_warehouse, read_only=True) as duck,
        PgConnection(pg_run.dsn) as pg,
    ):
        relations = _published(duck)
        assert len(relations) > 25 and "marts.mart_five_rates" in relations
        assert _published(pg) == relations
        differences = compare_relations(duck, pg, [(r, r) for r in relations], ignore=RUN_COLUMNS)
    assert differences == []


def test_raw_tables_hold_the_same_rows(pg_run: PgRun, county_demo) -> None:
    count_sql = "select table_name from information_schema.tables where table_schema = 'raw' order by 1"
    with connection(county_demo.paths.warehouse, read_only=True) as duck, PgConnection(pg_run.dsn) as pg:
        tables = [t for (t,) in duck.execute(count_sql).fetchall()]
        assert [t for (t,) in pg.execute(count_sql).fetchall()] == tables
        counts = {
            t: (
                duck.execute(f"select count(*) from raw.{t}").fetchone()[0],
                pg.execute(f"select count(*) from raw.{t}").fetchone()[0],
            )
            for t in tables
        }
    assert counts["projects"][0] > 0
    assert {t: c for t, c in counts.items() if c[0] != c[1]} == {}


def _page_text(path: Path) -> list[str]:
    """What a reader sees, without what differs between two runs by construction. The DQ report lists a
    rule's first examples newest submission first, and submission times have one-second resolution: which
    files of one batch tie differs from run to run, whatever the engine. Example lines (file · sheet · row)
    are therefore compared as a count, everything else line by line."""
    lines = [_VOLATILE.sub("…", line) for line in html_text(path)]
    if "数据质量" not in path.name:
        return lines
    examples = [line for line in lines if " · 第" in line and "行" in line]
    return [line for line in lines if line not in examples] + [f"{len(examples)} example lines"]


def _reports(root: Path) -> dict[str, Path]:
    return {str(p.relative_to(root / "reports")): p for p in (root / "reports").rglob("*") if p.is_file()}


def test_same_reports_with_the_same_text(pg_run: PgRun, county_demo) -> None:
    duck_reports, pg_reports = _reports(county_demo.paths.root), _reports(pg_run.root)
    assert sorted(pg_reports) == sorted(duck_reports)
    pages = [name for name in duck_reports if name.endswith(".html")]
    assert any("月通报" in name for name in pages) and any("数据质量" in name for name in pages)
    for name in pages:
        assert _page_text(pg_reports[name]) == _page_text(duck_reports[name]), name


def test_run_history_is_kept_on_the_server(pg_run: PgRun) -> None:
    with PgConnection(pg_run.dsn) as pg:
        (runs,) = pg.execute("select count(*) from public.runs").fetchone()
    assert runs >= 1

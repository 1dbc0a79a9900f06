"""The reports read the engine: with XMDW_ENGINE=postgres the monthly bulletin (HTML, xlsx, PDF, Word 公文,
数字溯源 pages) reads the server's published `marts`/`ref`, and the data-quality report (HTML, 退回修改清单,
the units' highlighted workbooks) the server's `raw` log tables — and a reader sees exactly what the DuckDB
rendering of the same period shows.

The server starts from the county demo's own rows (tests/pg_copy.py). After the DuckDB rendering the DuckDB
file the PostgreSQL rendering must NOT read is tampered with, so a report that still read the file would
differ. A real PostgreSQL server: these tests fail, never skip, when it cannot start.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from engine_report_reading import html_text, what_readers_see
from pg_copy import copy_schemas

from xmdw.core.paths import DataPaths
from xmdw.lineage.explain import explain, list_figures, render_zh
from xmdw.reports.bulletin import build_monthly_bulletin
from xmdw.reports.dq_report import HTML_NAME, write_dq_report
from xmdw.reports.run_summary import RunSummary, collect
from xmdw.warehouse.connect import connection

pytestmark = pytest.mark.e2e  # the county demo pipeline (session fixture)

MONTH = "2024-12"
REGION = "镇巴县"
TAMPERED = "（篡改）"


@pytest.fixture
def county(county_demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataPaths:
    """A private copy of the county demo (the reports record the version they read under serving/)."""
    return county_demo.copy_to(tmp_path / "data", monkeypatch)


def _use_postgres(monkeypatch: pytest.MonkeyPatch, dsn: str) -> None:
    monkeypatch.setenv("XMDW_ENGINE", "postgres")
    monkeypatch.setenv("XMDW_PG_DSN", dsn)


def _tamper(database: Path, *statements: str) -> None:
    with connection(database) as con:
        for sql in statements:
            con.execute(sql)


def _differences(duck: dict, pg: dict) -> list[str]:
    assert sorted(pg) == sorted(duck), "the same files are written"
    return [name for name in duck if duck[name] != pg[name]]


def test_monthly_bulletin_from_the_server_equals_the_duckdb_one(
    county: DataPaths, pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = county.served_warehouse
    started = time.perf_counter()
    copied = copy_schemas(served, pg_database, ("marts", "ref"))
    assert copied["marts.mart_bulletin_figures"] > 0 and copied["ref.dim_region"] > 0
    copy_s = time.perf_counter() - started

    duck_files = build_monthly_bulletin(served, MONTH, tmp_path / "duckdb")
    duck_explain = render_zh(explain(served, "region_completion", REGION, 2024, 12))
    duck_s = time.perf_counter() - started - copy_s
    # what the PostgreSQL rendering must not read: the served copy's figures and names
    _tamper(
        served,
        f"UPDATE ref.dim_region SET name_zh = name_zh || '{TAMPERED}'",
        "UPDATE marts.mart_bulletin_figures SET key_projects = key_projects + 1000",
        "UPDATE marts.figure_values SET value = value + 1000",
    )

    _use_postgres(monkeypatch, pg_database)
    pg_files = build_monthly_bulletin(served, MONTH, tmp_path / "postgres")
    pg_s = time.perf_counter() - started - copy_s - duck_s
    print(f"copy {copy_s:.1f} s, DuckDB bulletin {duck_s:.1f} s, PostgreSQL bulletin {pg_s:.1f} s")

    assert pg_files.headline == duck_files.headline
    duck, pg = what_readers_see(tmp_path / "duckdb"), what_readers_see(tmp_path / "postgres")
    assert len(duck) >= 4 + 2, "xlsx, html, pdf, a 公文 per region and the 溯源 pages"
    assert _differences(duck, pg) == []
    assert TAMPERED not in " ".join(html_text(pg_files.html))
    # 数字溯源 of the current figures reads the server too
    assert render_zh(explain(served, "region_completion", REGION, 2024, 12)) == duck_explain
    assert any(fid == "region_completion" for fid, _, _ in list_figures(served, REGION, 2024, 12))


def _run_summary(paths: DataPaths, run_id: str) -> tuple[list[str], dict]:
    summary = RunSummary(True, run_id, expects_publish=True)
    collect(summary, paths, marts=True)
    return summary.lines(paths), summary.marts


def test_dq_report_and_run_summary_from_the_servers_log_tables_equal_the_duckdb_ones(
    county: DataPaths, pg_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copied = copy_schemas(county.warehouse, pg_database, ("raw", "marts"))
    assert copied["raw.dq_results"] > 0 and copied["raw.rejected_rows"] > 0

    duck_files = write_dq_report(county, out_dir=tmp_path / "duckdb")
    assert duck_files.problems > 0, "the demo's injected problems are listed"
    duck_summary = _run_summary(county, duck_files.run_id)
    # what the PostgreSQL rendering must not read: the build warehouse file's log tables
    _tamper(
        county.warehouse,
        f"UPDATE raw.dq_results SET message_zh = message_zh || '{TAMPERED}'",
        "DELETE FROM raw.rejected_rows",
    )

    _use_postgres(monkeypatch, pg_database)
    pg_files = write_dq_report(county, out_dir=tmp_path / "postgres")

    assert (pg_files.run_id, pg_files.problems) == (duck_files.run_id, duck_files.problems)
    duck, pg = what_readers_see(tmp_path / "duckdb"), what_readers_see(tmp_path / "postgres")
    assert any(name.endswith("_标注.xlsx") for name in duck), "the units' highlighted workbooks"
    assert _differences(duck, pg) == []
    assert TAMPERED not in " ".join(html_text(tmp_path / "postgres" / HTML_NAME))
    # the summary `xmdw run` prints: files, rows, rejections, failed rules, marts built
    lines, marts = _run_summary(county, pg_files.run_id)
    assert (lines, marts) == duck_summary
    assert any("退回" in line for line in lines) and len(marts) > 10

"""The submission page on PostgreSQL (issue 14): the 调度 view reads the server's published schemas (not the
build's, not a DuckDB file), and the upload check keeps its private scratch DuckDB whatever the engine."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from ledgers import PROGRESS_HEADER, write_xlsx

from xmdw.core.paths import DataPaths
from xmdw.warehouse.postgres import PgConnection
from xmdw.web.checking import check_copy
from xmdw.web.receipts import CST, Receipt
from xmdw.web.status import known_units, published_figures, unit_statuses

PROGRESS_ROWS = "('县发改局', 'P1', 2024, 11, true), ('县发改局', 'P2', 2024, 11, true), ('县财政局', 'P3', 2024, 10, true)"


def _publish_on_server(dsn: str, schema: str) -> None:
    """The two published tables the page reads, in `schema` (marts after a swap, build_marts during a
    build) — as publishing leaves them, written here directly."""
    con = PgConnection(dsn)
    try:
        con.execute(f"CREATE SCHEMA {schema}")
        con.execute(
            f"CREATE TABLE {schema}.mart_project_progress AS SELECT * FROM (VALUES {PROGRESS_ROWS}) "
            "t(lead_unit, project_id, year, month, reported_this_month)"
        )
        con.execute(
            f"CREATE TABLE {schema}.mart_data_quality_summary AS SELECT * FROM (VALUES "
            "('县发改局', 3, 1, 120, 4, 2, 1, true), ('县发改局', 9, 9, 9, 9, 9, 9, false)) "
            "t(submitting_unit, files_received, files_quarantined, rows_loaded, rows_rejected, fatal_findings, "
            "rows_held_back, is_latest_run)"
        )
    finally:
        con.close()


def test_the_status_page_reads_the_published_schemas_on_the_server(
    data_dir: DataPaths, pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XMDW_ENGINE", "postgres")
    monkeypatch.setenv("XMDW_PG_DSN", pg_database)
    # nothing published yet: no error, every seeded unit 未报
    assert published_figures(data_dir, 2024, 11) == ({}, {})
    assert {s.status for s in unit_statuses(data_dir, [], 2024, 11)} == {"未报"}

    _publish_on_server(pg_database, "build_marts")  # a build in progress is not published
    assert published_figures(data_dir, 2024, 11) == ({}, {})

    _publish_on_server(pg_database, "marts")
    progress, summary = published_figures(data_dir, 2024, 11)
    assert progress == {"县发改局": 2}
    assert summary["县发改局"] == {
        "files_received": 3,
        "files_quarantined": 1,
        "rows_loaded": 120,
        "rows_rejected": 4,
        "fatal_findings": 2,
        "rows_held_back": 1,
    }
    rows = {s.unit: s for s in unit_statuses(data_dir, [], 2024, 11)}
    assert rows["县发改局"].status == "已报" and rows["县发改局"].published_projects == 2
    assert rows["县财政局"].status == "未报"  # October's progress is not November's
    assert not data_dir.served_warehouse.exists()  # read from the server, not from a served file


def test_the_status_page_lists_units_from_the_server_s_published_unit_table(
    data_dir: DataPaths, pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XMDW_ENGINE", "postgres")
    monkeypatch.setenv("XMDW_PG_DSN", pg_database)
    con = PgConnection(pg_database)
    try:
        con.execute("CREATE SCHEMA ref")
        con.execute("CREATE TABLE ref.dim_unit AS SELECT '县新设局' AS unit_name_zh")
    finally:
        con.close()
    assert "县新设局" in known_units(data_dir)


def test_the_upload_check_uses_its_scratch_duckdb_even_when_the_engine_is_postgres(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No server is reachable at this DSN: the check still runs, because its store is a scratch DuckDB file."""
    monkeypatch.setenv("XMDW_ENGINE", "postgres")
    monkeypatch.setenv("XMDW_PG_DSN", "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
    source = write_xlsx(
        tmp_path / "县交通局_2024年11月.xlsx",
        [PROGRESS_HEADER, ["P1", "甲", 2024, 11, 100, 500], ["P2", "乙", 2024, 11, "x", 1]],
    )
    os.utime(source, (1_700_000_000, 1_700_000_000))
    receipt = Receipt("b" * 32, "县交通局", source.name, datetime(2024, 12, 3, 10, tzinfo=CST))
    out = tmp_path / "receipt"
    out.mkdir()
    check_copy(source.read_bytes(), source.name, receipt, out)
    assert (receipt.status, receipt.rows_loaded, receipt.rows_rejected) == ("accepted", 1, 1)

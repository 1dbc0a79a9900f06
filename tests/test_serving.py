"""Publishing the marts for BI readers: real DuckDB files, real processes, no mocks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from xmdw.serving import STORAGE_VERSION, PublishError, publish, serving_paths

PROJECT_NAME = "巴州区化成镇农光互补光伏发电项目"


def _build_warehouse(path: Path, extra_progress_rows: int = 0) -> Path:
    """A small build warehouse: marts + ref (published), staging (not), a view in each published schema."""
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE SCHEMA IF NOT EXISTS staging; CREATE SCHEMA IF NOT EXISTS marts; CREATE SCHEMA IF NOT EXISTS ref"
    )
    con.execute("CREATE OR REPLACE TABLE staging.stg_x AS SELECT 1 AS a")
    con.execute(
        "CREATE OR REPLACE TABLE ref.dim_region (region_code VARCHAR, name_zh VARCHAR);"
        "INSERT INTO ref.dim_region VALUES ('511902', '巴州区'), ('610728', '镇巴县')"
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE marts.mart_project_progress AS
        SELECT '511902' AS region_code, 'P' || lpad(i::VARCHAR, 4, '0') AS project_id,
               CASE WHEN i = 1 THEN '0012' ELSE i::VARCHAR END AS unit_code,
               ? AS project_name, (i * 10.5)::DECIMAL(18, 4) AS ytd_completed_wan,
               DATE '2024-01-31' + i::INTEGER AS as_of_date, i % 2 = 0 AS is_snail
        FROM range(1, ? + 1) t(i)
        """,
        [PROJECT_NAME, 50 + extra_progress_rows],
    )
    # dbt-duckdb writes views with unqualified names; they must come out as tables in the copy.
    con.execute(
        "CREATE OR REPLACE VIEW marts.mart_region_summary AS "
        "SELECT p.region_code, r.name_zh, count(*) AS projects FROM marts.mart_project_progress p "
        "JOIN ref.dim_region r USING (region_code) GROUP BY ALL"
    )
    con.close()
    return path


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return _build_warehouse(tmp_path / "warehouse.duckdb")


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = con.execute(
        "SELECT table_schema || '.' || table_name, table_type FROM information_schema.tables "
        "WHERE table_schema IN ('marts', 'ref')"
    ).fetchall()
    return dict(rows)


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def test_served_copy_has_marts_and_ref_with_same_rows(warehouse: Path, tmp_path: Path) -> None:
    result = publish(warehouse, tmp_path / "serving", run_id="run-1")

    src = duckdb.connect(str(warehouse), read_only=True)
    expected = {key: _count(src, key) for key in _tables(src)}
    src.close()
    served = duckdb.connect(str(result.duckdb_path), read_only=True)
    try:
        tables = _tables(served)
        assert set(tables) == set(expected) == set(result.tables)
        assert set(tables.values()) == {"BASE TABLE"}, "views must become tables in the copy"
        assert {key: _count(served, key) for key in tables} == expected == result.tables
        assert "staging" not in {
            s for (s,) in served.execute("SELECT schema_name FROM duckdb_schemas()").fetchall()
        }
        # dbt descriptions are not in this test warehouse, but the copy must not invent any either.
        assert served.execute("SELECT project_name FROM marts.mart_project_progress LIMIT 1").fetchall() == [
            (PROJECT_NAME,)
        ]
    finally:
        served.close()
    manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    assert manifest["run_id"] == "run-1"
    assert manifest["duckdb"]["storage_version"] == STORAGE_VERSION
    assert {k: v["rows"] for k, v in manifest["tables"].items()} == expected
    assert manifest["tables"]["marts.mart_region_summary"]["was_view"] is True


def test_build_file_is_released_after_publish(warehouse: Path, tmp_path: Path) -> None:
    publish(warehouse, tmp_path / "serving")
    # The next build opens the warehouse read-write from another process: nothing of ours may hold it.
    code = f"import duckdb; duckdb.connect({str(warehouse)!r}).execute('CREATE TABLE marts.t AS SELECT 1')"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_served_file_has_storage_version_for_duckdb_1x_readers(warehouse: Path, tmp_path: Path) -> None:
    result = publish(warehouse, tmp_path / "serving")
    con = duckdb.connect(str(result.duckdb_path), read_only=True)
    tags = con.execute(
        "SELECT tags FROM duckdb_databases() WHERE NOT internal AND path IS NOT NULL"
    ).fetchall()
    con.close()
    # DuckDB reports the oldest release that can read the file, e.g. 'v1.4.0+'.
    assert [t["storage_version"] for (t,) in tags] == [f"{STORAGE_VERSION}+"]


@pytest.mark.skipif(
    not os.environ.get("XMDW_DUCKDB1_PYTHON"),
    reason="set XMDW_DUCKDB1_PYTHON to a python with duckdb 1.4.x to open the served file with DuckDB 1.x",
)
def test_duckdb_1x_reader_opens_served_file(warehouse: Path, tmp_path: Path) -> None:
    result = publish(warehouse, tmp_path / "serving")
    code = (
        f"import duckdb; c = duckdb.connect({str(result.duckdb_path)!r}, read_only=True); "
        "print(duckdb.__version__, c.execute('SELECT count(*) FROM marts.mart_project_progress').fetchall()[0][0])"
    )
    out = subprocess.run(
        [os.environ["XMDW_DUCKDB1_PYTHON"], "-c", code],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.split()
    assert out[0].startswith("1.") and int(out[1]) == result.tables["marts.mart_project_progress"]


def test_parquet_per_table_has_the_same_rows(warehouse: Path, tmp_path: Path) -> None:
    result = publish(warehouse, tmp_path / "serving")
    paths = serving_paths(tmp_path / "serving")
    assert paths.parquet_current.resolve() == result.parquet_dir.resolve()
    con = duckdb.connect()
    for key, rows in result.tables.items():
        schema, table = key.split(".")
        f = paths.parquet_current / schema / f"{table}.parquet"
        assert _count(con, f"read_parquet('{f}')") == rows, key
    name = con.execute(
        f"SELECT project_name FROM read_parquet('{paths.parquet_current}/marts/mart_project_progress.parquet')"
    ).fetchall()[0][0]
    assert name == PROJECT_NAME


_READER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    q = "SELECT count(*) FROM marts.mart_project_progress"
    print(con.execute(q).fetchall()[0][0], flush=True)
    sys.stdin.readline()  # hold the old copy open while the test publishes again
    print(con.execute(q).fetchall()[0][0], flush=True)
    """
)


def test_reader_in_another_process_keeps_its_snapshot(warehouse: Path, tmp_path: Path) -> None:
    serving = tmp_path / "serving"
    first = publish(warehouse, serving)
    old_rows = first.tables["marts.mart_project_progress"]
    reader = subprocess.Popen(
        [sys.executable, "-c", _READER, str(first.duckdb_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert int(reader.stdout.readline()) == old_rows
        _build_warehouse(warehouse, extra_progress_rows=7)  # the next build
        second = publish(warehouse, serving)  # must not wait for or disturb the reader
        new_rows = second.tables["marts.mart_project_progress"]
        assert new_rows == old_rows + 7
        out, _ = reader.communicate("go\n", timeout=60)
    finally:
        if reader.poll() is None:
            reader.kill()
    assert reader.returncode == 0
    assert int(out.strip()) == old_rows, "the reader holding the old copy keeps its snapshot"
    fresh = subprocess.run(
        [sys.executable, "-c", _READER, str(second.duckdb_path)],
        input="\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert fresh.stdout.split() == [str(new_rows)] * 2, "a new reader sees the new publish"
    # The previous Parquet version stays for readers that resolved `current` just before the flip.
    assert first.parquet_dir.is_dir() and second.parquet_dir.is_dir()


def test_leftovers_of_a_crashed_publish_do_not_break_the_next(warehouse: Path, tmp_path: Path) -> None:
    paths = serving_paths(tmp_path / "serving").ensure()
    paths.duckdb_tmp.write_bytes(b"half a duckdb file")
    paths.duckdb_tmp.with_name(paths.duckdb_tmp.name + ".wal").write_bytes(b"stale wal")
    (paths.parquet_root / "v20000101T000000000000Z" / "marts").mkdir(parents=True)
    (paths.parquet_root / ".current.tmp").symlink_to("nowhere")
    (paths.csv_dir / "marts").mkdir(parents=True)
    (paths.csv_dir / "marts" / ".mart_project_progress.csv.tmp").write_bytes(b"partial")
    (paths.csv_dir / "marts" / "mart_dropped_long_ago.csv").write_bytes(b"stale")

    result = publish(warehouse, paths.root)

    assert not paths.duckdb_tmp.exists() and not Path(f"{paths.duckdb_tmp}.wal").exists()
    assert [p.name for p in paths.parquet_root.iterdir() if p.name.startswith("v")] == [
        result.parquet_dir.name
    ]
    assert not (paths.parquet_root / ".current.tmp").is_symlink()
    assert sorted(p.name for p in (paths.csv_dir / "marts").iterdir()) == [
        "mart_project_progress.csv",
        "mart_region_summary.csv",
    ]
    con = duckdb.connect(str(result.duckdb_path), read_only=True)
    assert _count(con, "marts.mart_project_progress") == result.tables["marts.mart_project_progress"]
    con.close()


def test_new_tables_are_published_without_a_list(warehouse: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(warehouse))
    con.execute("CREATE TABLE marts.mart_data_quality_summary AS SELECT '完整性' AS dimension, 3 AS problems")
    con.close()
    result = publish(warehouse, tmp_path / "serving")
    assert result.tables["marts.mart_data_quality_summary"] == 1


def test_failed_publish_leaves_the_served_copy_alone(warehouse: Path, tmp_path: Path) -> None:
    first = publish(warehouse, tmp_path / "serving")
    before = first.duckdb_path.read_bytes()
    with pytest.raises(PublishError, match="warehouse not found"):
        publish(tmp_path / "missing.duckdb", tmp_path / "serving")
    assert first.duckdb_path.read_bytes() == before
    assert serving_paths(tmp_path / "serving").parquet_current.resolve() == first.parquet_dir.resolve()


def test_excel_and_wps_exports_keep_chinese(warehouse: Path, tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    result = publish(warehouse, tmp_path / "serving")
    csv = result.csv_paths["marts.mart_project_progress"]
    raw = csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    lines = raw.decode("utf-8-sig").splitlines()
    # one header row, in Chinese (the dbt descriptions' labels); unit_code has no description: kept as is
    assert lines[0].startswith("区划代码,项目编号,unit_code,项目名称")
    assert PROJECT_NAME in lines[1]
    assert len(lines) == 1 + result.tables["marts.mart_project_progress"]

    wb = CalamineWorkbook.from_path(str(result.xlsx_path))
    assert {"说明", "字段说明", "mart_project_progress", "ref_dim_region"} <= set(wb.sheet_names)
    rows = wb.get_sheet_by_name("mart_project_progress").to_python()
    header, first = rows[0], rows[1]
    assert len(rows) == 1 + result.tables["marts.mart_project_progress"]
    assert first[header.index("项目名称")] == PROJECT_NAME
    assert first[header.index("unit_code")] == "0012", "codes stay text: leading zeros survive"
    assert first[header.index("本年累计完成投资（万元）")] == pytest.approx(10.5)
    regions = wb.get_sheet_by_name("ref_dim_region").to_python()
    assert ["511902", "巴州区"] in [list(r) for r in regions]


def test_large_tables_are_left_out_of_the_workbook_but_not_the_csv(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from python_calamine import CalamineWorkbook

    from xmdw.serving import export

    rows = duckdb.connect(str(warehouse), read_only=True)
    try:
        n = rows.execute("SELECT count(*) FROM marts.mart_project_progress").fetchall()[0][0]
    finally:
        rows.close()
    monkeypatch.setattr(export, "XLSX_TABLE_MAX_ROWS", n - 1)  # this mart is now "too large"
    result = publish(warehouse, tmp_path / "serving")
    assert "marts.mart_project_progress" in result.xlsx_left_out
    wb = CalamineWorkbook.from_path(str(result.xlsx_path))
    sheet = wb.get_sheet_by_name("mart_project_progress").to_python()
    assert len(sheet) == 2 and "export/csv/marts/mart_project_progress.csv" in str(sheet[1][0])
    index = " ".join(str(c) for r in wb.get_sheet_by_name("说明").to_python() for c in r)
    assert "mart_project_progress.csv" in index
    assert "ref.dim_region" not in result.xlsx_left_out  # small tables stay in the workbook
    csv_lines = result.csv_paths["marts.mart_project_progress"].read_text(encoding="utf-8-sig").splitlines()
    assert len(csv_lines) == 1 + n


def test_the_lineage_table_is_left_out_of_the_workbook_but_not_the_csv(
    warehouse: Path, tmp_path: Path
) -> None:
    """marts.figure_sources (one row per ledger row behind each figure) is served as CSV/Parquet/DuckDB and
    looked up with `xmdw explain`, not written cell by cell into the workbook (issue 15: it was three quarters
    of the county workbook's cells), however few rows it has."""
    from python_calamine import CalamineWorkbook

    con = duckdb.connect(str(warehouse))
    con.execute(
        "CREATE TABLE marts.figure_sources AS SELECT i AS figure_id, 'f' || i AS file FROM range(3) t(i)"
    )
    con.close()
    result = publish(warehouse, tmp_path / "serving")
    assert result.xlsx_left_out == ["marts.figure_sources"]  # only it: the other tables are small
    assert any("figure_sources 是溯源明细" in line for line in result.lines())
    wb = CalamineWorkbook.from_path(str(result.xlsx_path))
    sheet = wb.get_sheet_by_name("figure_sources").to_python()
    assert len(sheet) == 2 and "数字溯源明细" in str(sheet[1][0]) and "xmdw explain" in str(sheet[1][0])
    csv_lines = result.csv_paths["marts.figure_sources"].read_text(encoding="utf-8-sig").splitlines()
    assert len(csv_lines) == 1 + 3
    assert result.tables["marts.figure_sources"] == 3


def test_superset_url_through_sqlalchemy_is_read_only(warehouse: Path, tmp_path: Path) -> None:
    pytest.importorskip("duckdb_engine", reason="duckdb-engine not installed (dev dependency for this test)")
    import sqlalchemy as sa

    result = publish(warehouse, tmp_path / "serving")
    # The URL a Superset user types (docs/bi.md); duckdb-engine passes access_mode to duckdb.connect.
    engine = sa.create_engine(f"duckdb:///{result.duckdb_path}?access_mode=read_only")
    try:
        inspector = sa.inspect(engine)
        assert {"xmdw.marts", "xmdw.ref"} <= set(inspector.get_schema_names())
        assert set(inspector.get_table_names(schema="marts")) == {
            "mart_project_progress",
            "mart_region_summary",
        }
        with engine.connect() as con:
            names = con.execute(sa.text("SELECT name_zh FROM ref.dim_region ORDER BY 1")).scalars().all()
            assert names == ["巴州区", "镇巴县"]
            with pytest.raises(sa.exc.DBAPIError, match="read-only"):
                con.execute(sa.text("CREATE TABLE ref.x (a INT)"))
    finally:
        engine.dispose()


def _sqlalchemy_reflection_broken() -> bool:
    """duckdb-engine 0.17 column reflection fails on SQLAlchemy >= 2.0.45 (pg_collation, duckdb_engine#1379)."""
    import sqlalchemy as sa

    major, minor, patch = (int(p) for p in sa.__version__.split(".")[:3])
    return (major, minor, patch) >= (2, 0, 45)


@pytest.mark.xfail(
    _sqlalchemy_reflection_broken(),
    reason="duckdb-engine 0.17 + SQLAlchemy >= 2.0.45: column reflection queries pg_catalog.pg_collation "
    "(Mause/duckdb_engine#1379). Superset 6.1 uses SQLAlchemy 1.4, where it works (docs/bi.md).",
    strict=False,
)
def test_superset_column_reflection(warehouse: Path, tmp_path: Path) -> None:
    pytest.importorskip("duckdb_engine", reason="duckdb-engine not installed (dev dependency for this test)")
    import sqlalchemy as sa

    result = publish(warehouse, tmp_path / "serving")
    engine = sa.create_engine(f"duckdb:///{result.duckdb_path}?access_mode=read_only")
    try:
        cols = sa.inspect(engine).get_columns("dim_region", schema="ref")
    finally:
        engine.dispose()
    assert [c["name"] for c in cols] == ["region_code", "name_zh"]

"""End to end through Dagster, GX and dbt on real files; mart figures compared with hand-computed values."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest
from ledgers import PLAN_HEADER, PROGRESS_HEADER, PROJECT_HEADER, write_xlsx

from xmdw.defs.pipeline import run_pipeline

pytestmark = pytest.mark.e2e


def _ledgers(landing, progress_rows):
    write_xlsx(
        landing / "发改局_项目基本信息台账.xlsx",
        [
            PROJECT_HEADER,
            ["P1", "镇巴县甲路", "610728", "开工在建", 1000, "县交通局"],
            ["P2", "镇巴县乙厂", "610728", "开工在建", 2000, "县经贸局"],
            ["P3", "巴州区丙园", "511902", "开工在建", 900, "区发改局"],
        ],
    )
    write_xlsx(
        landing / "发改局_2024年度投资计划.xlsx",
        [PLAN_HEADER, ["P1", 2024, "年初", 1000], ["P2", 2024, "年初", 500], ["P3", 2024, "年初", 300]],
    )
    write_xlsx(landing / "发改局_2024年度投资计划中期调整.xlsx", [PLAN_HEADER, ["P1", 2024, "中期调整", 600]])
    write_xlsx(landing / "各单位_月度进度.xlsx", [PROGRESS_HEADER, *progress_rows])


def _mart(paths):
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute(
            "SELECT region_code, month, projects_reporting, projects_planned, ytd_completed_wan, annual_plan_wan, "
            "completion_ratio, time_pace, pace_gap FROM marts.mart_region_monthly_investment ORDER BY 1, 2"
        ).fetchall()
    finally:
        con.close()


def test_ledgers_to_mart_with_hand_computed_figures(data_dir):
    _ledgers(
        data_dir.landing,
        [
            ["P1", "甲", 2024, 3, 300, 300],
            ["P2", "乙", 2024, 3, 100, 900],
            ["P3", "丙", 2024, 3, 30, 30],
            ["P1", "甲", 2024, 6, 450, 450],
            ["P3", "丙", 2024, 6, 60, 60],
        ],
    )
    summary = run_pipeline()
    assert summary.success, summary.failed_steps
    assert summary.files == {"accepted": 4} and summary.rows["loaded"] == 12
    assert all(sev != "ERROR" for _, _, sev in summary.checks)

    # By hand: 610728 plans = P1 latest 600 (年初 1000 cut mid-year) + P2 500 = 1100.
    #   month 3: (300 + 100) / 1100 = 0.363636; pace 3/12 = 0.25; gap 0.113636
    #   month 6: only P1 reported; P2's March cumulative 100 is carried forward (one canonical
    #   计划投资完成率, decision 54): (450 + 100) / 1100 = 0.5; pace 0.5; gap 0
    # 511902: P3 30 / 300 = 0.1 at month 3; 60 / 300 = 0.2 at month 6 (pace 0.5, gap -0.3).
    D = Decimal
    assert _mart(data_dir) == [
        ("511902", 3, 1, 1, D("30.0000"), D("300.0000"), D("0.100000"), D("0.250000"), D("-0.150000")),
        ("511902", 6, 1, 1, D("60.0000"), D("300.0000"), D("0.200000"), D("0.500000"), D("-0.300000")),
        ("610728", 3, 2, 2, D("400.0000"), D("1100.0000"), D("0.363636"), D("0.250000"), D("0.113636")),
        ("610728", 6, 1, 2, D("550.0000"), D("1100.0000"), D("0.500000"), D("0.500000"), D("0.000000")),
    ]


def test_warning_is_reported_but_does_not_block(data_dir):
    # YTD above since-start breaks warning rule C3 only: the models build, the check reports WARN.
    _ledgers(data_dir.landing, [["P1", "甲", 2024, 3, 300, 200], ["P2", "乙", 2024, 3, 100, 900]])
    summary = run_pipeline()
    assert summary.success
    assert ("gx_monthly_progress", False, "WARN") in summary.checks
    assert summary.marts["marts.mart_region_monthly_investment"] == 1  # the models were built


def test_demo_to_marts_through_the_cli(county_demo):
    """`make run` on a fresh data dir (conftest's `county_demo`: `xmdw run --demo-if-empty`): demo ledgers,
    Dagster run, summary; injected problems land where the generator says they should."""
    out = county_demo.stdout
    assert "先生成演示数据" in out  # the landing folder was empty: the CLI wrote the demo first
    assert "xmdw 运行结束：成功" in out and "专题表：" in out

    injected = county_demo.manifest["injected"]
    expected_quarantine = sorted(
        {i["file"].split("/")[-1] for i in injected if i["expect"] == "quarantined_file"}
    )
    expected_rejected = sorted(
        {(i["file"].split("/")[-1], i["row"]) for i in injected if i["expect"] == "rejected_row"}
    )
    assert expected_quarantine and expected_rejected  # the demo does inject both kinds
    con = duckdb.connect(str(county_demo.paths.warehouse), read_only=True)
    try:
        quarantined = sorted(
            r[0]
            for r in con.execute(
                "SELECT file_name FROM raw.ingest_log WHERE status = 'quarantined'"
            ).fetchall()
        )
        rejected = sorted(
            con.execute("SELECT DISTINCT file_name, source_row FROM raw.rejected_rows").fetchall()
        )
        mart_rows = con.execute("SELECT count(*) FROM marts.mart_region_monthly_investment").fetchall()[0][0]
    finally:
        con.close()
    assert quarantined == expected_quarantine
    assert rejected == expected_rejected
    assert mart_rows == 22  # 2 regions x months 2..12


def test_a_second_run_loads_nothing_new_and_does_not_write_the_demo_again(county_demo_copy, capsys):
    from xmdw.cli.main import main

    manifest = county_demo_copy.root / "demo_manifest.json"
    stamp = manifest.stat().st_mtime_ns
    assert main(["run", "--demo-if-empty"]) == 0
    out = capsys.readouterr().out
    assert "xmdw 运行结束：成功" in out and "文件：接收 0，" in out
    assert "先生成演示数据" not in out and manifest.stat().st_mtime_ns == stamp
    assert not any(p.is_file() for p in county_demo_copy.landing.rglob("*"))


def test_cli_ingest_copies_files_and_runs_ingestion_only(data_dir, tmp_path, capsys):
    from xmdw.cli.main import main

    src = tmp_path / "incoming"
    write_xlsx(
        src / "县交通局_2024年03月_月度投资进度.xlsx",
        [PROGRESS_HEADER[:2] + PROGRESS_HEADER[4:], ["P1", "甲", 100, 500]],
    )
    assert main(["ingest", str(src)]) == 0
    assert "文件：接收 1，" in capsys.readouterr().out
    assert (src / "县交通局_2024年03月_月度投资进度.xlsx").exists()  # the caller's file is copied, not moved
    con = duckdb.connect(str(data_dir.warehouse), read_only=True)
    try:
        assert con.execute("SELECT project_id, month FROM raw.monthly_progress").fetchall() == [("P1", 3)]
        schemas = {
            r[0]
            for r in con.execute("SELECT DISTINCT table_schema FROM information_schema.tables").fetchall()
        }
    finally:
        con.close()
    assert "marts" not in schemas  # ingestion only: no dbt models were built


def test_dbt_unit_tests(county_demo_copy, tmp_path):
    """Production builds leave dbt's unit tests out (defs/dbt.py); they run here, on a built
    warehouse (dbt-duckdb reads the inputs' column types from it: a copy of the county demo, as dbt
    opens it for writing). Own target folder: tests run in parallel and others read the shared
    manifest meanwhile."""
    import json
    import subprocess

    from xmdw.core.paths import DBT_EXECUTABLE, DBT_PROJECT_DIR

    target = tmp_path / "dbt_target"
    proc = subprocess.run(
        [DBT_EXECUTABLE, "test", "--select", "test_type:unit", "--profiles-dir", str(DBT_PROJECT_DIR)]
        + ["--target-path", str(target)],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    assert len(results) >= 20 and {r["status"] for r in results} == {"pass"}

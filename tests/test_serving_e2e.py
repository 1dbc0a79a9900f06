"""End to end, the way the statistics bureau runs it: `xmdw run` (subprocess) builds, publishes and
writes the bulletin; a BI reader in another process keeps querying the served copy while the next
`xmdw run` builds a correction, and is never blocked; the resubmission sensor asks for exactly the
bulletins the correction made stale."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterEventType, DagsterInstance, build_run_status_sensor_context
from ledgers import PROGRESS_HEADER, write_xlsx

pytestmark = pytest.mark.e2e

XMDW = str(Path(sys.executable).with_name("xmdw"))
TOTAL = "SELECT sum(ytd_completed_wan) FROM marts.mart_region_monthly_investment"

# A BI user: one long-lived read-only connection (its snapshot must not change) and, at every
# poll, a fresh read-only connection (opening must never fail or wait while a build runs).
READER = """
import duckdb, json, sys, time
from pathlib import Path
served, stop, out = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
held = duckdb.connect(served, read_only=True)
q = "SELECT sum(ytd_completed_wan) FROM marts.mart_region_monthly_investment"
seen, slowest, polls, errors = set(), 0.0, 0, []
while not stop.exists():
    t = time.perf_counter()
    try:
        seen.add(str(held.execute(q).fetchall()[0][0]))
        fresh = duckdb.connect(served, read_only=True)
        fresh.execute(q).fetchall()
        fresh.close()
    except Exception as exc:
        errors.append(repr(exc))
    slowest = max(slowest, time.perf_counter() - t)
    polls += 1
    time.sleep(0.05)
json.dump({"seen": sorted(seen), "slowest": slowest, "polls": polls, "errors": errors}, open(out, "w"))
"""


def _xmdw(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([XMDW, *args], capture_output=True, text=True, timeout=900)


def _one(path: Path, sql: str, params=()):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_reader_never_blocked_and_stale_bulletins_rebuilt(county_demo, county_demo_copy, tmp_path):
    # the first `xmdw run --demo-if-empty` is conftest's county demo; this test works on a copy of it
    data_dir = county_demo_copy
    served = data_dir.served_warehouse
    for label in ("月通报 2024-12", "BI 发布副本", "数据质量报告"):
        assert label in county_demo.stdout, county_demo.stdout
    assert (data_dir.reports / "月通报_2024-12.xlsx").exists() and served.exists()
    # the bulletin is dated: it prints the published version it read (issue 10 item 5)
    assert _one(served, "SELECT version_id FROM meta.publish_version") == [("v0001",)]
    assert "数据版本：v0001" in (data_dir.reports / "月通报_2024-12.html").read_text(encoding="utf-8")

    from xmdw.defs.pipeline import run_pipeline

    assert run_pipeline("xmdw_bulletin", partition_key="2024-10").success  # an earlier bulletin, as issued

    # a corrected November ledger for one project whose December figure stays above it
    pid, name, ytd, since_start = _one(
        data_dir.warehouse,
        """SELECT n.project_id, n.project_name, n.ytd_completed, n.since_start_completed
           FROM staging.stg_raw__monthly_progress n JOIN staging.stg_raw__monthly_progress d
             ON d.project_id = n.project_id AND d.year = n.year AND d.month = 12 AND d.basis = n.basis
           WHERE n.year = 2024 AND n.month = 11 AND n.basis = 'DISPATCH'
             AND n.project_id IN (SELECT project_id FROM staging.stg_raw__projects)
             AND d.ytd_completed >= n.ytd_completed + 10
             AND d.since_start_completed >= n.since_start_completed + 10
           ORDER BY 1 LIMIT 1""",
    )[0]
    before = _one(served, TOTAL)[0][0]
    write_xlsx(
        data_dir.landing / "县发改局_2024年11月_进度更正.xlsx",
        [PROGRESS_HEADER, [pid, name, 2024, 11, float(ytd) + 10, float(since_start) + 10]],
    )

    stop, out = tmp_path / "stop", tmp_path / "reader.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(served), str(stop), str(out)])
    try:
        time.sleep(1.0)
        second = _xmdw("run")
        assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    finally:
        stop.touch()
        reader.wait(timeout=60)
    polls = json.loads(out.read_text())

    assert polls["errors"] == [] and polls["polls"] > 20
    assert polls["slowest"] < 2.0  # never waited on the build
    assert polls["seen"] == [str(before)]  # the held connection kept its snapshot
    assert _one(served, TOTAL)[0][0] == before + Decimal(10)  # a new reader sees the correction
    assert _one(served, "SELECT version_id FROM meta.publish_version") == [("v0002",)]

    # the resubmission sensor: November corrected -> the November-or-later bulletins already issued
    with DagsterInstance.get() as instance:
        from xmdw.defs.sensors import bulletins_after_resubmission

        run = instance.get_run_records(limit=20)
        last = next(r.dagster_run for r in run if r.dagster_run.job_name == "xmdw_build_all")
        success = instance.all_logs(last.run_id, of_type=DagsterEventType.RUN_SUCCESS)[0].dagster_event
        context = build_run_status_sensor_context(
            sensor_name="bulletins_after_resubmission",
            dagster_event=success,
            dagster_instance=instance,
            dagster_run=last,
        )
        requests = bulletins_after_resubmission(context)
    assert sorted(r.partition_key for r in requests) == ["2024-12"]  # 2024-10 stays as issued

"""kill -9 at 24 points of `xmdw run`, from start-up through ingestion, checks, dbt, publish and inside
report writes (issue 11, item 6). Heavy: `make test-heavy` (about 15-20 minutes on 2 cores).

The runs are frozen at named points (xmdw.core.faultpoints: hooks in the code and Dagster's own step, log and
materialisation events) and the whole process group — dbt included — is killed with SIGKILL there, or a
moment later for the points marked with a delay. Each run starts on what the previous kill left. After
every kill:
- the served DuckDB copy is the last good one, or a complete copy of the warehouse as it is now (the
  kill came after the swap), or absent if nothing was ever published;
- Parquet, CSV, the served workbook and every report are complete files (never 0 bytes, never cut);
and after the loop one uninterrupted run succeeds and its marts equal those of a single uninterrupted
run on a fresh data directory.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from ledgers import PLAN_HEADER, PROGRESS_HEADER, PROJECT_HEADER, write_xlsx
from python_calamine import CalamineWorkbook

from xmdw.core.paths import DataPaths
from xmdw.serving import serving_paths

pytestmark = pytest.mark.heavy

XMDW = str(Path(sys.executable).with_name("xmdw"))

# (XMDW_FAULT_PAUSE spec, seconds between reaching the point and the kill; with "~" the run goes on)
POINTS: list[tuple[str, float]] = [
    ("pipeline.start", 0),
    ("step:ingest_landing", 0),
    ("step:ingest_landing~", 0.3),  # somewhere inside the ingestion
    ("log:ingestion summary", 0),
    ("step:gx_raw_tables", 0),
    ("step:gx_raw_tables~", 3.0),
    ("step:xmdw_dbt_assets", 0),
    ("done:xmdw_dbt_assets#5", 0),  # dbt keeps building in its own process until the group is killed
    ("done:xmdw_dbt_assets#30", 0),
    ("step:serving__xmdw", 0),
    ("publish.copied", 0),
    ("publish.csv#3", 0),
    ("publish.before_flip", 0),  # DuckDB already swapped, Parquet not yet
    ("publish.xlsx", 0),
    ("step:reports__dq_report", 0),
    ("step:reports__dq_report~", 0.5),
    ("pipeline.after_job", 0),
    ("pipeline.start#2", 0),  # the period reports' run
    ("step:reports__monthly_bulletin", 0),
    ("report.xlsx.before_close", 0),
    ("report.pdf.before_rename", 0),
    ("step:reports__quarterly_scorecard", 0),
    ("report.xlsx.before_close#3", 0),  # the year-end evaluation's workbook
    ("done:reports__year_end_evaluation", 0),
]
TABLES_SQL = (
    "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name IN ('marts', 'ref') ORDER BY 1, 2"
)
RUN_COLUMNS = {"run_id", "checked_at", "is_latest_run", "ingested_at"}  # wall-clock: differ by construction


def _digest(db: Path, *, for_comparison: bool = False) -> dict[str, str]:
    """Table -> md5 of its sorted rows (optionally without run identifiers, latest DQ run only)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for schema, table in con.execute(TABLES_SQL).fetchall():
            name = f'"{schema}"."{table}"'
            cols = [c for (c,) in con.execute(f"SELECT column_name FROM (DESCRIBE {name})").fetchall()]
            where = ""
            if for_comparison:
                if "is_latest_run" in cols:
                    where = "WHERE is_latest_run"
                cols = [c for c in cols if c not in RUN_COLUMNS]
            row = "concat_ws('|', " + ", ".join(f"coalesce(\"{c}\"::VARCHAR, '∅')" for c in cols) + ")"
            out[f"{schema}.{table}"] = con.execute(
                f"SELECT md5(coalesce(string_agg(r, chr(10) ORDER BY r), '')) FROM "
                f"(SELECT {row} AS r FROM {name} {where})"
            ).fetchall()[0][0]
        return out
    finally:
        con.close()


def _run(env: dict[str, str], spec: str | None, delay: float, marker: Path) -> str:
    """`xmdw run` killed (process group, SIGKILL) at `spec`; returns how it ended."""
    run_env = env | ({"XMDW_FAULT_PAUSE": spec, "XMDW_FAULT_MARKER": str(marker)} if spec else {})
    marker.unlink(missing_ok=True)
    log_path = marker.with_name(f"run-{time.monotonic_ns()}.log")
    with log_path.open("w") as log:
        proc = subprocess.Popen([XMDW, "run"], env=run_env, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 900
    while not marker.exists() and proc.poll() is None:
        assert time.monotonic() < deadline, f"{spec}: neither reached nor finished"
        time.sleep(0.02)
    if proc.poll() is not None:
        return f"finished ({proc.returncode}) before {spec}: {log_path.read_text(encoding='utf-8')[-4000:]}"
    time.sleep(delay)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 60
    while True:  # the whole group (dbt too) is gone before we look at the files
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "process group survived SIGKILL"
        time.sleep(0.05)
    return "killed"


def _complete(path: Path) -> None:
    """A report or export file is whole: opens and ends as its format requires."""
    data = path.read_bytes()
    assert data, f"{path} is empty"
    if path.suffix == ".xlsx":
        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()
    elif path.suffix == ".pdf":
        assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF"), f"{path} is cut"
    elif path.suffix == ".html":
        assert data.rstrip().endswith(b"</html>"), f"{path} is cut"
    elif path.suffix == ".csv":
        assert data.startswith(b"\xef\xbb\xbf"), path
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows and all(len(r) == len(rows[0]) for r in rows), f"{path} is cut"


def _check_after_kill(paths: DataPaths, last_good: dict[str, str] | None) -> dict[str, str] | None:
    """The invariants after a kill; returns the served copy's digest (the new 'last good')."""
    serving = serving_paths(paths.serving)
    served = _digest(serving.duckdb) if serving.duckdb.exists() else None
    if served != last_good:
        assert served is not None, "a served copy disappeared"
        assert served == _digest(paths.warehouse), "the served copy is neither the last good one nor complete"
    if serving.parquet_current.is_symlink():
        con = duckdb.connect()
        for f in serving.parquet_current.rglob("*.parquet"):
            con.execute(f"SELECT count(*) FROM read_parquet('{f}')").fetchall()
        con.close()
    for folder in (paths.reports, serving.export_dir):
        if folder.exists():
            for f in folder.rglob("*"):
                if f.is_file() and not f.name.startswith("."):
                    _complete(f)
    return served


def _ledgers(folder: Path) -> None:
    """Small ledgers (as in test_e2e) with March, June and December: a bulletin, a scorecard and a
    year-end evaluation follow every build, so every kill point is reached in a few minutes."""
    write_xlsx(
        folder / "发改局_项目基本信息台账.xlsx",
        [
            PROJECT_HEADER,
            ["P1", "镇巴县甲路", "610728", "开工在建", 1000, "县交通局"],
            ["P2", '=HYPERLINK("http://x")', "610728", "开工在建", 2000, "县经贸局"],
            ["P3", "巴州区丙园", "511902", "开工在建", 900, "区发改局"],
        ],
    )
    write_xlsx(
        folder / "发改局_2024年度投资计划.xlsx",
        [PLAN_HEADER, *[[p, 2024, "年初", 600] for p in ("P1", "P2", "P3")]],
    )
    rows = [[p, "甲", 2024, m, 100 * m, 100 * m] for p in ("P1", "P2", "P3") for m in (3, 6, 12)]
    write_xlsx(folder / "各单位_月度进度.xlsx", [PROGRESS_HEADER, *rows, ["P9", "乙", 2024, 13, "x", 1]])


def test_kill_loop_leaves_served_copy_and_reports_whole(tmp_path: Path) -> None:
    landing_files = tmp_path / "ledgers"
    _ledgers(landing_files)

    def fresh(name: str) -> tuple[DataPaths, dict[str, str]]:
        paths = DataPaths(tmp_path / name).ensure()
        subprocess.run(["cp", "-a", f"{landing_files}/.", str(paths.landing)], check=True)
        env = os.environ | {
            "XMDW_DATA_DIR": str(paths.root),
            "XMDW_WAREHOUSE": str(paths.warehouse),
            "DAGSTER_HOME": str(paths.dagster_home),
        }
        return paths, env

    started = time.perf_counter()
    ref_paths, ref_env = fresh("reference")
    assert _run(ref_env, None, 0, tmp_path / "unused").startswith("finished (0)")
    reference_seconds = time.perf_counter() - started
    reference = _digest(ref_paths.warehouse, for_comparison=True)

    paths, env = fresh("killed")
    last_good, outcomes, loop_started = None, [], time.perf_counter()
    for spec, delay in POINTS:
        outcome = _run(env, spec, delay, tmp_path / "marker")
        outcomes.append((spec, outcome))
        last_good = _check_after_kill(paths, last_good)
    loop_seconds = time.perf_counter() - loop_started
    assert [s for s, o in outcomes if o != "killed"] == [], outcomes

    assert _run(env, None, 0, tmp_path / "unused").startswith("finished (0)"), "the run after the kills"
    _check_after_kill(paths, last_good)
    assert _digest(paths.warehouse, for_comparison=True) == reference
    assert _digest(paths.served_warehouse) == _digest(paths.warehouse)
    print(
        f"\nkill loop: {len(POINTS)} kills in {loop_seconds:.0f} s; uninterrupted run {reference_seconds:.0f} s; "
        f"total {time.perf_counter() - started:.0f} s"
    )

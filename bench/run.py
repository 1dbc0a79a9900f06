"""Benchmark runner (issue 6): every pipeline stage at county / province / nation scale, the floor
(the same SQL without the framework) and the monthly increment.

    make bench                 # county + province (~15 min on 2 cores)
    make bench-nation          # nation (~1 M projects), on purpose only
    .venv/bin/python bench/run.py --scales county --repeat 3 [--run-repeat N] [--no-increment]

`--repeat` runs of every stage; `--run-repeat` runs of the whole `xmdw run` and of the increment (default:
--repeat at county, 1 at province and nation, where 3 would take `make bench` past 15 minutes).

Per scale the demo generator's files are written once and cached under <base>/<scale>/cache/ (base:
$XMDW_DATA_DIR/bench, default data/bench). Every run hard-links them into a fresh landing folder (ingestion
moves landing files away) and measures, each stage in its own process (wall time from outside with
perf_counter, peak RSS from wait4()):

  ingest    ingest_landing: parse, validate, load, archive (county: xlsx; province/nation: the bulk CSVs)
  gx        the GX raw-table checks with their results recorded (what the Dagster check step runs)
  floor     the floor on a copy of the post-GX warehouse, one DuckDB connection, one process: every
            model's SQL as `dbt compile` renders it, as one script (bench/make_floor.py writes it
            once per bench to <base>/floor.sql, untimed, like the dbt manifest)
  dbt       `dbt build` with the venv's dbt as Dagster runs it (seeds, models, data tests; unit tests are CI's)
  report    the data-quality report (HTML + xlsx)
  bulletin  xmdw.reports.bulletin.build_monthly_bulletin, latest month   } when importable,
  publish   xmdw.serving.publish.publish                                 } else skipped with a note
  xmdw_run  the whole `xmdw run` (Dagster, in-process executor) on its own fresh data directory

and, at province scale, the increment: all months but the last loaded by `xmdw run`, then the last
month's files added and what the schedule would run (`xmdw run`, with `--month` when the CLI has it)
timed against a full `xmdw run`. Results: <base>/results-<timestamp>.json and a markdown table on stdout.
Not a test: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from measure import DBT, PYTHON, XMDW, Measurement, last_json_line, measure, report_line
from summary import machine, markdown, summarise

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_models"
FLOOR_DB = "floor_input.duckdb"  # not floor.duckdb: its catalog name would clash with schema `floor`
# progress ledgers of the synthetic scales: <region>_<YYYY>年<MM>月_月度投资进度.csv (one per region-month)
PROGRESS_FILE = re.compile(r"_(\d{4})年(\d{2})月_月度投资进度\.csv$")


def child_env(data_dir: Path) -> dict[str, str]:
    """Environment of every measured process: one data directory, its own Dagster home, no telemetry."""
    env = os.environ.copy()
    env.update(
        XMDW_DATA_DIR=str(data_dir),
        XMDW_WAREHOUSE=str(data_dir / "warehouse.duckdb"),
        DAGSTER_HOME=str(data_dir / "dagster_home"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        GX_ANALYTICS_ENABLED="False",
        DO_NOT_TRACK="1",
        DAGSTER_DISABLE_TELEMETRY="true",
    )
    return env


def stage_cmd(stage: str, data_dir: Path, month: str | None = None) -> list[str]:
    cmd = [PYTHON, str(BENCH_DIR / "stages.py"), stage, str(data_dir)]
    return cmd + (["--month", month] if month else [])


def dbt_cmd() -> list[str]:
    # the same build the Dagster dbt asset runs (xmdw.defs.dbt.dbt_build_args())
    target = os.environ.get("DBT_TARGET_PATH") or str(DBT_PROJECT_DIR / "target")
    from xmdw.defs.dbt_cli import dbt_build_args

    args = dbt_build_args()
    return [DBT, *args, "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", target, "--quiet"]


def dbt_target() -> Path:
    return Path(os.environ.get("DBT_TARGET_PATH") or DBT_PROJECT_DIR / "target")


def dbt_outcome(m: Measurement) -> None:
    """Read dbt's run_results.json into the measurement. A build whose only failures are data tests
    (models all built or skipped behind a failed test, no errors) did the work: its time counts, flagged."""
    path = dbt_target() / "run_results.json"
    if not path.exists():
        return
    results = json.loads(path.read_text(encoding="utf-8"))["results"]
    counts: dict[str, int] = {}
    for r in results:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    m.details["dbt_statuses"] = counts
    m.details["dbt_failed"] = [r["unique_id"] for r in results if r["status"] in ("fail", "error")]
    if m.status == "failed" and counts.get("error", 0) == 0 and counts.get("fail", 0) > 0:
        m.status = "ok"
        m.details["flag"] = f"{counts['fail']} dbt tests failed, {counts.get('skipped', 0)} dbt nodes skipped"


def run_outcome(m: Measurement) -> None:
    """`xmdw run` failed only in the dbt step (failed dbt tests): the run did its work, flagged."""
    failed = [line for line in m.details.get("summary", []) if "failed steps" in line]
    if m.status == "failed" and failed and failed[0].rsplit(":", 1)[-1].strip() == "xmdw_dbt_assets":
        m.status = "ok"
        m.details["flag"] = "Dagster dbt step failed (dbt tests), steps after it skipped"


def run_has_month_flag() -> bool:
    """Does `xmdw run` take --month (the monthly-schedule job) in this checkout?"""
    out = subprocess.run([XMDW, "run", "--help"], capture_output=True, text=True, check=False).stdout
    return "--month" in out


# ------------------------------------------------------------------------------------------------ data


def bench_base() -> Path:
    root = os.environ.get("XMDW_DATA_DIR") or str(PROJECT_ROOT / "data")
    return Path(root).resolve() / "bench"


def ensure_generated(base: Path, scale: str, seed: int = 2024) -> Path:
    """The scale's landing files, generated once (kept pristine: runs only link them)."""
    cache = base / scale / "cache"
    marker = cache / "generated.json"
    params = {"scale": scale, "seed": seed, "imperfection_rate": 0.15, "plan_year": 2024}
    if marker.exists() and json.loads(marker.read_text(encoding="utf-8")).get("params") == params:
        return cache / "landing"
    shutil.rmtree(cache, ignore_errors=True)
    tmp = base / scale / "cache.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    # in a child process: the runner stays small (a child's peak RSS counts its parent's at fork time)
    code = (
        "import json, sys, time; from pathlib import Path; from xmdw_demo import generate; "
        "p = json.loads(sys.argv[2]); t = time.perf_counter(); s = generate(Path(sys.argv[1]), **p); "
        "print(json.dumps({'params': p, 'seconds': round(time.perf_counter() - t, 1), "
        "'files': s.files_written, 'rows': s.rows_by_entity}, ensure_ascii=False))"
    )
    out = subprocess.run(
        [PYTHON, "-c", code, str(tmp / "landing"), json.dumps(params)],
        capture_output=True,
        text=True,
        check=True,
    )
    info = last_json_line(out.stdout)
    (tmp / "generated.json").write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.rename(cache)  # a half-written cache is never taken for a finished one
    print(f"  generated {scale}: {info['files']} files in {info['seconds']:.1f} s → {cache}", flush=True)
    return cache / "landing"


def link_landing(cache: Path, landing: Path, keep: Callable[[Path], bool] = lambda p: True) -> int:
    """Hard-link (copy across devices) the cached files into `landing`; modification times are kept,
    so the ingestion order (oldest first) is the cache's."""
    n = 0
    for src in sorted(p for p in cache.rglob("*") if p.is_file()):
        if not keep(src):
            continue
        dst = landing / src.relative_to(cache)
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
        n += 1
    return n


def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def latest_month(warehouse: Path) -> str | None:
    """Latest report month in raw.monthly_progress as YYYY-MM (the bulletin's month)."""
    code = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); print(con.execute("
        "'SELECT max(TRY_CAST(year AS INTEGER) * 100 + TRY_CAST(month AS INTEGER)) FROM raw.monthly_progress'"
        ").fetchall()[0][0])"
    )
    out = subprocess.run([PYTHON, "-c", code, str(warehouse)], capture_output=True, text=True, check=False)
    row = int(out.stdout.strip()) if out.stdout.strip().isdigit() else None
    return f"{row // 100:04d}-{row % 100:02d}" if row else None


def generate_floor(base: Path) -> dict:
    """bench/make_floor.py: the floor script from `dbt compile`, in its own process (dbt stays out of
    the runner). Generated at bench time, never committed, so it is the models as they are now."""
    path = base / "floor.sql"
    out = subprocess.run(
        [PYTHON, str(BENCH_DIR / "make_floor.py"), str(path)], capture_output=True, text=True, check=True
    )
    print(f"  floor: {out.stdout.strip()}", flush=True)
    return {"path": str(path), "generated": out.stdout.strip()}


def floor_equals_marts(warehouse: Path, floor_sql: Path) -> bool:
    """bench/check_floor.py on the built warehouse (prints its comparison)."""
    cmd = [PYTHON, str(BENCH_DIR / "check_floor.py"), str(warehouse), "--floor", str(floor_sql)]
    return subprocess.run(cmd, check=False).returncode == 0


def last_progress_month(cache: Path) -> str | None:
    months = {f"{m[1]}-{m[2]}" for p in cache.rglob("*.csv") if (m := PROGRESS_FILE.search(p.name))}
    return max(months) if months else None


def is_month_file(path: Path, month: str) -> bool:
    m = PROGRESS_FILE.search(path.name)
    return bool(m) and f"{m[1]}-{m[2]}" == month


# ------------------------------------------------------------------------------------------- one scale


def run_stages(cache: Path, work: Path, floor_sql: Path, check_floor: bool) -> list[Measurement]:
    """One run of every stage, one after another on one fresh data directory."""
    data = fresh_dir(work / "stages")
    link_landing(cache, data / "landing")
    env = child_env(data)
    results = []

    def step(stage: str, cmd: list[str], cwd: Path | None = None) -> Measurement:
        m = measure(stage, cmd, env, cwd)
        if stage == "dbt":
            dbt_outcome(m)
        report_line(m)
        results.append(m)
        return m

    step("ingest", stage_cmd("ingest", data))
    step("gx", stage_cmd("gx", data))
    shutil.copy2(data / "warehouse.duckdb", data / FLOOR_DB)  # the same input dbt gets
    step("floor", [*stage_cmd("floor", data), "--floor", str(floor_sql)])
    (data / FLOOR_DB).unlink()
    step("dbt", dbt_cmd(), cwd=DBT_PROJECT_DIR)
    if check_floor:
        results[-1].details["floor_equals_marts"] = floor_equals_marts(data / "warehouse.duckdb", floor_sql)
    step("report", stage_cmd("report", data))
    step("bulletin", stage_cmd("bulletin", data, latest_month(data / "warehouse.duckdb")))
    step("publish", stage_cmd("publish", data))
    return results


def run_whole(cache: Path, work: Path) -> Measurement:
    """The whole `xmdw run` on a fresh data directory (ingest → GX → dbt → mart checks → reports …)."""
    data = fresh_dir(work / "xmdw_run")
    link_landing(cache, data / "landing")
    m = measure("xmdw_run", [XMDW, "run"], child_env(data))
    run_outcome(m)
    report_line(m)
    return m


def run_increment(cache: Path, work: Path, repeat: int) -> dict:
    """All months but the last built by `xmdw run`; then, from a snapshot of that state each time, the
    last month's files added and what the monthly schedule would run, timed."""
    month = last_progress_month(cache)
    if month is None:
        return {"note": "no per-month progress files at this scale: increment not measured"}
    base_dir = fresh_dir(work / "increment_base")
    link_landing(cache, base_dir / "landing", keep=lambda p: not is_month_file(p, month))
    setup = measure("xmdw_run_all_but_last_month", [XMDW, "run"], child_env(base_dir))
    run_outcome(setup)
    print(f"    setup: all months but {month} built in {setup.seconds:.1f} s ({setup.status})", flush=True)
    month_flag = run_has_month_flag()
    cmd = [XMDW, "run"] + (["--month", month] if month_flag else [])
    runs = []
    for _ in range(repeat):
        data = work / "increment"
        shutil.rmtree(data, ignore_errors=True)
        shutil.copytree(base_dir, data, symlinks=True)  # parquet/current is a relative link
        link_landing(cache, data / "landing", keep=lambda p: is_month_file(p, month))
        m = measure("increment", cmd, child_env(data))
        run_outcome(m)
        report_line(m)
        runs.append(m)
    shutil.rmtree(base_dir, ignore_errors=True)
    return {
        "month_added": month,
        "command": " ".join(["xmdw", *cmd[1:]]),
        "month_flag": month_flag,
        "setup": asdict(setup),
        "runs": [asdict(m) for m in runs],
    }


def bench_scale(
    scale: str, repeat: int, run_repeat: int, increment: bool, base: Path, floor_sql: Path
) -> dict:
    print(f"\n== {scale} ({repeat} runs of the stages, {run_repeat} of `xmdw run`)", flush=True)
    cache = ensure_generated(base, scale)
    work = base / scale / "work"
    measurements: list[Measurement] = []
    for r in range(max(repeat, run_repeat)):
        print(f"  run {r + 1}", flush=True)
        if r < repeat:
            measurements += run_stages(cache, work, floor_sql, check_floor=r == 0)
        if r < run_repeat:
            measurements.append(run_whole(cache, work))
    summary = summarise(measurements)
    out = {
        "cache": str(cache),
        "generated": json.loads((cache.parent / "generated.json").read_text(encoding="utf-8")),
        "summary": summary,
        "measurements": [asdict(m) for m in measurements],
    }
    if increment:
        inc = run_increment(cache, work, max(run_repeat, 1))
        secs = [m["seconds"] for m in inc.get("runs", []) if m["status"] == "ok"]
        full = summary.get("xmdw_run", {}).get("median")
        if secs:
            inc.update(median=round(statistics.median(secs), 2), min=min(secs), max=max(secs))
            if full:
                inc.update(full_run_median=full, ratio_to_full_run=round(inc["median"] / full, 3))
        out["increment"] = inc
    shutil.rmtree(work, ignore_errors=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description="xmdw benchmarks (issue 6)")
    ap.add_argument("--scales", default="county,province", help="comma-separated: county,province,nation")
    ap.add_argument("--repeat", type=int, default=3, help="runs per stage (median, min–max)")
    ap.add_argument(
        "--run-repeat",
        type=int,
        help="runs of the whole `xmdw run` and of the increment (default: --repeat at county, 1 above: "
        "3 would take `make bench` past 15 minutes, see docs/benchmarks.md); 0 skips them",
    )
    ap.add_argument("--no-increment", action="store_true", help="skip the province increment")
    args = ap.parse_args()
    base = bench_base()
    base.mkdir(parents=True, exist_ok=True)
    subprocess.run([XMDW, "prepare"], check=True, stdout=subprocess.DEVNULL)  # dbt manifest, untimed
    floor = generate_floor(base)  # untimed too: the floor's cost is running it, not writing it
    started = datetime.now()
    result: dict = {
        "started_at": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "load_at_start": os.getloadavg(),
        "repeat": args.repeat,
        "run_repeat": args.run_repeat,
        "floor": floor,
        "scales": {},
    }
    for scale in args.scales.split(","):
        run_repeat = (
            args.run_repeat if args.run_repeat is not None else args.repeat if scale == "county" else 1
        )
        increment = scale == "province" and run_repeat > 0 and not args.no_increment
        result["scales"][scale] = bench_scale(
            scale, args.repeat, run_repeat, increment, base, Path(floor["path"])
        )
    result["seconds"] = round((datetime.now() - started).total_seconds(), 1)
    path = base / f"results-{started:%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print(f"\n{markdown(result)}\n\nresults: {path}  ({result['seconds'] / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

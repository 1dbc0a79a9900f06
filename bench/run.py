"""Benchmark runner (issues 6 and 15): every pipeline stage at county / province / nation scale, the floor
(the same SQL without the framework), the monthly increment, BI latency during a build, and issue 15's
targets table.

    make bench                 # county + province (< 20 min on 2 cores once issue 15's targets are met)
    make bench-nation          # nation (~1 M projects), on purpose only
    .venv/bin/python bench/run.py --scales county --repeat 3 [--run-repeat N] [--no-increment] [--no-bi]

`--repeat` runs of every stage; `--run-repeat` runs of the whole `xmdw run` and of the increment (default:
3 at county — the targets table's county figure is a median —, 1 at province and nation).

Per scale the demo generator's files are written once and cached under <base>/<scale>/cache/ (base:
$XMDW_DATA_DIR/bench, default data/bench). Every run hard-links them into a fresh landing folder (ingestion
moves landing files away) and measures, each stage in its own process (wall time from outside with
perf_counter, peak RSS from wait4(), killed by the memory guard or after a time limit):

  ingest    ingest_landing: parse, validate, load, archive (county: xlsx; province/nation: the bulk CSVs)
  gx        the data-quality stage: raw-table checks with their results recorded (the Dagster check step)
  floor     the floor on a copy of the post-GX warehouse, one DuckDB connection, one process: every
            model's SQL as `dbt compile` renders it, as one script (bench/make_floor.py writes it
            once per bench to <base>/floor.sql, untimed, like the dbt manifest)
  dbt       `dbt build` with the venv's dbt as Dagster runs it (seeds, models, data tests; unit tests are CI's)
  report    the data-quality report (HTML + xlsx)
  bulletin  xmdw.reports.bulletin.build_monthly_bulletin, latest month   } when importable,
  publish   xmdw.serving.publish.publish                                 } else skipped with a note
  xmdw_run  the whole `xmdw run` (Dagster, in-process executor) on its own fresh data directory

A stage that does not finish in time (--stage-timeout; `xmdw run`: --run-timeout) is killed and reported
"did not finish"; what needs its output is "not run", and so is the whole `xmdw run` (it would not finish
either); --budget bounds a scale's total. At province scale, the increment: all months but the last loaded
by `xmdw run` (with the BI client, bench/bi_load.py, querying the served copy published before it started),
then the last month's files added and what the schedule would run (`xmdw run --month`) timed against a
full `xmdw run`. Results: <base>/results-<timestamp>.json, the stage table and the targets table
(bench/targets.py) on stdout. Not a test: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import bi_load
import targets
from dbt_step import DBT_PROJECT_DIR, dbt_cmd, dbt_outcome, run_outcome
from landing import (
    bench_base,
    ensure_generated,
    fresh_dir,
    is_month_file,
    last_progress_month,
    latest_month,
    link_landing,
)
from measure import PYTHON, UNFINISHED, XMDW, Measurement, measure, not_run, report_line
from summary import machine, markdown, summarise

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
FLOOR_DB = "floor_input.duckdb"  # not floor.duckdb: its catalog name would clash with schema `floor`
# Time limits in minutes per scale: (one stage, the whole `xmdw run`, the scale in total or None). At county
# and province they only catch a hang (a province run took 20+ min on a machine at load 10); at nation a
# stage that cannot finish costs its limit, not hours.
LIMITS_MIN = {"county": (30, 30, None), "province": (60, 60, None), "nation": (20, 40, 90)}
# what each stage reads from the one before: a stage that did not finish leaves nothing to measure on
NEEDS = {"gx": "ingest", "floor": "gx", "dbt": "gx", "report": "gx", "bulletin": "dbt", "publish": "dbt"}


@dataclass
class Limits:
    """Time limits of one scale (seconds); `deadline` (monotonic) when the scale has a total budget."""

    stage: float
    run: float
    deadline: float | None = None

    def timeout(self, kind: str) -> float:
        limit = self.run if kind == "run" else self.stage
        return limit if self.deadline is None else max(1.0, min(limit, self.deadline - time.monotonic()))

    def used_up(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline


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


def prepared(data: Path) -> Path:
    """`xmdw prepare --force` in `data`'s environment, untimed, as a deployment runs it once before its runs:
    dbt keys partial parsing on the warehouse path, so a run in a fresh directory would otherwise parse the whole
    project again (~7 s CPU) — a cost a deployment with one data directory pays once, not per run."""
    subprocess.run([XMDW, "prepare", "--force"], env=child_env(data), check=True, stdout=subprocess.DEVNULL)
    return data


def stage_cmd(stage: str, data_dir: Path, month: str | None = None) -> list[str]:
    cmd = [PYTHON, str(BENCH_DIR / "stages.py"), stage, str(data_dir)]
    return cmd + (["--month", month] if month else [])


def run_has_month_flag() -> bool:
    """Does `xmdw run` take --month (the monthly-schedule job) in this checkout?"""
    out = subprocess.run([XMDW, "run", "--help"], capture_output=True, text=True, check=False).stdout
    return "--month" in out


def generate_floor(base: Path) -> dict:
    """bench/make_floor.py: the floor script from `dbt compile`, in its own process (dbt stays out of
    the runner). Generated at bench time, never committed, so it is the models as they are now."""
    path = base / "floor.sql"
    out = subprocess.run(
        [PYTHON, str(BENCH_DIR / "make_floor.py"), str(path)], capture_output=True, text=True, check=True
    )
    print(f"  floor: {out.stdout.strip()}", flush=True)
    return {"path": str(path), "generated": out.stdout.strip()}


def floor_equals_marts(warehouse: Path, floor_sql: Path, timeout: float) -> bool | str:
    """bench/check_floor.py on the built warehouse (prints its comparison)."""
    cmd = [PYTHON, str(BENCH_DIR / "check_floor.py"), str(warehouse), "--floor", str(floor_sql)]
    try:
        return subprocess.run(cmd, check=False, timeout=timeout).returncode == 0
    except subprocess.TimeoutExpired:
        return f"did not finish in {timeout / 60:.3g} min"


# ------------------------------------------------------------------------------------------- one scale


def run_stages(
    cache: Path, work: Path, floor_sql: Path, check_floor: bool, limits: Limits
) -> list[Measurement]:
    """One run of every stage, one after another on one fresh data directory."""
    data = prepared(fresh_dir(work / "stages"))
    link_landing(cache, data / "landing")
    env = child_env(data)
    done: dict[str, Measurement] = {}

    def step(stage: str, cmd: Callable[[], list[str]], cwd: Path | None = None) -> Measurement:
        need = done.get(NEEDS.get(stage, ""))
        if need is not None and need.status in (*UNFINISHED, "not run"):
            m = not_run(stage, f"{need.stage} did not finish")
        elif limits.used_up():
            m = not_run(stage, "the scale's time budget (--budget) is used up")
        else:
            m = measure(stage, cmd(), env, cwd, limits.timeout("stage"))
        if stage == "dbt":
            dbt_outcome(m)
        report_line(m)
        done[stage] = m
        return m

    def floor_cmd() -> list[str]:
        shutil.copy2(data / "warehouse.duckdb", data / FLOOR_DB)  # the same input dbt gets
        return [*stage_cmd("floor", data), "--floor", str(floor_sql)]

    step("ingest", lambda: stage_cmd("ingest", data))
    step("gx", lambda: stage_cmd("gx", data))
    step("floor", floor_cmd)
    (data / FLOOR_DB).unlink(missing_ok=True)
    dbt = step("dbt", dbt_cmd, cwd=DBT_PROJECT_DIR)
    if check_floor and dbt.status == "ok":
        timeout = limits.timeout("stage")
        dbt.details["floor_equals_marts"] = floor_equals_marts(data / "warehouse.duckdb", floor_sql, timeout)
    step("report", lambda: stage_cmd("report", data))
    step("bulletin", lambda: stage_cmd("bulletin", data, latest_month(data / "warehouse.duckdb")))
    step("publish", lambda: stage_cmd("publish", data))
    return list(done.values())


def run_whole(cache: Path, work: Path, limits: Limits, unfinished: str | None) -> Measurement:
    """The whole `xmdw run` on a fresh data directory (ingest → GX → dbt → mart checks → reports …);
    not run when one of its stages did not finish on its own (it would not finish here either)."""
    if unfinished or limits.used_up():
        why = (
            f"{unfinished} did not finish as a stage" if unfinished else "the scale's time budget is used up"
        )
        m = not_run("xmdw_run", why)
    else:
        data = prepared(fresh_dir(work / "xmdw_run"))
        link_landing(cache, data / "landing")
        m = measure("xmdw_run", [XMDW, "run"], child_env(data), timeout=limits.timeout("run"))
        run_outcome(m)
    report_line(m)
    return m


def served_copy(work: Path) -> Path | None:
    """A served copy published in this bench (the whole run's, else the publish stage's) to start BI from."""
    for d in ("xmdw_run", "stages"):
        if (work / d / "serving" / "xmdw.duckdb").exists():
            return work / d / "serving"
    return None


def build_with_bi(data: Path, served: Path | None, limits: Limits, pause: float, name: str) -> tuple:
    """`xmdw run` on `data` while the BI client (bench/bi_load.py) queries data/serving/xmdw.duckdb — a
    copy of `served`, put there first, which the build then republishes. (Measurement, BI summary)."""
    if served is None:
        bi: dict = {"status": "not measured", "note": "no served copy to start from (publish did not run)"}
        proc = None
    else:
        shutil.copytree(served, data / "serving", symlinks=True)  # parquet/current is a relative link
        try:
            proc = bi_load.start(data / "serving" / "xmdw.duckdb", pause)
        except RuntimeError as exc:
            proc, bi = None, {"status": "failed", "error": str(exc)}
    start = time.time()
    m = measure(name, [XMDW, "run"], child_env(data), timeout=limits.timeout("run"))
    end = time.time()
    run_outcome(m)
    report_line(m)
    if proc is not None:
        bi = bi_load.summarise(bi_load.stop(proc), start, end) | {"build": name, "build_run": asdict(m)}
        d = bi.get("during_build", {})
        if "p95_ms" in d:
            print(
                f"    BI during {name}: {d['queries']} queries, {d['errors']} errors, p50 {d['p50_ms']:.0f} ms, "
                f"p95 {d['p95_ms']:.0f} ms, max {d['max_ms']:.0f} ms",
                flush=True,
            )
    return m, bi


def run_increment(
    cache: Path, work: Path, repeat: int, limits: Limits, bi: float | None
) -> tuple[dict, dict]:
    """All months but the last built by `xmdw run` (with the BI client querying the served copy when `bi`,
    its pause, is given); then, from a snapshot of that state each time, the last month's files added and
    what the monthly schedule would run, timed. (increment, BI summary)"""
    month = last_progress_month(cache)
    if month is None:
        return {"note": "no per-month progress files at this scale: increment not measured"}, {}
    base_dir = prepared(fresh_dir(work / "increment_base"))
    link_landing(cache, base_dir / "landing", keep=lambda p: not is_month_file(p, month))
    served = served_copy(work) if bi is not None else None
    setup, bi_result = build_with_bi(base_dir, served, limits, bi or 0, "xmdw_run_all_but_last_month")
    print(f"    setup: all months but {month} built in {setup.seconds:.1f} s ({setup.status})", flush=True)
    month_flag = run_has_month_flag()
    cmd = [XMDW, "run"] + (["--month", month] if month_flag else [])
    runs = []
    for _ in range(repeat if setup.status == "ok" else 0):
        data = work / "increment"
        shutil.rmtree(data, ignore_errors=True)
        shutil.copytree(base_dir, data, symlinks=True)  # parquet/current is a relative link
        prepared(data)
        link_landing(cache, data / "landing", keep=lambda p: is_month_file(p, month))
        m = measure("increment", cmd, child_env(data), timeout=limits.timeout("run"))
        run_outcome(m)
        report_line(m)
        runs.append(m)
    shutil.rmtree(base_dir, ignore_errors=True)
    inc = {
        "month_added": month,
        "command": " ".join(["xmdw", *cmd[1:]]),
        "month_flag": month_flag,
        "setup": asdict(setup),
        "runs": [asdict(m) for m in runs],
    }
    return inc, (bi_result if bi is not None else {})


def bench_scale(scale: str, args: argparse.Namespace, base: Path, floor_sql: Path) -> dict:
    run_repeat = args.run_repeat if args.run_repeat is not None else 3 if scale == "county" else 1
    stage_min, run_min, budget_min = LIMITS_MIN.get(scale, LIMITS_MIN["nation"])
    budget = args.budget if args.budget is not None else budget_min
    limits = Limits(
        60 * (args.stage_timeout or stage_min),
        60 * (args.run_timeout or run_min),
        time.monotonic() + 60 * budget if budget else None,
    )
    print(f"\n== {scale} ({args.repeat} runs of the stages, {run_repeat} of `xmdw run`)", flush=True)
    cache = ensure_generated(base, scale)
    work = base / scale / "work"
    measurements: list[Measurement] = []
    check_floor = not args.no_floor_check and scale != "nation"  # at nation a second floor run: minutes
    for r in range(max(args.repeat, run_repeat)):
        print(f"  run {r + 1}", flush=True)
        if r < args.repeat:
            measurements += run_stages(cache, work, floor_sql, check_floor and r == 0, limits)
        if r < run_repeat:
            unfinished = next((m.stage for m in measurements if m.status in (*UNFINISHED, "not run")), None)
            measurements.append(run_whole(cache, work, limits, unfinished))
    summary = summarise(measurements)
    out = {
        "cache": str(cache),
        "generated": json.loads((cache.parent / "generated.json").read_text(encoding="utf-8")),
        "limits_s": asdict(limits) | {"deadline": budget and 60 * budget},
        "summary": summary,
        "measurements": [asdict(m) for m in measurements],
    }
    bi_pause = args.bi_pause if scale in args.bi_scales.split(",") else None
    if scale == "province" and run_repeat > 0 and not args.no_increment:
        inc, bi = run_increment(cache, work, max(run_repeat, 1), limits, bi_pause)
        secs = [m["seconds"] for m in inc.get("runs", []) if m["status"] == "ok"]
        full = summary.get("xmdw_run", {}).get("median")
        if secs:
            inc.update(median=round(statistics.median(secs), 2), min=min(secs), max=max(secs))
            if full:
                inc.update(full_run_median=full, ratio_to_full_run=round(inc["median"] / full, 3))
        out["increment"] = inc
    elif bi_pause is not None:  # no increment to host it: a build of its own, not a result
        data = prepared(fresh_dir(work / "bi_build"))
        link_landing(cache, data / "landing")
        _, bi = build_with_bi(data, served_copy(work), limits, bi_pause, "xmdw_run_for_bi")
    else:
        bi = {}
    if bi:
        out["bi"] = bi
    shutil.rmtree(work, ignore_errors=True)
    return out


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="xmdw benchmarks (issues 6 and 15)")
    ap.add_argument("--scales", default="county,province", help="comma-separated: county,province,nation")
    ap.add_argument("--repeat", type=int, default=3, help="runs per stage (median, min–max)")
    ap.add_argument(
        "--run-repeat",
        type=int,
        help="runs of the whole `xmdw run` and of the increment (default: 3 at county, 1 above); 0 skips them",
    )
    ap.add_argument("--no-increment", action="store_true", help="skip the province increment")
    ap.add_argument(
        "--bi-scales", default="province", help="scales with BI queries during a build ('' = none)"
    )
    ap.add_argument(
        "--bi-pause", type=float, default=0.2, help="BI client: seconds between passes over the mix"
    )
    ap.add_argument(
        "--stage-timeout", type=float, help="minutes per stage (default per scale, see LIMITS_MIN)"
    )
    ap.add_argument("--run-timeout", type=float, help="minutes per whole `xmdw run` (default per scale)")
    ap.add_argument(
        "--budget", type=float, help="minutes for a scale in total (default: nation 90, else none)"
    )
    ap.add_argument("--no-floor-check", action="store_true", help="skip check_floor.py after the first dbt")
    ap.add_argument(
        "--nation-results", type=Path, help="a `make bench-nation` results file for the nation row"
    )
    return ap.parse_args()


def main() -> int:
    args = parse_args()
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
        result["scales"][scale] = bench_scale(scale, args, base, Path(floor["path"]))
    result["seconds"] = round((datetime.now() - started).total_seconds(), 1)
    nation = json.loads(args.nation_results.read_text(encoding="utf-8")) if args.nation_results else None
    table = targets.attach(result, nation)
    if nation:
        result["nation_results"] = str(args.nation_results)
    path = base / f"results-{started:%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print(f"\n{markdown(result)}\n\n## Issue 15 targets\n\n{table}")
    print(f"\nresults: {path}  ({result['seconds'] / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

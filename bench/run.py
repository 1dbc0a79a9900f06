"""Benchmark runner (issue 6): every pipeline stage at county / province / nation scale, the hand-SQL
floor, and the monthly increment.

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
  floor     bench/floor.sql on a copy of the post-GX warehouse, duckdb module, one process
  dbt       `dbt build` with the venv's dbt as Dagster runs it (seeds, models, data tests; unit tests are CI's)
  gx_marts  the GX mart checks
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
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
VENV_BIN = Path(sys.executable).parent
PYTHON, DBT, XMDW = sys.executable, str(VENV_BIN / "dbt"), str(VENV_BIN / "xmdw")
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_models"
FLOOR_DB = "floor_input.duckdb"  # not floor.duckdb: its catalog name would clash with schema `floor`
# Memory guard for every measured process (GB, resident, whole process group).
MAX_RSS_GB = float(os.environ.get("XMDW_BENCH_MAX_RSS_GB", "16"))
SKIPPED = 3  # bench/stages.py: the stage's function does not exist in this checkout yet

STAGE_ORDER = ["ingest", "gx", "floor", "dbt", "gx_marts", "report", "bulletin", "publish", "xmdw_run"]
# progress ledgers of the synthetic scales: <region>_<YYYY>年<MM>月_月度投资进度.csv (one per region-month)
PROGRESS_FILE = re.compile(r"_(\d{4})年(\d{2})月_月度投资进度\.csv$")


@dataclass
class Measurement:
    stage: str
    seconds: float
    max_rss_mb: float
    load_1min: float  # os.getloadavg()[0] just before the process started
    status: str = "ok"  # ok | failed | skipped
    details: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------------- processes


def group_rss_mb(pgid: int) -> float:
    """Resident memory of every process in a process group (the measured child and what it started)."""
    total_kb = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:  # field 5 of /proc/<pid>/stat: process group
                total_kb += int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024  # field 24: rss pages
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
    return total_kb / 1024


def wait_guarded(pid: int) -> tuple[int, os.struct_rusage, bool]:
    """wait4() the child, killing its process group if it grows past MAX_RSS_GB: the machine is shared,
    and an out-of-memory kill could hit someone else's process (nation-scale GX, see docs)."""
    limit_mb = MAX_RSS_GB * 1024
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage, False
        if group_rss_mb(pid) > limit_mb:
            os.killpg(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            return status, usage, True
        time.sleep(0.5)


def measure(stage: str, cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> Measurement:
    """Run `cmd` as a child process; its wall time and the peak RSS of it and its children (wait4)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        load = os.getloadavg()[0]
        started = time.perf_counter()
        # own session: the child leads a process group the memory guard can watch and kill as a whole
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err, start_new_session=True)
        status, usage, killed = wait_guarded(proc.pid)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    details = _last_json_line(stdout)
    if killed:
        details["flag"] = f"killed at {MAX_RSS_GB} GB resident (XMDW_BENCH_MAX_RSS_GB)"
    if proc.returncode == SKIPPED:
        result = "skipped"
    elif proc.returncode == 0:
        result = "ok"
    else:
        result = "failed"
        details["error_tail"] = (stderr or stdout)[-2000:]
    if cmd[:2] == [XMDW, "run"]:  # keep the run summary xmdw prints last
        lines = stdout.splitlines()
        first = next((i for i, line in enumerate(lines) if line.startswith("xmdw 运行结束")), len(lines))
        details["summary"] = lines[first : first + 40]
    # ru_maxrss is in KiB on Linux
    return Measurement(
        stage, round(seconds, 3), round(usage.ru_maxrss / 1024, 1), round(load, 2), result, details
    )


def _last_json_line(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                break
    return {}


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


def report_line(m: Measurement) -> None:
    note = f" ({m.status})" if m.status != "ok" else ""
    note += f" [{m.details['flag']}]" if "flag" in m.details else ""
    print(
        f"    {m.stage:<9} {m.seconds:8.2f} s  {m.max_rss_mb:7.0f} MB  load {m.load_1min:.1f}{note}",
        flush=True,
    )
    if m.status == "failed":
        print("      " + m.details.get("error_tail", "").strip()[-800:].replace("\n", "\n      "))


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
    info = _last_json_line(out.stdout)
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


def floor_equals_marts(warehouse: Path) -> bool:
    """bench/check_floor.py on the built warehouse (prints its comparison)."""
    return (
        subprocess.run([PYTHON, str(BENCH_DIR / "check_floor.py"), str(warehouse)], check=False).returncode
        == 0
    )


def last_progress_month(cache: Path) -> str | None:
    months = {f"{m[1]}-{m[2]}" for p in cache.rglob("*.csv") if (m := PROGRESS_FILE.search(p.name))}
    return max(months) if months else None


def is_month_file(path: Path, month: str) -> bool:
    m = PROGRESS_FILE.search(path.name)
    return bool(m) and f"{m[1]}-{m[2]}" == month


# ------------------------------------------------------------------------------------------- one scale


def run_stages(cache: Path, work: Path, check_floor: bool) -> list[Measurement]:
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
    step("floor", stage_cmd("floor", data))
    (data / FLOOR_DB).unlink()
    step("dbt", dbt_cmd(), cwd=DBT_PROJECT_DIR)
    if check_floor:
        results[-1].details["floor_equals_marts"] = floor_equals_marts(data / "warehouse.duckdb")
    step("gx_marts", stage_cmd("gx_marts", data))
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


# ---------------------------------------------------------------------------------------------- summary


def summarise(measurements: list[Measurement]) -> dict[str, dict]:
    """Per stage: median, min, max seconds and the peak RSS over the runs that succeeded."""
    out: dict[str, dict] = {}
    for stage in STAGE_ORDER:
        ms = [m for m in measurements if m.stage == stage]
        ok = [m for m in ms if m.status == "ok"]
        if not ms:
            continue
        if not ok:
            out[stage] = {"status": ms[0].status, "runs": len(ms)}
            continue
        secs = [m.seconds for m in ok]
        out[stage] = {
            "status": "ok",
            "runs": len(ok),
            "median": round(statistics.median(secs), 2),
            "min": round(min(secs), 2),
            "max": round(max(secs), 2),
            "max_rss_mb": max(m.max_rss_mb for m in ok),
            "load_1min": [m.load_1min for m in ms],
            "flags": sorted({m.details["flag"] for m in ok if "flag" in m.details}),
        }
    floor = out.get("floor", {}).get("median")
    stage_sum = 0.0
    for stage, s in out.items():
        if floor and s.get("median") is not None:
            s["ratio_to_floor"] = round(s["median"] / floor, 1)
        if stage not in ("floor", "xmdw_run") and s.get("median") is not None:
            stage_sum += s["median"]
    out["_stages_total"] = {"median": round(stage_sum, 2)}
    if floor:
        out["_stages_total"]["ratio_to_floor"] = round(stage_sum / floor, 1)
    return out


def _fmt_stage(s: dict | None) -> str:
    if not s:
        return "–"
    if s.get("status") != "ok":
        return s.get("status", "–")
    flag = " †" if s.get("flags") else ""
    return f"{s['median']:.1f} s ({s['min']:.1f}–{s['max']:.1f}), {s['max_rss_mb']:.0f} MB{flag}"


def markdown(result: dict) -> str:
    scales = list(result["scales"])
    head = (
        "| stage | " + " | ".join(f"{sc}: median (min–max), peak RSS | {sc}: × floor" for sc in scales) + " |"
    )
    lines = [head, "|---|" + "---|---|" * len(scales)]
    for stage in [*STAGE_ORDER, "_stages_total"]:
        cells = []
        for sc in scales:
            s = result["scales"][sc]["summary"].get(stage)
            if stage == "_stages_total":
                cells += [
                    f"{s['median']:.1f} s" if s else "–",
                    f"{s.get('ratio_to_floor', '–')}" if s else "–",
                ]
            else:
                ratio = s.get("ratio_to_floor") if s else None
                cells += [_fmt_stage(s), f"{ratio}" if ratio is not None else "–"]
        name = "sum of the stages (excl. floor, xmdw_run)" if stage == "_stages_total" else f"`{stage}`"
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for sc in scales:
        inc = result["scales"][sc].get("increment")
        if inc and inc.get("ratio_to_full_run") is not None:
            lines.append(
                f"\nIncrement ({sc}): add {inc['month_added']} to the other months, `{inc['command']}`: "
                f"median {inc['median']:.1f} s ({inc['min']:.1f}–{inc['max']:.1f}) = "
                f"**{inc['ratio_to_full_run']:.2f} ×** a full `xmdw run` (median {inc['full_run_median']:.1f} s)."
            )
    flags = {
        f"{sc} `{stage}`: {', '.join(s['flags'])}"
        for sc in scales
        for stage, s in result["scales"][sc]["summary"].items()
        if s.get("flags")
    }
    if flags:
        lines.append("\n† " + "; ".join(sorted(flags)) + ".")
    loads = [
        x for sc in scales for s in result["scales"][sc]["summary"].values() for x in s.get("load_1min", [])
    ]
    if loads:
        lines.append(
            f"\nMachine load (1-min load average at process start): median {statistics.median(loads):.1f}, "
            f"max {max(loads):.1f} on {result['machine']['cpus']} cores."
        )
    return "\n".join(lines)


def machine() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = {"python": platform.python_version()}
    for pkg in ("duckdb", "dbt-core", "dbt-duckdb", "dagster", "great_expectations", "pandas"):
        with contextlib.suppress(PackageNotFoundError):
            versions[pkg] = version(pkg)  # metadata only: importing them would grow the runner
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(mem_gb, 1),
        "platform": platform.platform(),
        **versions,
    }


def bench_scale(scale: str, repeat: int, run_repeat: int, increment: bool, base: Path) -> dict:
    print(f"\n== {scale} ({repeat} runs of the stages, {run_repeat} of `xmdw run`)", flush=True)
    cache = ensure_generated(base, scale)
    work = base / scale / "work"
    measurements: list[Measurement] = []
    for r in range(max(repeat, run_repeat)):
        print(f"  run {r + 1}", flush=True)
        if r < repeat:
            measurements += run_stages(cache, work, check_floor=r == 0)
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
    started = datetime.now()
    result: dict = {
        "started_at": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "load_at_start": os.getloadavg(),
        "repeat": args.repeat,
        "run_repeat": args.run_repeat,
        "scales": {},
    }
    for scale in args.scales.split(","):
        run_repeat = (
            args.run_repeat if args.run_repeat is not None else args.repeat if scale == "county" else 1
        )
        increment = scale == "province" and run_repeat > 0 and not args.no_increment
        result["scales"][scale] = bench_scale(scale, args.repeat, run_repeat, increment, base)
    result["seconds"] = round((datetime.now() - started).total_seconds(), 1)
    path = base / f"results-{started:%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print(f"\n{markdown(result)}\n\nresults: {path}  ({result['seconds'] / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

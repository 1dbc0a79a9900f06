"""BI queries against the served copy while a build runs (issue 15, item 6).

    .venv/bin/python bench/bi_load.py SERVED.duckdb [--pause 0.2] [--quiet-passes 3]

Run as a script, this is the BI client: it opens the published DuckDB file (data/serving/xmdw.duckdb) the way
the BI tool of docs/bi.md does — Superset opens a **fresh read-only connection per query** (SQLAlchemy NullPool,
duckdb-engine with access_mode=read_only), so every sample is connect + execute + fetchall + close — and runs
the query mix in a loop: the monthly bulletin's own selections (xmdw.reports.mart_reader: every MONTH_QUERIES
entry, the month's figure_values, the snail list, the data-quality summary) for the latest published month, one
数字溯源 page's lineage rows (mart_reader.FIGURE_SOURCES_PAGE_SQL, the region with the most rows), plus two
queries a BI user writes (a Chinese view from docs/bi.md and a chart's aggregate over the largest mart).
The month's figure_sources fetched whole (100,000 rows at province) is the bulletin builder's batch read, once a
month in the pipeline; what a reader looks at is one region's page (or one figure, `xmdw explain`). One
pass = every query once, back to back (a dashboard refresh), then `--pause` seconds (the user reading it).
Each sample also records the connect alone: a fresh connection starts a DuckDB instance (tens of ms, and
most of a small query's time on a busy machine), which a pooled client would not pay per query.

It first runs `--quiet-passes` passes (the latency before the build starts, for comparison), prints "ready",
loops until SIGTERM (finishing the current query) and prints one JSON line: the mix and every sample.

The runner side (start / stop / summarise, used by bench/run.py) imports nothing heavy.
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

PYTHON = sys.executable
CONNECTION = (
    "fresh read-only connection per query (duckdb.connect(path, read_only=True)), as Superset's NullPool"
)
# Queries a BI user writes beside the bulletin's: (name, sql, parameters: "year" → the latest year).
BI_QUERIES = [
    (
        "bi.chinese_view",  # the example of docs/bi.md
        "SELECT 区划代码, 月份, 计划投资完成率, 序时进度 FROM marts_cn.区县月度计划投资完成率 WHERE 年度 = ?",
        ["year"],
    ),
    (
        "bi.chart_aggregate",  # a chart over the largest mart: one row per region and month
        "SELECT region_code, year, month, count(*) AS projects, count(*) FILTER (WHERE is_snail) AS snails "
        "FROM marts.mart_project_progress WHERE year = ? GROUP BY ALL ORDER BY ALL",
        ["year"],
    ),
]
SLOWEST = 5


# ----------------------------------------------------------------------------------------- runner side


def start(served: Path, pause: float = 0.2, quiet_passes: int = 3) -> subprocess.Popen:
    """Start the BI client on `served` and wait until it has run its quiet passes ("ready").
    Raises RuntimeError with what it printed when it could not start."""
    cmd = [PYTHON, str(Path(__file__).resolve()), str(served), "--pause", str(pause)]
    proc = subprocess.Popen(
        [*cmd, "--quiet-passes", str(quiet_passes)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # one stream: a traceback ends up in the error message
        text=True,
    )
    said = []
    for line in proc.stdout or []:
        if line.strip() == "ready":
            return proc
        said.append(line)  # a warning printed on import, or the traceback of a failed start
    proc.wait()
    raise RuntimeError(f"BI client did not start (exit {proc.returncode}): {''.join(said)[-1500:]}")


def stop(proc: subprocess.Popen) -> dict:
    """Stop the BI client (SIGTERM: it finishes the query it is in) and read what it measured."""
    proc.send_signal(signal.SIGTERM)
    try:
        out, _ = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    lines = [x for x in (out or "").splitlines() if x.startswith("{")]
    if not lines:
        return {"error": f"BI client returned nothing (exit {proc.returncode}): {(out or '')[-1500:]}"}
    return json.loads(lines[-1])


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list: a value that was measured."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def latency(samples: list[list]) -> dict:
    """Count, errors and p50 / p95 / max latency (ms) of samples [epoch, name, ms, error or None,
    connect ms], and p50 / p95 of the connect alone."""
    ok = [s[2] for s in samples if s[3] is None]
    out: dict = {"queries": len(samples), "errors": len(samples) - len(ok)}
    if ok:
        out |= {
            "p50_ms": round(percentile(ok, 50), 1),
            "p95_ms": round(percentile(ok, 95), 1),
            "max_ms": round(max(ok), 1),
            "mean_ms": round(statistics.fmean(ok), 1),
        }
    connects = [s[4] for s in samples if s[3] is None and len(s) > 4 and s[4] is not None]
    if connects:
        out |= {"connect_p50_ms": round(percentile(connects, 50), 1)}
        out |= {"connect_p95_ms": round(percentile(connects, 95), 1)}
    return out


def summarise(client: dict, build_start: float, build_end: float) -> dict:
    """What the BI client measured, split into before the build (quiet) and during it (epochs of the
    build process's start and end): latency overall and per query, the slowest samples with their
    offset from the build's start (to put beside the build's steps), the distinct errors."""
    if "error" in client:
        return {"status": "failed", "error": client["error"]}
    during = [s for s in client["samples"] if build_start <= s[0] <= build_end]
    names = sorted({s[1] for s in during})
    slowest = sorted((s for s in during if s[3] is None), key=lambda s: -s[2])[:SLOWEST]
    return {
        "status": "ok",
        "connection": CONNECTION,
        "served_copy": client["served"],
        "month": client["month"],
        "mix": client["mix"],
        "pause_s": client["pause_s"],
        "build_seconds": round(build_end - build_start, 1),
        "quiet": latency(client["quiet"]),
        "during_build": latency(during),
        "per_query": {n: latency([s for s in during if s[1] == n]) for n in names},
        "slowest": [[round(s[0] - build_start, 1), s[1], round(s[2], 1)] for s in slowest],
        "errors": sorted({s[3] for s in during if s[3] is not None})[:5],
    }


# ------------------------------------------------------------------------------------- the BI client


def query_mix(served: Path) -> tuple[list[tuple[str, str, list]], tuple[int, int]]:
    """The bulletin's selections for the latest published month, one lineage page, and the BI user's queries."""
    import duckdb

    from xmdw.reports import mart_reader as mr

    with duckdb.connect(str(served), read_only=True) as con:
        year, month = mr.report_months(con)[-1]
        present = {
            r[0]
            for r in con.execute("SELECT schema_name || '.' || table_name FROM duckdb_tables()").fetchall()
        }
        present |= {
            r[0] for r in con.execute("SELECT schema_name || '.' || view_name FROM duckdb_views()").fetchall()
        }
        page = _largest_page(con, year, month) if "marts.figure_sources" in present else None
    ym = [year, month]
    mix = [(f"bulletin.{name}", sql, ym) for name, sql in mr.MONTH_QUERIES.items()]
    mix += [
        (f"bulletin.{name}", sql, ym)
        for name, (table, sql) in mr.OPTIONAL_MONTH_QUERIES.items()
        if f"marts.{table}" in present and name != "figure_sources"  # the batch read: the page below instead
    ]
    if page is not None:
        mix.append(("bulletin.figure_sources_page", mr.FIGURE_SOURCES_PAGE_SQL, [year, month, page]))
    mix += [
        ("bulletin.snails", mr.SNAILS_SQL, [year, month, "month"]),
        ("bulletin.data_quality", mr.DATA_QUALITY_SQL, []),
    ]
    mix += [(name, sql, [year if p == "year" else p for p in params]) for name, sql, params in BI_QUERIES]
    return mix, (year, month)


def _largest_page(con, year: int, month: int) -> str | None:
    """The region whose 数字溯源 page has the most lineage rows in the month: the slowest page to open."""
    row = con.execute(
        "SELECT region_code FROM marts.figure_sources WHERE year = ? AND month = ? "
        "GROUP BY region_code ORDER BY count(*) DESC, region_code LIMIT 1",
        [year, month],
    ).fetchall()
    return row[0][0] if row else None


def timed(served: Path, sql: str, params: list) -> list:
    """One BI query on its own read-only connection: a sample [epoch at start, ms, error or None, ms of
    the connect alone] (a fresh connection starts a DuckDB instance: on a busy machine most of the time)."""
    import duckdb

    epoch, started = time.time(), time.perf_counter()
    connect_ms, error = None, None
    try:
        with duckdb.connect(str(served), read_only=True) as con:
            connect_ms = (time.perf_counter() - started) * 1000
            con.execute(sql, params).fetchall()
    except duckdb.Error as exc:  # the file being replaced, a table missing: counted, not fatal
        error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    ms = (time.perf_counter() - started) * 1000
    return [round(epoch, 3), round(ms, 2), error, connect_ms and round(connect_ms, 2)]


def main() -> int:
    ap = argparse.ArgumentParser(description="BI query mix on the served copy, until SIGTERM")
    ap.add_argument("served", type=Path)
    ap.add_argument("--pause", type=float, default=0.2, help="seconds between passes over the mix")
    ap.add_argument("--quiet-passes", type=int, default=3, help="passes before saying ready")
    args = ap.parse_args()
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    mix, (year, month) = query_mix(args.served)

    def one_pass(into: list) -> None:
        for name, sql, params in mix:
            if stopping:
                return
            epoch, ms, error, connect_ms = timed(args.served, sql, params)
            into.append([epoch, name, ms, error, connect_ms])

    quiet: list = []
    for _ in range(args.quiet_passes):
        one_pass(quiet)
    print("ready", flush=True)
    samples: list = []
    while not stopping:
        one_pass(samples)
        time.sleep(args.pause)
    mix_names = [name for name, _, _ in mix]
    out = {
        "served": str(args.served),
        "month": f"{year:04d}-{month:02d}",
        "mix": mix_names,
        "pause_s": args.pause,
    }
    print(json.dumps(out | {"quiet": quiet, "samples": samples}, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Issue 15's targets table: every figure of one benchmark run against its target, met or missed.

    .venv/bin/python bench/targets.py RESULTS.json [--nation NATION_RESULTS.json]

bench/run.py prints this table last and stores its rows in the results JSON ("targets"); this command
renders it again from a results file, optionally with the nation scale of another run (`make bench-nation`
writes its own results file). Ratios are to the floor of the same scale in the same run (or, for the
nation row from another file, of that file's run). Pure functions: nothing is measured here.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

NOT_RUN_NATION = "run `make bench-nation`"
# a stage status → what the table says instead of a figure
STATUS_TEXT = {
    "timeout": "did not finish",
    "killed": "killed by the memory guard",
    "failed": "failed",
    "skipped": "not in this checkout",
    "not run": "not run",
}


@dataclass
class TargetRow:
    figure: str
    measured: str
    target: str
    verdict: str  # "met" | "missed (…)" | "not measured (…)" | NOT_RUN_NATION
    values: dict = field(default_factory=dict)  # the numbers behind `measured`, for the results JSON


def _secs(s: float) -> str:
    return f"{s:.1f} s" if s < 100 else f"{s:.0f} s"


def _ratio(value: float, floor: float | None) -> str:
    return f"{value / floor:.1f}× floor ({_secs(floor)})" if floor else "no floor"


def _over(value: float, limit: float, unit: str) -> str:
    return f"{value:.2f}{unit} vs ≤ {limit:g}{unit}: {value / limit:.1f}× the target"


def verdict(misses: list[str]) -> str:
    return "met" if not misses else "missed (" + "; ".join(misses) + ")"


def _stage(result: dict, scale: str, stage: str) -> tuple[dict | None, float | None, str | None]:
    """(summary of the stage, floor median of the scale, why it cannot be judged or None)."""
    summary = result.get("scales", {}).get(scale, {}).get("summary", {})
    s, floor = summary.get(stage), summary.get("floor", {}).get("median")
    if s is None:
        return None, floor, "not measured"
    if s.get("status") != "ok":
        return s, floor, STATUS_TEXT.get(s.get("status"), s.get("status", "?"))
    return s, floor, None


def _unjudged(figure: str, target: str, why: str, s: dict | None) -> TargetRow:
    said = "not measured" if why == "not measured" else f"not measured ({why})"
    measured = "; ".join((s or {}).get("flags") or []) or why  # e.g. "ingest did not finish as a stage"
    return TargetRow(figure, measured, target, said, {"status": (s or {}).get("status")})


def county_run(result: dict) -> TargetRow:
    figure, target = "county `xmdw run`, warm venv", "≤ 10 s"
    s, floor, why = _stage(result, "county", "xmdw_run")
    if why:
        return _unjudged(figure, target, why, s)
    med = s["median"]
    runs = f"median of {s['runs']}" if s["runs"] > 1 else "1 run"
    measured = f"{_secs(med)} ({runs}; {_ratio(med, floor)})"
    misses = [] if med <= 10 else [_over(med, 10, " s")]
    return TargetRow(
        figure, measured, target, verdict(misses), {"seconds": med, "floor": floor, "runs": s["runs"]}
    )


def ratio_row(result: dict, figure: str, scale: str, stage: str, limit: float) -> TargetRow:
    target = f"≤ {limit:g}× floor"
    s, floor, why = _stage(result, scale, stage)
    if why or not floor:
        return _unjudged(figure, target, why or "no floor", s)
    ratio = s["median"] / floor
    misses = [] if ratio <= limit else [_over(ratio, limit, "×")]
    values = {"seconds": s["median"], "floor": floor, "ratio": round(ratio, 2), "max_rss_mb": s["max_rss_mb"]}
    return TargetRow(
        figure, f"{_secs(s['median'])} = {_ratio(s['median'], floor)}", target, verdict(misses), values
    )


def dq_stage(result: dict) -> TargetRow:
    figure, target = "data-quality stage, province, peak RSS", "≤ 2× floor, ≤ 500 MB"
    s, floor, why = _stage(result, "province", "gx")
    if why or not floor:
        return _unjudged(figure, target, why or "no floor", s)
    ratio, rss = s["median"] / floor, s["max_rss_mb"]
    misses = ([] if ratio <= 2 else [_over(ratio, 2, "×")]) + ([] if rss <= 500 else [_over(rss, 500, " MB")])
    measured = f"{_secs(s['median'])} = {_ratio(s['median'], floor)}, {rss:,.0f} MB"
    values = {"seconds": s["median"], "floor": floor, "ratio": round(ratio, 2), "max_rss_mb": rss}
    return TargetRow(figure, measured, target, verdict(misses), values)


def nation_run(result: dict) -> TargetRow:
    figure, target = "nation `xmdw run`", "finishes, ≤ 3× floor, peak RSS ≤ 8 GB"
    if "nation" not in result.get("scales", {}):
        return TargetRow(figure, "–", target, NOT_RUN_NATION)
    s, floor, why = _stage(result, "nation", "xmdw_run")
    if why:
        flag = "; ".join((s or {}).get("flags", [])) or why
        return TargetRow(figure, flag, target, f"missed ({why})", {"status": (s or {}).get("status")})
    if not floor:
        return _unjudged(figure, target, "no floor", s)
    ratio, rss_gb = s["median"] / floor, s["max_rss_mb"] / 1024
    misses = ([] if ratio <= 3 else [_over(ratio, 3, "×")]) + (
        [] if rss_gb <= 8 else [_over(rss_gb, 8, " GB")]
    )
    measured = f"{_secs(s['median'])} = {_ratio(s['median'], floor)}, {rss_gb:.1f} GB"
    values = {"seconds": s["median"], "floor": floor, "ratio": round(ratio, 2), "max_rss_mb": s["max_rss_mb"]}
    return TargetRow(figure, measured, target, verdict(misses), values)


def increment(result: dict) -> TargetRow:
    figure, target = "monthly increment, province", "≤ 0.1× full"
    inc = result.get("scales", {}).get("province", {}).get("increment") or {}
    if inc.get("ratio_to_full_run") is None:
        setup = (inc.get("setup") or {}).get("status", "ok")
        why = inc.get("note") or ("the increment failed" if inc.get("runs") else "not measured")
        why = why if setup == "ok" else f"its setup build: {STATUS_TEXT.get(setup, setup)}"
        return TargetRow(
            figure, why, target, "not measured" if why == "not measured" else f"not measured ({why})"
        )
    ratio = inc["ratio_to_full_run"]
    measured = (
        f"{_secs(inc['median'])} = {ratio:.2f}× full ({_secs(inc['full_run_median'])}), `{inc['command']}`"
    )
    misses = [] if ratio <= 0.1 else [_over(ratio, 0.1, "×")]
    return TargetRow(figure, measured, target, verdict(misses), {"seconds": inc["median"], "ratio": ratio})


def bi_latency(result: dict) -> TargetRow:
    figure, target = "BI query p95 during a province build", "≤ 100 ms"
    bi = result.get("scales", {}).get("province", {}).get("bi") or {}
    during = bi.get("during_build") or {}
    if bi.get("status") != "ok" or "p95_ms" not in during:
        why = bi.get("error") or bi.get("note") or "not measured"
        return TargetRow(figure, why[:120], target, "not measured")
    p95 = during["p95_ms"]
    measured = (
        f"{p95:.0f} ms (p50 {during['p50_ms']:.0f}, max {during['max_ms']:.0f} ms; {during['queries']:,} queries, "
        f"{during['errors']} errors; connect alone p95 {during.get('connect_p95_ms', float('nan')):.0f} ms; "
        f"before the build p95 {bi['quiet'].get('p95_ms', float('nan')):.0f} ms)"
    )
    per_query = bi.get("per_query") or {}
    worst = max(per_query, key=lambda n: per_query[n].get("p95_ms", 0), default=None)
    if worst:  # which query makes the p95: one slow query of 16 is 6 % of the samples
        measured += f"; slowest query {worst}: p95 {per_query[worst].get('p95_ms', 0):.0f} ms"
    misses = ([] if p95 <= 100 else [_over(p95, 100, " ms")]) + (
        [f"{during['errors']} queries failed"] if during["errors"] else []
    )
    return TargetRow(
        figure, measured, target, verdict(misses), {"during_build": during, "quiet": bi.get("quiet")}
    )


ROWS: list[Callable[[dict], TargetRow]] = [
    county_run,
    lambda r: ratio_row(r, "province `xmdw run`", "province", "xmdw_run", 5),
    lambda r: ratio_row(r, "province ingestion", "province", "ingest", 3),
    dq_stage,
    nation_run,
    increment,
    bi_latency,
]


def evaluate(result: dict, nation: dict | None = None) -> list[TargetRow]:
    """The issue's seven figures from one results document; `nation`: another run's results holding the
    nation scale (its floor comes along)."""
    if nation and "nation" in nation.get("scales", {}) and "nation" not in result.get("scales", {}):
        result = {**result, "scales": {**result.get("scales", {}), "nation": nation["scales"]["nation"]}}
    return [row(result) for row in ROWS]


def render(rows: list[TargetRow], result: dict | None = None) -> str:
    """The markdown table (figure, measured, target, verdict) and the machine load under it."""
    lines = ["| figure | measured | target | met? |", "|---|---|---|---|"]
    lines += [f"| {r.figure} | {r.measured} | {r.target} | {r.verdict} |" for r in rows]
    loads = [
        x
        for sc in (result or {}).get("scales", {}).values()
        for s in sc.get("summary", {}).values()
        for x in s.get("load_1min", [])
    ]
    if loads:
        lines.append(
            f"\nLoad (1-min average at each process start): median {statistics.median(loads):.1f}, "
            f"max {max(loads):.1f} on {result['machine']['cpus']} cores; started {result.get('started_at', '?')}."
        )
    return "\n".join(lines)


def attach(result: dict, nation: dict | None = None) -> str:
    """Evaluate, store the rows in `result["targets"]`, return the rendered table."""
    rows = evaluate(result, nation)
    result["targets"] = [asdict(r) for r in rows]
    return render(rows, result)


def main() -> int:
    ap = argparse.ArgumentParser(description="issue 15's targets table from bench results")
    ap.add_argument("results", type=Path)
    ap.add_argument("--nation", type=Path, help="results of `make bench-nation` (when RESULTS has no nation)")
    args = ap.parse_args()
    result = json.loads(args.results.read_text(encoding="utf-8"))
    nation = json.loads(args.nation.read_text(encoding="utf-8")) if args.nation else None
    print(render(evaluate(result, nation), result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The benchmark's issue-15 pieces: the targets table (pure rendering of a results document, no timing
asserted), the time limit of a measured process, and the BI client on a real served copy."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import bi_load  # noqa: E402
import targets  # noqa: E402
from measure import PYTHON, measure  # noqa: E402


def _stage(median: float, rss: float = 100.0, runs: int = 1) -> dict:
    return {"status": "ok", "runs": runs, "median": median, "min": median, "max": median, "max_rss_mb": rss}


def _result(**scales: dict) -> dict:
    return {"machine": {"cpus": 2}, "started_at": "2026-12-02T10:00:00", "scales": scales}


def _bi(p95: float, errors: int = 0) -> dict:
    during = {"queries": 400, "errors": errors, "p50_ms": 12.0, "p95_ms": p95, "max_ms": 300.0}
    return {"status": "ok", "during_build": during, "quiet": {"p95_ms": 20.0}}


COUNTY = {"summary": {"floor": _stage(1.0), "xmdw_run": _stage(8.0, 500, runs=3)}}
PROVINCE = {
    "summary": {
        "floor": _stage(3.0),
        "ingest": _stage(12.0),  # 4× floor: missed (≤ 3×)
        "gx": _stage(5.0, rss=650.0),  # 1.7× floor met, 650 MB missed
        "xmdw_run": _stage(14.0),  # 4.7× floor: met
    },
    "increment": {"median": 1.2, "full_run_median": 14.0, "ratio_to_full_run": 0.086, "command": "xmdw run"},
    "bi": _bi(45.0),
}


def test_every_target_is_judged_from_one_run() -> None:
    rows = {r.figure: r for r in targets.evaluate(_result(county=COUNTY, province=PROVINCE))}
    assert len(rows) == 7
    assert rows["county `xmdw run`, warm venv"].verdict == "met"
    assert "median of 3" in rows["county `xmdw run`, warm venv"].measured
    assert rows["province `xmdw run`"].verdict == "met"
    assert "4.7× floor (3.0 s)" in rows["province `xmdw run`"].measured
    ingest = rows["province ingestion"]
    assert ingest.verdict.startswith("missed") and "1.3× the target" in ingest.verdict
    dq = rows["data-quality stage, province, peak RSS"]
    assert dq.verdict.startswith("missed") and "MB" in dq.verdict and "×" not in dq.verdict.split("MB")[1]
    assert rows["nation `xmdw run`"].verdict == targets.NOT_RUN_NATION
    assert rows["monthly increment, province"].verdict == "met"
    assert rows["BI query p95 during a province build"].verdict == "met"


def test_the_table_shows_each_figure_and_the_load() -> None:
    result = _result(county=COUNTY, province=PROVINCE)
    result["scales"]["county"]["summary"]["floor"]["load_1min"] = [1.5, 2.5]
    table = targets.attach(result)
    lines = table.splitlines()
    assert lines[0] == "| figure | measured | target | met? |"
    assert len([x for x in lines if x.startswith("| ")]) == 1 + 7
    assert "run `make bench-nation`" in table and "median 2.0, max 2.5 on 2 cores" in table
    assert [r["figure"] for r in result["targets"]][0] == "county `xmdw run`, warm venv"  # kept in the JSON


def test_missing_and_unfinished_figures_say_why() -> None:
    province = {
        "summary": {
            "floor": _stage(3.0),
            "ingest": {"status": "timeout", "runs": 1, "flags": ["did not finish in 15 min"]},
        },
        "bi": _bi(140.0, errors=3),
    }
    rows = {r.figure: r for r in targets.evaluate(_result(province=province))}
    assert rows["province ingestion"].verdict == "not measured (did not finish)"
    assert rows["county `xmdw run`, warm venv"].verdict == "not measured"
    bi = rows["BI query p95 during a province build"].verdict
    assert bi.startswith("missed") and "1.4× the target" in bi and "3 queries failed" in bi


def test_nation_results_of_another_run_fill_the_nation_row() -> None:
    nation = _result(nation={"summary": {"floor": _stage(100.0), "xmdw_run": _stage(250.0, rss=9 * 1024)}})
    row = targets.evaluate(_result(county=COUNTY), nation)[4]
    assert row.figure == "nation `xmdw run`"
    assert "2.5× floor" in row.measured and "9.0 GB" in row.measured
    assert row.verdict.startswith("missed") and "GB" in row.verdict
    unfinished = _result(
        nation={
            "summary": {
                "floor": _stage(100.0),
                "xmdw_run": {"status": "not run", "runs": 1, "flags": ["gx did not finish as a stage"]},
            }
        }
    )
    row = targets.evaluate(unfinished)[4]
    assert row.measured == "gx did not finish as a stage" and row.verdict.startswith("missed")


def test_percentiles_are_measured_values() -> None:
    assert bi_load.percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert bi_load.percentile([float(i) for i in range(1, 101)], 95) == 95.0
    samples = [[10.0 + i, "q", float(i), None] for i in range(20)] + [[15.0, "q", 0.0, "IOException: x"]]
    summary = bi_load.summarise(
        {"quiet": [], "samples": samples, "served": "s", "month": "2024-12", "mix": ["q"], "pause_s": 0.2},
        build_start=12.0,
        build_end=21.5,
    )
    assert summary["during_build"]["queries"] == 11  # samples at 12..21 and the failed one at 15
    assert summary["during_build"]["errors"] == 1 and summary["errors"] == ["IOException: x"]
    assert summary["during_build"]["max_ms"] == 11.0 and summary["slowest"][0] == [9.0, "q", 11.0]


def test_a_stage_past_its_time_limit_is_killed_and_reported_unfinished() -> None:
    started = time.perf_counter()
    m = measure("sleepy", [PYTHON, "-c", "import time; time.sleep(60)"], {}, timeout=1.0)
    assert m.status == "timeout" and m.details["flag"].startswith("did not finish")
    assert time.perf_counter() - started < 20


@pytest.mark.e2e
def test_the_bi_client_runs_the_bulletin_mix_on_the_served_copy(county_demo_copy) -> None:
    served = county_demo_copy.served_warehouse
    proc = bi_load.start(served, pause=0.0, quiet_passes=1)
    time.sleep(1.0)
    window = (time.time() - 1.0, time.time())
    summary = bi_load.summarise(bi_load.stop(proc), *window)
    assert summary["status"] == "ok", summary
    assert {"bulletin.rates", "bulletin.snails", "bi.chinese_view", "bi.chart_aggregate"} <= set(
        summary["mix"]
    )
    # lineage as a reader opens it: one region's 数字溯源 page, not the month's rows of every region
    assert (
        "bulletin.figure_sources_page" in summary["mix"] and "bulletin.figure_sources" not in summary["mix"]
    )
    assert summary["quiet"]["queries"] == len(summary["mix"]) and summary["quiet"]["errors"] == 0
    assert summary["during_build"]["queries"] > 0 and summary["errors"] == []

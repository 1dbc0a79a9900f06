"""The demo's injected data-quality problems are found and reported under the right unit and rule; a clean
demo reports nothing. Ingestion, validation and the report are called as functions (no Dagster, no dbt)."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import duckdb
import pytest
from python_calamine import CalamineWorkbook
from xmdw_demo import generate

from xmdw.core.paths import DataPaths
from xmdw.ingestion.batch import ingest_landing
from xmdw.quality.catalog import rule_by_id
from xmdw.quality.results import validate
from xmdw.reports import write_dq_report

pytestmark = pytest.mark.e2e  # builds the demo pipeline in a module fixture

# What each kind of injected problem is, in the catalog.
KIND_RULE = {
    "stats_library_below_threshold": "C1",
    "since_start_below_ytd": "C3",
    "land_before_signing": "C18",
    "unknown_code": "B7",
    "ytd_decrease": "T1",
}
EXPECT_SEVERITY = {"dq_warning": "warning", "dq_fatal": "fatal"}


def _build(root, rate: float, runs: int):
    paths = DataPaths(root).ensure()
    summary = generate(paths.landing, scale="county", seed=2024, imperfection_rate=rate)
    ingest_landing(paths, run_id="ingest1")
    con = duckdb.connect(str(paths.warehouse))
    try:
        first = validate(con, run_id="dq-first")
        # a second run: the report compares the two
        second = validate(con, run_id="dq-second") if runs > 1 else first
    finally:
        con.close()
    files = write_dq_report(paths)
    return paths, summary, first, second, files


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("dq_demo"), 0.15, runs=2)


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("dq_clean"), 0.0, runs=1)


def _results(paths: DataPaths, run_id: str) -> list[dict]:
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        frame = con.execute("SELECT * FROM raw.dq_results WHERE run_id = ?", [run_id]).df()
    finally:
        con.close()
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _unit_of(file: str) -> str:
    return PurePosixPath(file).name.split("_")[0]


def test_every_injected_dq_problem_is_found_under_its_unit_and_rule(demo):
    paths, summary, _, second, _ = demo
    injected = [i for i in summary.injected if i["expect"] in EXPECT_SEVERITY]
    assert {i["kind"] for i in injected} <= set(KIND_RULE), "a new kind of injected problem needs its rule"
    results = _results(paths, second.run_id)
    for i in injected:
        rule = rule_by_id(KIND_RULE[i["kind"]])
        assert rule.severity == EXPECT_SEVERITY[i["expect"]], i
        hits = [
            r
            for r in results
            if r["rule_id"] == rule.id
            and r["file_name"] == PurePosixPath(i["file"]).name
            and r["source_row"] == i["row"]
            and r["sheet"] == i["sheet"]
        ]
        assert len(hits) == 1, (i, [r for r in results if r["rule_id"] == rule.id])
        assert hits[0]["submitting_unit"] == _unit_of(i["file"])
        assert hits[0]["severity"] == rule.severity
        assert hits[0]["held_back"] == rule.is_fatal and not hits[0]["blocking"]


def test_the_fatal_row_is_held_back_and_nothing_blocks(demo):
    paths, summary, first, second, _ = demo
    assert first.blocked_tables == [] and second.blocked_tables == []
    fatal = [i for i in summary.injected if i["expect"] == "dq_fatal"]
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        held = con.execute("SELECT entity, _sheet, _source_row, rule_id FROM raw.dq_excluded_rows").fetchall()
        runs = con.execute("SELECT run_id, stage, rules_run FROM raw.dq_runs ORDER BY started_at").fetchall()
    finally:
        con.close()
    assert sorted(held) == sorted((i["entity"], i["sheet"], i["row"], KIND_RULE[i["kind"]]) for i in fatal)
    assert [r[0] for r in runs] == ["dq-first", "dq-second"] and runs[0][2] > 60


def test_the_xlsx_lists_each_problem_on_its_units_sheet_with_a_summary(demo):
    paths, summary, _, _, files = demo
    wb = CalamineWorkbook.from_path(str(files.xlsx))
    assert wb.sheet_names[0] == "汇总"
    for i in [i for i in summary.injected if i["expect"] in EXPECT_SEVERITY | {"rejected_row": 0}]:
        unit = _unit_of(i["file"])
        assert unit in wb.sheet_names, unit
        rows = wb.get_sheet_by_name(unit).to_python()
        assert rows[1][:6] == ["报送时间", "文件", "工作表", "行号", "字段", "问题"]
        name = PurePosixPath(i["file"]).name
        assert any(r[1] == name and r[3] == i["row"] for r in rows[2:]), (i, rows)
    summary_rows = wb.get_sheet_by_name("汇总").to_python()
    assert summary_rows[3] == ["报送单位", "规则", "规则名称", "严重程度", "来源", "本次", "上次", "变化"]
    c1 = [r for r in summary_rows[4:] if r[0] == "县发改局" and r[1] == "C1"]
    assert c1 and c1[0][5:] == [1, 1, 0]  # this run, previous run, change
    # a quarantined file that a later 补报 replaced is not listed; the others are
    quarantined = [i for i in summary.injected if i["expect"] == "quarantined_file"]
    listed = {r[1] for s in wb.sheet_names[1:] for r in wb.get_sheet_by_name(s).to_python()[2:]}
    replaced = [i for i in quarantined if i["kind"] == "missing_required_column"]
    assert all(PurePosixPath(i["file"]).name not in listed for i in replaced)
    assert all(PurePosixPath(i["file"]).name in listed for i in quarantined if i not in replaced)


def test_the_html_report_renders_offline_in_chinese(demo):
    _, summary, _, _, files = demo
    text = files.html.read_text(encoding="utf-8")
    assert "<meta charset='utf-8'>" in text and "数据质量报告" in text
    assert not re.search(r"https?://|<script|<link|@import|url\(|src=", text)
    for i in [i for i in summary.injected if i["expect"] in EXPECT_SEVERITY]:
        assert _unit_of(i["file"]) in text and f">{KIND_RULE[i['kind']]}<" in text
    assert "较上次" in text and "样本不足" in text  # change since the previous run; Benford caveat


def test_the_trend_chart_shows_each_runs_counts(demo):
    paths, _, first, second, files = demo
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        runs = con.execute(
            "SELECT sum(fatal_count), sum(warning_count) FROM raw.dq_runs GROUP BY run_id ORDER BY min(started_at)"
        ).fetchall()
    finally:
        con.close()
    text = files.html.read_text(encoding="utf-8")
    svg = text.split("<h2>历次运行</h2>")[1].split("</svg>")[0]
    assert 'aria-label="各次运行问题数"' in svg and ">致命</text>" in svg and ">警告</text>" in svg
    labels = re.findall(
        r'<text x="[^"]*" y="[^"]*" font-size="9" text-anchor="middle" fill="#1F2933">(\d+)</text>', svg
    )
    for fatal, warning in runs:  # each run's column ends with its total (fatal + warning)
        assert str(int(fatal + warning)) in labels
    assert svg.count('fill="#d64545"') >= len(runs) and svg.count('fill="#f0b429"') >= len(runs)


def test_a_clean_demo_reports_no_problem(clean):
    paths, summary, first, second, files = clean
    assert summary.injected == []
    for run in (first, second):
        assert run.count("fatal") == 0 and run.count("warning") == 0 and run.rows_held_back == 0
        assert all(o.success for v in run.validations for o in v.outcomes)
    assert {r["severity"] for r in _results(paths, second.run_id)} <= {"info"}
    assert files.problems == 0
    assert "未发现问题" in files.html.read_text(encoding="utf-8")
    assert CalamineWorkbook.from_path(str(files.xlsx)).sheet_names == ["汇总"]

"""Every figure traceable and dated (issue 10 items 4-5), on real pipeline runs: the demo ledgers are
published (version v0001) and the November bulletin is written from that copy; a unit then resubmits a
corrected November progress row, the next run publishes v0002. `xmdw explain` traces figures down to
file/sheet/row/revision, `xmdw diff` names the changed figures (old → new) and the resubmitted row."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from ledgers import PROGRESS_HEADER, write_xlsx

from xmdw.core.paths import DataPaths
from xmdw.lineage.diff import diff_versions
from xmdw.lineage.explain import explain, render_zh
from xmdw.reports.blocks import rate_blocks, target_blocks
from xmdw.reports.bulletin import build_monthly_bulletin
from xmdw.reports.document import Document, Part, Text, render_html
from xmdw.serving.versions import issued, list_versions, prune_versions, record_issued

pytestmark = pytest.mark.e2e
CORRECTION = "县发改局_2024年11月_进度更正.xlsx"


def _rows(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, county_demo) -> dict:
    """v0001 = demo (a copy of the session's county demo); 月通报 2024-11 from v0001; corrected November row
    of one key project; v0002."""
    from xmdw.defs.pipeline import run_pipeline

    root = tmp_path_factory.mktemp("lineage") / "data"
    with pytest.MonkeyPatch.context() as mp:
        paths = county_demo.copy_to(root, mp)
        bulletin = build_monthly_bulletin(paths.served_warehouse, "2024-11", paths.reports)
        pid, name, region, ytd, since_start, old_file, old_row = _rows(
            paths.warehouse,
            """SELECT n.project_id, n.project_name, p.region_code, n.ytd_completed, n.since_start_completed,
                      n.source_file, n.source_row
               FROM staging.stg_raw__monthly_progress n
               JOIN staging.stg_raw__monthly_progress d
                 ON d.project_id = n.project_id AND d.year = n.year AND d.month = 12 AND d.basis = n.basis
               JOIN staging.stg_raw__projects p ON p.project_id = n.project_id AND p.key_level IS NOT NULL
               JOIN intermediate.int_annual_plans_versioned a ON a.project_id = n.project_id AND a.plan_year = 2024
               WHERE n.year = 2024 AND n.month = 11 AND n.basis = 'DISPATCH'
                 AND d.ytd_completed >= n.ytd_completed + 10
                 AND d.since_start_completed >= n.since_start_completed + 10
               ORDER BY 1 LIMIT 1""",
        )[0]
        write_xlsx(
            paths.landing / CORRECTION,
            [PROGRESS_HEADER, [pid, name, 2024, 11, float(ytd) + 10, float(since_start) + 10]],
        )
        assert run_pipeline().success
        yield {
            "paths": paths,
            "bulletin": bulletin,
            "project": pid,
            "region": region,
            "ytd": Decimal(ytd),
            "old_file": old_file,
            "old_row": old_row,
        }


def test_every_publish_is_a_version_with_inputs_and_rules(scenario):
    paths: DataPaths = scenario["paths"]
    versions = list_versions(paths.serving)
    assert [v.version_id for v in versions] == ["v0001", "v0002"]
    first, second = (v.info() for v in versions)
    assert second["previous_version"] == "v0001"
    assert second["inputs"]["files"] == first["inputs"]["files"] + 1
    assert first["inputs"]["fingerprint_sha256"] != second["inputs"]["fingerprint_sha256"]
    kept = duckdb.sql(
        f"SELECT sha256 FROM read_parquet('{versions[1].parquet('input_files')}') WHERE file_name = '{CORRECTION}'"
    ).fetchall()
    sha = _rows(paths.warehouse, "SELECT sha256 FROM raw.ingest_log WHERE file_name = ?", [CORRECTION])[0][0]
    assert kept == [(sha,)]
    assert second["rules"]["rules_run"] > 100 and second["rules"]["rules_failed"] >= 1
    # the served copy names the version it is; the publish manifest too
    assert _rows(paths.served_warehouse, "SELECT version_id FROM meta.publish_version") == [("v0002",)]
    # compact: figures + lineage + inputs + rules, not a copy of the served file
    assert second["bytes"] < paths.served_warehouse.stat().st_size / 2


def test_bulletin_prints_and_records_the_version_it_read(scenario):
    html = scenario["bulletin"].html.read_text(encoding="utf-8")
    footer = re.search(r"<footer[^>]*>([^<]*)</footer>", html).group(1)
    assert "数据版本：v0001" in footer
    assert issued(scenario["paths"].serving)["月通报_2024-11"]["version_id"] == "v0001"


def test_html_bulletin_links_headline_figures_to_their_breakdown(scenario):
    paths, region = scenario["paths"], scenario["region"]
    html = scenario["bulletin"].html.read_text(encoding="utf-8")
    links = re.findall(rf'href="(月通报_2024-11_溯源/{region}\.html)#([\w-]+)"', html)
    assert len(links) > 10
    page = (paths.reports / links[0][0]).read_text(encoding="utf-8")
    assert all(f"id='{anchor}'" in page for _, anchor in links)
    assert scenario["old_file"] in page  # the breakdown names the ledger rows (v0001: before the correction)


def test_figure_sources_reconcile_with_every_traced_figure(scenario):
    counts = dict(
        _rows(
            scenario["paths"].served_warehouse,
            "SELECT coalesce(CAST(reconciles AS VARCHAR), 'untraced'), count(*) FROM marts.figure_values GROUP BY 1",
        )
    )
    assert counts.get("false", 0) == 0 and counts["true"] > 1000


def test_explain_traces_the_completion_down_to_the_resubmitted_row(scenario):
    paths, region, pid = scenario["paths"], scenario["region"], scenario["project"]
    e = explain(paths.served_warehouse, "region_completion", region, 2024, 11)
    src = e.sources
    assert Decimal(str(src["numerator_part"].sum())) == Decimal(str(e.numerator))  # the parts add up
    mine = src[(src["member_id"] == pid) & (src["source_entity"] == "monthly_progress")].iloc[0]
    assert Decimal(str(mine["numerator_part"])) == scenario["ytd"] + 10
    assert (mine["source_file"], mine["source_row"], mine["revision"]) == (CORRECTION, 2, 2)
    text = render_zh(e)
    assert f"{CORRECTION} ｜ 工作表 Sheet1 ｜ 第2行 ｜ 第2版（更正重报" in text and "数据版本：v0002" in text


def test_explain_cli_prints_a_target_chain_in_chinese(scenario, capsys, monkeypatch):
    from xmdw.cli.main import main

    monkeypatch.setenv("XMDW_DATA_DIR", str(scenario["paths"].root))
    code = main(["explain", "ZB2024-037", "--region", "镇巴县", "--month", "2024-11"])
    out = capsys.readouterr().out
    assert code == 0
    assert "计划原文：45个重点项目年度计划投资完成率达100%" in out and "分项合计与发布值一致" in out
    assert re.search(r"来源：月度投资进度台账 \S+\.xlsx ｜ 工作表 \S+ ｜ 第\d+行 ｜ 第\d版", out)


def test_diff_lists_changed_figures_and_the_resubmission(scenario):
    d = diff_versions(scenario["paths"].serving, "v0001", "v0002", month=(2024, 11))
    assert d.files_added == [CORRECTION]
    completion = next(
        c for c in d.changes if c.figure_kind == "region_completion" and c.region_code == scenario["region"]
    )
    assert Decimal(str(completion.new[1])) - Decimal(str(completion.old[1])) == 10  # numerator + 10 万元
    cause = next(c for c in completion.causes if c.member_id == scenario["project"])
    assert cause.old_source["file"] == scenario["old_file"] and cause.old_source["revision"] == 1
    assert (cause.new_source["file"], cause.new_source["row"], cause.new_source["revision"]) == (
        CORRECTION,
        2,
        2,
    )
    assert Decimal(cause.new_value) - Decimal(cause.old_value) == 10
    # figures of other months the correction did not touch are not listed
    assert {c.month for c in d.changes} == {11}


def test_diff_cli_against_the_bulletins_version(scenario, capsys, monkeypatch):
    from xmdw.cli.main import main

    monkeypatch.setenv("XMDW_DATA_DIR", str(scenario["paths"].root))
    assert main(["diff", "--month", "2024-11"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("数据版本比较：v0001") and "→ v0002" in out
    assert f"现：{CORRECTION} ｜ 工作表 Sheet1 ｜ 第2行 ｜ 第2版" in out
    assert main(["diff", "--from", "v0002", "--to", "v0002"]) == 0
    assert "发布的数字没有变化" in capsys.readouterr().out


def test_retention_keeps_the_newest_and_the_versions_reports_name(scenario, tmp_path):
    serving = tmp_path / "serving"
    shutil.copytree(scenario["paths"].serving / "versions", serving / "versions")
    assert prune_versions(serving, keep=1) == []  # v0001 is still named by the November bulletin
    # the first run also issued the latest period reports from v0001; all of them are rebuilt from v0002
    naming_v0001 = [stem for stem, entry in issued(serving).items() if entry["version_id"] == "v0001"]
    assert "月通报_2024-11" in naming_v0001
    for stem in naming_v0001[:-1]:
        record_issued(serving, stem, "v0002", [])
        assert prune_versions(serving, keep=1) == []  # one report still names v0001
    record_issued(serving, naming_v0001[-1], "v0002", [])
    assert prune_versions(serving, keep=1) == ["v0001"]
    assert [v.version_id for v in list_versions(serving)] == ["v0002"]


def test_coverage_note_printed_under_incomplete_figures_only():
    targets = pd.DataFrame(
        [
            {
                "target_id": "T1",
                "indicator_zh": "重点项目年度计划投资完成率",
                "coverage_note_zh": "3个项目本月未报送，2行数据已退回修改",
            },
            {"target_id": "T2", "indicator_zh": "新开工项目个数", "coverage_note_zh": None},
        ]
    )
    blocks = target_blocks(targets, "重点指标完成情况", None, "610728")
    notes = [b.text for b in blocks if isinstance(b, Text)]
    assert notes == ["数据说明（T1 重点项目年度计划投资完成率）：3个项目本月未报送，2行数据已退回修改"]
    html = render_html(Document("t", "s", "stem", [Part("p", "p", blocks, "p")]))
    assert "数据说明（T1 重点项目年度计划投资完成率）：3个项目本月未报送，2行数据已退回修改" in html
    # a mart without the coverage columns (built before they existed): no line, no error
    assert [
        b
        for b in target_blocks(targets.drop(columns="coverage_note_zh"), "t", None, "x")
        if isinstance(b, Text)
    ] == []
    rates = pd.DataFrame(
        [
            {
                "rate_name": "储备项目开工率",
                "cohort": "all_new_start",
                "variant": "project",
                "counted_in": "project",
                "coverage_note_zh": "1行数据已退回修改",
            }
        ]  # fmt: skip
    )
    assert [b.text for b in rate_blocks(rates, None, "x") if isinstance(b, Text)] == [
        "数据说明（储备项目开工率·全部新开工项目）：1行数据已退回修改"
    ]


def test_a_breakdown_pages_query_returns_the_rows_the_page_shows(scenario):
    """The page query (mart_reader.FIGURE_SOURCES_PAGE_SQL, the lineage query of bench/bi_load.py's mix) gives
    a region's rows of the bulletin's month frame; the served copy keeps them in (month, region) order, so a
    page reads a few row groups, not the whole table."""
    from xmdw.reports import mart_reader as mr
    from xmdw.reports.breakdown import SOURCE_COLUMNS

    served, region = scenario["paths"].served_warehouse, scenario["region"]
    with mr.open_marts(served) as con:
        snap = mr.snapshot(con, 2024, 11, database=served)
        page = mr.frame(con, mr.FIGURE_SOURCES_PAGE_SQL, [2024, 11, region])
    month = snap.figure_sources
    expected = month[month["region_code"] == region][["figure_kind", "figure_id", *SOURCE_COLUMNS]]
    assert len(page) > 100 and list(page.columns) == list(expected.columns)
    assert page.reset_index(drop=True).equals(expected.reset_index(drop=True))
    out_of_order = _rows(
        served,
        "SELECT count(*) FROM (SELECT format('{:04d}{:02d}{}', year, month, region_code) AS k, "
        "lag(k) OVER (ORDER BY rowid) AS before FROM marts.figure_sources) WHERE k < before",
    )
    assert out_of_order == [(0,)]

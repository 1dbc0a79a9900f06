"""Through Dagster, GX and dbt on real files: warnings and fatal row rules do not block (the bad row is held
back from staging); a fatal table rule blocks the marts, which keep the last published contents, while
the corrected row flows through and the report is still written.

Replaces test_e2e.py::test_fatal_rule_blocks_the_models_and_warning_does_not — F3 (January reported on
its own) is a row rule now: it holds the January row back instead of blocking the models.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from ledgers import PLAN_HEADER, PROGRESS_HEADER, write_xlsx

from xmdw.pipeline import run_pipeline

pytestmark = pytest.mark.e2e

PROJECTS = [
    "项目编号",
    "项目名称",
    "区划代码",
    "四个一批阶段",
    "总投资",
    "牵头单位",
    "建设性质",
    "是否入库",
    "入库时间",
    "实际开工时间",
]


def _query(paths, sql: str) -> list[tuple]:
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_row_fatal_is_held_back_table_fatal_blocks_and_warning_does_not(data_dir):
    landing = data_dir.landing
    write_xlsx(
        landing / "发改局_项目基本信息台账.xlsx",
        [
            PROJECTS,
            ["P1", "镇巴县甲路", "610728", "开工在建", 1000, "县交通局", "新建", "是", date(2023, 6, 1), date(2023, 5, 10)],
            ["P2", "镇巴县乙厂", "610728", "开工在建", 2000, "县经贸局", "扩建", "是", date(2023, 6, 1), date(2023, 4, 1)],
            ["P4", "镇巴县丁园", "610728", "谋划", 900, "县发改局", "新造", "否", None, None],
        ],
    )  # fmt: skip
    write_xlsx(
        landing / "发改局_2024年度投资计划.xlsx",
        [PLAN_HEADER, ["P1", 2024, "年初", 1000], ["P2", 2024, "年初", 500]],
    )
    # P1: YTD above since-start -> warning C3 (does not block)
    write_xlsx(
        landing / "县交通局_2024年03月_月度投资进度.xlsx",
        [PROGRESS_HEADER, ["P1", "甲", 2024, 3, 300, 200], ["P2", "乙", 2024, 3, 100, 900]],
    )

    first = run_pipeline()
    assert first.success, first.failed_steps
    checks = {c[0]: c for c in first.checks}
    assert checks["gx_monthly_progress"] == ("gx_monthly_progress", False, "WARN")  # C3 warning
    assert checks["gx_projects"] == ("gx_projects", False, "WARN")  # B7 fatal row: held back, not blocking
    assert _query(data_dir, "SELECT entity, _source_row, rule_id FROM raw.dq_excluded_rows") == [
        ("projects", 4, "B7")
    ]
    assert _query(data_dir, "SELECT project_id FROM staging.stg_raw__projects ORDER BY 1") == [
        ("P1",),
        ("P2",),
    ]
    published = _query(data_dir, "SELECT * FROM marts.mart_region_monthly_investment ORDER BY ALL")
    assert [r[2] for r in published] == [3]
    mart_checks = [c for c in first.checks if c[0].startswith("gx_mart_")]
    assert mart_checks and all(c[1] for c in mart_checks), mart_checks

    # Second delivery: P4 corrected (a new revision), April progress, and an empty statistics-bureau file
    # while projects in the statistics library are under construction -> F5 (table level) blocks.
    write_xlsx(
        landing / "发改局_项目基本信息台账（更正）.xlsx",
        [PROJECTS, ["P4", "镇巴县丁园", "610728", "谋划", 900, "县发改局", "新建", "否", None, None]],
    )
    write_xlsx(
        landing / "县交通局_2024年04月_月度投资进度.xlsx", [PROGRESS_HEADER, ["P1", "甲", 2024, 4, 400, 500]]
    )
    write_xlsx(
        landing / "县统计局_2024年03月_重点项目统计数.xlsx",
        [
            ["镇巴县重点项目2024年1-3月统计数"],
            ["项目编号", "项目名称", "本年完成投资", "开工累计完成投资", "数据口径"],
        ],
    )

    second = run_pipeline()
    assert not second.success
    assert ("gx_monthly_progress", False, "ERROR") in second.checks
    assert "xmdw_dbt_assets" not in second.failed_steps  # skipped, not failed
    # the marts were not rebuilt: April is not published, the published rows are untouched
    assert _query(data_dir, "SELECT * FROM marts.mart_region_monthly_investment ORDER BY ALL") == published
    # the exclusions were recomputed: the corrected P4 is no longer held back (staging is a view)
    assert _query(data_dir, "SELECT count(*) FROM raw.dq_excluded_rows") == [(0,)]
    assert ("P4",) in _query(data_dir, "SELECT project_id FROM staging.stg_raw__projects")
    blocked = _query(
        data_dir,
        "SELECT rule_id, file_name, blocking FROM raw.dq_results r JOIN raw.dq_runs d USING (run_id) "
        f"WHERE d.run_id = '{second.run_id}' AND r.severity = 'fatal'",
    )
    assert blocked == [("F5", "县统计局_2024年03月_重点项目统计数.xlsx", True)]
    # the report is written in the blocked run too
    html = (data_dir.reports / "数据质量报告.html").read_text(encoding="utf-8")
    assert second.run_id in html and "本次发布被阻断" in html and "县统计局" in html

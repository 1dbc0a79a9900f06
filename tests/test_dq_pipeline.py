"""Through Dagster, GX and dbt on real files: warnings and fatal row rules do not block (the bad row is held
back from staging), nor does a unit's empty file; and (issue 10) one region's mistakes never keep another
region's marts from building and publishing.

Replaces test_e2e.py::test_fatal_rule_blocks_the_models_and_warning_does_not — F3 (January reported on
its own) is a row rule now: it holds the January row back instead of blocking the models.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from ledgers import PLAN_HEADER, PROGRESS_HEADER, write_xlsx
from python_calamine import CalamineWorkbook

from xmdw.defs.pipeline import run_pipeline

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


def test_row_fatal_is_held_back_and_nothing_a_unit_sends_blocks(data_dir):
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
    assert 3 in {r[2] for r in published}
    # the marts are checked by dbt tests (dagster-dbt's blocking checks), no longer by GX rules; they passed,
    # so the build was published
    assert not [c for c in first.checks if c[0].startswith("gx_mart")]
    assert first.published

    # Second delivery: P4 corrected (a new revision), April progress, and a header-only statistics-bureau
    # file: ingestion quarantines it as 空表 (before, F5 blocked every region's marts for it)
    write_xlsx(
        landing / "发改局_项目基本信息台账（更正）.xlsx",
        [PROJECTS, ["P4", "镇巴县丁园", "610728", "谋划", 900, "县发改局", "新建", "否", None, None]],
    )
    write_xlsx(
        landing / "县交通局_2024年04月_月度投资进度.xlsx", [PROGRESS_HEADER, ["P1", "甲", 2024, 4, 400, 500]]
    )
    stats_file = "县统计局_2024年03月_重点项目统计数.xlsx"
    write_xlsx(
        landing / stats_file,
        [
            ["镇巴县重点项目2024年1-3月统计数"],
            ["项目编号", "项目名称", "本年完成投资", "开工累计完成投资", "数据口径"],
        ],
    )

    second = run_pipeline()
    assert second.success, second.failed_steps
    assert all(sev != "ERROR" for _, _, sev in second.checks), second.checks
    # April is published; the corrected P4 is no longer held back (the exclusions were recomputed)
    months = _query(data_dir, "SELECT DISTINCT month FROM marts.mart_region_monthly_investment ORDER BY 1")
    assert (4,) in months
    assert _query(data_dir, "SELECT count(*) FROM raw.dq_excluded_rows") == [(0,)]
    assert ("P4",) in _query(data_dir, "SELECT project_id FROM staging.stg_raw__projects")
    assert _query(
        data_dir, f"SELECT count(*) FROM raw.dq_results WHERE run_id = '{second.run_id}' AND blocking"
    ) == [(0,)]
    stats = _return_list(data_dir, "县统计局")
    assert [(r[1], r[10]) for r in stats] == [(stats_file, "隔离（整个文件未入库）")]
    html = (data_dir.reports / "数据质量报告.html").read_text(encoding="utf-8")
    assert second.run_id in html and "本次发布被阻断" not in html and "县统计局" in html


def _return_list(paths, unit: str) -> list[list]:
    return (
        CalamineWorkbook.from_path(str(paths.reports / "退回修改清单.xlsx"))
        .get_sheet_by_name(unit)
        .to_python()[2:]
    )


def test_one_regions_mistakes_never_block_another_regions_marts(data_dir):
    """Issue 10 item 1. Region A (610728) sends a January row (F3) and a row with a bad basis code
    (B-PROG-BASIS), both fatal row rules, and April, which region B (511902) has not reported; region B
    reports March cleanly. Before: F8 counted the held-back January as a reported month, found B without
    it and blocked every region's marts. Now both regions build and publish; A's bad rows are held back
    and listed on A's sheet of the return list; B's missing April is a warning to B's lead unit."""
    landing = data_dir.landing
    write_xlsx(
        landing / "发改局_项目基本信息台账.xlsx",
        [
            PROJECTS,
            ["P1", "镇巴县甲路", "610728", "开工在建", 1000, "县交通局", "新建", "是", date(2023, 6, 1), date(2023, 5, 10)],
            ["P2", "镇巴县乙厂", "610728", "开工在建", 2000, "县交通局", "扩建", "是", date(2023, 6, 1), date(2023, 4, 1)],
            ["P3", "巴州区丙园", "511902", "开工在建", 900, "区发改局", "新建", "是", date(2023, 6, 1), date(2023, 4, 1)],
        ],
    )  # fmt: skip
    write_xlsx(
        landing / "发改局_2024年度投资计划.xlsx",
        [PLAN_HEADER, ["P1", 2024, "年初", 1000], ["P2", 2024, "年初", 500], ["P3", 2024, "年初", 300]],
    )
    header = [*PROGRESS_HEADER, "数据口径"]
    write_xlsx(
        landing / "县交通局_月度投资进度.xlsx",
        [
            header,
            ["P1", "甲", 2024, 1, 50, 550, "DISPATCH"],  # row 2: January on its own -> F3
            ["P1", "甲", 2024, 3, 300, 800, "DISPATCH"],
            ["P2", "乙", 2024, 3, 100, 900, "其他"],  # row 4: basis outside its code list -> B-PROG-BASIS
            ["P1", "甲", 2024, 4, 400, 900, "DISPATCH"],
            ["P2", "乙", 2024, 4, 150, 950, "DISPATCH"],
        ],
    )
    write_xlsx(landing / "区发改局_月度投资进度.xlsx", [header, ["P3", "丙", 2024, 3, 30, 30, "DISPATCH"]])

    summary = run_pipeline()
    assert summary.success, summary.failed_steps
    assert all(sev != "ERROR" for _, _, sev in summary.checks), summary.checks
    held = _query(data_dir, "SELECT _source_row, rule_id FROM raw.dq_excluded_rows ORDER BY 1")
    assert held == [(2, "F3"), (4, "B-PROG-BASIS")]
    # both regions' marts were built and published (the served copy BI and the bulletins read)
    built = (
        "SELECT region_code, month, projects_reporting FROM marts.mart_region_monthly_investment "
        "WHERE (region_code, month) IN (('511902', 3), ('610728', 3), ('610728', 4)) ORDER BY 1, 2"
    )
    expected = [("511902", 3, 1), ("610728", 3, 1), ("610728", 4, 2)]
    assert _query(data_dir, built) == expected
    served = duckdb.connect(str(data_dir.served_warehouse), read_only=True)
    try:
        assert served.execute(built).fetchall() == expected
    finally:
        served.close()
    # F8 found B's missing April: a warning to B's lead unit, not a block
    f8 = _query(
        data_dir,
        "SELECT submitting_unit, record_key, severity, blocking FROM raw.dq_results "
        f"WHERE run_id = '{summary.run_id}' AND rule_id = 'F8'",
    )
    assert f8 == [("区发改局", "511902 2024年4月", "warning", False)]
    a_rows = _return_list(data_dir, "县交通局")
    listed = sorted((r[1], int(r[3]), r[7], r[10]) for r in a_rows if r[9] == "致命")
    assert listed == [
        ("县交通局_月度投资进度.xlsx", 2, "F3", "暂扣不入库"),
        ("县交通局_月度投资进度.xlsx", 4, "B-PROG-BASIS", "暂扣不入库"),
    ]

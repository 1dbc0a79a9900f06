"""All problems at once (issue 12 item 2): a file quarantined for a file-level reason still reports the
problems of its readable rows — in raw.rejected_rows, the .reason.json and the 退回修改清单 with a
highlighted copy of the unit's file — and loads nothing. Real xlsx, real ingestion, real report files."""

from __future__ import annotations

import json

import duckdb
from ledgers import write_xlsx
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from xmdw.ingestion.batch import ingest_landing
from xmdw.reports import write_dq_report
from xmdw.reports.highlight import COPIES_DIR, SUMMARY_SHEET

NO_PERIOD = "县交通局_月度投资进度.xlsx"  # no 年度/月份 anywhere: ING-F3
NO_TOTAL = "县发改局_项目基本信息台账.xlsx"  # 总投资 column missing: ING-F1


def _query(paths, sql: str) -> list[tuple]:
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _drop(paths) -> None:
    write_xlsx(
        paths.landing / NO_PERIOD,
        [
            ["项目编号", "项目名称", "本年完成投资", "开工累计完成投资"],
            ["P1", "甲路", "待定", "100"],  # C2
            ["P2", "乙路", "50", "abc"],  # D3
            ["P3", "丙路", "10", "20"],
        ],
    )
    write_xlsx(
        paths.landing / NO_TOTAL,
        [
            ["项目编号", "项目名称", "区划代码", "四个一批阶段", "牵头单位"],
            ["P1", "甲路", "610728", "开工在建", "县交通局"],
            [None, "乙厂", "610728", "开工在建", "县交通局"],  # A3: no key
        ],
    )


def test_quarantined_files_report_their_row_problems_and_load_nothing(data_dir):
    _drop(data_dir)
    outcomes = {o.file_name: o for o in ingest_landing(data_dir).outcomes}
    assert outcomes[NO_PERIOD].status == "quarantined" and outcomes[NO_PERIOD].reason.rule == "ING-F3"
    assert outcomes[NO_TOTAL].status == "quarantined" and outcomes[NO_TOTAL].reason.rule == "ING-F1"
    rows = _query(
        data_dir,
        "SELECT file_name, sheet, source_row, column_header, rule, submitting_unit FROM raw.rejected_rows "
        "ORDER BY ALL",
    )
    # the missing column is said once, by the file-level problem, not on every row; a file without a
    # period keeps its rows' problems in the .reason.json only (their keys could never be matched)
    assert rows == [(NO_TOTAL, "Sheet1", 3, "项目编号", "ING-REQ", "县发改局")]
    assert _query(data_dir, "SELECT count(*) FROM raw.monthly_progress")[0][0] == 0
    assert _query(data_dir, "SELECT count(*) FROM raw.projects")[0][0] == 0
    log = _query(
        data_dir,
        f"SELECT entity, rows_read, rows_rejected FROM raw.ingest_log WHERE file_name = '{NO_PERIOD}'",
    )
    assert log == [("monthly_progress", 4, None)]  # rows_rejected stays empty: no figure changes
    reason = json.loads((data_dir.quarantine / f"{NO_PERIOD}.reason.json").read_text(encoding="utf-8"))
    assert reason["rule"] == "ING-F3" and reason["row_problems_total"] == 2
    listed = [(p["row"], p["column"], p["message_zh"]) for p in reason["row_problems"]]
    assert listed[0][:2] == (2, "本年完成投资") and "“待定”不是有效数字" in listed[0][2]
    assert listed[1][:2] == (3, "开工累计完成投资")


def test_return_list_lists_them_with_a_highlighted_copy_of_the_quarantined_file(data_dir):
    _drop(data_dir)
    ingest_landing(data_dir)
    files = write_dq_report(data_dir)
    sheet = CalamineWorkbook.from_path(str(files.xlsx)).get_sheet_by_name("县交通局").to_python()
    assert f"{COPIES_DIR}/县交通局/县交通局_月度投资进度_标注.xlsx" in sheet[0][0]
    assert [r[10] for r in sheet[2:]] == ["隔离（整个文件未入库）"]
    copy = data_dir.reports / COPIES_DIR / "县交通局" / "县交通局_月度投资进度_标注.xlsx"
    wb = load_workbook(copy)
    assert wb.sheetnames == [SUMMARY_SHEET, "Sheet1"]
    commented = {c.coordinate: c.comment.text for row in wb["Sheet1"].iter_rows() for c in row if c.comment}
    assert sorted(commented) == ["C2", "D3"] and "“待定”不是有效数字" in commented["C2"]

    registry = CalamineWorkbook.from_path(str(files.xlsx)).get_sheet_by_name("县发改局").to_python()
    assert sorted(str(r[10]) for r in registry[2:]) == ["退回（该行未入库）", "隔离（整个文件未入库）"]
    registry_copy = data_dir.reports / COPIES_DIR / "县发改局" / "县发改局_项目基本信息台账_标注.xlsx"
    assert [
        c.coordinate for row in load_workbook(registry_copy)["Sheet1"].iter_rows() for c in row if c.comment
    ] == ["A3"]

    # the next report keeps an unchanged copy; once the unit's corrected file loads, its copy goes
    written = copy.stat().st_mtime_ns
    write_xlsx(
        data_dir.landing / "县交通局_月度投资进度_2024年11月.xlsx",
        [["项目编号", "项目名称", "本年完成投资", "开工累计完成投资"], ["P1", "甲路", "30", "100"]],
    )
    write_dq_report(data_dir)
    assert copy.stat().st_mtime_ns == written
    ingest_landing(data_dir)
    write_dq_report(data_dir)
    assert not copy.exists() and registry_copy.exists()

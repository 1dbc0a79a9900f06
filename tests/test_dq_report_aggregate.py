"""At province scale the data-quality report stays readable (issue 12 item 7): findings go to the unit of
the file their row came from (a file without a unit to its region's lead unit or the region), and the HTML
shows one line per rule × unit with the count and the first rows, while the unit's xlsx sheet keeps every
row. The raw tables are filled directly (real DuckDB warehouse, real report files; no ingestion, no GX)."""

from __future__ import annotations

import re
from datetime import datetime

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from xmdw.contract import load_contract
from xmdw.reports import write_dq_report
from xmdw.reports.dq_aggregate import region_unit
from xmdw.reports.open_problems import GLOBAL_UNIT
from xmdw.warehouse.store import ensure_schema, insert_records

RUN = "dq-agg"
AT = datetime(2024, 4, 6, 9, 0)
UNIT = "县水利局"
UNIT_FILE = "县水利局_项目基本信息台账.xlsx"  # the unit is on the file (ingest log), not on the findings
ANON_FILE = "610222_projects.csv"  # a province file that names no unit: region 宜君县 (610222)


def _log(file_id: str, name: str, unit: str | None, region: str) -> dict:
    return {"log_id": f"log-{file_id}", "run_id": "ingest1", "file_id": file_id, "file_name": name,
            "status": "accepted", "entity": "projects", "submitting_unit": unit, "region_code": region,
            "rows_read": 60, "rows_loaded": 60, "rows_rejected": 0, "ingested_at": AT}  # fmt: skip


def _finding(file_id: str | None, name: str | None, row: int | None, value: str) -> dict:
    return {"run_id": RUN, "rule_id": "B17-REF", "severity": "warning", "rule_group": "field",
            "table_name": "projects", "scope": "row", "submitting_unit": None, "file_id": file_id,
            "file_name": name, "sheet": "Sheet1" if name else None, "source_row": row,
            "column_name": "region_code", "column_zh": "区划代码", "record_key": f"P{row}",
            "observed_value": value, "message_zh": "区划代码不在本系统的区划表中", "held_back": False,
            "blocking": False, "submitted_at": AT if name else None, "detected_at": AT}  # fmt: skip


@pytest.fixture
def report(data_dir):
    con = duckdb.connect(str(data_dir.warehouse))
    try:
        ensure_schema(con, load_contract())
        insert_records(con, "ingest_log", [_log("f1", UNIT_FILE, UNIT, "610728"),
                                            _log("f2", ANON_FILE, None, "610222")])  # fmt: skip
        findings = [_finding("f1", UNIT_FILE, 3 + i, f"99{i:04d}") for i in range(50)]
        findings += [_finding("f2", ANON_FILE, 2 + i, "990000") for i in range(3)]
        findings.append(_finding(None, None, None, "990001"))  # no file: the data manager's
        insert_records(con, "dq_results", findings)
        insert_records(con, "dq_runs", [{"run_id": RUN, "stage": "raw", "started_at": AT, "finished_at": AT,
                                         "warning_count": len(findings), "fatal_count": 0, "info_count": 0,
                                         "rows_held_back": 0, "rules_run": 1, "rules_failed": 1}])  # fmt: skip
    finally:
        con.close()
    return write_dq_report(data_dir)


def _unit_block(html: str, unit: str) -> str:
    m = re.search(rf"<details><summary>{re.escape(unit)}（(.*?)</details>", html, re.S)
    assert m, unit
    return m.group(0)


def test_fifty_findings_of_one_rule_in_one_units_file_are_one_line_with_five_rows(report):
    html = report.html.read_text(encoding="utf-8")
    block = _unit_block(html, UNIT)
    assert f"{UNIT}（50 项，1 条规则）" in block
    lines = re.findall(r"<tr><td><span class='warning'>B17-REF</span>.*?</tr>", block, re.S)
    assert len(lines) == 1
    assert '<td class="n">50</td>' in lines[0]
    examples = re.findall(rf"{re.escape(UNIT_FILE)} · Sheet1 · 第(\d+)行 · 区划代码=(\d+)", lines[0])
    assert examples == [(str(3 + i), f"99{i:04d}") for i in range(5)]
    assert "另有 45 行" in lines[0]
    assert html.count(UNIT_FILE) == 5  # the other 45 rows are only in the xlsx


def test_findings_go_to_the_files_unit_or_region_not_to_the_data_manager(report):
    html = report.html.read_text(encoding="utf-8")
    _unit_block(html, "宜君县（610222，未署名单位）")  # a file naming no unit: its region
    assert f"{GLOBAL_UNIT}（1 项" in _unit_block(html, GLOBAL_UNIT)  # only the finding without any file
    wb = CalamineWorkbook.from_path(str(report.xlsx))
    summary = {(r[0], r[1]): r[5] for r in wb.get_sheet_by_name("汇总").to_python()[4:]}
    assert summary == {(UNIT, "B17-REF"): 50, ("宜君县（610222，未署名单位）", "B17-REF"): 3,
                       (GLOBAL_UNIT, "B17-REF"): 1}  # fmt: skip


def test_the_units_xlsx_sheet_still_lists_every_row(report):
    rows = CalamineWorkbook.from_path(str(report.xlsx)).get_sheet_by_name(UNIT).to_python()[2:]
    assert len(rows) == 50
    assert sorted(int(r[3]) for r in rows) == list(range(3, 53))
    assert {r[1] for r in rows} == {UNIT_FILE} and {r[7] for r in rows} == {"B17-REF"}


def test_a_file_without_a_unit_goes_to_its_regions_lead_unit_when_known():
    assert region_unit("610728") == "县发改局"  # seeds/dim_unit.csv: the county's 发改 department
    assert region_unit("610222") == "宜君县（610222，未署名单位）"  # no units known: the region itself
    assert region_unit(None) is None

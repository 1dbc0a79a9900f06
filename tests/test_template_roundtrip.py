"""Templates that cannot misfile (issue 12 item 1): each template filled the way a clerk fills it —
填报单位/填报日期 line, 年度/月份 left blank, percentages typed as 45, 45% or 0.45 — ingested into a real
DuckDB file: the right month and the right values. 填报日期 is never a period; a period conflict is a
file problem naming both statements."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import duckdb
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from xmdw.contract import Column, Entity, load_contract
from xmdw.ingestion.batch import ingest_landing
from xmdw.ingestion.parser import parse_file
from xmdw.ingestion.problems import FileRejected
from xmdw.ingestion.templates import (
    CODE_SHEET,
    EXAMPLE_ROW,
    HEADER_ROW,
    comment_text,
    drop_down,
    write_templates,
)

C = load_contract()
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
PERCENT_TYPED = [45, "45%", 0.45]  # three clerks, one meaning: 45 %


def _q(paths, sql: str) -> list[tuple]:
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def clerk_value(entity: Entity, col: Column, n: int) -> object:
    """What a clerk types in row n (0, 1, 2) of a template; 年度/月份 are left blank."""
    if col.default in ("file.year", "file.month", "file.plan_version"):
        return None
    listed = drop_down(col, entity, C)
    if col.name == "indicator_code":
        return listed[0][n]  # picked from the drop-down; one row per indicator
    if listed:
        return listed[0][0]
    if col.is_identifier:
        return {"industry_code": "4412", "national_code": "2403-610728-04-01-123456"}.get(
            col.name, f"610728-2024-{n + 1:03d}"
        )
    if col.type == "ratio":
        return PERCENT_TYPED[n] if col.ratio_scale == "fraction_up_to_1" else 8.2
    return {
        "text": "测试内容",
        "money": "1,234.5",
        "usd": 10,
        "number": 12.5,
        "date": "2024年3月15日",
        "month": 3,
        "int": 1,
    }[col.type]


def fill_template(
    template: Path, entity: Entity, out: Path, unit_line: str, month: int | None = None
) -> Path:
    """Copy the template's top rows as they are, replace the 填报单位 line as the clerk filled it, keep the
    example row, add three data rows, and keep the hidden code sheet."""
    wb_in = CalamineWorkbook.from_path(str(template))
    top = wb_in.get_sheet_by_name(entity.zh[:31]).to_python(skip_empty_area=False)[: EXAMPLE_ROW + 1]
    wb = xlsxwriter.Workbook(str(out))
    ws = wb.add_worksheet(entity.zh[:31])
    for r, row in enumerate(top):
        ws.write_row(r, 0, [v if v != "" else None for v in row])
    ws.write(1, 0, unit_line)
    for n in range(3):
        values = [n + 1] + [clerk_value(entity, c, n) for c in entity.columns]
        if month is not None and any(c.name == "month" for c in entity.columns):
            values[1 + [c.name for c in entity.columns].index("month")] = month
        ws.write_row(EXAMPLE_ROW + 1 + n, 0, values)
    codes = wb.add_worksheet(CODE_SHEET)
    codes.write(0, 0, "代码")
    codes.hide()
    wb.close()
    return out


LINE = "填报单位：县交通局    报告期：      年      月            填报日期：{date}    单位：万元"


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("templates")
    write_templates(folder, C)
    return folder


@pytest.mark.parametrize("entity_name", list(C.entities))
def test_each_template_filled_by_a_clerk_loads_the_right_month_and_values(templates, data_dir, entity_name):
    entity = C.entity(entity_name)
    name = f"县交通局_2024年11月_{entity.zh}.xlsx"  # a November ledger filled in on 5 December
    fill_template(
        templates / entity.template_file, entity, data_dir.landing / name, LINE.format(date="2024年12月5日")
    )
    (o,) = ingest_landing(data_dir).outcomes
    assert (o.status, o.rows_loaded, o.rows_rejected, o.rows_with_findings) == ("accepted", 3, 0, 0), o.reason
    assert o.sheets_skipped == 1  # the hidden code sheet, reported, never loaded
    cols = {c.name for c in entity.columns}
    if "month" in cols:
        assert _q(data_dir, f"SELECT DISTINCT year, month FROM raw.{entity.table}") == [(2024, 11)]
    for year_col in ("plan_year", "fund_year"):
        if year_col in cols:
            assert _q(data_dir, f"SELECT DISTINCT {year_col} FROM raw.{entity.table}") == [(2024,)]
    if "physical_progress" in cols:
        got = _q(data_dir, f"SELECT physical_progress FROM raw.{entity.table}")
        assert sorted(float(v) for (v,) in got) == [0.45, 0.45, 0.45]
    if "yoy_growth" in cols:  # the statistics bureau's percent points: 8.2 -> 8.2 %
        assert {float(v) for (v,) in _q(data_dir, f"SELECT yoy_growth FROM raw.{entity.table}")} == {0.082}
    money = [c.name for c in entity.columns if c.type == "money"]
    if money:
        assert {float(v) for (v,) in _q(data_dir, f"SELECT {money[0]} FROM raw.{entity.table}")} == {1234.5}
    assert _q(data_dir, "SELECT DISTINCT submitting_unit FROM raw.ingest_log") == [("县交通局",)]


def test_fill_in_date_in_the_next_year_does_not_move_a_december_ledger(templates, tmp_path):
    entity = C.entity("monthly_progress")
    path = fill_template(
        templates / entity.template_file,
        entity,
        tmp_path / "县交通局_2024年12月_月度投资进度.xlsx",
        "填报单位：县交通局 报告期： 年 月 填报日期： 2025 年 1 月 5 日 单位：万元",
    )
    pf = parse_file(path, C)
    assert {(r["year"], r["month"]) for r in pf.rows} == {("2024", "12")}
    assert (pf.context.year, pf.context.month) == (2024, 12)


def test_report_period_cell_is_used_when_the_file_name_has_none(templates, tmp_path):
    entity = C.entity("monthly_progress")
    line = "填报单位：县交通局 报告期：2024年11月 填报日期：2024年12月5日 单位：万元"
    path = fill_template(
        templates / entity.template_file, entity, tmp_path / "县交通局_月度投资进度.xlsx", line
    )
    assert {(r["year"], r["month"]) for r in parse_file(path, C).rows} == {("2024", "11")}


def test_fill_in_date_alone_is_no_period(templates, tmp_path):
    entity = C.entity("monthly_progress")
    path = fill_template(
        templates / entity.template_file,
        entity,
        tmp_path / "县交通局_进度.xlsx",
        LINE.format(date="2024年12月5日"),
    )
    pf = parse_file(path, C)
    assert (pf.context.year, pf.context.month) == (None, None) and pf.rows == []
    month = [p for p in pf.rejected if p.column == "月份"]
    assert len(month) == 3 and all("填报日期不作为报告期" in p.message_zh for p in month)


def test_period_cell_conflicting_with_the_file_name_is_a_file_problem(templates, data_dir):
    entity = C.entity("monthly_progress")
    line = "填报单位：县交通局 报告期：2024年12月 填报日期：2024年12月5日 单位：万元"
    fill_template(
        templates / entity.template_file, entity, data_dir.landing / "县交通局_2024年11月_进度.xlsx", line
    )
    (o,) = ingest_landing(data_dir).outcomes
    assert o.status == "quarantined" and o.reason.rule == "ING-F7"
    assert (
        "2024年12月" in o.reason.message_zh
        and "文件名“县交通局_2024年11月_进度.xlsx”为2024年11月" in o.reason.message_zh
    )


def test_month_column_conflicting_with_the_file_name_is_a_file_problem(templates, tmp_path):
    entity = C.entity("monthly_progress")
    path = fill_template(
        templates / entity.template_file,
        entity,
        tmp_path / "县交通局_2024年11月_进度.xlsx",
        LINE.format(date="2024年12月5日"),
        month=12,
    )
    with pytest.raises(FileRejected) as exc:
        parse_file(path, C)
    p = exc.value.problem
    assert p.rule == "ING-F7" and "“月份”列为2024年12月" in p.message_zh and "2024年11月" in p.message_zh


def _sheet_xml(path: Path) -> ET.Element:
    return ET.fromstring(zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml"))


def _validations(path: Path) -> dict[str, ET.Element]:
    """First column letter of each data validation -> its element."""
    out = {}
    for dv in _sheet_xml(path).iter(f"{{{NS['m']}}}dataValidation"):
        out[re.match(r"[A-Z]+", dv.get("sqref")).group(0)] = dv
    return out


def _letter(entity: Entity, name: str) -> str:
    index = 1 + [c.name for c in entity.columns].index(name)  # column A is 序号
    return chr(65 + index) if index < 26 else "A" + chr(65 + index - 26)


def test_templates_validate_numbers_dates_months_and_list_every_code(templates):
    progress = C.entity("monthly_progress")
    dv = _validations(templates / progress.template_file)
    month = dv[_letter(progress, "month")]
    assert (month.get("type"), month.find("m:formula1", NS).text, month.find("m:formula2", NS).text) == (
        "whole",
        "2",
        "12",
    )
    ratio = dv[_letter(progress, "physical_progress")]
    bounds = [float(ratio.find(f"m:formula{i}", NS).text) for i in (1, 2)]
    assert (ratio.get("type"), bounds) == ("decimal", [0, 100])
    assert float(dv[_letter(progress, "ytd_completed")].find("m:formula1", NS).text) == 0  # ≥ 0
    assert dv[_letter(progress, "build_status")].get("type") == "list"
    registry = C.entity("projects")
    dv = _validations(templates / registry.template_file)
    assert dv[_letter(registry, "planned_start_date")].get("type") == "date"
    assert dv[_letter(registry, "in_stats_library")].get("type") == "list"
    # indicator codes of 指标完成情况报送表 come from the plan targets
    indicators = C.entity("indicator_reports")
    path = templates / indicators.template_file
    assert _validations(path)[_letter(indicators, "indicator_code")].get("type") == "list"
    codes = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(CODE_SHEET).to_python()
    column = codes[0].index("指标代码")
    listed = {r[column] for r in codes[1:] if len(r) > column and r[column]}
    assert "HOG_OUTPUT_HEAD" in listed and "FAI_TOTAL" not in listed


def test_template_comments_are_chinese_help(templates):
    for entity in C.entities.values():
        path = templates / entity.template_file
        xml = zipfile.ZipFile(path).read("xl/comments1.xml").decode()
        texts = ["".join(t.itertext()) for t in ET.fromstring(xml).iter(f"{{{NS['m']}}}comment")]
        assert texts == [comment_text(c) for c in entity.columns]
        for col, text in zip(entity.columns, texts, strict=True):
            assert col.help and col.help in text and col.en not in text
            assert not re.search(r"\b[a-z]{3,}\b", text), (
                text
            )  # no English words (codes like FAI_TOTAL are fine)
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(entity.zh[:31]).to_python()
        assert all(not re.search(r"[A-Za-z]{3,}", str(v)) for v in rows[HEADER_ROW])

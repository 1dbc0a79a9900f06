"""Each real-world ledger variation, as a real xlsx/csv written here, read by the real parser."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from ledgers import PROGRESS_HEADER, write_csv, write_xlsx

from xmdw.contract import load_contract
from xmdw.ingestion.parser import ParsedFile, parse_file
from xmdw.ingestion.problems import FileRejected

C = load_contract()


def parse(path: Path) -> ParsedFile:
    pf = parse_file(path, C)
    # the reconciliation invariant holds for every parsed file
    assert pf.rows_read == len(pf.rows) + pf.rows_rejected + pf.rows_skipped
    return pf


def by_id(pf: ParsedFile) -> dict[str, dict]:
    return {r["project_id"]: r for r in pf.rows}


def test_plain_template_shaped_ledger(tmp_path):
    pf = parse(write_xlsx(tmp_path / "p.xlsx", [PROGRESS_HEADER, ["P1", "甲", 2024, 3, 100, 500]]))
    assert pf.entity.name == "monthly_progress"
    r = by_id(pf)["P1"]
    assert (r["year"], r["month"], r["ytd_completed"], r["since_start_completed"]) == (
        "2024",
        "3",
        "100",
        "500",
    )
    assert r["basis"] == "DISPATCH"  # contract default
    assert r["_source_row"] == 2 and r["_sheet"] == "Sheet1"


def test_title_rows_units_line_and_notes(tmp_path):
    rows = [
        ["镇巴县重点项目2024年1-3月投资完成情况台账"],
        ["单位：亿元"],
        [],
        ["项目编号", "项目名称", "本年完成投资", "开工累计完成投资"],
        ["P1", "甲", 1.5, "2.25"],
        [],
        ["填报单位：县交通局", None, "填报人：张三", "联系电话：0916-1234567"],
        ["备注：数据截至3月31日"],
    ]
    pf = parse(write_xlsx(tmp_path / "title.xlsx", rows))
    r = by_id(pf)["P1"]
    assert (r["year"], r["month"]) == ("2024", "3")  # period from the title
    assert r["ytd_completed"] == "15000"  # 1.5 亿元 -> 15000 万元
    assert r["since_start_completed"] == "22500"
    assert r["_submitting_unit"] == "县交通局"
    assert pf.context.region_code == "610728"
    assert pf.money_units["ytd_completed"] == "亿元"
    assert pf.skipped_by_kind == {"title": 2, "blank": 2, "header": 1, "note": 2}


def test_unit_in_header_and_units_row(tmp_path):
    rows = [
        ["项目编号", "年度", "月份", "本年完成投资（元）", "开工累计完成投资", "形象进度（%）"],
        [None, None, None, None, "万元", None],
        ["P1", 2024, 4, "12,345,678", 5000, 85],
    ]
    pf = parse(write_xlsx(tmp_path / "units.xlsx", rows))
    r = by_id(pf)["P1"]
    assert r["ytd_completed"] == "1234.5678"  # 元 -> 万元, 元 precision kept
    assert r["since_start_completed"] == "5000"
    assert r["physical_progress"] == "0.85"
    assert pf.skipped_by_kind["units"] == 1


def test_two_level_merged_header_with_parent_unit(tmp_path):
    rows = [
        ["序号", "项目编号", "项目名称", None, None, None, "形象进度"],
        [None, None, None, "本月完成投资", "本年累计完成投资", "自开工累计完成投资", None],
        [1, "P1", "甲", 0.1, 0.5, 2],
        [2, "P2", "乙", 0.2, 0.7, 3],
    ]
    merges = [
        (0, 0, 1, 0, "序号"),
        (0, 1, 1, 1, "项目编号"),
        (0, 2, 1, 2, "项目名称"),
        (0, 3, 0, 5, "投资完成情况（亿元）"),
        (0, 6, 1, 6, "形象进度"),
    ]
    pf = parse(write_xlsx(tmp_path / "县水利局_2024年05月_月度投资进度.xlsx", rows, merges))
    assert pf.entity.name == "monthly_progress"
    assert [m for m in pf.skipped_by_kind] == ["header"] and pf.skipped_by_kind["header"] == 2
    r = by_id(pf)["P2"]
    assert (r["month_completed"], r["ytd_completed"], r["since_start_completed"]) == ("2000", "7000", "30000")
    assert (r["year"], r["month"]) == ("2024", "5")  # period from the file name
    assert r["_submitting_unit"] == "县水利局"  # unit from the file name
    assert "序号" not in pf.unknown_columns


def test_totals_subtotals_and_blank_rows(tmp_path):
    rows = [
        ["序号", "项目编号", "年度", "月份", "本年完成投资"],
        [1, "P1", 2024, 6, 100],
        [None, None, None, None, None],
        ["小计", None, None, None, 100],
        [2, "P2", 2024, 6, 50],
        ["合  计", None, None, None, 150],
    ]
    pf = parse(write_xlsx(tmp_path / "t.xlsx", rows))
    assert sorted(by_id(pf)) == ["P1", "P2"]
    assert pf.skipped_by_kind == {"header": 1, "blank": 1, "total": 2}


def test_numbers_as_text_full_width_and_percent(tmp_path):
    rows = [
        ["项目编号", "年度", "月份", "本年完成投资", "开工累计完成投资", "形象进度比例"],
        ["P1", "２０２４", "７", "１，２３４．５", "1,234,567.8", "85%"],
    ]
    r = by_id(parse(write_xlsx(tmp_path / "n.xlsx", rows)))["P1"]
    assert (r["year"], r["month"], r["ytd_completed"], r["since_start_completed"]) == (
        "2024",
        "7",
        "1234.5",
        "1234567.8",
    )
    assert r["physical_progress"] == "0.85"


@pytest.mark.parametrize(
    "cell",
    ["2024-03-15", "2024/3/15", "2024.3.15", "2024年3月15日", 45366, date(2024, 3, 15), "20240315"],
)
def test_date_formats(tmp_path, cell):
    rows = [
        ["项目编号", "项目名称", "四个一批阶段", "总投资", "实际开工时间"],
        ["P1", "甲", "开工在建", 800, cell],
    ]
    r = by_id(parse(write_xlsx(tmp_path / "镇巴县_项目.xlsx", rows)))["P1"]
    assert r["actual_start_date"] == "2024-03-15"


def test_month_only_date(tmp_path):
    rows = [
        ["项目编号", "项目名称", "四个一批阶段", "总投资", "计划开工时间"],
        ["P1", "甲", "储备", 800, "2024年3月"],
    ]
    assert by_id(parse(write_xlsx(tmp_path / "m.xlsx", rows)))["P1"]["planned_start_date"] == "2024-03-01"


def test_header_aliases_and_codes(tmp_path):
    rows = [
        ["县内项目编号", "项目全称", "所处阶段", "计划总投资", "建设性质", "是否纳统", "区划代码"],
        ["P1", "镇巴县城乡供水一体化工程", "开工（在建）", 12000, "1 新建", "是", "610728"],
        ["P2", "某园区", "谋划项目", 3000, "新造", "否", 610728],
    ]
    pf = parse(write_xlsx(tmp_path / "a.xlsx", rows))
    assert pf.entity.name == "projects"
    p1, p2 = by_id(pf)["P1"], by_id(pf)["P2"]
    assert (p1["project_name"], p1["stage"], p1["construction_nature"], p1["in_stats_library"]) == (
        "镇巴县城乡供水一体化工程",
        "开工在建",
        "1",
        "true",
    )
    assert p2["stage"] == "谋划"
    assert p2["construction_nature"] == "新造"  # unknown code kept as written: a DQ rule flags it
    assert p2["region_code"] == "610728"  # a number cell read as text without ".0"


def test_unknown_columns_are_kept_in_extra(tmp_path):
    rows = [PROGRESS_HEADER + ["包联干部"], ["P1", "甲", 2024, 3, 100, 500, "李四"]]
    pf = parse(write_xlsx(tmp_path / "x.xlsx", rows))
    assert pf.unknown_columns == ["包联干部"]
    assert '"包联干部": "李四"' in by_id(pf)["P1"]["_extra"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(tmp_path, encoding):
    rows = [PROGRESS_HEADER, ["P1", "镇巴县渔渡镇道路工程", 2024, 8, "1,000", 2000]]
    pf = parse(write_csv(tmp_path / f"p_{encoding}.csv", rows, encoding))
    r = by_id(pf)["P1"]
    assert r["project_name"] == "镇巴县渔渡镇道路工程"
    assert r["ytd_completed"] == "1000"
    assert (
        pf.encoding
        == {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gb18030", "gb18030": "gb18030"}[encoding]
    )


def test_row_level_problems_reject_only_that_row(tmp_path):
    rows = [
        PROGRESS_HEADER,
        ["P1", "甲", 2024, 3, "约100", 500],
        ["P2", "乙", 2024, 3, 80, 400],
        [None, "丙", 2024, 3, 10, 20],
    ]
    pf = parse(write_xlsx(tmp_path / "bad_rows.xlsx", rows, sheet="三月"))
    assert sorted(by_id(pf)) == ["P2"]
    probs = {(p.row, p.rule): p for p in pf.rejected}
    assert set(probs) == {(2, "ING-NUM"), (4, "ING-REQ")}
    num = probs[(2, "ING-NUM")]
    assert (num.sheet, num.column, num.value) == ("三月", "本年完成投资", "约100")
    assert "第2行" in num.located_zh() and "row 2" in num.located_en()


def test_duplicate_keys_in_one_file_are_rejected(tmp_path):
    rows = [
        PROGRESS_HEADER,
        ["P1", "甲", 2024, 3, 100, 500],
        ["P1", "甲", 2024, 3, 110, 510],
        ["P2", "乙", 2024, 3, 1, 2],
    ]
    pf = parse(write_xlsx(tmp_path / "dup.xlsx", rows))
    assert sorted(by_id(pf)) == ["P2"]
    assert {p.rule for p in pf.rejected} == {"ING-DUP"} and pf.rows_rejected == 2


def test_template_example_row_is_skipped(tmp_path):
    from xmdw.ingestion.templates import write_template

    path = write_template(C.entity("monthly_progress"), tmp_path, C)
    pf = parse(path)
    assert pf.entity.name == "monthly_progress" and pf.rows == []
    assert pf.skipped_by_kind.get("example") == 1


@pytest.mark.parametrize(
    "rows, rule",
    [
        ([["项目编号", "项目名称", "本年完成投资"], ["P1", "甲", 5]], "ING-F3"),  # no period anywhere
        ([["项目编号", "项目名称", "年度", "月份"], ["P1", "甲", 2024, 3]], "ING-F1"),  # YTD column missing
        ([["甲", "乙"], [1, 2]], "ING-F1"),  # not a ledger at all
        ([], "ING-F5"),
    ],
)
def test_file_level_problems_raise(tmp_path, rows, rule):
    with pytest.raises(FileRejected) as exc:
        parse_file(write_xlsx(tmp_path / "f.xlsx", rows), C)
    assert exc.value.problem.rule == rule
    assert exc.value.problem.message_zh and exc.value.problem.message_en


def test_units_line_split_across_cells_is_not_taken_for_a_header(tmp_path):
    rows = [
        ["填报单位：县交通局", None, None, "单位：亿元"],
        ["项目编号", "项目名称", "本年完成投资", "开工累计完成投资"],
        ["P1", "甲", 1.5, 2],
    ]
    pf = parse(write_xlsx(tmp_path / "2024年03月_进度.xlsx", rows))
    r = by_id(pf)["P1"]
    assert (r["ytd_completed"], r["since_start_completed"]) == ("15000", "20000")
    assert r["_submitting_unit"] == "县交通局"
    assert pf.skipped_by_kind == {"title": 1, "header": 1}


def test_fill_in_date_in_the_notes_is_not_the_period(tmp_path):
    rows = [PROGRESS_HEADER[:2] + PROGRESS_HEADER[4:], ["P1", "甲", 100, 500], ["填报日期：2024年4月5日"]]
    pf = parse(write_xlsx(tmp_path / "县水利局_2024年03月_月度投资进度.xlsx", rows))
    assert (by_id(pf)["P1"]["year"], by_id(pf)["P1"]["month"]) == ("2024", "3")


def test_section_rows_are_skipped(tmp_path):
    rows = [
        PROGRESS_HEADER,
        ["一、新开工项目（30个）"],
        ["P1", "甲", 2024, 3, 100, 500],
        ["（二）续建项目"],
        ["P2", "乙", 2024, 3, 1, 5],
    ]
    pf = parse(write_xlsx(tmp_path / "s.xlsx", rows))
    assert sorted(by_id(pf)) == ["P1", "P2"] and pf.skipped_by_kind["section"] == 2


def test_header_with_a_remark_in_brackets(tmp_path):
    rows = [["项目编号", "计划年度", "年度计划投资（调整后）", "计划版本"], ["P1", 2024, 800, "中期调整"]]
    pf = parse(write_xlsx(tmp_path / "plan.xlsx", rows))
    assert pf.entity.name == "annual_plans" and by_id(pf)["P1"]["annual_planned_investment"] == "800"


def test_literal_default_of_a_missing_bool_column_is_parsed(tmp_path):
    rows = [["项目编号", "手续类型", "办理状态"], ["P1", "环评", "已办结"]]
    pf = parse(write_xlsx(tmp_path / "proc.xlsx", rows))
    assert pf.entity.name == "procedures" and by_id(pf)["P1"]["is_required"] == "true"

"""Values are read exactly or refused (issue 11 item 2), optional values never cost a row (issue 10 item 3),
and every sheet of a workbook is accounted for (issue 11 item 3). Real xlsx/CSV, the real parser and a
real DuckDB file through the batch ingestion."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import xlsxwriter
from ledgers import PROGRESS_HEADER, PROJECT_HEADER, write_csv, write_xlsx

from xmdw.contract import load_contract
from xmdw.ingestion.batch import ingest_landing
from xmdw.ingestion.parser import ParsedFile, parse_file, parse_workbook
from xmdw.ingestion.problems import FileRejected

C = load_contract()
REGISTRY = ["项目编号", "项目名称", "四个一批阶段", "总投资", "行业代码", "计划开工时间", "牵头单位"]


def parse(path: Path) -> ParsedFile:
    pf = parse_file(path, C)
    assert pf.rows_read == len(pf.rows) + pf.rows_rejected + pf.rows_skipped
    return pf


def by_id(pf: ParsedFile) -> dict[str, dict]:
    return {r["project_id"]: r for r in pf.rows}


def problems(pf: ParsedFile) -> dict[int, list]:
    out: dict[int, list] = {}
    for p in pf.rejected:
        out.setdefault(p.row, []).append(p)
    return out


def _q(paths, sql, params=()):
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_huge_numbers_never_crash_and_are_refused_naming_column_and_limit(data_dir):
    """1E+30 as text, 1e15 as a number and 1e8% as a ratio used to crash parser or store."""
    rows = [
        PROGRESS_HEADER + ["形象进度比例"],
        ["P1", "甲", 2024, 3, "1E+30", 500, 0.5],
        ["P2", "乙", 2024, 3, 1e15, 500, 0.5],
        ["P3", "丙", 2024, 3, 100, 500, "1e8%"],
        ["P4", "丁", 2024, 3, 100, 500, "45%"],
    ]
    write_xlsx(data_dir.landing / "县交通局_2024年03月_进度.xlsx", rows)
    batch = ingest_landing(data_dir)
    assert batch.outcomes[0].status == "accepted"
    rejected = _q(
        data_dir, "SELECT source_row, column_header, rule, message_zh FROM raw.rejected_rows ORDER BY 1"
    )
    assert [r[:3] for r in rejected] == [(2, "本年完成投资", "ING-RANGE"), (3, "本年完成投资", "ING-RANGE")]
    assert "数值过大" in rejected[0][3]
    assert (
        "本年完成投资" in rejected[1][3] and "10,000,000,000" in rejected[1][3] and "万元" in rejected[1][3]
    )
    # the ratio is optional: P3 is kept, its 形象进度 left empty with a finding naming the limit
    loaded = _q(data_dir, "SELECT project_id, physical_progress FROM raw.monthly_progress ORDER BY 1")
    assert [(p, None if v is None else float(v)) for p, v in loaded] == [("P3", None), ("P4", 0.45)]
    finding = _q(data_dir, "SELECT source_row, column_name, rule, message_zh FROM raw.value_findings")
    assert [f[:3] for f in finding] == [(4, "physical_progress", "ING-RANGE")]
    assert "形象进度比例" in finding[0][3] and "100%" in finding[0][3]


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("1,234,567.5", "1234567.5"),
        ("12,34", None),
        ("1,2,3", None),
        ("1234,5", None),
        ("１，２３４", "1234"),
    ],
)
def test_thousands_separators_only_every_three_digits(tmp_path, cell, expected):
    pf = parse(write_csv(tmp_path / "p.csv", [PROGRESS_HEADER, ["P1", "甲", 2024, 3, cell, 500]]))
    if expected:
        assert by_id(pf)["P1"]["ytd_completed"] == expected
    else:
        (p,) = pf.rejected
        assert p.rule == "ING-NUM-SEP" and "每三位" in p.message_zh and cell in p.message_zh


def test_codes_typed_as_numbers_are_refused_with_format_as_text_advice(tmp_path):
    rows = [
        REGISTRY,
        [123456789012345678, "甲", "储备", 100, None, None, None],  # an 18-digit id typed as a number
        ["1.23457E+17", "乙", "储备", 100, None, None, None],  # what a CSV export of it says
        ["P3", "丙", "储备", 100, 4412.5, None, None],  # optional industry code typed as a fraction
        [610728001, "丁", "储备", 100, 4412, None, None],  # a whole number Excel shows exactly: kept
    ]
    pf = parse(write_xlsx(tmp_path / "r.xlsx", rows))
    rejected = problems(pf)
    assert sorted(rejected) == [2, 3]
    for row in (2, 3):
        (p,) = rejected[row]
        assert (p.rule, p.column) == ("ING-CODE-NUM", "项目编号") and "请将该列设置为文本格式" in p.message_zh
    assert by_id(pf)["610728001"]["industry_code"] == "4412"
    assert by_id(pf)["P3"]["industry_code"] is None
    (finding,) = pf.findings
    assert (finding.row, finding.rule, finding.column_name) == (4, "ING-CODE-NUM", "industry_code")


def test_invisible_characters_are_stripped_from_keys_codes_and_text(tmp_path):
    rows = [
        REGISTRY,
        [
            "\u200bP1\ufeff",
            "镇巴\u00a0县\u200c甲路",
            "开工\u200d在建",
            100,
            "\ufeff4412",
            None,
            "县\u2060交通局",
        ],
    ]
    pf = parse(write_xlsx(tmp_path / "r.xlsx", rows))
    r = by_id(pf)["P1"]
    assert (r["project_name"], r["stage"], r["industry_code"], r["lead_unit"]) == (
        "镇巴 县甲路",
        "开工在建",
        "4412",
        "县交通局",
    )


@pytest.mark.parametrize("cell", ["9999-12-31", "1900-02-28", "2204-03-01"])
def test_implausible_dates_are_refused_with_the_expected_format(tmp_path, cell):
    pf = parse(write_xlsx(tmp_path / "r.xlsx", [REGISTRY, ["P1", "甲", "储备", 100, None, cell, None]]))
    assert by_id(pf)["P1"]["planned_start_date"] is None  # optional: the row is kept
    (f,) = pf.findings
    assert f.rule == "ING-DATE" and "1950年至2100年" in f.message_zh
    assert "日期应写作 2024-03-15 或 2024年3月15日" in f.message_zh


def test_unreadable_date_message_says_what_is_expected(tmp_path):
    rows = [
        ["签约编号", "签约项目名称", "签约时间", "签约金额"],
        ["Q1", "甲", "下月", 100],
    ]
    pf = parse(write_xlsx(tmp_path / "镇巴县_招商.xlsx", rows))
    (p,) = pf.rejected
    assert (
        p.rule == "ING-DATE"
        and p.message_zh == "“下月”不是可识别的日期；日期应写作 2024-03-15 或 2024年3月15日"
    )


def test_optional_unreadable_value_keeps_the_row_and_is_a_finding(data_dir):
    """Issue 10: an unreadable 本月完成投资 must not drop the row's required 本年完成投资."""
    rows = [
        ["项目编号", "年度", "月份", "本年完成投资", "本月完成投资"],
        ["P1", 2024, 6, 300, "约100"],
        ["P2", 2024, 6, "待定", 50],
    ]
    write_xlsx(data_dir.landing / "县水利局_2024年06月_进度.xlsx", rows)
    (o,) = ingest_landing(data_dir).outcomes
    assert (o.rows_loaded, o.rows_rejected, o.rows_with_findings) == (1, 1, 1)
    loaded = _q(data_dir, "SELECT project_id, ytd_completed, month_completed FROM raw.monthly_progress")
    assert [(p, float(y), m) for p, y, m in loaded] == [("P1", 300.0, None)]
    f = _q(
        data_dir,
        "SELECT file_name, entity, sheet, source_row, column_header, column_name, rule, value, message_zh "
        "FROM raw.value_findings",
    )
    assert f[0][:8] == ("县水利局_2024年06月_进度.xlsx", "monthly_progress", "Sheet1", 2, "本月完成投资",
                        "month_completed", "ING-NUM", "约100")  # fmt: skip
    assert "本行其他数据已正常导入" in f[0][8]
    assert _q(data_dir, "SELECT source_row, rule FROM raw.rejected_rows") == [(3, "ING-NUM")]
    read, loaded_n, rejected_n, skipped = _q(
        data_dir, "SELECT rows_read, rows_loaded, rows_rejected, rows_skipped FROM raw.ingest_log"
    )[0]
    assert read == loaded_n + rejected_n + skipped == 3


def test_formula_without_cached_value_is_a_row_problem(tmp_path):
    """A formula saved without its result (a generated file never opened in Excel): required -> the row is
    rejected, optional -> left empty with a finding; never loaded as a silent NULL."""
    path = tmp_path / "f.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("进度")
    ws.write_row(0, 0, PROGRESS_HEADER)
    ws.write_row(1, 0, ["P1", "甲", 2024, 3])
    ws.write_formula(1, 4, "=F2-1", None, "")  # required 本年完成投资, no cached value
    ws.write(1, 5, 500)
    ws.write_row(2, 0, ["P2", "乙", 2024, 3, 80])
    ws.write_formula(2, 5, "=E3*2", None, "")  # optional 开工累计完成投资, no cached value
    wb.close()
    pf = parse(path)
    (p,) = pf.rejected
    assert (p.row, p.rule, p.column) == (2, "ING-FORMULA", "本年完成投资") and "公式" in p.message_zh
    assert [(r["project_id"], r["since_start_completed"]) for r in pf.rows] == [("P2", None)]
    (f,) = pf.findings
    assert (f.row, f.rule, f.column_name) == (3, "ING-FORMULA", "since_start_completed")


def test_duplicated_column_is_a_file_problem_naming_both_letters(tmp_path):
    rows = [
        ["项目编号", "项目名称", "总投资", "四个一批阶段", "牵头单位", "总投资"],
        ["P1", "甲", 100, "储备", "局", 200],
    ]
    with pytest.raises(FileRejected) as exc:
        parse_file(write_xlsx(tmp_path / "dup.xlsx", rows), C)
    p = exc.value.problem
    assert (p.rule, p.column) == ("ING-F6", "总投资") and "C列和F列" in p.message_zh


def test_merged_cells_over_data_rows_are_filled_down(tmp_path):
    rows = [
        REGISTRY,
        ["P1", "甲", "开工在建", 100, None, None, "县交通局"],
        ["P2", "乙", None, 200, None, None, None],
        ["P3", "丙", None, 300, None, None, None],
        ["P4", "丁", "储备", 400, None, None, "县水利局"],
    ]
    merges = [(1, 2, 3, 2, "开工在建"), (1, 6, 3, 6, "县交通局")]
    pf = parse(write_xlsx(tmp_path / "m.xlsx", rows, merges))
    assert pf.rejected == []
    assert [(r["stage"], r["lead_unit"]) for r in pf.rows] == [("开工在建", "县交通局")] * 3 + [
        ("储备", "县水利局")
    ]


def test_every_sheet_is_ingested_or_skipped_with_its_reason(data_dir):
    path = data_dir.landing / "县发改局_2024年03月_台账.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("填表说明")
    ws.write(0, 0, "本表按月报送，金额单位万元")
    reg = wb.add_worksheet("项目库")
    for r, row in enumerate([PROJECT_HEADER, ["P1", "甲", "610728", "开工在建", 1000, "县交通局"]]):
        reg.write_row(r, 0, row)
    prog = wb.add_worksheet("三月进度")
    for r, row in enumerate(
        [PROGRESS_HEADER, ["P1", "甲", 2024, 3, 100, 500], ["P2", "乙", 2024, 3, 50, 60]]
    ):
        prog.write_row(r, 0, row)
    old = wb.add_worksheet("旧数据")
    for r, row in enumerate([PROGRESS_HEADER, ["P9", "旧", 2024, 3, 1, 2]]):
        old.write_row(r, 0, row)
    old.hide()
    wb.add_worksheet("Sheet3")
    wb.close()

    ledgers = parse_workbook(path, C)
    assert [p.entity.name for p in ledgers] == ["projects", "monthly_progress"]
    assert [(s.sheet, s.rule) for s in ledgers[0].skipped_sheets] == [
        ("填表说明", "ING-S-NOTES"),
        ("旧数据", "ING-S-HIDDEN"),
        ("Sheet3", "ING-S-EMPTY"),
    ]
    assert all("未读取" in s.reason_zh for s in ledgers[0].skipped_sheets)

    (o,) = ingest_landing(data_dir).outcomes
    assert o.loaded_by_entity == {"projects": 1, "monthly_progress": 2} and o.sheets_skipped == 3
    assert _q(data_dir, "SELECT entity, rows_read, rows_loaded FROM raw.ingest_log ORDER BY entity") == [
        ("monthly_progress", 3, 2),
        ("projects", 2, 1),
    ]
    assert _q(data_dir, "SELECT project_id FROM raw.monthly_progress ORDER BY 1") == [("P1",), ("P2",)]
    assert _q(data_dir, "SELECT sheet, rows_in_sheet, rule FROM raw.skipped_sheets ORDER BY sheet") == [
        ("Sheet3", 0, "ING-S-EMPTY"),
        ("填表说明", 1, "ING-S-NOTES"),
        ("旧数据", 2, "ING-S-HIDDEN"),
    ]
    # skipped rows are counted per ledger: reconciliation per (file, ledger)
    for entity, read, loaded, rejected, skipped in _q(
        data_dir, "SELECT entity, rows_read, rows_loaded, rows_rejected, rows_skipped FROM raw.ingest_log"
    ):
        n = _q(data_dir, "SELECT count(*) FROM raw.skipped_rows WHERE entity = ?", [entity])[0][0]
        assert read == loaded + rejected + skipped and skipped == n


def test_a_ledger_only_on_a_hidden_sheet_is_quarantined_with_that_reason(tmp_path):
    path = tmp_path / "h.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("说明").write(0, 0, "见隐藏表")
    hidden = wb.add_worksheet("台账")
    for r, row in enumerate([PROGRESS_HEADER, ["P1", "甲", 2024, 3, 100, 500]]):
        hidden.write_row(r, 0, row)
    hidden.hide()
    wb.close()
    with pytest.raises(FileRejected) as exc:
        parse_workbook(path, C)
    assert exc.value.problem.rule == "ING-F8" and "隐藏" in exc.value.problem.message_zh


def test_header_below_a_long_title_block_is_found(tmp_path):
    rows = [[f"说明第{i}行"] for i in range(30)] + [PROGRESS_HEADER, ["P1", "甲", 2024, 3, 100, 500]]
    pf = parse(write_xlsx(tmp_path / "deep.xlsx", rows))
    assert pf.entity.name == "monthly_progress" and by_id(pf)["P1"]["_source_row"] == 32

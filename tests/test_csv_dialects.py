"""The readers account for every physical line: CSV dialects (CR-only, unbalanced quotes, NUL, huge
fields, UTF-16, Big5) and xlsx facts calamine does not give (formulas without a cached value, hidden)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from corpus.zipcraft import rewrite_xlsx

from xmdw.ingestion.csv_reader import physical_lines
from xmdw.ingestion.limits import UnreadableFile
from xmdw.ingestion.workbook import read_file

HEADER = "项目编号,项目名称,年度,月份,本年完成投资"


def _read(tmp_path: Path, data: bytes, name: str = "t.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    result = read_file(path)
    sheet = result.sheets[0]
    assert sum(sheet.row_lines) == result.physical_lines  # every physical line is in exactly one row
    return result, sheet


def test_cr_only_line_endings(tmp_path):
    result, sheet = _read(tmp_path, f"{HEADER}\rP1,甲,2024,3,1\rP2,乙,2024,3,2\r".encode())
    assert [r[0] for r in sheet.rows] == ["项目编号", "P1", "P2"] and not sheet.line_problems


def test_unbalanced_quote_costs_its_own_line_only(tmp_path):
    lines = [
        HEADER,
        'P1,"甲,2024,3,1',
        "P2,乙,2024,3,2",
        "P3,丙,2024,3,3",
        "P4,丁,2024,3,4",
        "P5,戊,2024,3,5",
    ]
    result, sheet = _read(tmp_path, "\n".join(lines).encode() + b"\n")
    assert result.physical_lines == 6 and len(sheet.rows) == 6
    assert [r[0] for r in sheet.rows[2:]] == ["P2", "P3", "P4", "P5"]
    assert list(sheet.line_problems) == [1] and sheet.line_problems[1].rule == "ING-CSV-QUOTE"
    assert "第2行" in sheet.line_problems[1].message_zh


def test_quoted_cell_with_a_line_break_is_one_row_of_two_lines(tmp_path):
    data = f'{HEADER}\nP1,"甲\n乙",2024,3,1\nP2,丙,2024,3,2\n'.encode()
    result, sheet = _read(tmp_path, data)
    assert sheet.rows[1][1] == "甲\n乙" and sheet.row_lines == [1, 2, 1] and not sheet.line_problems


def test_quote_closing_lines_later_with_the_wrong_width_is_reported(tmp_path):
    data = f'{HEADER}\nP1,"甲,2024,3,1\nP2",乙,2024,3,2\nP3,丙,2024,3,3\n'.encode()
    result, sheet = _read(tmp_path, data)
    assert [r[0] for r in sheet.rows] == [
        "项目编号",
        "P1",
        'P2"',
        "P3",
    ]  # 6 fields across 2 lines: not a cell
    assert list(sheet.line_problems) == [1]


def test_nul_bytes_reject_their_line(tmp_path):
    result, sheet = _read(tmp_path, f"{HEADER}\nP1,甲\x00,2024,3,1\nP2,乙,2024,3,2".encode())
    assert [p.rule for p in sheet.line_problems.values()] == ["ING-CSV-NUL"] and 1 in sheet.line_problems
    assert sheet.rows[2][0] == "P2"  # last line without a terminator still counts


def test_a_field_of_one_megabyte(tmp_path):
    result, sheet = _read(tmp_path, f"{HEADER}\nP1,{'长' * 1_000_000},2024,3,1\nP2,乙,2024,3,2\n".encode())
    assert sheet.line_problems[1].rule == "ING-CELL-LONG" and len(sheet.rows[1][1]) < 300
    assert sheet.rows[2][0] == "P2"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_export_tab_separated(tmp_path, encoding):
    text = HEADER.replace(",", "\t") + "\r\nP1\t甲\t2024\t3\t1\r\n"
    result, sheet = _read(tmp_path, text.encode(encoding), "unicode.txt")
    assert result.encoding.startswith("utf-16") and sheet.rows[1] == ["P1", "甲", "2024", "3", "1"]


def test_big5_is_recognised_and_refused_gbk_is_read(tmp_path):
    (tmp_path / "b.csv").write_bytes(
        "項目編號,項目名稱,年度,月份,本年完成投資\nP1,縣交通局測試,2024,3,1\n".encode("big5")
    )
    with pytest.raises(UnreadableFile) as exc:
        read_file(tmp_path / "b.csv")
    assert exc.value.rule == "ING-F2" and "Big5" in exc.value.message_zh
    # GBK with characters outside GB2312 (names such as 喆 堃 镕) is still GBK
    gbk = f"{HEADER}\nP1,王喆堃镕项目,2024,3,1\n".encode("gbk")
    result, sheet = _read(tmp_path, gbk, "g.csv")
    assert result.encoding == "gb18030" and sheet.rows[1][1] == "王喆堃镕项目"


def test_physical_lines_split_only_on_line_terminators():
    assert physical_lines("a\r\nb\rc\nd") == ["a\r\n", "b\r", "c\n", "d"]
    assert physical_lines("a\x0bb\u2028c\n") == ["a\x0bb\u2028c\n"]  # not str.splitlines


def _workbook(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("进度")
    ws.write_row(0, 0, ["项目编号", "本年完成投资"])
    ws.write_row(1, 0, ["P1", 5])
    ws.write_formula(2, 1, "=B2*2", None, 10)
    ws.write(2, 0, "P2")
    ws.write_formula(3, 1, "=B2*3")  # rewritten below without its cached value
    ws.write(3, 0, "P3")
    wb.add_worksheet("旧数据").hide()
    very = wb.add_worksheet("代码")
    very.very_hidden()
    wb.close()
    return path


def test_formulas_without_cached_value_and_hidden_sheets(tmp_path):
    src = _workbook(tmp_path / "src.xlsx")
    with zipfile.ZipFile(src) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml")
    assert b"<f>B2*3</f><v>0</v>" in xml  # xlsxwriter's placeholder for a formula given no value
    uncached = xml.replace(b"<f>B2*3</f><v>0</v>", b"<f>B2*3</f>")  # as openpyxl and others write it
    path = rewrite_xlsx(src, tmp_path / "f.xlsx", {"xl/worksheets/sheet1.xml": uncached})
    sheets = read_file(path).sheets
    assert [(s.name, s.hidden) for s in sheets] == [("进度", False), ("旧数据", True), ("代码", True)]
    assert sheets[0].uncached_formulas == {(3, 1)}  # B4; B3 has its cached 10
    assert sheets[0].rows[2][1] == 10 and sheets[0].rows[3][1] is None


def test_an_xlsx_cell_over_the_length_limit_rejects_its_row(tmp_path, monkeypatch):
    monkeypatch.setenv("XMDW_MAX_CELL_CHARS", "50")
    path = tmp_path / "long.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.write_row(0, 0, ["项目编号", "项目名称"])
    ws.write_row(1, 0, ["P1", "长" * 60])
    wb.close()
    sheet = read_file(path).sheets[0]
    assert list(sheet.line_problems) == [1] and sheet.line_problems[1].rule == "ING-CELL-LONG"

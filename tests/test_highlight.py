"""The highlighted copy of a unit's own workbook (issue 12 item 2): exactly the bad cells are filled and
commented with the Chinese message, for an xlsx and for a CSV (copied into an xlsx). Real ledgers, real
ingestion into a real DuckDB file, read back with openpyxl."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
from ledgers import PROJECT_HEADER, write_csv, write_xlsx
from openpyxl import load_workbook

from xmdw.contract import load_contract
from xmdw.ingestion.batch import ingest_landing
from xmdw.ingestion.workbook import read_file
from xmdw.reports import highlight, write_dq_report
from xmdw.reports.highlight import COPIES_DIR, FILL, SUMMARY_SHEET, CellNote, _originals, highlight_copy
from xmdw.reports.highlight_marks import locate

ROWS = [
    ["县发改局 项目基本信息台账"],  # a title row: the header is on row 2
    PROJECT_HEADER,
    ["P1", "甲路", "610728", "开工在建", "待定", "县交通局"],  # E3: 总投资 is not a number
    ["P2", None, "610728", "开工在建", "500", "县交通局"],  # B4: 项目名称 (required) empty
    ["P3", "丙园", "610728", "开工在建", "1,2,3", "县交通局"],  # E5: not a thousands separator
    ["P4", "丁站", "610728", "开工在建", "800", "县交通局"],  # clean
]
EXPECTED = {"E3", "B4", "E5"}


def _notes(paths) -> tuple[list[CellNote], str]:
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        rows = con.execute(
            "SELECT sheet, source_row, message_zh, column_name, column_header, rule FROM raw.rejected_rows"
        ).fetchall()
        stored = con.execute("SELECT stored_path FROM raw.ingest_log WHERE status = 'accepted'").fetchone()[0]
    finally:
        con.close()
    return [CellNote(s, r, m, "fatal", c, h, rule) for s, r, m, c, h, rule in rows], stored


def _marked(path) -> dict[str, tuple[str, str]]:
    """cell -> (fill colour, comment) of every filled or commented cell of the data sheets."""
    wb = load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        if ws.title == SUMMARY_SHEET:
            continue
        for row in ws.iter_rows():
            for cell in row:
                colour = cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type == "solid" else None
                if colour or cell.comment:
                    out[cell.coordinate] = (str(colour)[-6:], cell.comment.text if cell.comment else "")
    return out


def test_xlsx_copy_marks_exactly_the_three_bad_cells(data_dir, tmp_path):
    write_xlsx(data_dir.landing / "县发改局_项目基本信息台账.xlsx", ROWS, sheet="台账")
    ingest_landing(data_dir)
    notes, original = _notes(data_dir)
    out = tmp_path / "标注.xlsx"
    marked = highlight_copy(Path(original), notes, out)
    assert {f"{chr(64 + m.column)}{m.row}" for m in marked} == EXPECTED
    cells = _marked(out)
    assert set(cells) == EXPECTED
    assert all(colour == FILL["fatal"] for colour, _ in cells.values())
    assert "“待定”不是有效数字" in cells["E3"][1]
    assert "必填项“项目名称”为空" in cells["B4"][1]
    assert "1,2,3" in cells["E5"][1]
    wb = load_workbook(out)
    assert wb.sheetnames == [SUMMARY_SHEET, "台账"]  # the unit's own sheet, plus the list in front
    assert wb["台账"]["A4"].value == "P2" and wb["台账"]["E6"].value == "800"  # values kept as sent


def test_csv_copy_is_an_xlsx_with_the_same_marks(data_dir, tmp_path):
    rows = [r + [""] * (6 - len(r)) for r in ROWS]
    rows[3][0] = "=HYPERLINK(1)"  # ledger text that must never become a formula in the copy
    write_csv(data_dir.landing / "县发改局_项目基本信息台账.csv", rows)
    ingest_landing(data_dir)
    notes, original = _notes(data_dir)
    out = tmp_path / "标注.xlsx"
    highlight_copy(Path(original), notes, out)
    cells = _marked(out)
    assert set(cells) == EXPECTED
    ws = load_workbook(out)["数据"]
    assert ws["A4"].data_type == "s" and ws["A4"].value == "=HYPERLINK(1)"
    assert ws["E6"].value == "800"  # CSV cells are text exactly as sent


def test_a_warning_is_yellow_and_two_notes_on_one_cell_are_one_comment(data_dir, tmp_path):
    path = write_xlsx(tmp_path / "县发改局_台账.xlsx", ROWS)
    notes = [
        CellNote("Sheet1", 3, "问题一", "warning", "total_investment"),
        CellNote("Sheet1", 3, "问题二", "warning", None, "总投资"),
        CellNote("Sheet1", 6, "整行问题", "fatal"),  # no column: the row's key cell
        CellNote("别的表", 3, "另一个文件的表", "fatal"),  # not in this file: dropped
    ]
    out = tmp_path / "out.xlsx"
    highlight_copy(path, notes, out)
    cells = _marked(out)
    assert set(cells) == {"E3", "A6"}
    assert cells["E3"] == (FILL["warning"], "问题一\n问题二")
    assert cells["A6"][0] == FILL["fatal"]


def test_csv_copy_summary_sheet_lists_every_marked_cell_in_order(data_dir, tmp_path):
    write_csv(data_dir.landing / "县发改局_项目基本信息台账.csv", [r + [""] * (6 - len(r)) for r in ROWS])
    ingest_landing(data_dir)
    notes, original = _notes(data_dir)
    highlight_copy(Path(original), notes, tmp_path / "标注.xlsx")
    wb = load_workbook(tmp_path / "标注.xlsx")
    assert wb.sheetnames == [SUMMARY_SHEET, "数据"] and wb.active.title == SUMMARY_SHEET
    ws = wb[SUMMARY_SHEET]
    assert "县发改局_项目基本信息台账.csv" in ws["A1"].value and ws["A1"].font.b
    assert [c.value for c in ws[3]] == ["工作表", "行号", "列", "问题"]
    listed = [(r[1].value, r[2].value) for r in ws.iter_rows(min_row=4)]
    assert listed == [(3, "E"), (4, "B"), (5, "E")]
    assert "“待定”不是有效数字" in ws["D4"].value and ws["D4"].fill.fgColor.rgb[-6:] == FILL["fatal"]
    assert ws["D4"].alignment.wrap_text and ws["D4"].alignment.vertical == "top"
    assert [ws.column_dimensions[c].width for c in "ABCD"] == [16, 8, 6, 90]  # as openpyxl stores them


def test_ingestions_header_row_finds_the_same_cells_without_scanning_the_sheet(data_dir):
    write_csv(data_dir.landing / "县发改局_项目基本信息台账.csv", [r + [""] * (6 - len(r)) for r in ROWS])
    ingest_landing(data_dir)
    notes, _ = _notes(data_dir)
    (original,) = _originals(data_dir.warehouse).values()
    assert list(original.header_rows.values()) == [1]  # the title on row 1, the header on row 2
    sheets, contract = read_file(original.path).sheets, load_contract()
    scanned = locate(sheets, notes, contract, csv=True)
    assert locate(sheets, notes, contract, csv=True, header_rows=original.header_rows) == scanned
    assert {(m.row, m.column) for m in scanned} == {(3, 5), (4, 2), (5, 5)}
    # the header row is really what is used: a data row given as the header finds no column
    assert locate(sheets, notes, contract, csv=True, header_rows={"x": 3}) != scanned


def test_a_copy_follows_the_originals_content_and_the_highlighting_version(data_dir, monkeypatch):
    write_csv(data_dir.landing / "县发改局_项目基本信息台账.csv", [r + [""] * (6 - len(r)) for r in ROWS])
    ingest_landing(data_dir)
    write_dq_report(data_dir)
    (copy,) = (data_dir.reports / COPIES_DIR).rglob("*_标注.xlsx")
    written = copy.stat().st_mtime_ns
    (original,) = _originals(data_dir.warehouse).values()
    os.utime(original.path, ns=(1, 1))  # same content, touched (a data directory copied without -a)
    write_dq_report(data_dir)
    assert copy.stat().st_mtime_ns == written
    monkeypatch.setattr(highlight, "HIGHLIGHT_VERSION", highlight.HIGHLIGHT_VERSION + 1)
    write_dq_report(data_dir)
    assert copy.stat().st_mtime_ns != written

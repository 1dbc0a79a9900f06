"""The highlighted copy of a unit's own workbook (issue 12 item 2): exactly the bad cells are filled and
commented with the Chinese message, for an xlsx and for a CSV (copied into an xlsx). Real ledgers, real
ingestion into a real DuckDB file, read back with openpyxl."""

from __future__ import annotations

from pathlib import Path

import duckdb
from ledgers import PROJECT_HEADER, write_csv, write_xlsx
from openpyxl import load_workbook

from xmdw.ingestion.batch import ingest_landing
from xmdw.reports.highlight import FILL, SUMMARY_SHEET, CellNote, highlight_copy

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

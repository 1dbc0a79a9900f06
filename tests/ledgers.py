"""Write real xlsx/csv ledgers for tests: rows of cells, optional merged ranges."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

Merge = tuple[int, int, int, int, str]  # first_row, first_col, last_row, last_col, text (0-based)


def write_xlsx(
    path: Path,
    rows: list[list],
    merges: list[Merge] = (),
    sheet: str = "Sheet1",
    extra_sheets: dict[str, list[list]] | None = None,
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})

    def fill(ws, data: list[list]) -> None:
        for r, row in enumerate(data):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, datetime | date):
                    ws.write_datetime(r, c, datetime(v.year, v.month, v.day), date_fmt)
                else:
                    ws.write(r, c, v)

    ws = wb.add_worksheet(sheet)
    fill(ws, rows)
    for r0, c0, r1, c1, text in merges:
        ws.merge_range(r0, c0, r1, c1, text)
    for name, data in (extra_sheets or {}).items():
        fill(wb.add_worksheet(name), data)
    wb.close()
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


PROJECT_HEADER = ["项目编号", "项目名称", "区划代码", "四个一批阶段", "总投资", "牵头单位"]
PLAN_HEADER = ["项目编号", "计划年度", "计划版本", "年度计划投资"]
PROGRESS_HEADER = ["项目编号", "项目名称", "年度", "月份", "本年完成投资", "开工累计完成投资"]

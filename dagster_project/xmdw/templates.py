"""Blank ledger templates a unit fills in, written from the contract (`xmdw template DIR`).

Each template: a title row, a 填报单位/单位 line, the Chinese headers (required ones marked *),
a units row, one example row (skipped at ingestion), drop-down lists for code columns (from a
hidden 代码表 sheet) and a comment on every header with what the column means.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from xmdw.contract import Column, Contract, Entity, load_contract

EXAMPLE_MARK = "示例"
EXAMPLE_VALUES = {
    "text": "（示例）",
    "int": 1,
    "year": 2024,
    "month": 3,
    "money": 1234.5,
    "usd": 10,
    "ratio": "85%",
    "number": 12.5,
    "date": "2024-03-15",
    "bool": "是",
}
CODE_SHEET = "代码表"
TITLE_ROW, UNIT_LINE_ROW, HEADER_ROW, UNITS_ROW, EXAMPLE_ROW = 0, 1, 2, 3, 4


def header_text(col: Column) -> str:
    return f"*{col.zh}" if col.required and col.default is None else col.zh


def _example(col: Column, contract: Contract) -> object:
    if col.type == "code":
        return contract.code_lists[col.code_list].labels[0]
    if col.name == "project_id":
        return "610728-2024-001"
    if col.name == "region_code":
        return "610728"
    return EXAMPLE_VALUES[col.type]


def write_template(entity: Entity, folder: Path, contract: Contract) -> Path:
    path = folder / entity.template_file
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": entity.zh, "comments": "xmdw template", "created": None})
    title = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    head = wb.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "align": "center"}
    )
    unit = wb.add_format({"italic": True, "font_color": "#666666", "align": "center"})
    example = wb.add_format({"italic": True, "font_color": "#999999"})

    ws = wb.add_worksheet(entity.zh[:31])
    codes = wb.add_worksheet(CODE_SHEET)
    codes.hide()
    columns = [None, *entity.columns]  # column A is 序号
    ws.merge_range(TITLE_ROW, 0, TITLE_ROW, len(columns) - 1, f"××县（区）{entity.zh}", title)
    ws.write(UNIT_LINE_ROW, 0, "填报单位：                    填报日期：            单位：万元")
    ws.write(HEADER_ROW, 0, "序号", head)
    ws.write(UNITS_ROW, 0, None)
    ws.write(EXAMPLE_ROW, 0, EXAMPLE_MARK, example)
    code_col = 0
    for i, col in enumerate(entity.columns, start=1):
        ws.write(HEADER_ROW, i, header_text(col), head)
        ws.write_comment(HEADER_ROW, i, f"{col.en}\n类型：{col.type}" + ("\n必填" if col.required else ""))
        ws.write(UNITS_ROW, i, col.unit_zh or "", unit)
        ws.write(EXAMPLE_ROW, i, _example(col, contract), example)
        ws.set_column(i, i, max(10, len(col.zh) * 2 + 2))
        if col.type == "code":
            labels = contract.code_lists[col.code_list].labels
            codes.write(0, code_col, col.zh)
            codes.write_column(1, code_col, labels)
            letter = xlsxwriter.utility.xl_col_to_name(code_col)
            ws.data_validation(
                EXAMPLE_ROW,
                i,
                1000,
                i,
                {
                    "validate": "list",
                    "source": f"={CODE_SHEET}!${letter}$2:${letter}${len(labels) + 1}",
                    "error_type": "warning",
                    "error_message": "请从下拉列表中选择",
                },
            )
            code_col += 1
    ws.freeze_panes(UNITS_ROW + 1, 2)
    wb.close()
    return path


def write_templates(folder: Path, contract: Contract | None = None) -> list[Path]:
    contract = contract or load_contract()
    folder.mkdir(parents=True, exist_ok=True)
    return [write_template(e, folder, contract) for e in contract.entities.values()]

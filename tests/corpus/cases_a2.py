"""Corpus cases: values loaded wrong, row problems the return list carries."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import xlsxwriter

from corpus.kit import (
    PROGRESS_HEADER,
    add,
    ledger,
    ok,
    prog,
    proj,
    q,
    template_rows,
    xlsx,
)
from corpus.zipcraft import rewrite_xlsx

P = "monthly_progress"

# --- values that loaded wrong -----------------------------------------------------------------------------
add(
    "comma_decimal",
    "values",
    "“12,34” 不是千位分隔",
    ok(1, ("ING-NUM-SEP",)),
    ledger(P, [prog("D1-1"), prog("D1-2", ytd_completed="12,34")]),
)
add(
    "comma_every_digit",
    "values",
    "“1,2,3”",
    ok(1, ("ING-NUM-SEP",)),
    ledger(P, [prog("D2-1"), prog("D2-2", ytd_completed="1,2,3")]),
)
add(
    "thousands_ok",
    "values",
    "“1,234,567.5” 正确的千位分隔",
    ok(1),
    ledger(P, [prog("D3-1", ytd_completed="1,234,567.5")]),
)
add(
    "id_18_digits_number",
    "values",
    "18 位项目编号被存成数字",
    ok(1, ("ING-CODE-NUM",)),
    ledger(P, [prog("D4-1"), prog(123456789012345678)]),
)
add(
    "id_scientific_text",
    "values",
    "项目编号为“1.23457E+17”",
    ok(1, ("ING-CODE-NUM",)),
    ledger(P, [prog("D5-1"), prog("1.23457E+17")]),
)
add(
    "zero_width_in_key",
    "values",
    "项目编号中有零宽空格",
    ok(2),
    ledger(P, [prog("D6-1\u200b"), prog("\ufeffD6-2")]),
)
add(
    "date_9999",
    "values",
    "计划开工时间 9999-12-31",
    ok(2, (), ("ING-DATE",)),
    ledger("projects", [proj("D7-1"), proj("D7-2", planned_start_date="9999-12-31")]),
)
add(
    "date_1900",
    "values",
    "计划竣工时间 1900-02-28",
    ok(2, (), ("ING-DATE",)),
    ledger("projects", [proj("D8-1"), proj("D8-2", planned_completion_date=date(1900, 2, 28))]),
)


def _uncached_formula(path: Path) -> None:
    rows = template_rows(P, [prog("D9-1"), prog("D9-2", ytd_completed=None)])
    xlsx(path, rows)
    tmp = path.with_suffix(".src")
    path.rename(tmp)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("台账")
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v)
    ws.write_formula(len(rows) - 1, 6, "=F6*2")
    wb.close()
    tmp.unlink()
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml")
    rewrite_xlsx(path, path, {"xl/worksheets/sheet1.xml": xml.replace(b"</f><v>0</v>", b"</f>")})


add(
    "formula_without_cache",
    "values",
    "公式没有缓存值（程序生成的文件）",
    ok(1, ("ING-FORMULA",)),
    _uncached_formula,
)
add(
    "duplicated_column",
    "values",
    "“总投资”列出现两次",
    q("ING-F6"),
    lambda p: xlsx(
        p, [["项目编号", "项目名称", "四个一批阶段", "总投资", "总投资"], ["D11-1", "甲", "开工在建", 1, 2]]
    ),
)
add(
    "merged_cells_over_rows",
    "values",
    "年度、月份单元格纵向合并",
    ok(3),
    lambda p: xlsx(
        p,
        template_rows(
            P, [prog("D12-1"), prog("D12-2", year=None, month=None), prog("D12-3", year=None, month=None)]
        ),
        merges=((5, 3, 7, 3, "2024"), (5, 4, 7, 4, "3")),
    ),
)
add("fullwidth_digits", "values", "全角数字", ok(1), ledger(P, [prog("D13-1", ytd_completed="１２３.５")]))
add("percent_text", "values", "形象进度写“85%”", ok(1), ledger(P, [prog("D14-1", physical_progress="85%")]))
add(
    "chinese_date",
    "values",
    "日期写“2024年3月15日”",
    ok(1),
    ledger("projects", [proj("D15-1", planned_start_date="2024年3月15日")]),
)
add(
    "excel_serial_date",
    "values",
    "日期是 Excel 序列号",
    ok(1),
    ledger("projects", [proj("D16-1", planned_start_date=45366)]),
)
add(
    "amount_in_yuan",
    "values",
    "金额单位为元（单位：元）",
    ok(1),
    lambda p: xlsx(p, [["单位：元"], PROGRESS_HEADER, ["D17-1", "甲", 2024, 3, 1000000, 5000000]]),
)
add(
    "period_conflict",
    "values",
    "文件名 4 月、表中月份 3 月",
    q("ING-F7"),
    ledger(P, [prog("D18-1")]),
    name="县交通局_2024年04月_进度.xlsx",
)
add(
    "text_in_amount",
    "values",
    "必填金额写“待定”",
    ok(1, ("ING-NUM",)),
    ledger(P, [prog("D19-1"), prog("D19-2", ytd_completed="待定")]),
)
add(
    "unknown_code_kept",
    "values",
    "建设状态不在代码表中：保留，由数据质量规则提示",
    ok(1),
    ledger(P, [prog("D20-1", build_status="快完了")]),
)

# --- row problems the return list carries ------------------------------------------------------------------
add(
    "required_empty",
    "return",
    "必填项为空",
    ok(1, ("ING-REQ",)),
    ledger(P, [prog("E1-1"), prog("E1-2", ytd_completed=None)]),
)
add(
    "duplicate_key",
    "return",
    "同一文件中项目编号重复",
    ok(1, ("ING-DUP",)),
    ledger(P, [prog("E2-1"), prog("E2-2"), prog("E2-2", ytd_completed=7)]),
)
add(
    "batch_twin_a",
    "return",
    "同一批两个文件（同单位同月），第一份有退回行",
    ok(1, ("ING-REQ",)),
    ledger(P, [prog("E3-1"), prog("E3-2", ytd_completed=None)]),
)
add(
    "batch_twin_b", "return", "同一批两个文件（同单位同月），第二份没有问题", ok(1), ledger(P, [prog("E3-3")])
)
add(
    "registry_rejected_row",
    "return",
    "项目台账中的退回行",
    ok(1, ("ING-REQ",)),
    ledger("projects", [proj("E4-1"), proj("E4-2", total_investment=None)]),
)
add(
    "several_problems_one_row",
    "return",
    "一行有多个问题，全部列出",
    ok(0, ("ING-NUM", "ING-REQ")),
    ledger(P, [prog("E5-1", ytd_completed=None, since_start_completed="多少")]),
)

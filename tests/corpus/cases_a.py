"""Corpus cases: good files, former crashers, rows that vanished, values loaded wrong, return-list rows."""

from __future__ import annotations

from corpus.kit import (
    PROGRESS_HEADER,
    add,
    csv_text,
    ledger,
    ok,
    prog,
    prog_csv,
    proj,
    q,
    template_rows,
    write_text,
    xlsx,
)

P = "monthly_progress"

# --- baseline -------------------------------------------------------------------------------------------
add(
    "template_filled",
    "baseline",
    "进度模板按要求填写 3 行",
    ok(3),
    ledger(P, [prog(f"A1-{i}") for i in range(3)]),
)
add(
    "registry_template",
    "baseline",
    "项目台账模板填写 2 行",
    ok(2),
    ledger("projects", [proj("A2-1"), proj("A2-2")]),
)
add("csv_utf8", "baseline", "UTF-8 CSV", ok(2), write_text(csv_text(prog_csv(2, "A3-"))), "csv")
add(
    "csv_utf8_bom",
    "baseline",
    "Excel 导出的 CSV UTF-8（带 BOM）",
    ok(2),
    write_text(csv_text(prog_csv(2, "A4-")), "utf-8-sig"),
    "csv",
)
add(
    "csv_gbk",
    "baseline",
    "Excel 导出的 CSV（GBK 编码）",
    ok(2),
    write_text(csv_text(prog_csv(2, "A5-")), "gbk"),
    "csv",
)
add(
    "csv_semicolon", "baseline", "分号分隔的 CSV", ok(2), write_text(csv_text(prog_csv(2, "A6-"), ";")), "csv"
)
add("txt_tab", "baseline", "制表符分隔的 .txt", ok(2), write_text(csv_text(prog_csv(2, "A7-"), "\t")), "txt")
add("xlsm", "baseline", "启用宏的工作簿 .xlsm", ok(1), ledger(P, [prog("A8-1")]), "xlsm")
add(
    "xlsx_named_csv",
    "baseline",
    "内容是 xlsx、扩展名是 .csv（按内容识别）",
    ok(1),
    ledger(P, [prog("A9-1")]),
    "csv",
)
add(
    "two_sheets_same_ledger",
    "baseline",
    "两个工作表都是进度台账",
    ok(4),
    lambda p: xlsx(
        p,
        template_rows(P, [prog("A10-1"), prog("A10-2")]),
        "一月",
        extra={"二月": template_rows(P, [prog("A10-3"), prog("A10-4")])},
    ),
)
add(
    "title_units_total_notes",
    "baseline",
    "标题、单位行、合计行、填报人备注",
    ok(2),
    lambda p: xlsx(
        p,
        [
            ["2024年3月投资进度"],
            ["单位：万元"],
            PROGRESS_HEADER,
            ["A11-1", "甲", 2024, 3, 1, 2],
            ["A11-2", "乙", 2024, 3, 3, 4],
            ["合计", None, None, None, 4, 6],
            ["填报人：王五"],
        ],
    ),
)
add(
    "subfolder",
    "baseline",
    "放在子文件夹中的文件",
    ok(1),
    lambda p: (
        (p.parent / "某局").mkdir(exist_ok=True) or ledger(P, [prog("A12-1")])(p.parent / "某局" / p.name)
    ),
)

# --- former crashers ------------------------------------------------------------------------------------
add(
    "amount_1e15_required",
    "crash",
    "必填金额 1e15（超出 DECIMAL(18,4)）",
    ok(1, ("ING-RANGE",)),
    ledger(P, [prog("B1-1"), prog("B1-2", ytd_completed=1e15)]),
)
add(
    "amount_1e15_optional",
    "crash",
    "选填金额 1e15：置空并提示，行保留",
    ok(2, (), ("ING-RANGE",)),
    ledger(P, [prog("B2-1"), prog("B2-2", since_start_completed=1e15)]),
)
add(
    "amount_1e30_text",
    "crash",
    "金额写成文本 1E+30",
    ok(1, ("ING-RANGE",)),
    ledger(P, [prog("B3-1"), prog("B3-2", ytd_completed="1E+30")]),
)
add(
    "ratio_1e8_percent",
    "crash",
    "比例 1e8%（超出 DECIMAL(12,6)）",
    ok(2, (), ("ING-RANGE",)),
    ledger(P, [prog("B4-1"), prog("B4-2", physical_progress="1e8%")]),
)
add(
    "csv_cr_only",
    "crash",
    "只用 CR 换行的 CSV（旧 Mac）",
    ok(2),
    write_text(csv_text(prog_csv(2, "B5-"), newline="\r")),
    "csv",
)
add(
    "csv_field_1mb",
    "crash",
    "CSV 中 1 MB 的单元格",
    ok(1, ("ING-CELL-LONG",)),
    write_text(
        csv_text([PROGRESS_HEADER, ["B6-1", "长" * 1_000_000, 2024, 3, 1, 2], ["B6-2", "乙", 2024, 3, 1, 2]])
    ),
    "csv",
)
add(
    "corrupt_250_byte_name",
    "crash",
    "损坏的文件，文件名 250 字节",
    q("ING-F0"),
    write_text("PK\x03\x04 broken"),
    name="县交通局" * 20 + "损坏.xlsx",
)
add(
    "year_99999",
    "crash",
    "年度 99999",
    ok(1, ("ING-YEAR",)),
    ledger(P, [prog("B8-1"), prog("B8-2", year=99999)]),
)
add("month_13", "crash", "月份 13", ok(1, ("ING-MONTH",)), ledger(P, [prog("B9-1"), prog("B9-2", month=13)]))
add(
    "negative_required_amount",
    "crash",
    "必填金额为负数",
    ok(1, ("ING-RANGE",)),
    ledger(P, [prog("B10-1"), prog("B10-2", ytd_completed=-5)]),
)

# --- rows that vanished -----------------------------------------------------------------------------------
add(
    "multi_ledger_workbook",
    "lost",
    "一个工作簿里有项目台账和进度台账两个表",
    ok(4),
    lambda p: xlsx(
        p,
        template_rows("projects", [proj("C1-1"), proj("C1-2")]),
        "项目",
        extra={"进度": template_rows(P, [prog("C1-1"), prog("C1-2")])},
    ),
)
add(
    "csv_unbalanced_quote",
    "lost",
    "CSV 中一个引号不成对（原先 6 行丢 4 行）",
    ok(4, ("ING-CSV-QUOTE",)),
    write_text(csv_text(prog_csv(5, "C2-")).replace("C2-0,", 'C2-0,"', 1)),
    "csv",
)
add(
    "csv_nul_byte",
    "lost",
    "CSV 中含 NUL 字节",
    ok(1, ("ING-CSV-NUL",)),
    write_text(csv_text(prog_csv(2, "C3-")).replace("项目0", "项目\x000")),
    "csv",
)
add(
    "header_row_31",
    "lost",
    "表头在第 31 行",
    ok(2),
    lambda p: xlsx(
        p,
        [
            *[[f"说明第{i}条：请按要求填写"] for i in range(30)],
            PROGRESS_HEADER,
            ["C4-1", "甲", 2024, 3, 1, 2],
            ["C4-2", "乙", 2024, 3, 1, 2],
        ],
    ),
)
add(
    "csv_multiline_cell",
    "lost",
    "CSV 单元格内有换行（引号内）",
    ok(2),
    write_text(
        csv_text(
            [
                PROGRESS_HEADER + ["存在问题"],
                ["C5-1", "甲", 2024, 3, 1, 2, "1、资金\n2、用地"],
                ["C5-2", "乙", 2024, 3, 1, 2, ""],
            ]
        )
    ),
    "csv",
)
add(
    "csv_no_final_newline",
    "lost",
    "中间有空行和空逗号行、最后一行没有换行符",
    ok(3),
    write_text(csv_text(prog_csv(2, "C6-")) + "\n\n,,,,,\n" + "C6-9,丙,2024,3,1,2"),
    "csv",
)
add(
    "instructions_sheet",
    "lost",
    "填表说明工作表 + 台账工作表",
    ok(2),
    lambda p: xlsx(
        p,
        [["填表说明"], ["1. 金额单位为万元"]],
        "填表说明",
        extra={"台账": template_rows(P, [prog("C7-1"), prog("C7-2")])},
    ),
)
add(
    "hidden_sheet_stale_rows",
    "lost",
    "隐藏工作表中有过期数据",
    ok(2),
    lambda p: xlsx(
        p,
        template_rows(P, [prog("C8-1"), prog("C8-2")]),
        "本月",
        extra={"旧数据": template_rows(P, [prog("C8-3"), prog("C8-4")])},
        hidden=("旧数据",),
    ),
)
add(
    "ledger_only_on_hidden_sheet",
    "lost",
    "台账只在隐藏的工作表里",
    q("ING-F8"),
    lambda p: xlsx(
        p, [["见下一工作表"]], "封面", extra={"台账": template_rows(P, [prog("C9-1")])}, very_hidden=("台账",)
    ),
)

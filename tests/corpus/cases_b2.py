"""Corpus cases: CSV dialects, huge inputs, file names, files changing during ingestion."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from corpus.kit import (
    PROGRESS_HEADER,
    Expect,
    add,
    csv_text,
    ledger,
    ok,
    prog,
    prog_csv,
    q,
    write_bytes,
    write_text,
    xlsx,
)
from corpus.zipcraft import rewrite_xlsx

P = "monthly_progress"

# --- CSV dialects and encodings -------------------------------------------------------------------------
U16 = csv_text(prog_csv(2, "H1-"), "\t", "\r\n")
add(
    "utf16_bom_tab",
    "csv",
    "Excel“Unicode 文本”（UTF-16 LE 带 BOM，制表符）",
    ok(2),
    write_text(U16, "utf-16"),
    "txt",
)
add(
    "utf16_le_no_bom",
    "csv",
    "UTF-16 LE 无 BOM",
    ok(2),
    write_text(csv_text(prog_csv(2, "H2-"), "\t"), "utf-16-le"),
    "txt",
)
add(
    "utf16_be_bom",
    "csv",
    "UTF-16 BE 带 BOM",
    ok(2),
    lambda p: p.write_bytes(b"\xfe\xff" + csv_text(prog_csv(2, "H3-")).encode("utf-16-be")),
    "csv",
)
add(
    "big5",
    "csv",
    "繁体 Big5 编码",
    q("ING-F2"),
    write_text("項目編號,項目名稱,年度,月份,本年完成投資\nH4-1,測試項目,2024,3,1\n", "big5"),
    "csv",
)
add(
    "gbk_rare_chars",
    "csv",
    "GBK，含 GB2312 以外的字（喆、堃）",
    ok(1),
    write_text(csv_text([PROGRESS_HEADER, ["H5-1", "王喆堃项目", 2024, 3, 1, 2]]), "gbk"),
    "csv",
)
add(
    "mixed_line_endings",
    "csv",
    "CRLF、LF、CR 混用",
    ok(3),
    write_text(
        "\r\n".join([",".join(PROGRESS_HEADER), "H6-1,甲,2024,3,1,2"])
        + "\nH6-2,乙,2024,3,1,2\rH6-3,丙,2024,3,1,2\r\n"
    ),
    "csv",
)
add(
    "quoted_commas",
    "csv",
    "引号内含逗号",
    ok(1),
    write_text(csv_text([PROGRESS_HEADER, ["H7-1", "甲,乙", 2024, 3, "1,234", 2]])),
    "csv",
)
add(
    "quote_closes_late",
    "csv",
    "引号在下一行才闭合（列数不对）",
    ok(2, ("ING-CSV-QUOTE",)),
    write_text(
        ",".join(PROGRESS_HEADER) + '\nH8-1,"甲,2024,3,1,2\nH8-2",乙,2024,3,1,2\nH8-3,丙,2024,3,1,2\n'
    ),
    "csv",
)
add(
    "png_named_csv",
    "csv",
    "PNG 图片改名 .csv",
    q("ING-F2"),
    write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
    "csv",
)
add(
    "csv_title_lines",
    "csv",
    "CSV 前有标题和单位行",
    ok(2),
    write_text("2024年3月投资进度\n单位：万元\n" + csv_text(prog_csv(2, "H10-"))),
    "csv",
)
add("csv_pipe", "csv", "竖线分隔", ok(2), write_text(csv_text(prog_csv(2, "H11-"), "|")), "csv")
add(
    "csv_ragged_rows",
    "csv",
    "每行列数不同（末尾空列省略）",
    ok(2),
    write_text(",".join(PROGRESS_HEADER) + ",存在问题\nH12-1,甲,2024,3,1,2\nH12-2,乙,2024,3,1,2,无,,,\n"),
    "csv",
)
add(
    "csv_inch_mark",
    "csv",
    '字段中间的引号（5"管）按原样',
    ok(1),
    write_text(csv_text([PROGRESS_HEADER]) + 'H13-1,5"管道,2024,3,1,2\n'),
    "csv",
)


# --- huge values and tables -----------------------------------------------------------------------------
def _long_cell(p: Path) -> None:
    src = ledger(P, [prog("J1-1"), prog("J1-2", progress_note="长" * 100)])(p.with_suffix(".src"))
    with zipfile.ZipFile(src) as zf:
        strings = zf.read("xl/sharedStrings.xml")
    rewrite_xlsx(
        src, p, {"xl/sharedStrings.xml": strings.replace(("长" * 100).encode(), ("长" * 40_000).encode())}
    )
    src.unlink()


add(
    "xlsx_cell_40k_chars",
    "huge",
    "xlsx 单元格 4 万字（Excel 上限 32767）",
    ok(1, ("ING-CELL-LONG",)),
    _long_cell,
)
add("csv_5000_rows", "huge", "5000 行的 CSV", ok(5000), write_text(csv_text(prog_csv(5000, "J2-"))), "csv")
add(
    "wide_known_and_extra",
    "huge",
    "300 列（大多是额外列，保存到 _extra）",
    ok(1),
    lambda p: xlsx(
        p, [PROGRESS_HEADER + [f"备注{i}" for i in range(300)], ["J3-1", "甲", 2024, 3, 1, 2] + ["x"] * 300]
    ),
)
add(
    "amount_many_decimals",
    "huge",
    "金额 1.123456789（超过 4 位小数）",
    ok(1),
    ledger(P, [prog("J4-1", ytd_completed=1.123456789)]),
)
add(
    "long_text_within_limit",
    "huge",
    "3 万字的存在问题（在上限内）",
    ok(1),
    ledger(P, [prog("J5-1", problems="问" * 30_000)]),
)

# --- names ----------------------------------------------------------------------------------------------
add(
    "name_250_bytes_ok",
    "names",
    "有效台账，文件名 250 字节",
    ok(1),
    ledger(P, [prog("K1-1")]),
    name="县交通局" * 20 + "进度.xlsx",
)
add("name_newline", "names", "文件名含换行", ok(1), ledger(P, [prog("K2-1")]), name="进度\n第二行.xlsx")
add(
    "name_gbk_bytes",
    "names",
    "文件名是 GBK 字节（Windows zip 解压）",
    ok(1),
    ledger(P, [prog("K3-1")]),
    name=os.fsdecode("交通局进度".encode("gbk") + b".xlsx"),
)
add(
    "name_emoji_spaces",
    "names",
    "文件名含空格和 emoji",
    ok(1),
    ledger(P, [prog("K4-1")]),
    name="进度 表 ✅ 📊.xlsx",
)
add("name_leading_dash", "names", "文件名以 - 开头", ok(1), ledger(P, [prog("K5-1")]), name="-rf 进度.xlsx")
add("name_uppercase_ext", "names", "扩展名大写 .XLSX", ok(1), ledger(P, [prog("K6-1")]), name="进度.XLSX")
add("name_no_ext", "names", "没有扩展名", q("ING-F0"), ledger(P, [prog("K7-1")]), name="进度台账")

# --- files changing during ingestion -------------------------------------------------------------------------
add(
    "still_growing",
    "faults",
    "读取时仍在复制（两次查看大小不同）",
    Expect("deferred", "ING-WAIT"),
    ledger(P, [prog("L1-1")]),
    young=True,
    on_pause="grow",
)
add(
    "young_truncated_xlsx",
    "faults",
    "刚开始复制的 xlsx（截断的 zip）",
    Expect("deferred", "ING-WAIT"),
    lambda p: p.write_bytes(ledger(P, [prog("L2-1")])(p).read_bytes()[:3000]),
    young=True,
)
add(
    "removed_after_listing",
    "faults",
    "列出后被删除",
    Expect("skipped", "ING-GONE"),
    ledger(P, [prog("L3-1")]),
    young=True,
    on_pause="remove",
)
add("young_but_complete", "faults", "刚放入但已复制完成", ok(1), ledger(P, [prog("L4-1")]), young=True)

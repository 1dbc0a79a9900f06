"""Corpus cases: hostile files, empty/encrypted/legacy, CSV dialects, huge inputs, names, files changing."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import xlsxwriter

from corpus.kit import (
    CONTRACT,
    PROGRESS_HEADER,
    Expect,
    add,
    cfb,
    csv_text,
    ledger,
    ok,
    prog,
    q,
    template_rows,
    write_bytes,
    write_text,
    xlsx,
)
from corpus.zipcraft import rewrite_xlsx, shared_strings_bomb
from xmdw.ingestion.templates import write_template

P = "monthly_progress"
NOTFILE = q("ING-NOTFILE")

# --- hostile files ----------------------------------------------------------------------------------------
add(
    "symlink_etc_passwd",
    "security",
    "指向 /etc/passwd 的符号链接",
    NOTFILE,
    lambda p: os.symlink("/etc/passwd", p),
    "csv",
)
add(
    "symlink_to_folder", "security", "指向其他文件夹的符号链接", NOTFILE, lambda p: os.symlink("/etc", p), "d"
)
add(
    "dangling_symlink",
    "security",
    "指向不存在文件的符号链接",
    NOTFILE,
    lambda p: os.symlink("/nonexistent/x.xlsx", p),
)
add("fifo", "security", "命名管道（读取会永远阻塞）", NOTFILE, lambda p: os.mkfifo(p), "csv")
add(
    "device",
    "security",
    "设备文件（/dev/zero）",
    NOTFILE,
    lambda p: os.mknod(p, 0o600 | stat.S_IFCHR, os.makedev(1, 5)),
    "csv",
    root_only=True,
)
add("folder_named_xlsx", "security", "名为“台账.xlsx”的文件夹", NOTFILE, lambda p: p.mkdir())


def _bomb(p: Path) -> None:
    src = ledger(P, [prog("F1-1")])(p.with_suffix(".src"))
    shared_strings_bomb(src, p, 2 * 1024**3)
    src.unlink()


add("zip_bomb_shared_strings", "security", "共享字符串“压缩炸弹”：约 2 MB，解压 2 GB", q("ING-LIMIT"), _bomb)


def _sparse(p: Path) -> None:
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("台账")
    ws.write_row(0, 0, PROGRESS_HEADER)
    ws.write(1_048_575, 16_383, "x")
    wb.close()


add(
    "sparse_xfd1048576",
    "security",
    "两个单元格，一个在 XFD1048576（会分配 170 亿个单元格）",
    q("ING-LIMIT"),
    _sparse,
)


def _wide(p: Path) -> None:
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("台账")
    ws.write_row(0, 0, PROGRESS_HEADER + [f"备用{i}" for i in range(2000)])
    wb.close()


add("columns_2000", "security", "2000 多列", q("ING-LIMIT"), _wide)
add(
    "formula_injection_text",
    "security",
    "项目名称是“=cmd|'/c calc'!A0”（按文本保存）",
    ok(2),
    ledger(
        P,
        [
            prog("F5-1", project_name="=cmd|'/c calc'!A0"),
            prog("F5-2", project_name="@SUM(1+1)*cmd|' /C calc'!A0"),
        ],
    ),
)
add(
    "script_in_name",
    "security",
    "项目名称含 <script>",
    ok(1),
    ledger(P, [prog("F6-1", project_name="<script>alert(1)</script>")]),
)
add(
    "backslash_name",
    "security",
    "文件名 a\\..\\..\\evil.xlsx（损坏内容）",
    q("ING-F0"),
    write_bytes(b"PK\x03\x04x"),
    name="a\\..\\..\\evil.xlsx",
)
add(
    "dot_lock_file",
    "security",
    "以点开头的文件（复制工具的临时文件、~$ 锁文件）：不是报送，留在原处",
    Expect("ignored"),
    write_bytes(b"lock"),
    name=".~lock.进度.xlsx#",
)
add(
    "file_over_size_limit",
    "security",
    "超过 100 MB 的文件（稀疏文件，磁盘上很小）",
    q("ING-LIMIT"),
    lambda p: os.truncate(p.open("wb").name, 101 * 1024 * 1024),
    "csv",
)


def _entities(p: Path) -> None:
    src = ledger(P, [prog("F9-1")])(p.with_suffix(".src"))
    with zipfile.ZipFile(src) as zf:
        book = zf.read("xl/workbook.xml")
    laughs = (
        b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        + b"".join(f'<!ENTITY {chr(99 + i)} "{("&" + chr(98 + i) + ";") * 10}">'.encode() for i in range(7))
        + b"]>"
    )
    book = book.replace(b"?>", b"?>" + laughs, 1).replace(
        b"<workbook ", b'<workbook xmlns:h="urn:h" h:x="&j;" ', 1
    )
    rewrite_xlsx(src, p, {"xl/workbook.xml": book})
    src.unlink()


add(
    "billion_laughs_workbook_xml",
    "security",
    "workbook.xml 中的实体膨胀（billion laughs）",
    q("ING-F0"),
    _entities,
)


def _traversal_member(p: Path) -> None:
    src = ledger(P, [prog("F10-1")])(p.with_suffix(".src"))
    rewrite_xlsx(src, p, {"../../../../tmp/evil.txt": b"owned"})
    src.unlink()


add(
    "zip_member_path_traversal",
    "security",
    "xlsx 内含 ../../ 路径的成员（从不解压到磁盘）",
    ok(1),
    _traversal_member,
)

# --- empty, encrypted, legacy formats -------------------------------------------------------------------
add(
    "csv_header_only",
    "empty",
    "只有表头的 CSV",
    q("ING-EMPTY"),
    write_text(csv_text([PROGRESS_HEADER])),
    "csv",
)
add(
    "blank_template",
    "empty",
    "未填写的空白模板（xmdw template）",
    q("ING-EMPTY"),
    lambda p: write_template(CONTRACT.entities[P], p.parent, CONTRACT).rename(p),
)
add(
    "template_header_only_no_example",
    "empty",
    "模板删去示例行，只剩表头",
    q("ING-EMPTY"),
    lambda p: xlsx(p, template_rows(P, [])[:4]),
)
add("zero_bytes_csv", "empty", "0 字节的 .csv", q("ING-F5"), write_bytes(b""), "csv")
add("zero_bytes_xlsx", "empty", "0 字节的 .xlsx", q("ING-F0"), write_bytes(b""))
add(
    "all_sheets_empty",
    "empty",
    "所有工作表都是空的",
    q("ING-F5"),
    lambda p: xlsx(p, [], extra={"Sheet2": []}),
)
add(
    "encrypted_workbook",
    "empty",
    "设置了打开密码的工作簿",
    q("ING-ENC"),
    write_bytes(cfb(["EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"])),
)
add(
    "xls_biff",
    "empty",
    "旧版 .xls",
    q("ING-XLS"),
    write_bytes(cfb(["Workbook", "\x05SummaryInformation"])),
    "xls",
)
add("xls_named_xlsx", "empty", ".xls 内容、扩展名 .xlsx", q("ING-XLS"), write_bytes(cfb(["Workbook"])))
add("wps_et", "empty", "WPS 表格 .et", q("ING-XLS"), write_bytes(cfb(["Workbook"])), "et")


def _zip_with(members: dict[str, bytes]):
    def write(p: Path) -> None:
        with zipfile.ZipFile(p, "w") as zf:
            for name, data in members.items():
                zf.writestr(name, data)

    return write


add(
    "ods",
    "empty",
    "OpenDocument 表格 .ods",
    q("ING-XLS"),
    _zip_with({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}),
    "ods",
)
add(
    "xlsb",
    "empty",
    "Excel 二进制工作簿 .xlsb",
    q("ING-XLS"),
    _zip_with({"xl/workbook.bin": b"\0" * 10}),
    "xlsb",
)
add(
    "html_named_xls",
    "empty",
    "网页导出的“xls”（其实是 HTML）",
    q("ING-F0"),
    write_text("<html><table><tr><td>项目编号</td></tr></table></html>"),
    "xls",
)
add("docx", "empty", "Word 文档", q("ING-F0"), write_bytes(b"PK\x03\x04 docx"), "docx")
add("pdf", "empty", "PDF", q("ING-F0"), write_bytes(b"%PDF-1.4\n"), "pdf")
add("zip_not_xlsx", "empty", "普通 zip 压缩包改名 .xlsx", q("ING-F0"), _zip_with({"a.txt": b"x"}))
add(
    "truncated_old_xlsx",
    "empty",
    "截断的 xlsx（很久以前的，不是正在复制）",
    q("ING-F0"),
    lambda p: p.write_bytes(ledger(P, [prog("G1-1")])(p).read_bytes()[:2000]),
)

"""Files for Excel / WPS users: CSV in UTF-8 with BOM per table, and one workbook with a sheet per table.

Excel on Chinese Windows reads a CSV without BOM as GBK and garbles Chinese; the BOM makes both Excel
and WPS read UTF-8. The workbook is the better choice for people: text stays text (codes keep their
leading zeros and long digits), numbers are numbers, dates are dates.

Ledger text is untrusted: a unit can type `=HYPERLINK(...)` as a project name. In the CSV such text gets
an apostrophe first (textsafe.neutralise, done in SQL); in the workbook every text cell is a string cell
(never `ws.write`, which turns `=…` into a formula) and formula-like text carries Excel's quote prefix.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import xlsxwriter
import xlsxwriter.exceptions

from xmdw.core.diskspace import DiskFullError, is_disk_full
from xmdw.core.faultpoints import pause_point
from xmdw.core.filemodes import SERVED_DIR, SERVED_FILE, chmod_quiet
from xmdw.core.textsafe import FORMULA_TRIGGERS
from xmdw.serving.catalog import ChineseNames, TableDoc, chinese_names
from xmdw.serving.copy import CopiedTable

BOM = b"\xef\xbb\xbf"
# Excel's sheet limit is 1,048,576 rows including the header row.
# A bigger table is left out of the workbook (CSV/Parquet have it): at province scale two marts of
# 180k-340k rows made the workbook 63 MB and cost 85 s of a 90 s publish, for sheets nobody scrolls.
XLSX_TABLE_MAX_ROWS = 100_000
# Lineage, not a table people read in a sheet: one row per ledger row behind each published figure. At county
# scale it was three quarters of the workbook's cells and of the publish step's time (issue 15: 1.30 of 1.76 M
# cells, ~10 s of pure-Python cell writing); at province the row cap above left it out already. A figure's
# sources are looked up with `xmdw explain`; the whole table is in the CSV, the Parquet and the DuckDB copy.
XLSX_LINEAGE_TABLES = frozenset({"marts.figure_sources"})
_FETCH = 10_000
COLUMN_DICTIONARY = "字段说明.csv"  # in export/csv/: every CSV header with its snake_case name
_TEXT_TYPES = {"VARCHAR", "TEXT", "STRING"}
# What makes DuckDB quote a CSV header (delimiter, quote, line breaks, edge spaces): then no BOM inside it.
_NEEDS_QUOTING = re.compile(r'[,"\r\n]|^\s|\s$')


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _q(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def staging_name(path: Path) -> Path:
    """Where a file is written before it is renamed into place (a dot name: readers' globs skip it)."""
    return path.with_name(f".{path.name}.tmp")


def headers_for(table: CopiedTable, docs: dict[str, TableDoc] | None) -> list[str]:
    """The Chinese header row of a table's CSV / sheet (the column names of its marts_cn view)."""
    names = chinese_names([table], docs or {}).get(table.key)
    return names.columns if names else [c for c, _ in table.columns]


def neutralised_select(catalog: str, table: CopiedTable, headers: list[str] | None = None) -> str:
    """SELECT of the table with text columns neutralised as textsafe.neutralise does (in SQL: fast),
    each column named by its header (default: its own name)."""
    triggers = ", ".join(_lit(c) for c in FORMULA_TRIGGERS)
    apostrophe = _lit("'")
    cols = []
    for (col, typ), head in zip(table.columns, headers or [c for c, _ in table.columns], strict=True):
        q, alias = _q(col), _q(head)
        if typ.upper().split("(")[0] in _TEXT_TYPES:
            cols.append(
                f"CASE WHEN left({q}, 1) IN ({triggers}) THEN {apostrophe} || {q} ELSE {q} END AS {alias}"
            )
        else:
            cols.append(f"{q} AS {alias}")
    return f"SELECT {', '.join(cols)} FROM {_q(catalog)}.{_q(table.schema)}.{_q(table.name)}"


def write_csv(
    con: duckdb.DuckDBPyConnection,
    catalog: str,
    table: CopiedTable,
    path: Path,
    docs: dict[str, TableDoc] | None = None,
) -> Path:
    """DuckDB writes the CSV (fast at province scale); we prepend the BOM. Returns the staged file.

    One header row, in Chinese (the marts_cn column names): Excel and WPS take the first row as the
    header for filters and pivot tables, and a second header row would turn every number column into
    text. The snake_case names are in 字段说明.csv beside the folders and in the workbook's 字段说明 sheet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    chmod_quiet(path.parent, SERVED_DIR)
    raw = path.with_name(f".{path.name}.raw.tmp")
    tmp = staging_name(path)
    headers = headers_for(table, docs)
    # The BOM as the first header's first character: DuckDB writes it where it belongs and the file is
    # written once (province: 700 MB of CSV were written and then copied behind a BOM). A first header
    # DuckDB would quote would put the BOM inside the quote, so that one still gets the BOM prepended.
    bom_in_header = bool(headers) and not _NEEDS_QUOTING.search(headers[0])
    if bom_in_header:
        headers = [BOM.decode("utf-8") + headers[0], *headers[1:]]
    try:
        con.execute(
            f"COPY ({neutralised_select(catalog, table, headers)}) "
            f"TO {_lit(str(tmp if bom_in_header else raw))} "
            "(FORMAT csv, HEADER true, DELIMITER ',', DATEFORMAT '%Y-%m-%d', "
            "TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S')"
        )
        if not bom_in_header:
            with tmp.open("wb") as out, raw.open("rb") as src:
                out.write(BOM)
                shutil.copyfileobj(src, out, 1 << 20)
    except (duckdb.Error, OSError) as e:
        raw.unlink(missing_ok=True)
        tmp.unlink(missing_ok=True)
        if is_disk_full(e, path.parent):
            raise DiskFullError(f"发布 CSV 时写入 {path.name} 失败", str(e)) from e
        raise
    raw.unlink(missing_ok=True)
    os.chmod(tmp, SERVED_FILE)
    pause_point("publish.csv")
    return tmp


def write_column_dictionary(tables: list[CopiedTable], docs: dict[str, TableDoc], path: Path) -> Path:
    """字段说明.csv: every served column's Chinese header, its snake_case name, type and description (staged)."""
    names = chinese_names(tables, docs)
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(
        [
            "表（table）",
            "中文表名（marts_cn/ref_cn 视图）",
            "中文列名（CSV 表头）",
            "字段名（column）",
            "类型",
            "说明",
        ]
    )
    for t in tables:
        doc, cn = docs.get(t.name, TableDoc()), names.get(t.key)
        heads = cn.columns if cn else [c for c, _ in t.columns]
        view = cn.key if cn else ""
        for (col, typ), head in zip(t.columns, heads, strict=True):
            out.writerow([t.key, view, head, col, typ, doc.columns.get(col, "")])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = staging_name(path)
    tmp.write_bytes(BOM + buf.getvalue().encode("utf-8"))
    os.chmod(tmp, SERVED_FILE)
    return tmp


def sheet_names(tables: list[CopiedTable]) -> dict[str, str]:
    """Table key → a unique sheet name of at most 31 characters (Excel's limit)."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for t in tables:
        base = t.name if t.schema == "marts" else f"{t.schema}_{t.name}"
        name, n = base[:31], 1
        while name.lower() in used:
            n += 1
            name = f"{base[: 31 - len(str(n)) - 1]}~{n}"
        used.add(name.lower())
        names[t.key] = name
    return names


def write_xlsx(
    con: duckdb.DuckDBPyConnection,
    catalog: str,
    tables: list[CopiedTable],
    path: Path,
    docs: dict[str, TableDoc],
    published_at: str,
) -> list[str]:
    """One workbook: a 说明 sheet, a 字段说明 sheet, then one sheet per table, staged beside `path`.

    Returns the keys of tables left out (over XLSX_TABLE_MAX_ROWS rows): their sheet says where they are.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = staging_name(path)
    tmp.unlink(missing_ok=True)
    # constant_memory streams rows to disk: a province-scale mart does not sit in memory as cells.
    wb = xlsxwriter.Workbook(
        str(tmp), {"constant_memory": True, "strings_to_numbers": False, "nan_inf_to_errors": True}
    )
    fmt = {
        "head": wb.add_format({"bold": True, "bg_color": "#DDEBF7"}),
        "date": wb.add_format({"num_format": "yyyy-mm-dd"}),
        "ts": wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        # Formula-like text stays text even when someone edits the cell (Excel's quote prefix).
        "quoted": wb.add_format({"quote_prefix": True}),
    }
    names = sheet_names(tables)
    cn = chinese_names(tables, docs)
    left_out = [t.key for t in tables if t.rows > XLSX_TABLE_MAX_ROWS or t.key in XLSX_LINEAGE_TABLES]
    _write_index(wb, fmt["head"], tables, names, cn, docs, published_at, left_out)
    _write_columns(wb, fmt["head"], tables, names, cn, docs)
    try:
        for t in tables:
            heads = cn[t.key].columns if t.key in cn else [c for c, _ in t.columns]
            if t.key in left_out:
                _write_pointer(wb, fmt, t, names[t.key], heads)
            else:
                _write_table(con, catalog, wb, fmt, t, names[t.key], heads)
        pause_point("publish.xlsx")
        wb.close()
    except (OSError, xlsxwriter.exceptions.XlsxWriterException) as e:
        tmp.unlink(missing_ok=True)
        if is_disk_full(e, path.parent):
            raise DiskFullError(f"发布 Excel 工作簿 {path.name} 时写入失败", str(e)) from e
        raise
    os.chmod(tmp, SERVED_FILE)
    return left_out


def _left_out_note(t: CopiedTable) -> str:
    if t.key in XLSX_LINEAGE_TABLES:
        return (
            f"{t.key} 是数字溯源明细（共 {t.rows:,} 行），不放入本工作簿；完整数据见 "
            f"export/csv/{t.schema}/{t.name}.csv 或 Parquet，单个数字的来源可用 xmdw explain 查询"
        )
    return (
        f"{t.key} 共 {t.rows:,} 行，超过工作簿每表 {XLSX_TABLE_MAX_ROWS:,} 行的上限，未放入本工作簿；"
        f"完整数据见 export/csv/{t.schema}/{t.name}.csv 或 Parquet"
    )


def _write_pointer(wb: Any, fmt: dict[str, Any], t: CopiedTable, sheet: str, heads: list[str]) -> None:
    ws = wb.add_worksheet(sheet)
    _text_row(ws, 0, heads, fmt["head"])
    ws.write_string(1, 0, _left_out_note(t))


def _write_index(wb: Any, head: Any, tables, names, cn, docs, published_at: str, left_out: list[str]) -> None:
    ws = wb.add_worksheet("说明")
    _text_row(ws, 0, ["工作表", "中文名", "表（table）", "行数", "说明"], head)
    for i, t in enumerate(tables, start=1):
        _text_row(ws, i, [names[t.key], cn[t.key].table if t.key in cn else t.name, t.key])
        ws.write_number(i, 3, t.rows)
        ws.write_string(i, 4, docs.get(t.name, TableDoc()).description)
    row = len(tables) + 2
    ws.write_string(row, 0, f"发布时间：{published_at}")
    for t in tables:
        if t.key in left_out:
            row += 1
            ws.write_string(row, 0, _left_out_note(t))
    ws.set_column(0, 2, 30)
    ws.set_column(4, 4, 100)


def _write_columns(wb: Any, head: Any, tables, names, cn: dict[str, ChineseNames], docs) -> None:
    """字段说明: the Chinese header of every column first (what the sheets show), then its snake_case name."""
    ws = wb.add_worksheet("字段说明")
    _text_row(ws, 0, ["工作表", "中文列名（表头）", "字段名（column）", "类型", "说明"], head)
    row = 1
    for t in tables:
        doc = docs.get(t.name, TableDoc())
        heads = cn[t.key].columns if t.key in cn else [c for c, _ in t.columns]
        for (col, typ), label in zip(t.columns, heads, strict=True):
            _text_row(ws, row, [names[t.key], label, col, typ, doc.columns.get(col, "")])
            row += 1
    ws.set_column(0, 0, 30)
    ws.set_column(1, 2, 28)
    ws.set_column(4, 4, 90)


def _cell_writer(duck_type: str, fmt: dict[str, Any]) -> Callable[[Any, int, int, Any], None]:
    """How to write one column: by its DuckDB type, so text is never turned into a number."""
    t = duck_type.upper()
    if t.startswith(("DECIMAL", "DOUBLE", "FLOAT", "REAL", "HUGEINT", "UHUGEINT")):
        return lambda ws, r, c, v: ws.write_number(r, c, float(v))
    if t in {"BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT"}:
        return lambda ws, r, c, v: ws.write_number(r, c, v)
    if t == "BOOLEAN":
        return lambda ws, r, c, v: ws.write_boolean(r, c, v)
    if t == "DATE":
        return lambda ws, r, c, v: ws.write_datetime(r, c, v, fmt["date"])
    if t.startswith("TIMESTAMP") and "TIME ZONE" not in t:
        return lambda ws, r, c, v: ws.write_datetime(r, c, v, fmt["ts"])
    return lambda ws, r, c, v: _write_text(ws, r, c, _as_text(v), fmt["quoted"])


def _write_text(ws: Any, r: int, c: int, text: str, quoted: Any) -> None:
    """Always a string cell; formula-like text quoted so editing the cell keeps it text."""
    ws.write_string(r, c, text, quoted if text.startswith(FORMULA_TRIGGERS) else None)


def _text_row(ws: Any, r: int, values: list[str], cell_format: Any = None) -> None:
    for c, v in enumerate(values):
        ws.write_string(r, c, v, cell_format)


def _as_text(v: Any) -> str:
    if isinstance(v, Decimal | dt.date | dt.datetime):
        return str(v)
    return v if isinstance(v, str) else str(v)


def _write_table(
    con, catalog: str, wb: Any, fmt: dict[str, Any], t: CopiedTable, sheet: str, heads: list[str]
) -> None:
    ws = wb.add_worksheet(sheet)
    _text_row(ws, 0, heads, fmt["head"])
    ws.freeze_panes(1, 0)
    writers = [_cell_writer(typ, fmt) for _, typ in t.columns]
    cur = con.execute(f'SELECT * FROM "{catalog}"."{t.schema}"."{t.name}"')
    r = 1
    # fetchmany until empty: the result is always consumed to the end (DuckDB 2.0 requires it).
    while batch := cur.fetchmany(_FETCH):
        for row in batch:
            for c, v in enumerate(row):
                if v is not None:
                    writers[c](ws, r, c, v)
            r += 1

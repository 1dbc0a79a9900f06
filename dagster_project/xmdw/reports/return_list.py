"""退回修改清单.xlsx — what goes back to every unit: 汇总 (unit × rule: this run, previous run, change), then
one sheet per submitting unit listing file, sheet, row, field, problem, value and rule, newest first.

Every text cell is written with `write_string` after `textsafe.neutralise`: ledger text is untrusted
(a unit can type `=HYPERLINK(…)` or `=cmd|'/c calc'!A0`) and this workbook is mailed to every unit, so no
cell of it is ever a formula, even when a clerk edits it and presses Enter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from xmdw.contract import load_contract
from xmdw.core.atomic import atomic_path
from xmdw.core.paths import data_paths
from xmdw.core.textsafe import neutralise
from xmdw.quality.catalog import SEVERITY_ZH
from xmdw.reports.highlight import COPIES_DIR, write_unit_copies
from xmdw.reports.open_problems import UNKNOWN_UNIT
from xmdw.reports.render import unique_sheet_name

SUMMARY_COLUMNS = ["unit", "rule_id", "rule_title", "severity", "kind", "count", "previous", "change"]
DETAIL_HEADERS = ["报送时间", "文件", "工作表", "行号", "字段", "问题", "当前值", "规则", "规则名称", "严重程度",
                  "处理", "记录", "台账"]  # fmt: skip
DETAIL_WIDTHS = [16, 34, 12, 6, 14, 48, 22, 12, 28, 8, 14, 30, 16]


@dataclass
class ReportData:
    run: dict | None
    previous: dict | None
    runs: pd.DataFrame
    problems: pd.DataFrame
    previous_problems: pd.DataFrame
    notes: pd.DataFrame
    rule_results: pd.DataFrame


def _counts(frame: pd.DataFrame, keys: list[str]) -> dict:
    if frame.empty:
        return {}
    return frame.groupby(keys, dropna=False).size().to_dict()


def summary_by_unit_rule(data: ReportData) -> pd.DataFrame:
    """One row per (unit, rule): this run, previous run, change."""
    keys = ["unit", "rule_id"]
    cur, prev = _counts(data.problems, keys), _counts(data.previous_problems, keys)
    meta = {}
    for frame in (data.previous_problems, data.problems):
        for r in frame.itertuples():
            meta[(r.unit, r.rule_id)] = (r.rule_title, r.severity, r.kind)
    rows = []
    for key in sorted(set(cur) | set(prev), key=lambda k: (str(k[0]), str(k[1]))):
        title, severity, kind = meta.get(key, ("", "", ""))
        now, before = cur.get(key, 0), prev.get(key, 0)
        rows.append(dict(zip(SUMMARY_COLUMNS, [key[0], key[1], title, severity, kind, now, before, now - before],
                             strict=True)))  # fmt: skip
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def _ledger_zh(table) -> str:
    if not isinstance(table, str) or not table:
        return ""
    entity = load_contract().entities.get(table)
    return entity.zh if entity else table


def _plain(value):
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value


class _Writer:
    """Cells by type: numbers as numbers, dates as dates, any text as a neutralised string."""

    def __init__(self, wb) -> None:
        self.when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm", "valign": "top"})

    def put(self, ws, r: int, c: int, value, fmt=None) -> None:
        value = _plain(value)
        if value is None or value == "":
            ws.write_blank(r, c, None, fmt)
        elif isinstance(value, datetime):
            ws.write_datetime(r, c, value, self.when)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            ws.write_number(r, c, int(value) if float(value).is_integer() else value, fmt)
        else:
            ws.write_string(r, c, str(neutralise(str(value))), fmt)


def _summary_sheet(wb, out: _Writer, data: ReportData, formats: dict) -> None:
    run = data.run or {}
    ws = wb.add_worksheet("汇总")
    ws.write_string(0, 0, "退回修改清单 — 按单位和规则汇总", formats["title"])
    started = run.get("started_at")
    started = pd.Timestamp(started).strftime("%Y-%m-%d %H:%M") if started is not None else "无"
    ws.write_string(
        1,
        0,
        f"运行 {run.get('run_id') or '无'}，检查时间 {started}；上次运行 {(data.previous or {}).get('run_id') or '无'}",
    )
    headers = ["报送单位", "规则", "规则名称", "严重程度", "来源", "本次", "上次", "变化"]
    for c, h in enumerate(headers):
        ws.write_string(3, c, h, formats["bold"])
    summary = summary_by_unit_rule(data)
    for i, r in enumerate(summary.itertuples(), start=4):
        values = [r.unit, r.rule_id, r.rule_title or "", SEVERITY_ZH.get(r.severity, r.severity), r.kind,
                  int(r.count), int(r.previous), int(r.change)]  # fmt: skip
        for c, v in enumerate(values):
            out.put(ws, i, c, v)
    for first, last, width in ((0, 0, 20), (1, 1, 14), (2, 2, 36), (3, 7, 10)):
        ws.set_column(first, last, width)
    ws.freeze_panes(4, 0)
    if len(summary):
        ws.autofilter(3, 0, 3 + len(summary), len(headers) - 1)


def _unit_sheet(
    wb, out: _Writer, unit: str, g: pd.DataFrame, used: set[str], formats: dict, copies: list[Path] = ()
) -> None:
    ws = wb.add_worksheet(unique_sheet_name(unit or UNKNOWN_UNIT, used))
    marked = f"；标注副本（问题单元格已标色并批注）：{'、'.join(f'{COPIES_DIR}/{c.parent.name}/{c.name}' for c in copies)}"
    ws.write_string(
        0,
        0,
        str(neutralise(f"{unit} — 退回修改清单（共 {len(g)} 项，最新报送在前）{marked if copies else ''}")),
        formats["title"],
    )
    for c, h in enumerate(DETAIL_HEADERS):
        ws.write_string(1, c, h, formats["bold"])
    for i, r in enumerate(g.itertuples(), start=2):
        values = [r.submitted_at, r.file_name, r.sheet, r.source_row, r.field, r.problem, r.observed, r.rule_id,
                  r.rule_title, SEVERITY_ZH.get(r.severity, r.severity), r.action, r.record_key,
                  _ledger_zh(r.table_name)]  # fmt: skip
        for c, v in enumerate(values):
            fmt = formats["red"] if c == 9 and r.severity == "fatal" else formats["wrap"]
            out.put(ws, i, c, v, None if c == 3 else fmt)
    for c, width in enumerate(DETAIL_WIDTHS):
        ws.set_column(c, c, width)
    ws.freeze_panes(2, 0)
    ws.autofilter(1, 0, 1 + len(g), len(DETAIL_HEADERS) - 1)


def _highlighted_copies(data: ReportData, path: Path) -> dict[str, list[Path]]:
    """Each unit's own workbooks with the bad cells marked, next to the list (reports/highlight.py); the
    originals are found through the warehouse's ingest log (read-only)."""
    try:
        return write_unit_copies(data.problems, path.parent, data_paths().warehouse)
    except Exception:  # noqa: BLE001 — the list itself must always be written
        return {}


def write_return_list(data: ReportData, path: Path) -> None:
    """Write the workbook to a temp file and rename it over `path` (a kill never leaves half a file)."""
    import xlsxwriter

    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"remove_timezone": True, "strings_to_formulas": False})
        formats = {
            "bold": wb.add_format({"bold": True, "bg_color": "#F0F4F8", "border": 1, "text_wrap": True}),
            "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
            "red": wb.add_format({"font_color": "#B42318", "bold": True, "valign": "top"}),
            "title": wb.add_format({"bold": True, "font_size": 14}),
        }
        out = _Writer(wb)
        _summary_sheet(wb, out, data, formats)
        used: set[str] = set()
        copies = _highlighted_copies(data, path)
        for unit, g in data.problems.groupby("unit", sort=True):
            _unit_sheet(wb, out, str(unit), g, used, formats, copies.get(str(unit), []))
        wb.close()

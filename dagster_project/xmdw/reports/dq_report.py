"""The data-quality report of a run, for people and for units.

- `data/reports/数据质量报告.html` — one self-contained page (inline CSS, inline SVG, no script, no
  external resource: it renders offline and can be mailed): status, counts by severity with the change
  since the previous run, a trend chart, a table per unit and per rule, every problem by unit.
- `data/reports/退回修改清单.xlsx` — 汇总 (by unit and rule: this run, previous run, change), then one
  sheet per submitting unit listing file, sheet, row, field, problem, value and rule, newest first.

Both include what ingestion could not load (rows rejected, files quarantined) while no later file of the
same unit and period has replaced them: units must fix those too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from xmdw.contract import load_contract
from xmdw.paths import DataPaths
from xmdw.quality.catalog import GROUP_ZH, SEVERITY_ZH, load_rules
from xmdw.reports.render import CSS, unique_sheet_name
from xmdw.reports.render import esc as _e
from xmdw.reports.render import html_table as _table

HTML_NAME = "数据质量报告.html"
XLSX_NAME = "退回修改清单.xlsx"
GLOBAL_UNIT = "（全局/数据管理员）"
UNKNOWN_UNIT = "（未识别单位）"
DETAIL_LIMIT = 200  # problems per unit shown in the HTML page (the xlsx lists all)
UNIT_SUFFIX = re.compile(r"(局|委|办|中心|镇|乡|街道|办事处|公司|院|站|所|队|政府|管委会|分公司)$")

COLUMNS = [
    "unit",
    "submitted_at",
    "file_name",
    "sheet",
    "source_row",
    "field",
    "problem",
    "observed",
    "rule_id",
    "rule_title",
    "severity",
    "action",
    "record_key",
    "table_name",
    "kind",
]


@dataclass
class ReportFiles:
    html: Path
    xlsx: Path
    run_id: str | None
    problems: int


@dataclass
class ReportData:
    run: dict | None
    previous: dict | None
    runs: pd.DataFrame
    problems: pd.DataFrame
    previous_problems: pd.DataFrame
    notes: pd.DataFrame
    rule_results: pd.DataFrame


# ------------------------------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------------------------------


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = ?",
            [name],
        ).fetchall()[0][0]
    )


def _runs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    if not _has_table(con, "dq_runs"):
        return pd.DataFrame(columns=["run_id", "started_at", "finished_at", "fatal", "warning", "info"])
    return con.execute(
        """
        SELECT run_id, min(started_at) AS started_at, max(finished_at) AS finished_at,
               sum(fatal_count) AS fatal, sum(warning_count) AS warning, sum(info_count) AS info,
               sum(rows_held_back) AS held_back, sum(rules_run) AS rules_run, sum(rules_failed) AS rules_failed,
               string_agg(blocked_tables, ',') AS blocked_tables, sum(rows_validated) AS rows_validated,
               sum(seconds) AS seconds
        FROM raw.dq_runs GROUP BY run_id ORDER BY min(started_at), max(finished_at)
        """
    ).df()


def _unit_from_name(name: str | None) -> str | None:
    token = re.split(r"[_\-—\s]", name or "")[0]
    return token if token and UNIT_SUFFIX.search(token) else None


def _dq_problems(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.DataFrame:
    frame = con.execute(
        """
        SELECT submitting_unit AS unit, submitted_at, file_name, sheet, source_row,
               coalesce(column_zh, column_name) AS field, message_zh AS problem, observed_value AS observed,
               rule_id, severity, held_back, blocking, record_key, table_name
        FROM raw.dq_results WHERE run_id = ? AND severity IN ('fatal', 'warning')
        """,
        [run_id],
    ).df()
    titles = {r.id: r.title_zh for r in load_rules()}
    frame["rule_title"] = frame["rule_id"].map(titles)
    frame["action"] = [
        "阻断发布" if b else ("暂扣不入库" if h else ("请核改" if s == "fatal" else "请核实"))
        for b, h, s in zip(frame["blocking"], frame["held_back"], frame["severity"], strict=True)
    ]
    frame["kind"] = "质量规则"
    frame["unit"] = frame["unit"].where(frame["unit"].notna(), None)
    frame.loc[frame["unit"].isna(), "unit"] = GLOBAL_UNIT
    return frame.reindex(columns=COLUMNS)


def _ingestion_problems(con: duckdb.DuckDBPyConnection, as_of: datetime) -> pd.DataFrame:
    """Rejected rows and quarantined files not replaced by a later accepted file by `as_of`."""
    rejected = con.execute(
        """
        SELECT coalesce(r.submitting_unit, l.submitting_unit) AS unit, r.ingested_at AS submitted_at,
               r.file_name, r.sheet, r.source_row, r.column_header AS field, r.message_zh AS problem,
               r.value AS observed, r.rule AS rule_id, r.entity AS table_name
        FROM raw.rejected_rows r
        LEFT JOIN raw.ingest_log l ON l.log_id = r.log_id
        WHERE r.ingested_at <= ?
          AND NOT EXISTS (
              SELECT 1 FROM raw.ingest_log n
              WHERE n.status = 'accepted' AND n.entity = r.entity AND n.file_id <> r.file_id
                AND n.ingested_at >= r.ingested_at AND n.ingested_at <= ?
                AND n.submitting_unit IS NOT DISTINCT FROM coalesce(r.submitting_unit, l.submitting_unit)
                AND n.period_year IS NOT DISTINCT FROM l.period_year
                AND n.period_month IS NOT DISTINCT FROM l.period_month
                AND n.region_code IS NOT DISTINCT FROM l.region_code)
        """,
        [as_of, as_of],
    ).df()
    rejected["severity"] = "fatal"
    rejected["action"] = "退回（该行未入库）"
    rejected["kind"] = "接收退回"
    quarantined = con.execute(
        r"""
        SELECT q.submitting_unit AS unit, q.ingested_at AS submitted_at, q.file_name,
               NULL AS sheet, NULL AS source_row, NULL AS field, q.reason_zh AS problem, NULL AS observed,
               q.reason_rule AS rule_id, q.entity AS table_name
        FROM raw.ingest_log q
        WHERE q.status = 'quarantined' AND q.ingested_at <= ?
          AND q.log_id = (SELECT max_by(x.log_id, x.ingested_at) FROM raw.ingest_log x
                          WHERE x.sha256 = q.sha256 AND x.status = 'quarantined' AND x.ingested_at <= ?)
          AND NOT EXISTS (
              SELECT 1 FROM raw.ingest_log n
              WHERE n.status = 'accepted' AND n.ingested_at >= q.ingested_at AND n.ingested_at <= ?
                AND starts_with(n.file_name, regexp_replace(q.file_name, '\.[^.]*$', '')))
        """,
        [as_of, as_of, as_of],
    ).df()
    quarantined["severity"] = "fatal"
    quarantined["action"] = "隔离（整个文件未入库）"
    quarantined["kind"] = "文件隔离"
    frame = pd.concat([rejected, quarantined], ignore_index=True)
    frame["unit"] = [
        u if isinstance(u, str) and u else (_unit_from_name(f) or UNKNOWN_UNIT)
        for u, f in zip(frame["unit"], frame["file_name"], strict=True)
    ]
    frame["rule_title"] = frame["kind"]
    return frame.reindex(columns=COLUMNS)


def _problems(con: duckdb.DuckDBPyConnection, run: dict | None) -> pd.DataFrame:
    parts = []
    if run is not None:
        parts.append(_dq_problems(con, run["run_id"]))
    if _has_table(con, "rejected_rows"):
        as_of = run["started_at"] if run is not None else datetime.now()
        parts.append(_ingestion_problems(con, as_of))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    frame = pd.concat(parts, ignore_index=True).astype(object)
    frame = frame.where(frame.notna(), None)
    order = frame.assign(_t=pd.to_datetime(frame["submitted_at"]), _r=pd.to_numeric(frame["source_row"]))
    order = order.sort_values(
        ["_t", "file_name", "sheet", "_r", "rule_id"],
        ascending=[False, True, True, True, True],
        na_position="last",
    )
    return order.drop(columns=["_t", "_r"]).reset_index(drop=True)


def report_data(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> ReportData:
    runs = _runs(con)
    records = runs.to_dict("records")
    idx = next((i for i, r in enumerate(records) if r["run_id"] == run_id), len(records) - 1)
    run = records[idx] if records else None
    previous = records[idx - 1] if records and idx > 0 else None
    notes = pd.DataFrame()
    rule_results = pd.DataFrame()
    if run is not None:
        notes = con.execute(
            "SELECT rule_id, submitting_unit, record_key, observed_value, message_zh FROM raw.dq_results "
            "WHERE run_id = ? AND severity = 'info' ORDER BY rule_id, record_key",
            [run["run_id"]],
        ).df()
        rule_results = con.execute(
            "SELECT rule_id, table_name, success, element_count, unexpected_count, blocking "
            "FROM raw.dq_rule_results WHERE run_id = ?",
            [run["run_id"]],
        ).df()
    return ReportData(
        run=run,
        previous=previous,
        runs=runs.tail(12),
        problems=_problems(con, run),
        previous_problems=_problems(con, previous) if previous is not None else pd.DataFrame(columns=COLUMNS),
        notes=notes,
        rule_results=rule_results,
    )


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
        rows.append(
            {
                "unit": key[0],
                "rule_id": key[1],
                "rule_title": title,
                "severity": severity,
                "kind": kind,
                "count": now,
                "previous": before,
                "change": now - before,
            }
        )
    return pd.DataFrame(
        rows, columns=["unit", "rule_id", "rule_title", "severity", "kind", "count", "previous", "change"]
    )


# ------------------------------------------------------------------------------------------------------
# HTML
# ------------------------------------------------------------------------------------------------------


def _delta(change: int) -> str:
    if change > 0:
        return f'<span class="up">+{change}</span>'
    if change < 0:
        return f'<span class="down">{change}</span>'
    return "0"


def _trend_svg(runs: pd.DataFrame) -> str:
    """Bars of fatal and warning counts for the last runs (inline SVG, no script)."""
    if runs.empty:
        return ""
    w, h, pad = 640, 180, 30
    values = [(int(r.fatal or 0), int(r.warning or 0)) for r in runs.itertuples()]
    top = max([f + wv for f, wv in values] + [1])
    slot = (w - 2 * pad) / len(values)
    bar = max(4.0, slot * 0.6)
    parts = [
        f'<svg width="{w}" height="{h + 40}" role="img" aria-label="各次运行问题数">',
        f'<line x1="{pad}" y1="{h}" x2="{w - pad}" y2="{h}" stroke="#9aa5b1"/>',
    ]
    for i, ((fatal, warning), r) in enumerate(zip(values, runs.itertuples(), strict=True)):
        x = pad + i * slot + (slot - bar) / 2
        fh, wh = (h - pad) * fatal / top, (h - pad) * warning / top
        parts.append(
            f'<rect x="{x:.1f}" y="{h - fh:.1f}" width="{bar:.1f}" height="{fh:.1f}" fill="#d64545"/>'
        )
        parts.append(
            f'<rect x="{x:.1f}" y="{h - fh - wh:.1f}" width="{bar:.1f}" height="{wh:.1f}" fill="#f0b429"/>'
        )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{h - fh - wh - 4:.1f}" font-size="10" text-anchor="middle">'
            f"{fatal + warning}</text>"
        )
        label = pd.Timestamp(r.started_at).strftime("%m-%d %H:%M") if r.started_at is not None else ""
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{h + 14}" font-size="9" text-anchor="middle">{_e(label)}</text>'
        )
    parts.append(
        f'<rect x="{pad}" y="{h + 24}" width="10" height="10" fill="#d64545"/>'
        f'<text x="{pad + 14}" y="{h + 33}" font-size="11">致命</text>'
        f'<rect x="{pad + 60}" y="{h + 24}" width="10" height="10" fill="#f0b429"/>'
        f'<text x="{pad + 74}" y="{h + 33}" font-size="11">警告</text></svg>'
    )
    return "".join(parts)


def render_html(data: ReportData) -> str:
    p, prev = data.problems, data.previous_problems
    run = data.run or {}
    n_fatal, n_warn = int((p["severity"] == "fatal").sum()), int((p["severity"] == "warning").sum())
    pf, pw = int((prev["severity"] == "fatal").sum()), int((prev["severity"] == "warning").sum())
    blocked = sorted({t for t in str(run.get("blocked_tables") or "").split(",") if t and t != "None"})
    held = int(run.get("held_back") or 0)
    kinds = p["kind"].value_counts().to_dict() if len(p) else {}
    out = [
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>数据质量报告</title><style>{CSS}</style></head><body>",
        "<h1>数据质量报告</h1>",
        f"<div class='meta'>运行编号 {_e(run.get('run_id'))} · 检查时间 {_e(run.get('started_at'))} · "
        f"执行规则 {_e(run.get('rules_run'))} 条次 · 校验 {_e(run.get('rows_validated'))} 行 · "
        f"上次运行 {_e((data.previous or {}).get('run_id')) or '无'}</div>",
    ]
    if blocked:
        out.append(
            f"<div class='banner bad'>本次发布被阻断：{_e('、'.join(blocked))} 存在表级致命问题，专题表未更新，"
            "仍为上次成功发布的数据。请按下方清单整改后重新报送。</div>"
        )
    elif n_fatal or n_warn:
        out.append(
            f"<div class='banner warn'>已发布。{held} 行因致命问题暂扣、未进入统计口径；警告 {n_warn} 项请核实。</div>"
        )
    else:
        out.append("<div class='banner ok'>未发现问题：全部规则通过，没有退回或隔离的文件。</div>")
    cards = [
        ("致命问题", n_fatal, n_fatal - pf),
        ("警告", n_warn, n_warn - pw),
        ("暂扣行（未入库）", held, None),
        ("接收退回行", kinds.get("接收退回", 0), None),
        ("隔离文件", kinds.get("文件隔离", 0), None),
        ("说明（未作判断）", len(data.notes), None),
    ]
    out.append("<div class='cards'>")
    for label, n, change in cards:
        extra = (
            f"<div class='l'>较上次 {_delta(change)}</div>" if change is not None and data.previous else ""
        )
        out.append(f"<div class='card'><div class='n'>{n}</div><div class='l'>{label}</div>{extra}</div>")
    out.append("</div>")
    if len(data.runs) > 1:
        out += ["<h2>历次运行</h2>", _trend_svg(data.runs)]

    # per unit
    out.append("<h2>按报送单位</h2>")
    summary = summary_by_unit_rule(data)
    if summary.empty:
        out.append("<p>无。</p>")
    else:
        units = []
        for unit, g in summary.groupby("unit", sort=True):
            f = int(g.loc[g["severity"] == "fatal", "count"].sum())
            w = int(g.loc[g["severity"] == "warning", "count"].sum())
            units.append([_e(unit), str(f), str(w), str(int(g["count"].sum())), str(int(g["previous"].sum())),
                          _delta(int(g["change"].sum()))])  # fmt: skip
        units.sort(key=lambda r: -int(r[3]))
        out.append(_table(["报送单位", "致命", "警告", "合计", "上次", "变化"], units, {1, 2, 3, 4, 5}))

    # per rule
    out.append("<h2>按规则</h2>")
    rules = {r.id: r for r in load_rules()}
    rr = data.rule_results
    checked = rr.groupby("rule_id")["element_count"].sum().to_dict() if len(rr) else {}
    by_rule = []
    if not summary.empty:
        for rid, g in summary.groupby("rule_id", sort=True):
            r = rules.get(rid)
            sev = g["severity"].iloc[0]
            by_rule.append([
                _e(rid), _e(r.title_zh if r else g["rule_title"].iloc[0]), _e(GROUP_ZH.get(r.group, "接收") if r else "接收"),
                f"<span class='{sev}'>{SEVERITY_ZH.get(sev, sev)}</span>", _e(r.scope if r else "row"),
                str(int(g["count"].sum())), str(int(g["previous"].sum())), _delta(int(g["change"].sum())),
                _e(checked.get(rid, "")),
            ])  # fmt: skip
        out.append(
            _table(
                ["规则", "名称", "类别", "严重程度", "范围", "本次", "上次", "变化", "检查行数"],
                by_rule,
                {5, 6, 7, 8},
            )
        )
    passed = len(rr[rr["success"]]) if len(rr) else 0
    out.append(f"<p class='small'>本次共执行 {len(rr)} 条次规则检查，其中 {passed} 条次全部通过。</p>")

    # details per unit
    out.append("<h2>问题清单（按单位，最新在前）</h2>")
    if p.empty:
        out.append("<p>无。</p>")
    for unit, g in p.groupby("unit", sort=True):
        rows = [
            [_e(r.submitted_at), _e(r.file_name), _e(r.sheet), _e(r.source_row), _e(r.field), _e(r.record_key),
             _e(r.problem), _e(r.observed), f"<span class='{r.severity}'>{_e(r.rule_id)}</span>", _e(r.action)]
            for r in g.head(DETAIL_LIMIT).itertuples()
        ]  # fmt: skip
        more = (
            f"<p class='small'>另有 {len(g) - DETAIL_LIMIT} 项，见退回修改清单。</p>"
            if len(g) > DETAIL_LIMIT
            else ""
        )
        out.append(
            f"<details><summary>{_e(unit)}（{len(g)} 项）</summary>"
            + _table(
                ["报送时间", "文件", "工作表", "行号", "字段", "记录", "问题", "当前值", "规则", "处理"], rows
            )
            + more
            + "</details>"
        )
    if len(data.notes):
        out.append("<h2>说明：未作判断的统计筛查</h2>")
        rows = [
            [_e(r.rule_id), _e(r.record_key), _e(r.observed_value), _e(r.message_zh)]
            for r in data.notes.itertuples()
        ]
        out.append(_table(["规则", "对象", "统计量", "说明"], rows))
    out.append(
        "<h2>口径说明</h2><ul>"
        "<li><b>致命（行级）</b>：该行暂扣，不进入统计口径（staging 及以后各层），单位更正重报（新版本）后自动放行。</li>"
        "<li><b>致命（表级）</b>：整表或整次报送有问题（空报、行数对不上、地区整月缺报），本次不发布，专题表保留上次成功发布的数据。</li>"
        "<li><b>警告</b>：不阻断，请核实；统计异常筛查只提示，不自动改数。</li>"
        "<li><b>接收退回 / 文件隔离</b>：接收时无法读取的行或文件，未入库；同一单位同一报告期报送新文件后不再列出。</li>"
        "<li>规则全文见 docs/data_quality.md。</li></ul>"
    )
    out.append("</body></html>")
    return "\n".join(out)


# ------------------------------------------------------------------------------------------------------
# xlsx
# ------------------------------------------------------------------------------------------------------


def _sheet_name(unit: str, used: set[str]) -> str:
    return unique_sheet_name(unit or UNKNOWN_UNIT, used)


def _ledger_zh(table) -> str:
    if not isinstance(table, str) or not table:
        return ""
    entity = load_contract().entities.get(table)
    return entity.zh if entity else table


def _cell(value):
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def write_xlsx(data: ReportData, path: Path) -> None:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"remove_timezone": True})
    bold = wb.add_format({"bold": True, "bg_color": "#F0F4F8", "border": 1, "text_wrap": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm", "valign": "top"})
    red = wb.add_format({"font_color": "#B42318", "bold": True, "valign": "top"})
    title = wb.add_format({"bold": True, "font_size": 14})
    run = data.run or {}

    ws = wb.add_worksheet("汇总")
    ws.write(0, 0, "退回修改清单 — 按单位和规则汇总", title)
    ws.write(
        1,
        0,
        f"运行 {run.get('run_id') or '无'}，检查时间 {_e(run.get('started_at'))}；"
        f"上次运行 {(data.previous or {}).get('run_id') or '无'}",
    )
    headers = ["报送单位", "规则", "规则名称", "严重程度", "来源", "本次", "上次", "变化"]
    for c, h in enumerate(headers):
        ws.write(3, c, h, bold)
    summary = summary_by_unit_rule(data)
    for i, r in enumerate(summary.itertuples(), start=4):
        ws.write_row(
            i,
            0,
            [r.unit, r.rule_id, r.rule_title or "", SEVERITY_ZH.get(r.severity, r.severity), r.kind,
             int(r.count), int(r.previous), int(r.change)],
        )  # fmt: skip
    ws.set_column(0, 0, 20)
    ws.set_column(1, 1, 14)
    ws.set_column(2, 2, 36)
    ws.set_column(3, 7, 10)
    ws.freeze_panes(4, 0)
    if len(summary):
        ws.autofilter(3, 0, 3 + len(summary), len(headers) - 1)

    headers = [
        "报送时间",
        "文件",
        "工作表",
        "行号",
        "字段",
        "问题",
        "当前值",
        "规则",
        "规则名称",
        "严重程度",
        "处理",
        "记录",
        "台账",
    ]
    widths = [16, 34, 12, 6, 14, 48, 22, 12, 28, 8, 14, 30, 16]
    used: set[str] = set()
    for unit, g in data.problems.groupby("unit", sort=True):
        ws = wb.add_worksheet(_sheet_name(str(unit), used))
        ws.write(0, 0, f"{unit} — 退回修改清单（共 {len(g)} 项，最新报送在前）", title)
        for c, h in enumerate(headers):
            ws.write(1, c, h, bold)
        for i, r in enumerate(g.itertuples(), start=2):
            values = [r.submitted_at, r.file_name, r.sheet, r.source_row, r.field, r.problem, r.observed, r.rule_id,
                      r.rule_title, SEVERITY_ZH.get(r.severity, r.severity), r.action, r.record_key,
                      _ledger_zh(r.table_name)]  # fmt: skip
            for c, v in enumerate(values):
                v = _cell(v)
                if c == 0 and isinstance(v, datetime):
                    ws.write_datetime(i, c, v, when)
                elif c == 9 and r.severity == "fatal":
                    ws.write(i, c, v, red)
                elif isinstance(v, float) and v.is_integer():
                    ws.write_number(i, c, int(v))
                else:
                    ws.write(i, c, v, wrap)
        for c, wdt in enumerate(widths):
            ws.set_column(c, c, wdt)
        ws.freeze_panes(2, 0)
        ws.autofilter(1, 0, 1 + len(g), len(headers) - 1)
    wb.close()


# ------------------------------------------------------------------------------------------------------
# Entry point
# ------------------------------------------------------------------------------------------------------


def write_dq_report(
    paths: DataPaths,
    run_id: str | None = None,
    out_dir: Path | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> ReportFiles:
    """Write the HTML report and the xlsx return list of a run (default: the latest) under data/reports/."""
    out_dir = out_dir or paths.reports
    out_dir.mkdir(parents=True, exist_ok=True)
    own = con is None
    if own:
        con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        data = report_data(con, run_id)
    finally:
        if own:
            con.close()
    html_path, xlsx_path = out_dir / HTML_NAME, out_dir / XLSX_NAME
    html_path.write_text(render_html(data), encoding="utf-8")
    write_xlsx(data, xlsx_path)
    return ReportFiles(html_path, xlsx_path, (data.run or {}).get("run_id"), len(data.problems))

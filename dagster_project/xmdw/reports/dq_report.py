"""The data-quality report of a run, for people and for units.

- `data/reports/数据质量报告.html` — one self-contained page (inline CSS, inline SVG, no script, no
  external resource: it renders offline and can be mailed): status, counts by severity with the change
  since the previous run, a trend chart, a table per unit and per rule, then per unit one line per rule
  with its count and first rows (reports/dq_aggregate.py: 73k findings of a province fit on a page).
- `data/reports/退回修改清单.xlsx` — reports/return_list.py.

Both list what is still open as of the run (reports/open_problems.py): the run's rule findings and what
ingestion could not load (rows rejected, files quarantined) until a later submission covers it. Every
ledger text on the page is HTML-escaped; both files are written to a temp file and renamed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from xmdw.core.atomic import write_text_atomic
from xmdw.core.paths import DataPaths
from xmdw.quality.catalog import GROUP_ZH, SEVERITY_ZH, load_rules
from xmdw.reports.dq_aggregate import EXAMPLES, aggregate
from xmdw.reports.open_problems import COLUMNS, has_table, open_problems
from xmdw.reports.render import CSS
from xmdw.reports.render import esc as _e
from xmdw.reports.render import html_table as _table
from xmdw.reports.return_list import ReportData, summary_by_unit_rule, write_return_list

HTML_NAME = "数据质量报告.html"
XLSX_NAME = "退回修改清单.xlsx"


@dataclass
class ReportFiles:
    html: Path
    xlsx: Path
    run_id: str | None
    problems: int


def _runs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    if not has_table(con, "dq_runs"):
        return pd.DataFrame(columns=["run_id", "started_at", "finished_at", "fatal", "warning", "info"])
    return con.execute(
        """
        SELECT run_id, min(started_at) AS started_at, max(finished_at) AS finished_at,
               sum(fatal_count) AS fatal, sum(warning_count) AS warning, sum(info_count) AS info,
               sum(rows_held_back) AS held_back, sum(rules_run) AS rules_run, sum(rules_failed) AS rules_failed,
               string_agg(blocked_tables, ',') AS blocked_tables, sum(rows_validated) AS rows_validated,
               sum(seconds) AS seconds, sum(gx_rows_incremental) AS rows_checked_new,
               bool_or(carried_forward) AS carried_forward
        FROM raw.dq_runs GROUP BY run_id ORDER BY min(started_at), max(finished_at)
        """
    ).df()


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
        problems=open_problems(con, run),
        previous_problems=open_problems(con, previous)
        if previous is not None
        else pd.DataFrame(columns=COLUMNS),
        notes=notes,
        rule_results=rule_results,
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


def _checked_new(run: dict) -> str:
    """How much of the check was new: rows of files not checked before went through the row-by-row rules,
    the others kept their results (quality/incremental.py)."""
    new = run.get("rows_checked_new")
    if new is None or new != new or not run.get("carried_forward"):
        return ""
    return f"（逐行规则只核验了新报送的 {int(new)} 行，其余行沿用上次结果；跨表规则全部重算）"


def _aggregated_details(problems: pd.DataFrame) -> list[str]:
    """Per unit a collapsible table: rule, problem, count, first rows, action — 73k findings of a
    province fit on a page; the unit's xlsx sheet keeps every row."""
    out = []
    agg = aggregate(problems)
    for unit, g in agg.groupby("unit", sort=True):
        rows = [
            [f"<span class='{r.severity}'>{_e(r.rule_id)}</span>", _e(r.rule_title), _e(r.problem),
             str(int(r.count)), "<br>".join(_e(x) for x in r.examples)
             + (f"<br><span class='small'>…另有 {int(r.count) - EXAMPLES} 行，见退回修改清单</span>"
                if r.count > EXAMPLES else ""),
             _e(r.action)]
            for r in g.itertuples()
        ]  # fmt: skip
        out.append(
            f"<details><summary>{_e(unit)}（{int(g['count'].sum())} 项，{len(g)} 条规则）</summary>"
            + _table(["规则", "名称", "问题", "行数", f"前 {EXAMPLES} 行（文件 · 工作表 · 行 · 字段=值）", "处理"],
                     rows, {3})
            + "</details>"
        )  # fmt: skip
    return out


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
        f"执行规则 {_e(run.get('rules_run'))} 条次 · 校验 {_e(run.get('rows_validated'))} 行{_checked_new(run)} · "
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

    # details per unit: one line per rule with its count and first rows (the xlsx lists every row)
    out.append("<h2>问题清单（按单位、规则汇总，每条列出前几行）</h2>")
    if p.empty:
        out.append("<p>无。</p>")
    out += _aggregated_details(p)
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
        "<li><b>致命（表级）</b>：某个文件有问题（空报、行数对不上）：该文件的数据整体暂扣，其他单位、其他地区照常发布。"
        "只有不属于任何文件的整表问题才阻断发布，专题表保留上次成功发布的数据。</li>"
        "<li><b>警告</b>：不阻断，请核实；统计异常筛查只提示，不自动改数。</li>"
        "<li><b>接收退回 / 文件隔离</b>：接收时无法读取的行或文件，未入库；退回的行在之后报送的文件载入同一记录（同一主键）后不再列出，"
        "主键无法识别的行在之后一次报送中同一单位同一报告期的文件无退回地载入后不再列出；隔离的文件（包括未打开即移出的链接、设备等）"
        "在其更正文件载入后不再列出。</li>"
        "<li><b>值提示</b>：可选字段的值无法读取，按空值入库、其余数据照常入库；之后报送的文件载入同一记录（同一主键）后不再列出。</li>"
        "<li>规则全文见 docs/data_quality.md。</li></ul>"
    )
    out.append("</body></html>")
    return "\n".join(out)


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
    write_text_atomic(html_path, render_html(data))
    write_return_list(data, xlsx_path)
    return ReportFiles(html_path, xlsx_path, (data.run or {}).get("run_id"), len(data.problems))

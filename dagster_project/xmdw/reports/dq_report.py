"""The data-quality report of a run, for people and for units.

- `data/reports/数据质量报告.html` — one self-contained page (templates/dq_report.html on the reports' one
  layout: inline CSS, inline SVG, no script, no external resource: it renders offline and can be mailed): status, counts by severity with the change
  since the previous run, a trend chart, a table per unit and per rule, then per unit one line per rule
  with its count and first rows (reports/dq_aggregate.py: 73k findings of a province fit on a page).
- `data/reports/退回修改清单.xlsx` — reports/return_list.py.

Both list what is still open as of the run (reports/open_problems.py): the run's rule findings and what
ingestion could not load (rows rejected, files quarantined) until a later submission covers it. Every
ledger text on the page is HTML-escaped (Jinja2 autoescape); both files are written to a temp file and renamed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from xmdw.core.atomic import write_text_atomic
from xmdw.core.paths import DataPaths
from xmdw.lineage.frames import frame
from xmdw.quality.catalog import GROUP_ZH, SEVERITY_ZH, load_rules
from xmdw.reports.chart_spec import ChartSpec, Series
from xmdw.reports.chart_svg import to_svg
from xmdw.reports.dq_aggregate import EXAMPLES, aggregate
from xmdw.reports.open_problems import COLUMNS, has_table, open_problems
from xmdw.reports.return_list import ReportData, summary_by_unit_rule, write_return_list
from xmdw.reports.templating import render
from xmdw.warehouse.engine import warehouse_connection

HTML_NAME = "数据质量报告.html"
XLSX_NAME = "退回修改清单.xlsx"


@dataclass
class ReportFiles:
    html: Path
    xlsx: Path
    run_id: str | None
    problems: int


def _runs(con: Any) -> pd.DataFrame:
    """One row per run; sums cast to BIGINT (DuckDB's sum of INTEGER is HUGEINT, PostgreSQL's BIGINT)."""
    if not has_table(con, "dq_runs"):
        return pd.DataFrame(columns=["run_id", "started_at", "finished_at", "fatal", "warning", "info"])
    return frame(
        con,
        """
        SELECT run_id, min(started_at) AS started_at, max(finished_at) AS finished_at,
               CAST(sum(fatal_count) AS BIGINT) AS fatal, CAST(sum(warning_count) AS BIGINT) AS warning,
               CAST(sum(info_count) AS BIGINT) AS info, CAST(sum(rows_held_back) AS BIGINT) AS held_back,
               CAST(sum(rules_run) AS BIGINT) AS rules_run, CAST(sum(rules_failed) AS BIGINT) AS rules_failed,
               string_agg(blocked_tables, ',') AS blocked_tables,
               CAST(sum(rows_validated) AS BIGINT) AS rows_validated, sum(seconds) AS seconds,
               CAST(sum(gx_rows_incremental) AS BIGINT) AS rows_checked_new,
               bool_or(carried_forward) AS carried_forward
        FROM raw.dq_runs GROUP BY run_id ORDER BY min(started_at), max(finished_at)
        """,
    )


def report_data(con: Any, run_id: str | None = None) -> ReportData:
    runs = _runs(con)
    records = runs.to_dict("records")
    idx = next((i for i, r in enumerate(records) if r["run_id"] == run_id), len(records) - 1)
    run = records[idx] if records else None
    previous = records[idx - 1] if records and idx > 0 else None
    notes = pd.DataFrame()
    rule_results = pd.DataFrame()
    if run is not None:
        notes = frame(
            con,
            "SELECT rule_id, submitting_unit, record_key, observed_value, message_zh FROM raw.dq_results "
            "WHERE run_id = ? AND severity = 'info' ORDER BY rule_id, record_key",
            [run["run_id"]],
        )
        rule_results = frame(
            con,
            "SELECT rule_id, table_name, success, element_count, unexpected_count, blocking "
            "FROM raw.dq_rule_results WHERE run_id = ?",
            [run["run_id"]],
        )
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
# HTML (templates/dq_report.html): the functions below only gather what the page shows
# ------------------------------------------------------------------------------------------------------

FATAL_COLOUR, WARNING_COLOUR = "#d64545", "#f0b429"


def trend_chart(runs: pd.DataFrame) -> ChartSpec | None:
    """Fatal and warning counts of the last runs, stacked, each run's total above its column."""
    if len(runs) < 2:
        return None
    counts = [(int(r.fatal or 0), int(r.warning or 0)) for r in runs.itertuples()]
    when = [pd.Timestamp(t).strftime("%m-%d %H:%M") if t is not None else "" for t in runs["started_at"]]
    return ChartSpec(
        kind="column",
        title="各次运行问题数",
        category_key="started_at",
        categories=tuple(when),
        series=tuple(
            Series(
                key,
                name,
                tuple(float(c[j]) for c in counts),
                tuple(str(c[j]) for c in counts),
                colour,
                colour,
            )
            for j, (key, name, colour) in enumerate(
                [("fatal", "致命", FATAL_COLOUR), ("warning", "警告", WARNING_COLOUR)]
            )
        ),
        unit="int",
        stacked=True,
        totals=tuple(str(f + w) for f, w in counts),
        rows_total=len(counts),
    )


def checked_new(run: dict) -> str:
    """How much of the check was new: rows of files not checked before went through the row-by-row rules,
    the others kept their results (quality/incremental.py)."""
    new = run.get("rows_checked_new")
    if new is None or new != new or not run.get("carried_forward"):
        return ""
    return f"（逐行规则只核验了新报送的 {int(new)} 行，其余行沿用上次结果；跨表规则全部重算）"


def _banner(run: dict, n_fatal: int, n_warn: int) -> tuple[str, str]:
    """(style, text) of the verdict at the top: blocked, published with findings, or clean."""
    blocked = sorted({t for t in str(run.get("blocked_tables") or "").split(",") if t and t != "None"})
    if blocked:
        return "bad", (
            f"本次发布被阻断：{'、'.join(blocked)} 存在表级致命问题，专题表未更新，"
            "仍为上次成功发布的数据。请按下方清单整改后重新报送。"
        )
    if n_fatal or n_warn:
        held = int(run.get("held_back") or 0)
        return "warn", f"已发布。{held} 行因致命问题暂扣、未进入统计口径；警告 {n_warn} 项请核实。"
    return "ok", "未发现问题：全部规则通过，没有退回或隔离的文件。"


def _cards(data: ReportData) -> list[tuple[str, int, int | None]]:
    """(label, count, change since the previous run or None)."""
    p, prev = data.problems, data.previous_problems
    count = {sev: int((p["severity"] == sev).sum()) for sev in ("fatal", "warning")}
    before = {sev: int((prev["severity"] == sev).sum()) for sev in ("fatal", "warning")}
    kinds = p["kind"].value_counts().to_dict() if len(p) else {}
    previous = data.previous is not None
    return [
        ("致命问题", count["fatal"], count["fatal"] - before["fatal"] if previous else None),
        ("警告", count["warning"], count["warning"] - before["warning"] if previous else None),
        ("暂扣行（未入库）", int((data.run or {}).get("held_back") or 0), None),
        ("接收退回行", kinds.get("接收退回", 0), None),
        ("隔离文件", kinds.get("文件隔离", 0), None),
        ("说明（未作判断）", len(data.notes), None),
    ]


def _units(summary: pd.DataFrame) -> list[dict]:
    """Per submitting unit: fatal, warning, total, previous run, change — most problems first."""
    units = []
    for unit, g in summary.groupby("unit", sort=True):
        units.append(
            {
                "unit": unit,
                "fatal": int(g.loc[g["severity"] == "fatal", "count"].sum()),
                "warning": int(g.loc[g["severity"] == "warning", "count"].sum()),
                "total": int(g["count"].sum()),
                "previous": int(g["previous"].sum()),
                "change": int(g["change"].sum()),
            }
        )
    return sorted(units, key=lambda u: -u["total"])


def _rules(summary: pd.DataFrame, rule_results: pd.DataFrame) -> list[dict]:
    """Per rule: its catalog name, group, severity and scope, this run, previous run, change, rows checked."""
    rules = {r.id: r for r in load_rules()}
    checked = rule_results.groupby("rule_id")["element_count"].sum().to_dict() if len(rule_results) else {}
    out = []
    for rid, g in summary.groupby("rule_id", sort=True):
        r = rules.get(rid)
        severity = g["severity"].iloc[0]
        out.append(
            {
                "rule_id": rid,
                "title": r.title_zh if r else g["rule_title"].iloc[0],
                "group": GROUP_ZH.get(r.group, "接收") if r else "接收",
                "severity": severity,
                "severity_zh": SEVERITY_ZH.get(severity, severity),
                "scope": r.scope if r else "row",
                "count": int(g["count"].sum()),
                "previous": int(g["previous"].sum()),
                "change": int(g["change"].sum()),
                "checked": checked.get(rid, ""),
            }
        )
    return out


def _details(problems: pd.DataFrame) -> list[dict]:
    """Per unit one line per rule with its count and first rows — 73k findings of a province fit on a page;
    the unit's xlsx sheet keeps every row."""
    agg = aggregate(problems)
    return [
        {"unit": unit, "count": int(g["count"].sum()), "lines": list(g.itertuples())}
        for unit, g in agg.groupby("unit", sort=True)
    ]


def render_html(data: ReportData) -> str:
    """The report page (templates/dq_report.html, autoescaped)."""
    run = data.run or {}
    p = data.problems
    style, verdict = _banner(
        run, int((p["severity"] == "fatal").sum()), int((p["severity"] == "warning").sum())
    )
    summary = summary_by_unit_rule(data)
    rr = data.rule_results
    return render(
        "dq_report.html",
        run=run,
        checked_new=checked_new(run),
        previous_run=(data.previous or {}).get("run_id"),
        banner_style=style,
        banner=verdict,
        cards=_cards(data),
        trend=trend_chart(data.runs),
        svg=to_svg,
        units=_units(summary),
        rules=_rules(summary, rr),
        rule_checks=len(rr),
        rule_checks_passed=len(rr[rr["success"]]) if len(rr) else 0,
        details=_details(p),
        examples=EXAMPLES,
        notes=list(data.notes.itertuples()),
    )


# ------------------------------------------------------------------------------------------------------
# Entry point
# ------------------------------------------------------------------------------------------------------


def write_dq_report(
    paths: DataPaths,
    run_id: str | None = None,
    out_dir: Path | None = None,
    con: Any | None = None,
) -> ReportFiles:
    """Write the HTML report and the xlsx return list of a run (default: the latest) under data/reports/,
    from the log tables of the build warehouse (the DuckDB file, or on PostgreSQL the server's `raw`)."""
    out_dir = out_dir or paths.reports
    out_dir.mkdir(parents=True, exist_ok=True)
    if con is None:
        with warehouse_connection(paths.warehouse, read_only=True) as own:
            data = report_data(own, run_id)
    else:
        data = report_data(con, run_id)
    html_path, xlsx_path = out_dir / HTML_NAME, out_dir / XLSX_NAME
    write_text_atomic(html_path, render_html(data))
    write_return_list(data, xlsx_path)
    return ReportFiles(html_path, xlsx_path, (data.run or {}).get("run_id"), len(data.problems))

"""What the run summary reads from the build warehouse after a job: files, rows and rejections of the
run (raw.ingest_log, raw.rejected_rows, raw.value_findings), the rules that failed (raw.dq_*) and the
marts built. The build warehouse is the engine's (XMDW_ENGINE): the DuckDB file or the server, same SQL.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xmdw.core.paths import DataPaths
from xmdw.warehouse.engine import build_schema, engine_settings, open_warehouse
from xmdw.warehouse.postgres import DIALECT_POSTGRES, dialect_of

if TYPE_CHECKING:
    from xmdw.reports.run_summary import RunSummary

_SEVERITY_ZH = {"fatal": "致命", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class Finding:
    """A data-quality rule that failed in this run."""

    rule_id: str
    title: str
    table: str  # Chinese name of the ledger or mart
    severity: str  # fatal | warning | info
    scope: str  # row | table
    count: int  # failing rows (row rules) or findings (table rules)
    held_back: int  # rows held back from the marts by this rule
    blocking: bool
    is_mart: bool

    def line(self) -> str:
        where = f"{self.rule_id} {self.title}（{self.table}）"
        unit = "行" if self.scope == "row" else "项"
        if self.severity != "fatal":
            return f"    {_SEVERITY_ZH.get(self.severity, self.severity)}  {where}：{self.count} {unit}"
        if self.blocking:
            effect = "本次不发布" if self.is_mart else "该表的专题表未更新"
            return f"    致命·阻断  {where}：{self.count} {unit}，{effect}"
        if self.held_back:
            return f"    致命·已暂扣 {self.held_back} 行  {where}"
        return f"    致命  {where}：{self.count} {unit}"


def first_line(text: str, limit: int = 120) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _one(con: Any, sql: str, params: list) -> tuple:
    return con.execute(sql, params).fetchall()[0]


_THIS_RUN_LOGS = "SELECT log_id FROM raw.ingest_log WHERE run_id = ?"


# Per rejection rule of this run: the rows it rejected and its first row (by file, sheet, row number).
_REJECTIONS_SQL = f"""
    WITH r AS (
        SELECT rule, file_id, file_name, sheet, source_row, column_header, message_zh,
               row_number() OVER (PARTITION BY rule ORDER BY file_name, sheet,
                                  lpad(CAST(source_row AS VARCHAR), 9, '0'), column_header, message_zh) AS n
        FROM raw.rejected_rows WHERE log_id IN ({_THIS_RUN_LOGS}))
    SELECT rule, count(DISTINCT (file_id, sheet, source_row)) AS n_rows,
           min(CASE WHEN n = 1 THEN file_name END), min(CASE WHEN n = 1 THEN sheet END),
           min(CASE WHEN n = 1 THEN CAST(source_row AS VARCHAR) END), min(CASE WHEN n = 1 THEN column_header END),
           min(CASE WHEN n = 1 THEN message_zh END)
    FROM r GROUP BY rule ORDER BY n_rows DESC, rule
"""


def collect_ingestion(con: Any, summary: RunSummary, run_id: str) -> None:
    """Files, rows, quarantine reasons and rejection reasons of this run (raw.ingest_log and friends)."""
    summary.files = dict(
        con.execute(
            "SELECT status, count(*) FROM raw.ingest_log WHERE run_id = ? GROUP BY 1", [run_id]
        ).fetchall()
    )
    read, loaded, rejected, skipped = _one(
        con,
        "SELECT coalesce(sum(rows_read),0), coalesce(sum(rows_loaded),0), coalesce(sum(rows_rejected),0), "
        "coalesce(sum(rows_skipped),0) FROM raw.ingest_log WHERE run_id = ?",
        [run_id],
    )
    (kept,) = _one(
        con,
        f"SELECT count(DISTINCT (file_id, sheet, source_row)) FROM raw.value_findings WHERE log_id IN ({_THIS_RUN_LOGS})",
        [run_id],
    )
    summary.rows = {
        "read": int(read),
        "loaded": int(loaded),
        "rejected": int(rejected),
        "skipped": int(skipped),
        "kept_with_findings": int(kept),
    }
    summary.quarantined = con.execute(
        "SELECT file_name, coalesce(reason_zh, reason_rule, '') FROM raw.ingest_log "
        "WHERE run_id = ? AND status IN ('quarantined', 'failed') ORDER BY file_name",
        [run_id],
    ).fetchall()
    for rule, rows, file_name, sheet, row, column, message in con.execute(
        _REJECTIONS_SQL, [run_id]
    ).fetchall():
        where = f"{file_name} {sheet} 第{row}行" + (f"「{column}」" if column else "")
        summary.rejections.append(f"退回 {rows} 行（{rule}），如 {where}：{first_line(message or '', 60)}")
    summary.all_rejected = con.execute(
        "SELECT file_name, rows_rejected FROM raw.ingest_log WHERE run_id = ? AND status = 'accepted' "
        "AND rows_loaded = 0 AND rows_rejected > 0 ORDER BY file_name",
        [run_id],
    ).fetchall()


def collect_quality(con: Any, summary: RunSummary, run_id: str) -> None:
    """The rules that failed in this run, with the rows each holds back now (raw.dq_excluded_rows)."""
    from xmdw.contract import load_contract
    from xmdw.quality.catalog import rule_by_id
    from xmdw.serving.catalog import load_descriptions, table_label

    (rules_run,) = _one(con, "SELECT coalesce(sum(rules_run), 0) FROM raw.dq_runs WHERE run_id = ?", [run_id])
    summary.rules_run = int(rules_run)
    held = dict(con.execute("SELECT rule_id, count(*) FROM raw.dq_excluded_rows GROUP BY 1").fetchall())
    (summary.rows_held_back,) = _one(
        con, "SELECT count(DISTINCT (entity, _file_id, _sheet, _source_row)) FROM raw.dq_excluded_rows", []
    )
    ledgers = {e.table: e.zh for e in load_contract().entities.values()}
    docs = load_descriptions()
    for rule_id, table, scope, severity, count, blocking in con.execute(
        """SELECT rule_id, table_name, scope, severity, sum(unexpected_count) AS n, bool_or(blocking) AS b
           FROM raw.dq_rule_results WHERE run_id = ? AND NOT success
           GROUP BY rule_id, table_name, scope, severity
           ORDER BY severity = 'fatal' DESC, b DESC, n DESC, rule_id""",
        [run_id],
    ).fetchall():
        name = table.split(".")[-1]
        try:
            title = rule_by_id(rule_id).title_zh
        except KeyError:
            title = ""
        summary.findings.append(
            Finding(
                rule_id,
                title,
                ledgers.get(name) or table_label(name, docs.get(name)),
                severity,
                scope,
                int(count or 0),
                int(held.get(rule_id, 0)),
                bool(blocking),
                table.startswith("marts."),
            )
        )


def _tables(con: Any, schema: str) -> list[str]:
    return [
        t
        for (t,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1", [schema]
        ).fetchall()
    ]


def collect_marts(con: Any) -> dict[str, int]:
    """Rows per mart of this build. On a server the build's schema (build_marts) while it was not
    published, else the published `marts` it was swapped into."""
    schema = build_schema("marts", dialect_of(con))
    tables = _tables(con, schema)
    if not tables:
        schema, tables = "marts", _tables(con, "marts")
    return {
        f"marts.{table}": con.execute(f'SELECT count(*) FROM {schema}."{table}"').fetchall()[0][0]
        for table in tables
    }


def _missing_table(con: Any) -> tuple[type[BaseException], ...]:
    """The error a query on a table that does not exist raises, on the connection's engine."""
    if dialect_of(con) == DIALECT_POSTGRES:
        from psycopg2.errors import UndefinedTable

        return (UndefinedTable,)
    import duckdb

    return (duckdb.CatalogException,)


def collect(summary: RunSummary, paths: DataPaths, *, marts: bool) -> None:
    """Fill the summary from the warehouse (read-only) after the job ended; tolerant of a warehouse that a
    failed first run left without some tables."""
    if not engine_settings().is_postgres and not paths.warehouse.exists():
        return
    con = open_warehouse(paths.warehouse, read_only=True)
    # a warehouse that a failed first run left without some log tables: say what is there
    missing = _missing_table(con)
    try:
        for step in (collect_ingestion, collect_quality):
            with contextlib.suppress(missing):
                step(con, summary, summary.run_id)
        if marts:
            with contextlib.suppress(missing):
                summary.marts = collect_marts(con)
    finally:
        con.close()

"""The summary `xmdw run` prints at the end: at most 40 lines, in Chinese, times in 北京时间.

Honest about what happened: files and rows, every fatal rule as 致命 (a fatal row rule holds rows back
and reports WARN to Dagster so that other units' data still flow — here it reads 致命·已暂扣 n 行), what
was held back, what was published (the data version) and where everything is. 成功 only when the run
published; the exit status is non-zero when nothing could be published. Facts come from the warehouse's
log tables (raw.ingest_log, raw.rejected_rows, raw.value_findings, raw.dq_*) and serving/manifest.json.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from xmdw.core.console import STAGES, in_cst, stamp
from xmdw.core.diskspace import EXIT_DISK_FULL
from xmdw.core.paths import DataPaths
from xmdw.warehouse.connect import connect

MAX_LINES = 40
MAX_FATAL_LINES = 8
MAX_WARNING_LINES = 4
MAX_REASON_LINES = 3
_SEVERITY_ZH = {"fatal": "致命", "warning": "警告", "info": "提示"}
FILE_STATUS_ZH = {"accepted": "接收", "quarantined": "隔离", "duplicate": "重复", "deferred": "等待"}


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


@dataclass(frozen=True)
class Published:
    version_id: str | None
    published_at: str  # ISO 8601 (UTC) from the manifest
    tables: int


@dataclass
class RunSummary:
    success: bool  # Dagster's verdict on the job(s)
    run_id: str
    files: dict[str, int] = field(default_factory=dict)  # ingest_log status -> files this run
    rows: dict[str, int] = field(default_factory=dict)  # read, loaded, rejected, skipped, kept_with_findings
    checks: list[tuple[str, bool, str]] = field(default_factory=list)  # (check, passed, Dagster severity)
    marts: dict[str, int] = field(default_factory=dict)
    failed_steps: list[str] = field(default_factory=list)
    outputs: list[tuple[str, str]] = field(default_factory=list)  # (what, path) the run wrote
    problems: list[str] = field(default_factory=list)  # plain-language causes (e.g. the disk is full)
    disk_full: bool = False
    job_name: str = ""
    expects_publish: bool = False  # the job has the publish step (xmdw run, --month)
    published: Published | None = None  # this run's publish; None when nothing was published
    last_published: Published | None = None  # what BI reads when this run did not publish
    findings: list[Finding] = field(default_factory=list)
    rules_run: int = 0
    rows_held_back: int = 0
    quarantined: list[tuple[str, str]] = field(default_factory=list)  # (file, reason) first few
    rejections: list[str] = field(default_factory=list)  # one line per rejection rule, with an example
    all_rejected: list[tuple[str, int]] = field(default_factory=list)  # accepted files with no row loaded
    failure_texts: list[tuple[str, str]] = field(default_factory=list)  # (step, error)
    started: dt.datetime | None = None
    finished: dt.datetime | None = None
    log_path: Path | None = None

    def merge(self, other: RunSummary) -> RunSummary:
        """A follow-up run (the period reports) joins this summary."""
        self.success = self.success and other.success
        self.failed_steps += other.failed_steps
        self.failure_texts += other.failure_texts
        self.outputs += other.outputs
        self.problems += other.problems
        self.disk_full = self.disk_full or other.disk_full
        self.finished = other.finished or self.finished
        return self

    @property
    def ok(self) -> bool:
        return (
            self.success
            and not self.failed_steps
            and (self.published is not None or not self.expects_publish)
        )

    @property
    def exit_code(self) -> int:
        if self.ok:
            return 0
        return EXIT_DISK_FULL if self.disk_full else 1

    # --- rendering -----------------------------------------------------------------------------------
    def headline(self) -> str:
        if self.expects_publish and self.published is not None:
            version = self.published.version_id or "（无版本号）"
            if self.ok:
                return f"xmdw 运行结束：成功 — 已发布数据版本 {version}"
            return f"xmdw 运行结束：已发布数据版本 {version}，但有步骤失败（退出码 {self.exit_code}）"
        if self.expects_publish:
            return f"xmdw 运行结束：失败 — 本次没有发布任何数据（退出码 {self.exit_code}）"
        if self.ok:
            return "xmdw 运行结束：完成（只读取和检查，不构建、不发布）"
        return f"xmdw 运行结束：失败（退出码 {self.exit_code}）"

    def lines(self, paths: DataPaths) -> list[str]:
        out = [self.headline()]
        if self.started and self.finished:
            seconds = (self.finished - self.started).total_seconds()
            out.append(
                f"  北京时间 {stamp(self.started)} — {in_cst(self.finished):%H:%M:%S}，"
                f"用时 {int(seconds // 60)} 分 {int(seconds % 60)} 秒"
            )
        tail = self._build_lines()
        for step, text in self.failure_texts[:3]:  # the innermost cause says what went wrong
            tail.append(
                f"失败步骤：{STAGES.get(step, step)} — {_first_line(text.split(' | ')[-1])}（详见运行日志）"
            )
        tail += [f"注意：{p}" for p in self.problems] + self._path_lines(paths)
        body = _fit(self._ingestion_lines() + self._quality_lines(), MAX_LINES - len(out) - len(tail))
        out += body + tail
        if len(out) > MAX_LINES:  # only with very many outputs: the log line stays last
            out = out[: MAX_LINES - 2] + ["  ……", out[-1]]
        return out

    def _ingestion_lines(self) -> list[str]:
        f, r = self.files, self.rows
        out = [
            "文件："
            + "，".join(f"{zh} {f.get(k, 0)}" for k, zh in FILE_STATUS_ZH.items())
            + (f"，读取失败 {f['failed']}" if f.get("failed") else ""),
            f"行：读取 {r.get('read', 0)}，载入 {r.get('loaded', 0)}，退回 {r.get('rejected', 0)}，"
            f"跳过 {r.get('skipped', 0)}（标题、表头、合计等），保留但有提示 {r.get('kept_with_findings', 0)}",
        ]
        out += [f"  隔离 {name}：{reason}" for name, reason in self.quarantined[:MAX_REASON_LINES]]
        if len(self.quarantined) > MAX_REASON_LINES:
            out.append(
                f"  ……另有 {len(self.quarantined) - MAX_REASON_LINES} 个文件被隔离，原因见隔离区 .reason.json"
            )
        out += [f"  {line}" for line in self.rejections[:MAX_REASON_LINES]]
        if len(self.rejections) > MAX_REASON_LINES:
            out.append(f"  ……另有 {len(self.rejections) - MAX_REASON_LINES} 类退回原因，见退回修改清单")
        out += [f"  注意：{name} 的 {n} 行全部被退回，没有载入任何数据" for name, n in self.all_rejected[:3]]
        return out

    def _quality_lines(self) -> list[str]:
        if not self.rules_run and not self.findings:
            return []
        fatal = [x for x in self.findings if x.severity == "fatal"]
        warnings = [x for x in self.findings if x.severity != "fatal"]
        out = [
            f"数据质量：{self.rules_run} 条规则，致命 {len(fatal)} 条，警告 {len(warnings)} 条；"
            f"暂扣（不进入专题表，待单位更正）共 {self.rows_held_back} 行"
        ]
        out += [x.line() for x in fatal[:MAX_FATAL_LINES]]
        out += [x.line() for x in warnings[:MAX_WARNING_LINES]]
        rest = max(0, len(fatal) - MAX_FATAL_LINES) + max(0, len(warnings) - MAX_WARNING_LINES)
        if rest:
            out.append(f"    ……另有 {rest} 条规则未通过，见数据质量报告")
        return out

    def _build_lines(self) -> list[str]:
        out = []
        if self.marts:
            out.append(f"专题表：{len(self.marts)} 张，共 {sum(self.marts.values()):,} 行")
        if self.published is not None:
            p = self.published
            out.append(
                f"发布：数据版本 {p.version_id or '—'}，北京时间 {stamp(p.published_at)}，{p.tables} 张表"
                "（中文视图在 marts_cn、ref_cn）"
            )
        elif self.expects_publish:
            last = self.last_published
            out.append(
                f"发布：未发布 — BI 与报告仍读取上一版本 {last.version_id or ''}（北京时间 {stamp(last.published_at)}）"
                if last
                else "发布：未发布 — 还没有任何已发布的数据"
            )
        return out

    def _path_lines(self, paths: DataPaths) -> list[str]:
        """One line per output (a report's .xlsx, with its .html/.pdf siblings named; a folder of per-region
        files, such as the 公文 .docx of each region, as one line), then the quarantine and the log."""
        groups: dict[str, list[Path]] = {}
        for what, path in self.outputs:
            if Path(path) not in groups.setdefault(what, []):
                groups[what].append(Path(path))
        labels_in = Counter(
            f.parent for files in groups.values() for f in {f.parent: f for f in files}.values()
        )
        out, folders_shown = ["路径："], set()
        for what, files in groups.items():
            if all(labels_in[f.parent] > 1 and f.parent != paths.reports for f in files):
                for folder in sorted({f.parent for f in files} - folders_shown):
                    n = sum(1 for fs in groups.values() for f in fs if f.parent == folder)
                    out.append(f"  {folder.name.replace('_', ' ')}：{folder}（{n} 个文件）")
                    folders_shown.add(folder)
                continue
            main = next((f for f in files if f.suffix == ".xlsx"), files[0])
            others = [
                f.suffix for f in files if f != main and f.parent == main.parent and f.stem == main.stem
            ]
            rest = [f for f in files if f != main and f.suffix not in others]
            out.append(f"  {what}：{main}" + (f"（另有 {'、'.join(others)}）" if others else ""))
            out += [f"  {what}：{f}" for f in rest]
        if self.files.get("quarantined"):
            out.append(f"  隔离区：{paths.quarantine}（每个文件附 .reason.json 说明原因）")
        if self.log_path is not None:
            out.append(f"  运行日志（Dagster、dbt 的详细输出）：{self.log_path}")
        return out if len(out) > 1 else []


def _fit(body: list[str], room: int) -> list[str]:
    """Keep every heading line (not indented) and as many detail lines (indented) as fit, fatal findings
    first, in their order; say how many were left out (the data-quality report and the 退回修改清单 have
    them all)."""
    details = [i for i, line in enumerate(body) if line.startswith(" ")]
    headings = len(body) - len(details)
    if len(body) <= room:
        return body
    keep = max(room - headings - 1, 0)
    chosen = set(sorted(details, key=lambda i: ("致命" not in body[i], i))[:keep])
    out = [line for i, line in enumerate(body) if not line.startswith(" ") or i in chosen]
    return out + [f"    ……另有 {len(details) - keep} 行明细，见数据质量报告和退回修改清单"]


def _first_line(text: str, limit: int = 120) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


# --- facts from the warehouse and the serving folder ------------------------------------------------------
def read_published(serving: Path) -> Published | None:
    """What data/serving/ holds now (its manifest), or None before the first publish."""
    try:
        manifest = json.loads((serving / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Published(manifest.get("version_id"), manifest["published_at"], len(manifest.get("tables", {})))


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> tuple:
    return con.execute(sql, params).fetchall()[0]


_THIS_RUN_LOGS = "SELECT log_id FROM raw.ingest_log WHERE run_id = ?"


def collect_ingestion(con: duckdb.DuckDBPyConnection, summary: RunSummary, run_id: str) -> None:
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
    for rule, rows, (file_name, sheet, row, column, message) in con.execute(
        f"""SELECT rule, count(DISTINCT (file_id, sheet, source_row)),
                   arg_min([file_name, sheet, source_row::VARCHAR, column_header, message_zh],
                           [file_name, sheet, lpad(source_row::VARCHAR, 9, '0')])
            FROM raw.rejected_rows WHERE log_id IN ({_THIS_RUN_LOGS}) GROUP BY rule ORDER BY 2 DESC, 1""",
        [run_id],
    ).fetchall():
        where = f"{file_name} {sheet} 第{row}行" + (f"「{column}」" if column else "")
        summary.rejections.append(f"退回 {rows} 行（{rule}），如 {where}：{_first_line(message or '', 60)}")
    summary.all_rejected = con.execute(
        "SELECT file_name, rows_rejected FROM raw.ingest_log WHERE run_id = ? AND status = 'accepted' "
        "AND rows_loaded = 0 AND rows_rejected > 0 ORDER BY file_name",
        [run_id],
    ).fetchall()


def collect_quality(con: duckdb.DuckDBPyConnection, summary: RunSummary, run_id: str) -> None:
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
        """SELECT * FROM (
               SELECT rule_id, table_name, scope, severity, sum(unexpected_count) AS n, bool_or(blocking) AS b
               FROM raw.dq_rule_results WHERE run_id = ? AND NOT success GROUP BY ALL)
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


def collect_marts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    marts = {}
    for (table,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1"
    ).fetchall():
        marts[f"marts.{table}"] = con.execute(f'SELECT count(*) FROM marts."{table}"').fetchall()[0][0]
    return marts


def collect(summary: RunSummary, paths: DataPaths, *, marts: bool) -> None:
    """Fill the summary from the warehouse (read-only) after the job ended; tolerant of a warehouse that a
    failed first run left without some tables."""
    if not paths.warehouse.exists():
        return
    con = connect(paths.warehouse, read_only=True)
    # a warehouse that a failed first run left without some log tables: say what is there
    missing = duckdb.CatalogException
    try:
        for step in (collect_ingestion, collect_quality):
            with contextlib.suppress(missing):
                step(con, summary, summary.run_id)
        if marts:
            with contextlib.suppress(missing):
                summary.marts = collect_marts(con)
    finally:
        con.close()

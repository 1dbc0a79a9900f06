"""The summary `xmdw run` prints at the end: at most 40 lines, in Chinese, times in 北京时间.

Honest about what happened: files and rows, every fatal rule as 致命 (a fatal row rule holds rows back
and reports WARN to Dagster so that other units' data still flow — here it reads 致命·已暂扣 n 行), what
was held back, what was published (the data version) and where everything is. 成功 only when the run
published; the exit status is non-zero when nothing could be published. Facts come from the warehouse's
log tables (raw.ingest_log, raw.rejected_rows, raw.value_findings, raw.dq_*; reports/run_facts.py, on
either engine) and serving/manifest.json.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from xmdw.core.console import STAGES, in_cst, stamp
from xmdw.core.diskspace import EXIT_DISK_FULL
from xmdw.core.paths import DataPaths
from xmdw.reports.run_facts import Finding, collect, first_line

__all__ = ["Finding", "Published", "RunSummary", "collect", "read_published"]

MAX_LINES = 40
MAX_FATAL_LINES = 8
MAX_WARNING_LINES = 4
MAX_REASON_LINES = 3
FILE_STATUS_ZH = {"accepted": "接收", "quarantined": "隔离", "duplicate": "重复", "deferred": "等待"}


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
                f"失败步骤：{STAGES.get(step, step)} — {first_line(text.split(' | ')[-1])}（详见运行日志）"
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


# --- facts from the warehouse and the serving folder ------------------------------------------------------
def read_published(serving: Path) -> Published | None:
    """What data/serving/ holds now (its manifest), or None before the first publish."""
    try:
        manifest = json.loads((serving / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Published(manifest.get("version_id"), manifest["published_at"], len(manifest.get("tables", {})))

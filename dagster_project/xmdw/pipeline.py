"""Run the whole pipeline headless through Dagster and summarise what happened."""

from __future__ import annotations

import os
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from xmdw.diskspace import EXIT_DISK_FULL, DiskFullError, check_free_space, is_disk_full, text_means_disk_full
from xmdw.faultpoints import ENV as FAULT_ENV
from xmdw.faultpoints import armed as faultpoints_armed
from xmdw.faultpoints import pause_point
from xmdw.paths import DBT_EXECUTABLE, DBT_PROJECT_DIR, DBT_TARGET_DIR, SEEDS_DIR, DataPaths
from xmdw.runlock import run_lock
from xmdw.settings import configure_environment

MANIFEST = DBT_TARGET_DIR / "manifest.json"


def _newest_mtime(*roots: Path) -> float:
    newest = 0.0
    for root in roots:
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        newest = max([newest, *(p.stat().st_mtime for p in files)])
    return newest


def prepare_dbt(force: bool = False) -> Path:
    """`dbt parse` when the manifest is missing or older than the dbt sources: @dbt_assets reads it at
    import time. Same environment as at run time (configure_environment)."""
    configure_environment()
    sources = (
        DBT_PROJECT_DIR / "models",
        DBT_PROJECT_DIR / "macros",
        DBT_PROJECT_DIR / "dbt_project.yml",
        SEEDS_DIR,
    )
    if force or not MANIFEST.exists() or MANIFEST.stat().st_mtime < _newest_mtime(*sources):
        subprocess.run(
            [
                DBT_EXECUTABLE,
                "parse",
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(DBT_TARGET_DIR),
                "--quiet",
            ],
            cwd=DBT_PROJECT_DIR,
            env=os.environ.copy(),
            check=True,
        )
    return MANIFEST


@dataclass
class RunSummary:
    success: bool
    run_id: str
    files: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    checks: list[tuple[str, bool, str]] = field(default_factory=list)  # (check, passed, severity)
    marts: dict[str, int] = field(default_factory=dict)
    failed_steps: list[str] = field(default_factory=list)
    outputs: list[tuple[str, str]] = field(default_factory=list)  # (what, path) the run wrote
    problems: list[str] = field(default_factory=list)  # plain-language causes (e.g. the disk is full)
    disk_full: bool = False

    def merge(self, other: RunSummary) -> RunSummary:
        """A follow-up run (the period reports) joins this summary."""
        self.success = self.success and other.success
        self.failed_steps += other.failed_steps
        self.outputs += other.outputs
        self.problems += other.problems
        self.disk_full = self.disk_full or other.disk_full
        return self

    @property
    def exit_code(self) -> int:
        if self.success:
            return 0
        return EXIT_DISK_FULL if self.disk_full else 1

    def lines(self, paths: DataPaths) -> list[str]:
        status = "成功 SUCCESS" if self.success else "失败 FAILED"
        out = [
            f"xmdw 运行结束 / run finished: {status}  (run {self.run_id})",
            "  文件 files this run: 接收 accepted {accepted}, 隔离 quarantined {quarantined}, "
            "重复 duplicate {duplicate}".format(
                **{k: self.files.get(k, 0) for k in ("accepted", "quarantined", "duplicate")}
            ),
            "  行 rows this run: 载入 loaded {loaded}, 退回 rejected {rejected}, 跳过 skipped {skipped}".format(
                **{k: self.rows.get(k, 0) for k in ("loaded", "rejected", "skipped")}
            ),
        ]
        failed = [c for c in self.checks if not c[1]]
        out.append(
            f"  数据质量 GX checks: {len(self.checks) - len(failed)}/{len(self.checks)} passed"
            + "".join(f"; {name} failed ({sev})" for name, _, sev in failed)
        )
        for mart, n in sorted(self.marts.items()):
            out.append(f"  专题表 mart {mart}: {n} rows")
        if self.failed_steps:
            out.append("  失败步骤 failed steps: " + ", ".join(self.failed_steps))
        out += [f"  {p}" for p in self.problems]
        out += [f"  {what}: {path}" for what, path in self.outputs]
        out += [
            f"  数仓 warehouse: {paths.warehouse}",
            f"  隔离区 quarantine: {paths.quarantine}  (每个文件附 .reason.json 说明原因)",
        ]
        return out


def _ingestion_counts(paths: DataPaths, run_id: str) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    if not paths.warehouse.exists():
        return {}, {}, {}
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        files = dict(
            con.execute(
                "SELECT status, count(*) FROM raw.ingest_log WHERE run_id = ? GROUP BY 1", [run_id]
            ).fetchall()
        )
        totals = con.execute(
            "SELECT coalesce(sum(rows_loaded),0), coalesce(sum(rows_rejected),0), coalesce(sum(rows_skipped),0) "
            "FROM raw.ingest_log WHERE run_id = ?",
            [run_id],
        ).fetchall()[0]
        marts = {}
        for schema, table in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 2"
        ).fetchall():
            marts[f"{schema}.{table}"] = con.execute(f'SELECT count(*) FROM {schema}."{table}"').fetchall()[
                0
            ][0]
    except duckdb.CatalogException:
        return {}, {}, {}
    finally:
        con.close()
    rows = {"loaded": int(totals[0]), "rejected": int(totals[1]), "skipped": int(totals[2])}
    return files, rows, marts


# What each asset's file outputs are called in the summary
OUTPUT_LABELS = {
    "serving/xmdw": "BI 发布副本 published for BI",
    "reports/dq_report": "数据质量报告 data-quality report",
    "reports/monthly_bulletin": "月通报 monthly bulletin",
    "reports/quarterly_scorecard": "季考核 quarterly scorecard",
    "reports/year_end_evaluation": "年终评 year-end evaluation",
}


def _outputs(result) -> list[tuple[str, str]]:
    """The files the run's assets wrote (their `path` metadata), labelled for the summary."""
    from dagster import PathMetadataValue

    out = []
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        key = materialization.asset_key.to_user_string()
        if key not in OUTPUT_LABELS:
            continue
        label = OUTPUT_LABELS[key] + (f" {materialization.partition}" if materialization.partition else "")
        out += [
            (label, str(v.value))
            for v in materialization.metadata.values()
            if isinstance(v, PathMetadataValue)
        ]
    return out


def _failure_texts(result) -> list[tuple[str, str]]:
    """(step, error text with its causes) of every failed step."""
    out = []
    for ev in result.all_events:
        if ev.event_type_value != "STEP_FAILURE" or not ev.step_key:
            continue
        error, parts = ev.event_specific_data.error, []
        while error is not None:
            parts.append(f"{error.cls_name}: {error.message}")
            error = error.cause or error.context
        out.append((ev.step_key, " | ".join(parts)))
    return out


def _materialized(result) -> set[str]:
    return {
        e.event_specific_data.materialization.asset_key.to_user_string()
        for e in result.get_asset_materialization_events()
    }


def _fault_listener(event) -> None:
    """Dagster events as fault points for the kill tests (xmdw.faultpoints): step:, done:, log:."""
    if event.is_dagster_event:
        kind, step = event.dagster_event.event_type_value, event.step_key or ""
        if kind == "STEP_START":
            pause_point(f"step:{step}")
        elif kind == "ASSET_MATERIALIZATION":
            pause_point(f"done:{step}")
        return
    spec = os.environ.get(FAULT_ENV, "").rstrip("~").partition("#")[0]
    if spec.startswith("log:") and spec[4:] in (event.user_message or ""):
        pause_point(spec)


def _execute(job_name: str, partition_key: str | None, paths: DataPaths):
    from dagster import DagsterInstance

    from xmdw.definitions import defs

    run_id = str(uuid.uuid4())  # chosen here so the fault listener can subscribe before the run starts
    with DagsterInstance.get() as instance:
        if faultpoints_armed():
            instance.add_event_listener(run_id, _fault_listener)
        try:
            return defs.resolve_job_def(job_name).execute_in_process(
                instance=instance, raise_on_error=False, partition_key=partition_key, run_id=run_id
            )
        except Exception as e:  # the run history (SQLite) itself could not be written
            if is_disk_full(e, paths.root):
                raise DiskFullError(f"写入运行记录（{paths.dagster_home}）失败", str(e)) from e
            raise


def run_pipeline(
    job_name: str = "xmdw_build_all", partition_key: str | None = None, wait: float | None = None
) -> RunSummary:
    """Execute a Dagster job (one partition of it, if given) in this process against the persistent
    instance in DAGSTER_HOME.

    One run at a time per data directory (xmdw.runlock; `wait` as there). A disk that is nearly full
    stops the run before it starts; one that fills up during the run is named in the summary's
    problems — either way the published copy is left as it was (DiskFullError, xmdw.diskspace).
    """
    paths = configure_environment()
    with run_lock(paths.run_lock, wait=wait):
        pause_point("pipeline.start")
        check_free_space(paths.root)
        prepare_dbt()
        result = _execute(job_name, partition_key, paths)
        pause_point("pipeline.after_job")
        checks = [
            (e.check_name, e.passed, e.severity.value)
            for e in result.get_asset_check_evaluations()
            if e.check_name.startswith("gx_")
        ]
        failures = _failure_texts(result)
        files, rows, marts = _ingestion_counts(paths, result.run_id[:12])
    summary = RunSummary(
        result.success,
        result.run_id[:12],
        files,
        rows,
        checks,
        marts,
        [step for step, _ in failures],
        _outputs(result),
    )
    full = [step for step, text in failures if text_means_disk_full(text, paths.root)]
    if full:
        summary.disk_full = True
        published = any(key.startswith("serving/") for key in _materialized(result))
        summary.problems.append(str(DiskFullError(f"步骤 {', '.join(full)} 写入失败", "", published)))
    return summary


def latest_periods(months: list[str]) -> dict[str, str]:
    """The period reports a headless run ends with, given the report months with data ('YYYY-MM'):
    the latest month's bulletin, the latest complete quarter's scorecard, the latest complete year's
    evaluation (partition keys; see orchestration/partitions.py)."""
    if not months:
        return {}
    latest = max(months)
    periods = {"xmdw_bulletin": latest}
    quarter_ends = [m for m in months if int(m[5:]) % 3 == 0]
    if quarter_ends:
        end = max(quarter_ends)
        periods["xmdw_quarterly_assessment"] = f"{end[:4]}-{int(end[5:]) - 2:02d}"
    decembers = [m for m in months if m.endswith("-12")]
    if decembers:
        periods["xmdw_year_end_evaluation"] = max(decembers)[:4]
    return periods


def run_period_reports() -> RunSummary | None:
    """Build the latest bulletin, scorecard and evaluation from the published copy (one run each)."""
    paths = configure_environment()
    if not paths.served_warehouse.exists():
        return None
    from xmdw.reports.bulletin import months_with_data

    summary: RunSummary | None = None
    for job_name, partition in latest_periods(months_with_data(paths.served_warehouse)).items():
        run = run_pipeline(job_name, partition_key=partition)
        summary = run if summary is None else summary.merge(run)
    return summary

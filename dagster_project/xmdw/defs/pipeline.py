"""Run the whole pipeline headless through Dagster: stage lines on the terminal (xmdw.core.console), the
detail in data/logs/, and a summary of what happened (xmdw.reports.run_summary)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from xmdw.core import console
from xmdw.core.diskspace import DiskFullError, check_free_space, is_disk_full, text_means_disk_full
from xmdw.core.faultpoints import ENV as FAULT_ENV
from xmdw.core.faultpoints import armed as faultpoints_armed
from xmdw.core.faultpoints import pause_point
from xmdw.core.paths import DataPaths, data_paths
from xmdw.core.runlock import run_lock
from xmdw.core.settings import configure_environment
from xmdw.reports.run_summary import RunSummary, collect, read_published

LOGS_DIRNAME = "logs"  # data/logs/run_<北京时间>.log: what Dagster and dbt said during a headless run
__all__ = ["RunSummary", "latest_periods", "prepare_dbt", "run_period_reports", "run_pipeline", "session"]


def prepare_dbt(force: bool = False) -> Path:
    """`xmdw prepare`: dagster-dbt's preparation of the dbt project, when it is stale (defs/dbt_project.py).
    Imported late, so that in a headless run dagster-dbt's import-time output goes to the run log."""
    from xmdw.defs.dbt_project import prepare_dbt as prepare

    return prepare(force=force)


# What each asset's file outputs are called in the summary: serving by metadata key, reports by file name
SERVING_LABELS = {"duckdb": "BI 发布副本（DuckDB）", "excel": "Excel/WPS 工作簿"}
REPORT_ASSETS = (
    "reports/dq_report",
    "reports/monthly_bulletin",
    "reports/quarterly_scorecard",
    "reports/year_end_evaluation",
)
PUBLISHING_JOBS = {"xmdw_build_all", "xmdw_monthly"}  # jobs with the publish step: they must publish


def _outputs(result) -> list[tuple[str, str]]:
    """The files the run's assets wrote (their `path` metadata), labelled for the summary."""
    from dagster import PathMetadataValue

    out = []
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        key = materialization.asset_key.to_user_string()
        for name, value in materialization.metadata.items():
            if not isinstance(value, PathMetadataValue):
                continue
            if key == "serving/xmdw" and name in SERVING_LABELS:
                out.append((SERVING_LABELS[name], str(value.value)))
            elif key in REPORT_ASSETS:  # 月通报_2024-11.xlsx -> 月通报 2024-11
                out.append((Path(str(value.value)).stem.replace("_", " "), str(value.value)))
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
    """Dagster events as fault points for the kill tests (xmdw.core.faultpoints): step:, done:, log:."""
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


def period_label(job_name: str, partition_key: str | None) -> str | None:
    """A partition as people write the period: 2024-11, 2024Q4 (quarter partitions are 'YYYY-MM' of the
    quarter's first month), 2024."""
    if partition_key and job_name == "xmdw_quarterly_assessment":
        return f"{partition_key[:4]}Q{(int(partition_key[5:]) - 1) // 3 + 1}"
    return partition_key


def _execute(job_name: str, partition_key: str | None, paths: DataPaths, screen: console.Console):
    run_id = str(uuid.uuid4())  # chosen here so the listeners can subscribe before the run starts
    screen.partition = period_label(job_name, partition_key)
    # Dagster's and dbt's output (import-time warnings included) into the run log
    with console.quiet(screen):
        from dagster import DagsterInstance

        from xmdw.defs.definitions import defs

        with DagsterInstance.get() as instance:
            instance.add_event_listener(run_id, screen.on_event)
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


def session(paths: DataPaths):
    """One console and run log for a whole command (`xmdw run`: the build, then the period reports)."""
    return console.session(paths.root / LOGS_DIRNAME)


def run_pipeline(
    job_name: str = "xmdw_build_all", partition_key: str | None = None, wait: float | None = None
) -> RunSummary:
    """Execute a Dagster job (one partition of it, if given) in this process against the persistent
    instance in DAGSTER_HOME; stage lines on the terminal, Dagster's and dbt's output in the run log
    (xmdw.core.console), facts for the summary from the warehouse (xmdw.reports.run_summary).

    One run at a time per data directory (xmdw.core.runlock; `wait` as there). A disk that is nearly full
    stops the run before it starts; one that fills up during the run is named in the summary's
    problems — either way the published copy is left as it was (DiskFullError, xmdw.core.diskspace).
    """
    paths = configure_environment()
    with run_lock(paths.run_lock, wait=wait), session(paths) as screen:
        pause_point("pipeline.start")
        check_free_space(paths.root)
        with console.quiet(screen):
            prepare_dbt()
        started = console.now_cst()
        result = _execute(job_name, partition_key, paths, screen)
        pause_point("pipeline.after_job")
        summary = RunSummary(
            result.success,
            result.run_id[:12],
            checks=[
                (e.check_name, e.passed, e.severity.value)
                for e in result.get_asset_check_evaluations()
                if e.check_name.startswith("gx_")
            ],
            outputs=_outputs(result),
            job_name=job_name,
            expects_publish=job_name in PUBLISHING_JOBS,
            started=started,
            log_path=screen.log_path,
        )
        failures = _failure_texts(result)
        summary.failed_steps = [step for step, _ in failures]
        summary.failure_texts = failures
        materialized = _materialized(result)
        if "serving/xmdw" in materialized:
            summary.published = read_published(paths.serving)
        elif summary.expects_publish:
            summary.last_published = read_published(paths.serving)
        if any(key.startswith("raw/") for key in materialized) or summary.expects_publish:
            collect(summary, paths, marts=summary.expects_publish)
        summary.finished = console.now_cst()
    full = [step for step, text in failures if text_means_disk_full(text, paths.root)]
    if full:
        summary.disk_full = True
        published = any(key.startswith("serving/") for key in materialized)
        summary.problems.append(str(DiskFullError(f"步骤 {', '.join(full)} 写入失败", "", published)))
    return summary


def latest_periods(months: list[str]) -> dict[str, str]:
    """The period reports a headless run ends with, given the report months with data ('YYYY-MM'):
    the latest month's bulletin, the latest complete quarter's scorecard, the latest complete year's
    evaluation (partition keys; see defs/partitions.py)."""
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
    paths = data_paths()  # each run_pipeline sets the process up (configure_environment)
    if not paths.served_warehouse.exists():
        return None
    from xmdw.reports.bulletin import months_with_data

    summary: RunSummary | None = None
    for job_name, partition in latest_periods(months_with_data(paths.served_warehouse)).items():
        run = run_pipeline(job_name, partition_key=partition)
        summary = run if summary is None else summary.merge(run)
    return summary

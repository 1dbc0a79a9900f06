"""Sensors: files arriving in data/landing/ start a refresh; a refresh that loaded corrected monthly
figures rebuilds the bulletins of the months it changed.

Which bulletins a resubmission makes stale (docs/decisions.md): figures are cumulative within a plan
year (本年累计, carried forward from the last report), so corrected figures for month M change the
bulletins of M and of every later month *of the same year*. Ledgers without a report month (registry,
plans, procedures, contracts, funds) describe the current state: they change only the latest bulletin;
earlier ones stay as issued. Bulletins never built are left to the monthly schedule.
"""

import hashlib
import time
from collections.abc import Iterable
from pathlib import Path

from dagster import (
    DagsterEventType,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    RunStatusSensorContext,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_status_sensor,
    sensor,
)

from xmdw.defs.cadence import build_all_job, bulletin_job, monthly_job
from xmdw.defs.ingest import raw_key
from xmdw.defs.report_assets import BULLETIN_KEY
from xmdw.defs.resources import WarehouseResource
from xmdw.ingestion.batch import landing_files

# A file younger than this may still be being copied (a unit's upload, a network share).
SETTLE_SECONDS = 30
REFRESH_JOBS = (build_all_job.name, monthly_job.name)
IN_PROGRESS = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
]


def landing_fingerprint(files: Iterable[Path]) -> str:
    """Identity of a set of landing files: names, sizes and modification times."""
    h = hashlib.sha256()
    for f in sorted(files):
        st = f.stat()
        h.update(f"{f}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


@sensor(
    name="landing_files",
    job=build_all_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="data/landing/ 有新文件时启动一次刷新 — start a refresh when files arrive in data/landing/",
)
def landing_sensor(context: SensorEvaluationContext, warehouse: WarehouseResource):
    files = landing_files(warehouse.paths.landing)
    if not files:
        return SkipReason("landing/ 为空 — no files waiting")
    newest = max(f.stat().st_mtime for f in files)
    if time.time() - newest < SETTLE_SECONDS:
        return SkipReason(f"文件仍在写入 — newest file is younger than {SETTLE_SECONDS} s, waiting")
    busy = context.instance.get_run_records(RunsFilter(statuses=IN_PROGRESS))
    if any(r.dagster_run.job_name in REFRESH_JOBS for r in busy):
        return SkipReason("已有刷新在运行，它会处理这些文件 — a refresh is running and will take them")
    fingerprint = landing_fingerprint(files)
    if fingerprint == context.cursor:
        return SkipReason("这些文件已触发过一次运行 — this set of files already started a run")
    return SensorResult(
        run_requests=[
            RunRequest(
                run_key=f"landing-{fingerprint}",
                tags={"xmdw/trigger": "landing", "xmdw/files": str(len(files))},
            )
        ],
        cursor=fingerprint,
    )


def stale_bulletins(
    months_loaded: Iterable[str], state_rows_loaded: int, built: Iterable[str], just_built: str | None = None
) -> list[str]:
    """Bulletin partitions to rebuild after a refresh (rule in the module docstring). Pure."""
    built = sorted(set(built) - {just_built})
    stale: set[str] = set()
    for loaded in months_loaded:
        year = loaded[:4]
        stale.update(m for m in built if m[:4] == year and m >= loaded)
    if state_rows_loaded and built:
        stale.add(built[-1])
    return sorted(stale)


def _ingest_metadata(context: RunStatusSensorContext) -> dict:
    """The ingestion summary the run recorded on raw/ingest_log (months loaded, state-ledger rows)."""
    for record in context.instance.all_logs(
        context.dagster_run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION
    ):
        materialization = record.asset_materialization
        if materialization and materialization.asset_key == raw_key("ingest_log"):
            return {k: v.value for k, v in materialization.metadata.items()}
    return {}


@run_status_sensor(
    name="bulletins_after_resubmission",
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[build_all_job, monthly_job],
    request_job=bulletin_job,
    default_status=DefaultSensorStatus.RUNNING,
    description="补报/更正后重出受影响月份的月通报 — rebuild the bulletins a resubmission made stale",
)
def bulletins_after_resubmission(context: RunStatusSensorContext):
    meta = _ingest_metadata(context)
    built = context.instance.get_materialized_partitions(BULLETIN_KEY)
    months = stale_bulletins(
        meta.get("report_months_loaded") or [],
        int(meta.get("state_ledger_rows_loaded") or 0),
        built,
        just_built=context.dagster_run.tags.get("dagster/partition"),
    )
    if not months:
        return SkipReason("no published bulletin is affected by this run")
    run_id = context.dagster_run.run_id[:12]
    return [RunRequest(run_key=f"restate-{run_id}-{m}", partition_key=m) for m in months]


SENSORS = [landing_sensor, bulletins_after_resubmission]

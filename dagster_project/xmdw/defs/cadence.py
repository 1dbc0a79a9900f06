"""The plan's cadence as jobs and schedules (China Standard Time): 周监测、月通报、季考核、年终评.

- 周监测 weekly monitoring, Monday 08:00: ingest what arrived, run the checks, build and publish the
  marts, write the data-quality report (the units' to-do list for the week).
- 月通报 monthly bulletin, on the units' deadline (default the 6th, env XMDW_BULLETIN_DAY) at 09:00: the
  same refresh plus the bulletin of the previous month (one run, partition = report month).
- 季考核 quarterly assessment, the 10th of Jan/Apr/Jul/Oct at 09:00: the scorecard of the last quarter.
- 年终评 year-end evaluation, 15 January at 09:00: the evaluation of the previous plan year.

The schedules are on by default: they tick whenever the Dagster daemon runs (`make ui`).
Every run touches DuckDB, so the instance runs one run at a time (dagster.yaml written by
the entry points: `xmdw prepare` before `make ui`, `xmdw run`) and each run executes its steps one after another (in-process executor).
"""

import os

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    RunRequest,
    ScheduleEvaluationContext,
    define_asset_job,
    schedule,
)

from xmdw.defs.partitions import TIMEZONE, previous_month, previous_quarter
from xmdw.defs.report_assets import BULLETIN_KEY, REPORT_KEY, SCORECARD_KEY, YEAR_END_KEY

PERIOD_REPORT_KEYS = [BULLETIN_KEY, SCORECARD_KEY, YEAR_END_KEY]
REFRESH = AssetSelection.all() - AssetSelection.assets(*PERIOD_REPORT_KEYS)

build_all_job = define_asset_job(
    "xmdw_build_all",
    selection=REFRESH,
    description="Ingest landing files, run the GX checks, build all dbt models, publish the marts for BI "
    "and write the data-quality report (the whole refresh; also the weekly monitoring).",
)
ingest_job = define_asset_job(
    "xmdw_ingest",
    selection=AssetSelection.groups("ingestion") | AssetSelection.assets(REPORT_KEY),
    description="Ingest landing files, run their GX checks and write the data-quality report.",
)
monthly_job = define_asset_job(
    "xmdw_monthly",
    selection=REFRESH | AssetSelection.assets(BULLETIN_KEY),
    description="月通报: the whole refresh, then the bulletin of the report month (partition).",
)
bulletin_job = define_asset_job(
    "xmdw_bulletin",
    selection=AssetSelection.assets(BULLETIN_KEY),
    description="Rebuild bulletins from the published copy (after a resubmission changed their months).",
)
quarterly_job = define_asset_job(
    "xmdw_quarterly_assessment",
    selection=AssetSelection.assets(SCORECARD_KEY),
    description="季考核: the quarterly scorecard per lead unit from the published copy.",
)
year_end_job = define_asset_job(
    "xmdw_year_end_evaluation",
    selection=AssetSelection.assets(YEAR_END_KEY),
    description="年终评: the year-end evaluation from the published copy.",
)
JOBS = [build_all_job, ingest_job, monthly_job, bulletin_job, quarterly_job, year_end_job]

BULLETIN_DAY = int(os.environ.get("XMDW_BULLETIN_DAY", "6"))


@schedule(
    name="weekly_monitoring",
    cron_schedule="0 8 * * 1",
    execution_timezone=TIMEZONE,
    default_status=DefaultScheduleStatus.RUNNING,
    job=build_all_job,
    description="周监测: Monday 08:00 — ingest, checks, build, publish, data-quality report",
)
def weekly_monitoring(context: ScheduleEvaluationContext) -> RunRequest:
    day = context.scheduled_execution_time
    return RunRequest(run_key=f"weekly-{day:%Y-%m-%d}", tags={"xmdw/cadence": "weekly"})


@schedule(
    name="monthly_bulletin",
    cron_schedule=f"0 9 {BULLETIN_DAY} * *",
    execution_timezone=TIMEZONE,
    default_status=DefaultScheduleStatus.RUNNING,
    job=monthly_job,
    description="月通报: after the units' deadline — refresh and the bulletin of the previous month",
)
def monthly_bulletin_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    month = previous_month(context.scheduled_execution_time)
    return RunRequest(run_key=f"bulletin-{month}", partition_key=month, tags={"xmdw/cadence": "monthly"})


@schedule(
    name="quarterly_assessment",
    cron_schedule="0 9 10 1,4,7,10 *",
    execution_timezone=TIMEZONE,
    default_status=DefaultScheduleStatus.RUNNING,
    job=quarterly_job,
    description="季考核: the 10th after a quarter ends — the scorecard of that quarter",
)
def quarterly_assessment(context: ScheduleEvaluationContext) -> RunRequest:
    quarter = previous_quarter(context.scheduled_execution_time)
    return RunRequest(
        run_key=f"scorecard-{quarter}", partition_key=quarter, tags={"xmdw/cadence": "quarterly"}
    )


@schedule(
    name="year_end_evaluation",
    cron_schedule="0 9 15 1 *",
    execution_timezone=TIMEZONE,
    default_status=DefaultScheduleStatus.RUNNING,
    job=year_end_job,
    description="年终评: 15 January — the evaluation of the previous plan year",
)
def year_end_evaluation_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    year = str(context.scheduled_execution_time.year - 1)
    return RunRequest(run_key=f"year-end-{year}", partition_key=year, tags={"xmdw/cadence": "year_end"})


SCHEDULES = [weekly_monitoring, monthly_bulletin_schedule, quarterly_assessment, year_end_evaluation_schedule]

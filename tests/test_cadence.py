"""The cadence: schedules evaluated at given times in China Standard Time, the landing sensor with
files present, the rule for which bulletins a resubmission makes stale, the periods a headless run
reports. Real Dagster definitions and a real (ephemeral) Dagster instance."""

from __future__ import annotations

import os
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from dagster import (
    DagsterInstance,
    DagsterRunStatus,
    RunRequest,
    build_schedule_context,
    build_sensor_context,
)

from xmdw.defs.partitions import MONTHLY, QUARTERLY, previous_month, previous_quarter, quarter_of
from xmdw.defs.pipeline import latest_periods
from xmdw.defs.sensors import landing_fingerprint, stale_bulletins

CST = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def defs():
    from xmdw.defs.definitions import defs

    return defs


def _tick(defs, name: str, when: datetime) -> RunRequest:
    schedule = defs.resolve_schedule_def(name)
    with DagsterInstance.ephemeral() as instance:
        context = build_schedule_context(
            instance=instance, scheduled_execution_time=when, repository_def=defs.get_repository_def()
        )
        result = schedule.evaluate_tick(context)
    assert result.skip_message is None, result.skip_message
    [request] = result.run_requests
    return request


@pytest.mark.parametrize(
    ("name", "cron", "job"),
    [
        ("weekly_monitoring", "0 8 * * 1", "xmdw_build_all"),
        ("monthly_bulletin", "0 9 6 * *", "xmdw_monthly"),
        ("quarterly_assessment", "0 9 10 1,4,7,10 *", "xmdw_quarterly_assessment"),
        ("year_end_evaluation", "0 9 15 1 *", "xmdw_year_end_evaluation"),
    ],
)
def test_schedules_run_in_china_standard_time(defs, name, cron, job):
    schedule = defs.resolve_schedule_def(name)
    assert (schedule.cron_schedule, schedule.execution_timezone, schedule.job_name) == (
        cron,
        "Asia/Shanghai",
        job,
    )


def test_monthly_bulletin_covers_the_previous_month(defs):
    assert _tick(defs, "monthly_bulletin", datetime(2024, 12, 6, 9, tzinfo=CST)).partition_key == "2024-11"
    # January's bulletin day reports December of the year before
    request = _tick(defs, "monthly_bulletin", datetime(2025, 1, 6, 9, tzinfo=CST))
    assert (request.partition_key, request.run_key) == ("2024-12", "bulletin-2024-12")
    assert request.partition_key in MONTHLY.get_partition_keys(datetime(2025, 1, 6, 9, tzinfo=CST))


def test_quarterly_and_year_end_cover_the_period_just_ended(defs):
    assert (
        _tick(defs, "quarterly_assessment", datetime(2024, 7, 10, 9, tzinfo=CST)).partition_key == "2024-04"
    )
    q4 = _tick(defs, "quarterly_assessment", datetime(2025, 1, 10, 9, tzinfo=CST)).partition_key
    assert q4 == "2024-10" and quarter_of(q4) == (2024, 4)
    assert q4 in QUARTERLY.get_partition_keys(datetime(2025, 1, 10, 9, tzinfo=CST))
    assert _tick(defs, "year_end_evaluation", datetime(2025, 1, 15, 9, tzinfo=CST)).partition_key == "2024"
    assert (
        _tick(defs, "weekly_monitoring", datetime(2024, 11, 25, 8, tzinfo=CST)).run_key == "weekly-2024-11-25"
    )


def test_period_arithmetic():
    assert previous_month(datetime(2024, 3, 6)) == "2024-02"
    assert previous_month(datetime(2024, 1, 6)) == "2023-12"
    assert [previous_quarter(datetime(2024, m, 10)) for m in (1, 4, 7, 10)] == [
        "2023-10",
        "2024-01",
        "2024-04",
        "2024-07",
    ]
    assert quarter_of("2024-07") == (2024, 3)


def _sensor(defs, instance, cursor=None):
    # the resources the daemon gives the sensor: the warehouse resource, bound to XMDW_DATA_DIR (data_dir)
    context = build_sensor_context(
        instance=instance, cursor=cursor, definitions=defs, resources=dict(defs.resources)
    )
    return defs.resolve_sensor_def("landing_files").evaluate_tick(context)


def test_landing_sensor_starts_one_refresh_when_files_have_settled(defs, data_dir):
    with DagsterInstance.ephemeral() as instance:
        assert "为空" in _sensor(defs, instance).skip_message  # nothing waiting

        ledger = data_dir.landing / "610728" / "县交通局_2024年03月_进度.xlsx"
        ledger.parent.mkdir(parents=True)
        ledger.write_bytes(b"PK fake xlsx: the sensor only looks at names, sizes and times")
        assert "仍在写入" in _sensor(defs, instance).skip_message  # still being copied

        settled = time.time() - 120
        os.utime(ledger, (settled, settled))
        result = _sensor(defs, instance)
        [request] = result.run_requests
        assert request.job_name in (None, "xmdw_build_all")
        assert request.tags["xmdw/trigger"] == "landing"
        assert request.run_key == f"landing-{landing_fingerprint([ledger])}"
        # the same files do not start a second run; another file does
        assert "已触发" in _sensor(defs, instance, cursor=result.cursor).skip_message
        second = ledger.with_name("县水利局_2024年03月_进度.csv")
        second.write_text("项目编号\n", encoding="utf-8")
        os.utime(second, (settled, settled))
        assert len(_sensor(defs, instance, cursor=result.cursor).run_requests) == 1


def test_landing_sensor_waits_while_a_refresh_runs(defs, data_dir):
    from dagster._core.storage.dagster_run import DagsterRun

    ledger = data_dir.landing / "县交通局_2024年03月_进度.xlsx"
    ledger.write_bytes(b"x")
    os.utime(ledger, (time.time() - 120, time.time() - 120))
    with DagsterInstance.ephemeral() as instance:
        instance.add_run(
            DagsterRun(job_name="xmdw_build_all", run_id="a" * 36, status=DagsterRunStatus.STARTED)
        )
        assert "已有刷新" in _sensor(defs, instance).skip_message


def test_stale_bulletins_rule():
    built = ["2023-11", "2023-12", "2024-02", "2024-03", "2024-05", "2024-06"]
    # corrected March 2024 progress: March and every later month of 2024, not 2023
    assert stale_bulletins(["2024-03"], 0, built) == ["2024-03", "2024-05", "2024-06"]
    # the run's own partition was just built from the new data
    assert stale_bulletins(["2024-05"], 0, built, just_built="2024-06") == ["2024-05"]
    # December 2023 corrected in 2024: only 2023's December
    assert stale_bulletins(["2023-12"], 0, built) == ["2023-12"]
    # registry/plan changes (no report month): the latest bulletin only
    assert stale_bulletins([], 5, built) == ["2024-06"]
    assert stale_bulletins([], 0, built) == [] and stale_bulletins(["2024-03"], 3, []) == []


def test_headless_run_reports_the_latest_periods():
    months = [f"2024-{m:02d}" for m in range(2, 13)]
    assert latest_periods(months) == {
        "xmdw_bulletin": "2024-12",
        "xmdw_quarterly_assessment": "2024-10",
        "xmdw_year_end_evaluation": "2024",
    }
    assert latest_periods(["2024-02", "2024-04"]) == {"xmdw_bulletin": "2024-04"}
    # a quarter is complete when its last month has been reported
    assert latest_periods(["2024-05", "2024-07"]) == {"xmdw_bulletin": "2024-07"}
    assert latest_periods(["2024-05", "2024-06", "2024-07"]) == {
        "xmdw_bulletin": "2024-07",
        "xmdw_quarterly_assessment": "2024-04",
    }
    assert latest_periods([]) == {}

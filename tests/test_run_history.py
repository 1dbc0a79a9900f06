"""Dagster's run history on SQLite through xmdw.defs.run_history: the dagster.yaml `xmdw run` writes selects it,
a real run's events land in Dagster's own files and read back, and one engine per file serves every event
(Dagster's own storage makes one per event, the cost issue 15 removes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import AssetMaterialization, DagsterInstance, job, op

from xmdw.core.paths import DataPaths
from xmdw.core.settings import configure_environment
from xmdw.defs import run_history
from xmdw.defs.run_history import PooledSqliteEventLogStorage


@op
def _materialise_three(context) -> None:
    for i in range(3):
        context.log_event(AssetMaterialization(asset_key=f"history_test_{i}"))


@job
def _history_job() -> None:
    _materialise_three()


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    home = tmp_path / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    configure_environment(DataPaths(tmp_path / "data"))  # writes dagster.yaml as `xmdw run` does
    with DagsterInstance.get() as inst:
        yield inst


def test_the_dagster_yaml_of_a_run_selects_the_pooled_storage(instance) -> None:
    assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
    # Dagster's own layout: history/runs/ under DAGSTER_HOME, where its default storage keeps the event logs
    assert Path(instance.event_log_storage._base_dir) == Path(instance.root_directory) / "history" / "runs"


def test_a_run_is_stored_and_read_back_through_one_engine_per_file(instance, monkeypatch) -> None:
    created: list[str] = []
    real_create = run_history.create_engine

    def counting_create(url, **kwargs):
        created.append(str(url))
        return real_create(url, **kwargs)

    monkeypatch.setattr(run_history, "create_engine", counting_create)
    result = _history_job.execute_in_process(instance=instance)
    assert result.success
    run_id = result.run_id
    # every event of the run (start, step events, 3 materialisations, success) is in the run's own file ...
    events = instance.all_logs(run_id)
    assert len(events) >= 8
    assert Path(instance.event_log_storage.path_for_shard(run_id)).exists()
    # ... and the asset events in the cross-run index, where the UI's asset pages read them
    for i in range(3):
        assert instance.get_latest_materialization_event(run_history_key(i)) is not None
    # one engine for the run's file and one for the index, however many events were stored
    assert sorted(set(created)) == sorted(created), created
    assert len(created) <= 2, created


def test_old_engines_are_closed_beyond_the_limit(instance) -> None:
    storage = instance.event_log_storage
    for i in range(run_history.MAX_OPEN_SHARDS + 3):
        with storage.run_connection(f"run{i}") as conn:
            conn.exec_driver_sql("select 1")
    assert len(storage._engines) == run_history.MAX_OPEN_SHARDS
    assert "run0" not in storage._engines


def run_history_key(i: int):
    from dagster import AssetKey

    return AssetKey(f"history_test_{i}")


def test_history_commits_without_waiting_for_fsync(instance) -> None:
    # WAL (Dagster's) with synchronous=NORMAL (ours): SQLite's codes — journal "wal", synchronous 1 (NORMAL; 2 is FULL)
    with instance.event_log_storage.run_connection("sync_test") as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1

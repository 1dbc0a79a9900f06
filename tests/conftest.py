"""Shared fixtures: every test gets its own data directory (real DuckDB file, real folders)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from xmdw.core.paths import DataPaths

# One Dagster instance folder for the whole session, outside any test's data dir.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


@pytest.fixture(scope="session", autouse=True)
def _session_env(tmp_path_factory: pytest.TempPathFactory) -> None:
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataPaths:
    """A fresh XMDW_DATA_DIR for one test."""
    root = tmp_path / "data"
    monkeypatch.setenv("XMDW_DATA_DIR", str(root))
    monkeypatch.setenv("XMDW_WAREHOUSE", str(root / "warehouse.duckdb"))
    return DataPaths(root).ensure()

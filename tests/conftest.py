"""Shared fixtures: every test gets its own data directory (real DuckDB file, real folders); the county demo
is built once per test session and shared read-only (`county_demo`), or copied for a test that changes it
(`county_demo_copy`)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pg_server import pg_database, pg_server  # noqa: F401 - fixtures of the engine tests

from xmdw.core.paths import DataPaths
from xmdw.core.settings import DAGSTER_EVENT_LOG_POOLED

# One Dagster instance folder for the whole session, outside any test's data dir.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

XMDW = str(Path(sys.executable).with_name("xmdw"))


@pytest.fixture(scope="session", autouse=True)
def _session_env(tmp_path_factory: pytest.TempPathFactory) -> None:
    home = tmp_path_factory.mktemp("dagster_home")
    # the run history `xmdw run` gets (core/settings.py), without the run queue's settings
    yaml = "telemetry:\n  enabled: false\n" + DAGSTER_EVENT_LOG_POOLED
    (home / "dagster.yaml").write_text(yaml, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataPaths:
    """A fresh XMDW_DATA_DIR for one test."""
    root = tmp_path / "data"
    monkeypatch.setenv("XMDW_DATA_DIR", str(root))
    monkeypatch.setenv("XMDW_WAREHOUSE", str(root / "warehouse.duckdb"))
    return DataPaths(root).ensure()


# --- the county demo, built once ------------------------------------------------------------------------


@dataclass(frozen=True)
class CountyDemo:
    """`xmdw run --demo-if-empty` on an empty data directory: the demo ledgers (seed 2024, 15 % injected
    problems), the whole build, the publish (v0001) and the period reports. Read-only: a test that writes
    to the data directory uses `county_demo_copy`."""

    paths: DataPaths
    stdout: str  # what the run printed (the Chinese run summary)
    manifest: dict  # demo_manifest.json: what the generator wrote and injected

    def copy_to(self, root: Path, mp: pytest.MonkeyPatch) -> DataPaths:
        """A private copy at `root`, with the Dagster run history (the resubmission sensor reads which
        bulletins were built), made this process's XMDW_DATA_DIR, XMDW_WAREHOUSE and DAGSTER_HOME through
        `mp` (a module fixture passes its own `pytest.MonkeyPatch.context()`)."""
        shutil.copytree(self.paths.root, root, symlinks=True)
        paths = DataPaths(root)
        mp.setenv("XMDW_DATA_DIR", str(root))
        mp.setenv("XMDW_WAREHOUSE", str(paths.warehouse))
        mp.setenv("DAGSTER_HOME", str(paths.dagster_home))
        return paths.ensure()


def _fingerprint(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.lstat().st_size, p.lstat().st_mtime_ns)
        for p in root.rglob("*")
        if not p.is_dir() or p.is_symlink()
    }


def _build_county_demo(root: Path) -> str:
    # No DAGSTER_HOME: the run keeps its Dagster instance in the data directory (data/dagster_home), so a
    # copy carries the run history too (the resubmission sensor reads which bulletins were built).
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env |= {"XMDW_DATA_DIR": str(root), "XMDW_WAREHOUSE": str(root / "warehouse.duckdb")}
    proc = subprocess.run(
        [XMDW, "run", "--demo-if-empty"], env=env, capture_output=True, text=True, timeout=1800
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return proc.stdout


@pytest.fixture(scope="session")
def county_demo(_session_env: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CountyDemo]:
    """The county demo, built by the first xdist worker that asks for it and reused by the others (the
    pytest-xdist recipe for once-per-session fixtures: a lock file in the temp folder all workers share).
    A test that changes a file in it fails the session's teardown — copy it instead."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # pytest-N/: the same folder for every worker of this session, and only it
    root, done = shared / "county_demo" / "data", shared / "county_demo" / "stdout.txt"
    root.parent.mkdir(exist_ok=True)
    with (shared / "county_demo.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other workers wait here while the first one builds
        if not done.exists():
            shutil.rmtree(root, ignore_errors=True)  # what a failed build left
            done.write_text(_build_county_demo(root), encoding="utf-8")
    demo = CountyDemo(
        DataPaths(root),
        done.read_text(encoding="utf-8"),
        json.loads((root / "demo_manifest.json").read_text(encoding="utf-8")),
    )
    before = _fingerprint(root)
    yield demo
    after = _fingerprint(root)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"a test changed the shared county demo (use county_demo_copy): {changed[:20]}"


@pytest.fixture
def county_demo_copy(county_demo: CountyDemo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataPaths:
    """A private copy of the built county demo as this test's data directory (like `data_dir`)."""
    return county_demo.copy_to(tmp_path / "data", monkeypatch)

"""Runs that fail safely (issue 11, item 6): one run at a time with a Chinese message, and a full disk that
says so and leaves the published copy as it was. Real processes, a real full filesystem (a small tmpfs,
mounted when the tests run as root — CI does; skipped otherwise), no mocks."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from xmdw.core.diskspace import DiskFullError
from xmdw.core.paths import DataPaths
from xmdw.serving import publish, serving_paths

XMDW = str(Path(sys.executable).with_name("xmdw"))
pytestmark = pytest.mark.e2e  # runs Dagster jobs through the CLI (`xmdw ingest`, `xmdw run`) in subprocesses


def _wait_until(predicate, what: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _warehouse(path: Path, rows: int) -> Path:
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA IF NOT EXISTS marts; CREATE SCHEMA IF NOT EXISTS ref")
    con.execute(
        "CREATE OR REPLACE TABLE marts.mart_project_progress AS SELECT 'P' || i AS project_id, "
        "md5(i::VARCHAR) || md5((i * 7)::VARCHAR) AS project_name, (i * 1.5)::DECIMAL(18, 4) AS wan "
        "FROM range(?) t(i)",
        [rows],
    )
    con.execute(
        "CREATE OR REPLACE TABLE ref.dim_region AS SELECT '511902' AS region_code, '巴州区' AS name_zh"
    )
    con.close()
    return path


def _snapshot(serving: Path) -> dict[str, bytes]:
    """Every served file's bytes, by path relative to the serving folder (through parquet/current)."""
    paths = serving_paths(serving)
    files = [
        paths.duckdb,
        paths.manifest,
        *paths.csv_dir.rglob("*.csv"),
        *paths.parquet_current.rglob("*.parquet"),
    ]
    return {str(f.relative_to(serving)): f.read_bytes() for f in files if f.exists()}


# --- one run at a time --------------------------------------------------------------------------------------


def test_second_run_waits_or_says_in_chinese_that_a_run_is_in_progress(
    data_dir: DataPaths, tmp_path: Path
) -> None:
    marker = tmp_path / "paused"
    first = subprocess.Popen(
        [XMDW, "ingest"],
        env=os.environ | {"XMDW_FAULT_PAUSE": "pipeline.start", "XMDW_FAULT_MARKER": str(marker)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    waiting_log = tmp_path / "waiting.err"
    waiting = None
    try:
        _wait_until(marker.exists, "the first run to hold the run lock")
        refused = subprocess.run([XMDW, "ingest", "--wait", "0"], capture_output=True, text=True, timeout=120)
        assert refused.returncode == 75, refused.stdout + refused.stderr
        assert f"另一个 xmdw 运行正在进行（进程 {first.pid}，开始于 " in refused.stderr
        assert "Traceback" not in refused.stderr and "IOException" not in refused.stderr

        with waiting_log.open("w") as err:
            waiting = subprocess.Popen([XMDW, "ingest"], stdout=subprocess.PIPE, stderr=err, text=True)
        _wait_until(lambda: "等待其结束…" in waiting_log.read_text(encoding="utf-8"), "the waiting message")
        assert waiting.poll() is None, "the second run waits while the first holds the lock"
        os.kill(first.pid, signal.SIGKILL)  # even a killed run releases the lock
        out, _ = waiting.communicate(timeout=600)
    finally:
        for proc in (first, waiting):
            if proc is not None and proc.poll() is None:
                proc.kill()
    assert waiting.returncode == 0, out + waiting_log.read_text(encoding="utf-8")
    assert f"进程 {first.pid}" in waiting_log.read_text(encoding="utf-8")
    assert "运行结束" in out


def test_run_lock_is_reentrant_released_and_waits_no_longer_than_asked(tmp_path: Path) -> None:
    from xmdw.core.runlock import RunInProgress, run_lock

    lock = tmp_path / ".xmdw-run.lock"
    other = [
        sys.executable,
        "-c",
        f"from xmdw.core.runlock import run_lock\nwith run_lock({str(lock)!r}, wait=0): pass",
    ]
    with run_lock(lock), run_lock(lock):  # the CLI holds it, run_pipeline takes it again
        refused = subprocess.run(other, capture_output=True, text=True, timeout=60)
        assert refused.returncode != 0 and "另一个 xmdw 运行正在进行" in refused.stderr
    assert subprocess.run(other, timeout=60).returncode == 0, "released after the outer block"

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from xmdw.core.runlock import run_lock\nwith run_lock({str(lock)!r}): input()",
        ],
        stdin=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_until(lambda: lock.read_text(encoding="utf-8").startswith(f"{holder.pid}\n"), "the holder")
        said: list[str] = []
        with (
            pytest.raises(RunInProgress, match=f"进程 {holder.pid}"),
            run_lock(lock, wait=0.5, say=said.append),
        ):
            pass
        assert said == [said[0]] and said[0].endswith("等待其结束…")
    finally:
        holder.kill()
        holder.wait(timeout=30)


# --- full disk ----------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _small_disk(where: Path, size: str) -> Iterator[Path]:
    """A real filesystem of `size` (tmpfs) at `where`; skipped unless we may mount (root, as in CI)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    where.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)])
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(disk: Path, leave_bytes: int) -> None:
    """Fill the filesystem until only `leave_bytes` are free (a real ENOSPC for whatever comes next)."""
    import shutil

    free = shutil.disk_usage(disk).free
    with (disk / "filler.bin").open("wb") as fh:
        chunk = b"\0" * (1 << 20)
        left = free - leave_bytes
        while left > 0:
            fh.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)


def test_full_disk_during_publish_keeps_the_served_copy(tmp_path: Path) -> None:
    with _small_disk(tmp_path / "disk", "8m") as disk:
        serving = disk / "serving"
        first = publish(_warehouse(tmp_path / "w1.duckdb", 2_000), serving, xlsx=False)
        before = _snapshot(serving)
        current = serving_paths(serving).parquet_current.resolve()
        _fill(disk, 64 * 1024)
        with pytest.raises(DiskFullError) as err:
            publish(_warehouse(tmp_path / "w2.duckdb", 60_000), serving, xlsx=False)
        assert str(err.value).startswith("磁盘空间不足：") and "已发布的数据保持不变" in str(err.value)
        assert _snapshot(serving) == before, "every served file is the previous publish's"
        assert serving_paths(serving).parquet_current.resolve() == current
        assert not serving_paths(serving).duckdb_tmp.exists()
        con = duckdb.connect(str(first.duckdb_path), read_only=True)
        assert con.execute("SELECT count(*) FROM marts.mart_project_progress").fetchall() == [(2_000,)]
        con.close()


def test_nearly_full_disk_stops_the_run_before_it_starts(data_dir: DataPaths, tmp_path: Path) -> None:
    publish(_warehouse(tmp_path / "w.duckdb", 100), data_dir.serving, xlsx=False)
    before = _snapshot(data_dir.serving)
    out = subprocess.run(
        [XMDW, "run"],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ | {"XMDW_MIN_FREE_MB": "1e12"},
    )
    assert out.returncode == 28, out.stdout + out.stderr
    assert out.stderr.startswith("磁盘空间不足：数据目录") and "已发布的数据保持不变" in out.stderr
    assert "Traceback" not in out.stderr
    assert _snapshot(data_dir.serving) == before


@pytest.mark.heavy
def test_disk_full_during_a_run_says_so_and_keeps_the_published_copy(tmp_path: Path) -> None:
    """The whole data directory on a small real filesystem: a good run, then the disk fills up and the
    next run (with a new ledger) ends with the Chinese message and exit code 28; BI keeps its copy."""
    from ledgers import PLAN_HEADER, PROGRESS_HEADER, PROJECT_HEADER, write_xlsx

    with _small_disk(tmp_path / "disk", "384m") as disk:
        paths = DataPaths(disk / "data").ensure()
        write_xlsx(
            paths.landing / "发改局_项目基本信息台账.xlsx",
            [PROJECT_HEADER, ["P1", "镇巴县甲路", "610728", "开工在建", 1000, "县交通局"]],
        )
        write_xlsx(paths.landing / "发改局_2024年度投资计划.xlsx", [PLAN_HEADER, ["P1", 2024, "年初", 1000]])
        write_xlsx(paths.landing / "各单位_月度进度.xlsx", [PROGRESS_HEADER, ["P1", "甲", 2024, 3, 300, 300]])
        env = os.environ | {
            "XMDW_DATA_DIR": str(paths.root),
            "XMDW_WAREHOUSE": str(paths.warehouse),
            "DAGSTER_HOME": str(paths.dagster_home),
            "XMDW_MIN_FREE_MB": "0",  # the real failure, not the check before the run
        }
        good = subprocess.run([XMDW, "run"], capture_output=True, text=True, env=env, timeout=900)
        assert good.returncode == 0, good.stdout[-3000:] + good.stderr[-3000:]
        before = _snapshot(paths.serving)
        assert before, "the good run published"
        write_xlsx(
            paths.landing / "各单位_月度进度_6月.xlsx", [PROGRESS_HEADER, ["P1", "甲", 2024, 6, 450, 450]]
        )
        _fill(disk, 256 * 1024)
        full = subprocess.run([XMDW, "run"], capture_output=True, text=True, env=env, timeout=900)
        said = full.stdout + full.stderr
        assert full.returncode == 28, said[-5000:]
        assert "磁盘空间不足：" in said and "已发布的数据保持不变" in said, said[-5000:]
        assert _snapshot(paths.serving) == before

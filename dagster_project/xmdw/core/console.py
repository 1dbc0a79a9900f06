"""What the operator sees while `xmdw run` works: one line per stage, in Chinese, times in 北京时间.

Everything Dagster and dbt say (DEBUG events, dbt's per-model lines, warnings) goes to a run log,
data/logs/run_<北京时间>.log, whose path is printed first: the terminal stays readable and nothing is
lost. The headless run redirects Python's stdout/stderr into that file for the duration of a Dagster
job — dagster-dbt re-emits dbt's output through sys.stdout and Dagster's console logger writes to
sys.stderr, so one redirect silences both without changing the instance's logging config (the UI and
the daemon keep theirs).

Progress comes from Dagster's own step events (an instance event listener) and, for the files n/N of
the ingestion, from the ingestion asset's progress callback (`files_progress`), which only prints when
a headless run in this process opened a Console. On a terminal the current line is rewritten in place;
when the output is a file or a pipe, each stage prints one line when it ends.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

CST = ZoneInfo("Asia/Shanghai")
LOGS_KEPT = 50  # run logs kept in data/logs/ (the newest); a log is ~0.1-1 MB
_CLEAR = "\x1b[K"  # erase to the end of the line (terminals only)

# Dagster step key -> what the operator reads
STAGES = {
    "ingest_landing": "读取文件",
    "gx_raw_tables": "数据质量检查",
    "xmdw_dbt_assets": "构建专题表 (dbt)",
    "serving__xmdw": "发布 BI 副本",
    "reports__dq_report": "数据质量报告、退回修改清单",
    "reports__monthly_bulletin": "报告：月通报",
    "reports__quarterly_scorecard": "报告：季考核",
    "reports__year_end_evaluation": "报告：年终评",
}
_ENDINGS = {"STEP_SUCCESS": "完成", "STEP_FAILURE": "失败", "STEP_SKIPPED": "未运行"}


def now_cst() -> dt.datetime:
    return dt.datetime.now(CST)


def in_cst(when: dt.datetime | str) -> dt.datetime:
    """A timestamp (aware, or an ISO text such as a manifest's published_at) in 北京时间."""
    if isinstance(when, str):
        when = dt.datetime.fromisoformat(when)
    if when.tzinfo is None:  # DuckDB's TIMESTAMP columns hold UTC
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(CST)


def clock(when: dt.datetime) -> str:
    return in_cst(when).strftime("%H:%M:%S")


def stamp(when: dt.datetime | str) -> str:
    return in_cst(when).strftime("%Y-%m-%d %H:%M:%S")


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} 秒" if seconds >= 1 else "不到 1 秒"
    return f"{int(seconds // 60)} 分 {int(seconds % 60)} 秒"


def new_log_path(logs_dir: Path, started: dt.datetime) -> Path:
    """data/logs/run_<YYYYmmdd-HHMMSS 北京时间>.log, never reusing a name; old logs beyond LOGS_KEPT go."""
    logs_dir.mkdir(parents=True, exist_ok=True)
    for old in sorted(logs_dir.glob("run_*.log"))[: -LOGS_KEPT + 1 or None]:
        old.unlink(missing_ok=True)
    base = f"run_{in_cst(started):%Y%m%d-%H%M%S}"
    path, n = logs_dir / f"{base}.log", 1
    while path.exists():
        n += 1
        path = logs_dir / f"{base}-{n}.log"
    path.touch()
    return path


@dataclass
class _Stage:
    label: str
    started: float
    files: tuple[int, int] | None = None


@dataclass
class Console:
    """Stage lines for one command (`xmdw run` runs several Dagster jobs: one console, one log)."""

    stream: TextIO
    log_path: Path
    started: dt.datetime = field(default_factory=now_cst)
    partition: str | None = None
    _stage: _Stage | None = None

    @property
    def tty(self) -> bool:
        return bool(getattr(self.stream, "isatty", lambda: False)())

    def hello(self) -> None:
        self._line(f"xmdw 开始运行（北京时间 {stamp(self.started)}），详细日志：{self.log_path}")

    def on_event(self, event) -> None:
        """Dagster instance event listener: step start / end -> a stage line."""
        if not event.is_dagster_event or not event.step_key:
            return
        kind = event.dagster_event.event_type_value
        if kind == "STEP_START":
            self.stage_started(event.step_key)
        elif kind in _ENDINGS:
            self.stage_ended(event.step_key, _ENDINGS[kind])

    def stage_started(self, step_key: str) -> None:
        label = STAGES.get(step_key, step_key)
        if self.partition and step_key.startswith("reports__") and step_key != "reports__dq_report":
            label += f" {self.partition}"
        self._stage = _Stage(label, time.monotonic())
        if self.tty:
            self._rewrite(f"  {clock(now_cst())} {label} …")

    def files(self, done: int, total: int) -> None:
        if self._stage is None:
            return
        self._stage.files = (done, total)
        if self.tty:
            self._rewrite(f"  {clock(now_cst())} {self._stage.label} {done}/{total} …")

    def stage_ended(self, step_key: str, outcome: str) -> None:
        stage = (
            self._stage
            if self._stage is not None
            else _Stage(STAGES.get(step_key, step_key), time.monotonic())
        )
        self._stage = None
        label = stage.label + (f" {stage.files[0]}/{stage.files[1]}" if stage.files else "")
        mark = {"完成": "✓", "失败": "✗"}.get(outcome, "·")
        text = (
            f"  {clock(now_cst())} {mark} {label} {outcome}（{_duration(time.monotonic() - stage.started)}）"
        )
        if self.tty:
            self._rewrite(text + "\n")
        else:
            self._line(text)

    def _rewrite(self, text: str) -> None:
        self.stream.write("\r" + text + _CLEAR)
        self.stream.flush()

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()


_active: Console | None = None


def active() -> Console | None:
    return _active


@contextlib.contextmanager
def session(logs_dir: Path, stream: TextIO | None = None) -> Iterator[Console]:
    """The console of this command: the outermost call opens it (and the log), nested calls share it."""
    global _active
    if _active is not None:
        yield _active
        return
    started = now_cst()
    console = Console(stream or sys.stdout, new_log_path(logs_dir, started), started)
    console.hello()
    _active = console
    try:
        yield console
    finally:
        _active = None


@contextlib.contextmanager
def quiet(console: Console) -> Iterator[None]:
    """Dagster's and dbt's output into the run log while a job runs (see the module docstring)."""
    sys.stdout.flush()
    sys.stderr.flush()
    with (
        console.log_path.open("a", encoding="utf-8", buffering=1) as log,
        contextlib.redirect_stdout(log),
        contextlib.redirect_stderr(log),
    ):
        yield


def files_progress(done: int, total: int) -> None:
    """Called by the ingestion asset for every file: shows n/N when a headless run is in this process."""
    if _active is not None:
        _active.files(done, total)

"""Measuring one benchmark process from outside: wall time, peak RSS (wait4), a memory guard, a time limit.

Used by bench/run.py; imports nothing heavy (a child's peak RSS counts its parent's at fork time).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
PYTHON, DBT, XMDW = sys.executable, str(VENV_BIN / "dbt"), str(VENV_BIN / "xmdw")
# Memory guard for every measured process (GB, resident, whole process group).
MAX_RSS_GB = float(os.environ.get("XMDW_BENCH_MAX_RSS_GB", "16"))
SKIPPED = 3  # bench/stages.py: the stage's function does not exist in this checkout yet
# Statuses of a measurement that did not run to its end: what depends on it is "not run".
UNFINISHED = ("timeout", "killed")


@dataclass
class Measurement:
    stage: str
    seconds: float
    max_rss_mb: float
    load_1min: float  # os.getloadavg()[0] just before the process started
    status: str = "ok"  # ok | failed | skipped | timeout | killed (memory guard) | not run
    details: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------------- processes


def group_rss_mb(pgid: int) -> float:
    """Resident memory of every process in a process group (the measured child and what it started)."""
    total_kb = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:  # field 5 of /proc/<pid>/stat: process group
                total_kb += int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024  # field 24: rss pages
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
    return total_kb / 1024


def wait_guarded(pid: int, timeout: float | None = None) -> tuple[int, os.struct_rusage, str | None]:
    """wait4() the child, killing its process group if it grows past MAX_RSS_GB (the machine is shared,
    and an out-of-memory kill could hit someone else's process: nation-scale GX, see docs) or runs longer
    than `timeout` seconds (a nation stage that cannot finish must not hold the bench for hours).
    Returns the wait status, the rusage and why it was killed (None, "killed", "timeout")."""
    limit_mb = MAX_RSS_GB * 1024
    deadline = time.monotonic() + timeout if timeout else None
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage, None
        reason = "killed" if group_rss_mb(pid) > limit_mb else None
        if reason is None and deadline is not None and time.monotonic() > deadline:
            reason = "timeout"
        if reason:
            os.killpg(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            return status, usage, reason
        time.sleep(0.5)


def measure(
    stage: str, cmd: list[str], env: dict[str, str], cwd: Path | None = None, timeout: float | None = None
) -> Measurement:
    """Run `cmd` as a child process; its wall time and the peak RSS of it and its children (wait4).
    `timeout` (seconds): killed after it, status "timeout" ("did not finish")."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        load = os.getloadavg()[0]
        started = time.perf_counter()
        # own session: the child leads a process group the memory guard can watch and kill as a whole
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err, start_new_session=True)
        status, usage, killed = wait_guarded(proc.pid, timeout)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    details = last_json_line(stdout)
    if killed == "killed":
        details["flag"] = f"killed at {MAX_RSS_GB} GB resident (XMDW_BENCH_MAX_RSS_GB)"
    elif killed == "timeout":
        details["flag"] = f"did not finish in {timeout / 60:.3g} min"
    if killed:
        result = killed
    elif proc.returncode == SKIPPED:
        result = "skipped"
    elif proc.returncode == 0:
        result = "ok"
    else:
        result = "failed"
        details["error_tail"] = (stderr or stdout)[-2000:]
    if cmd[:2] == [XMDW, "run"]:  # keep the run summary xmdw prints last
        lines = stdout.splitlines()
        first = next((i for i, line in enumerate(lines) if line.startswith("xmdw 运行结束")), len(lines))
        details["summary"] = lines[first : first + 40]
    # ru_maxrss is in KiB on Linux
    return Measurement(
        stage, round(seconds, 3), round(usage.ru_maxrss / 1024, 1), round(load, 2), result, details
    )


def last_json_line(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                break
    return {}


def not_run(stage: str, why: str) -> Measurement:
    """A stage that was not started because what it needs did not finish."""
    return Measurement(stage, 0.0, 0.0, round(os.getloadavg()[0], 2), "not run", {"flag": why})


def report_line(m: Measurement) -> None:
    note = f" ({m.status})" if m.status != "ok" else ""
    note += f" [{m.details['flag']}]" if "flag" in m.details else ""
    print(
        f"    {m.stage:<9} {m.seconds:8.2f} s  {m.max_rss_mb:7.0f} MB  load {m.load_1min:.1f}{note}",
        flush=True,
    )
    if m.status == "failed" and m.details.get("error_tail"):
        print("      " + m.details.get("error_tail", "").strip()[-800:].replace("\n", "\n      "))

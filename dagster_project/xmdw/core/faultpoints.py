"""Named points where a test can freeze a run to kill it there (tests/test_kill_loop.py).

`pause_point("publish.after_copy")` does nothing unless XMDW_FAULT_PAUSE names that point. Then the
process writes "<point> <pid>" to the file XMDW_FAULT_MARKER and either sleeps until it is killed (the
default) or, when the spec ends with `~`, goes on (the test kills it a moment later, somewhere in the
work that follows). `point#3` stops at the third time the point is reached.

Besides the points in the code, `xmdw.defs.pipeline` turns Dagster's own events into points:
`step:<step key>` (a step starts), `done:<step key>` (an asset of the step was materialised, e.g. one
dbt model) and `log:<text>` (a log message containing the text) — so ingestion, the checks and dbt can
be stopped at exact places without hooks inside them. In production the cost is one environment lookup.
"""

from __future__ import annotations

import os
import time
from collections import Counter

ENV = "XMDW_FAULT_PAUSE"
MARKER_ENV = "XMDW_FAULT_MARKER"
_seen: Counter[str] = Counter()


def _spec() -> tuple[str, int, bool] | None:
    spec = os.environ.get(ENV, "")
    if not spec:
        return None
    go_on = spec.endswith("~")
    spec = spec.rstrip("~")
    name, _, nth = spec.partition("#")
    return name, int(nth or 1), go_on


def armed() -> bool:
    return bool(os.environ.get(ENV))


def pause_point(name: str) -> None:
    """Freeze here if a test asked for this point (see the module docstring)."""
    spec = _spec()
    if spec is None or spec[0] != name:
        return
    _seen[name] += 1
    if _seen[name] != spec[1]:
        return
    marker = os.environ.get(MARKER_ENV)
    if marker:
        tmp = f"{marker}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(f"{name} {os.getpid()}\n")
        os.replace(tmp, marker)
    if spec[2]:
        return
    while True:  # until the test kills us
        time.sleep(3600)

"""The benchmark's dbt build (as the Dagster dbt asset runs it) and how a build's outcome is read: a build
whose only failures are data tests did its work (its time counts, flagged).

Used by bench/run.py; imports nothing heavy at module level.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from measure import DBT, UNFINISHED, Measurement

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_models"


def dbt_cmd() -> list[str]:
    # the same build the Dagster dbt asset runs (xmdw.defs.dbt.dbt_build_args())
    target = os.environ.get("DBT_TARGET_PATH") or str(DBT_PROJECT_DIR / "target")
    from xmdw.defs.dbt_cli import dbt_build_args

    args = dbt_build_args()
    return [DBT, *args, "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", target, "--quiet"]


def dbt_target() -> Path:
    return Path(os.environ.get("DBT_TARGET_PATH") or DBT_PROJECT_DIR / "target")


def dbt_outcome(m: Measurement) -> None:
    """Read dbt's run_results.json into the measurement. A build whose only failures are data tests
    (models all built or skipped behind a failed test, no errors) did the work: its time counts, flagged."""
    path = dbt_target() / "run_results.json"
    if not path.exists() or m.status in UNFINISHED:
        return
    results = json.loads(path.read_text(encoding="utf-8"))["results"]
    counts: dict[str, int] = {}
    for r in results:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    m.details["dbt_statuses"] = counts
    m.details["dbt_failed"] = [r["unique_id"] for r in results if r["status"] in ("fail", "error")]
    if m.status == "failed" and counts.get("error", 0) == 0 and counts.get("fail", 0) > 0:
        m.status = "ok"
        m.details["flag"] = f"{counts['fail']} dbt tests failed, {counts.get('skipped', 0)} dbt nodes skipped"


def run_outcome(m: Measurement) -> None:
    """`xmdw run` failed only in the dbt step (failed dbt tests): the run did its work, flagged."""
    failed = [line for line in m.details.get("summary", []) if "failed steps" in line]
    if m.status == "failed" and failed and failed[0].rsplit(":", 1)[-1].strip() == "xmdw_dbt_assets":
        m.status = "ok"
        m.details["flag"] = "Dagster dbt step failed (dbt tests), steps after it skipped"

"""The data-quality checks with one new file vs a full run (issue 11 item 6): rows handed to GX, wall time
and peak RSS, each validation in its own process.

    .venv/bin/python bench/dq_incremental.py --scale county [--work DIR]

Generates the demo ledgers once into WORK/<scale>/cache, ingests all of them but the newest file, runs
the checks (the first run: every row), then ingests that one file and runs the checks again
(incremental), then a forced full run on the same data, and checks that the incremental run recorded
exactly what the full run recorded. Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

PYTHON = sys.executable

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import duckdb
from xmdw.core.paths import DataPaths
from xmdw.core.settings import configure_environment
step, data = sys.argv[1], Path(sys.argv[2])
paths = configure_environment(DataPaths(data))
t = time.perf_counter()
out = {"step": step}
if step == "ingest":
    from xmdw.ingestion.batch import ingest_landing
    batch = ingest_landing(paths)
    out |= {"files": len(batch.outcomes), "rows_loaded": batch.total("rows_loaded")}
elif step in ("validate", "full"):
    from xmdw.quality.results import validate
    con = duckdb.connect(str(paths.warehouse))
    run = validate(con, run_id=sys.argv[3], full=step == "full")
    con.close()
    out |= {"run_id": run.run_id, "rows_current": sum(v.rows for v in run.validations),
            "files_new": run.files_new, "gx_rows_incremental": run.gx_rows("new"),
            "gx_rows_other": run.gx_rows_other, "carried_forward": run.carried_forward,
            "validate_seconds": round(run.seconds, 2)}
elif step == "report":
    from xmdw.reports import write_dq_report
    files = write_dq_report(paths)
    out |= {"problems": files.problems}
elif step == "compare":
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    cols = ("rule_id, severity, table_name, scope, submitting_unit, file_id, file_name, sheet, source_row, "
            "column_name, record_key, observed_value, message_zh, held_back, blocking, submitted_at")
    q = f"SELECT {cols}, count(*) FROM raw.dq_results WHERE run_id = ? GROUP BY ALL ORDER BY ALL"
    a, b = con.execute(q, [sys.argv[3]]).fetchall(), con.execute(q, [sys.argv[4]]).fetchall()
    out |= {"equal_results": a == b, "results": sum(r[-1] for r in a)}
out["inner_seconds"] = round(time.perf_counter() - t, 2)
out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
print(json.dumps(out, ensure_ascii=False))
"""


def child(step: str, data: Path, *args: str) -> dict:
    env = dict(os.environ, XMDW_DATA_DIR=str(data), XMDW_WAREHOUSE=str(data / "warehouse.duckdb"))
    started = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "-c", CHILD, step, str(data), *args], env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"{step} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = round(time.perf_counter() - started, 2)
    return result


def generate(cache: Path, scale: str) -> Path:
    landing = cache / "landing"
    if not landing.exists():
        code = "import sys; from pathlib import Path; from xmdw_demo import generate; generate(Path(sys.argv[1]), sys.argv[2])"
        subprocess.run([PYTHON, "-c", code, str(cache / "partial"), scale], check=True)
        (cache / "partial").rename(landing)
    return landing


def newest(landing: Path) -> Path:
    """The file a unit would send next: the newest monthly progress file (else the last file by name)."""
    files = sorted(p for p in landing.rglob("*") if p.is_file())
    progress = [p for p in files if "月度投资进度" in p.name]
    return (progress or files)[-1]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="county")
    ap.add_argument("--work", type=Path, default=Path("/tmp/xmdw_dq_incremental"))
    args = ap.parse_args()
    landing = generate(args.work / args.scale / "cache", args.scale)
    held = newest(landing)
    data = args.work / args.scale / "data"
    shutil.rmtree(data, ignore_errors=True)
    (data / "landing").mkdir(parents=True)
    for src in sorted(p for p in landing.rglob("*") if p.is_file() and p != held):
        dst = data / "landing" / src.relative_to(landing)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
    out = {"scale": args.scale, "new_file": held.name, "steps": []}
    out["steps"].append(child("ingest", data))
    out["steps"].append(child("validate", data, "first"))
    shutil.copy2(held, data / "landing" / held.name)
    out["steps"].append(child("ingest", data))
    out["steps"].append(child("validate", data, "second"))
    out["steps"].append(child("report", data))
    out["steps"].append(child("full", data, "full"))
    out["steps"].append(child("report", data))
    out["steps"].append(child("compare", data, "second", "full"))
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""One benchmark stage in its own process, so that its wall time and peak RSS are its own.

    .venv/bin/python bench/stages.py STAGE DATA_DIR [--month YYYY-MM] [--floor FLOOR.sql]

Each stage calls the project's real function on the data directory DATA_DIR (XMDW_DATA_DIR layout) and
prints one JSON line (`{"stage": ..., "inner_seconds": ..., ...}`) on stdout; the runner (bench/run.py)
measures the process from outside. Exit status 3 means "not available in this checkout" (a stage other
engineers are still building): the runner skips it with a note. dbt and `xmdw run` are run by the runner
directly (their own executables), not through this file.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

UNAVAILABLE = 3


def _paths(data_dir: Path):
    from xmdw.core.paths import DataPaths
    from xmdw.core.settings import configure_environment

    return configure_environment(DataPaths(data_dir))


def stage_ingest(data_dir: Path, month: str | None) -> dict:
    """Ingestion of every file in DATA_DIR/landing (the batch the Dagster asset runs)."""
    from xmdw.ingestion.batch import ingest_landing

    batch = ingest_landing(_paths(data_dir))
    return {
        "files": len(batch.outcomes),
        "rows_loaded": batch.total("rows_loaded"),
        "rows_rejected": batch.total("rows_rejected"),
        "quarantined": batch.count("quarantined"),
    }


def _validate(data_dir: Path, stage: str) -> dict:
    """The GX validation the Dagster checks run (gx_raw_tables), results recorded."""
    from xmdw.quality.catalog import mart_tables_with_rules, raw_tables_with_rules
    from xmdw.quality.results import existing_marts, new_run_id, validate
    from xmdw.warehouse.connect import connection

    paths = _paths(data_dir)
    with connection(paths.warehouse) as con:
        if stage == "raw":
            tables = raw_tables_with_rules()
        else:
            built = existing_marts(con)
            tables = [t for t in mart_tables_with_rules() if t in built]
        run = validate(con, run_id=new_run_id(), tables=tables, stage=stage)
    return {
        "tables": len(tables),
        "fatal": run.count("fatal"),
        "warnings": run.count("warning"),
        "rows_held_back": run.rows_held_back,
    }


def stage_gx(data_dir: Path, month: str | None) -> dict:
    return _validate(data_dir, "raw")


def stage_floor(data_dir: Path, month: str | None, floor: Path | None = None) -> dict:
    """The generated floor (bench/make_floor.py; the runner writes it once per bench) on
    DATA_DIR/floor_input.duckdb (the runner copies the post-GX warehouse there)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from check_floor import run_floor

    from xmdw.warehouse.connect import connection

    if floor is None:
        raise SystemExit("stage floor needs --floor FLOOR.sql (bench/make_floor.py)")
    started = time.perf_counter()
    with connection(data_dir / "floor_input.duckdb") as con:
        relations = run_floor(con, floor)
    return {"sql_seconds": round(time.perf_counter() - started, 3), "relations": len(relations)}


def stage_report(data_dir: Path, month: str | None) -> dict:
    """The data-quality report (HTML + xlsx return list) of the latest validation run."""
    from xmdw.reports.dq_report import write_dq_report

    files = write_dq_report(_paths(data_dir))
    return {"problems": files.problems}


def _optional(module: str, name: str) -> Callable | None:
    """A function other engineers are still building: None when this checkout does not have it yet."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def stage_bulletin(data_dir: Path, month: str | None) -> dict:
    build = _optional("xmdw.reports.bulletin", "build_monthly_bulletin")
    if build is None:
        raise SystemExit(UNAVAILABLE)
    paths = _paths(data_dir)
    out = build(database=paths.warehouse, month=month, out_dir=paths.reports / "bulletin")
    return {"month": month, "output": str(out)}


def stage_publish(data_dir: Path, month: str | None) -> dict:
    publish = _optional("xmdw.serving.publish", "publish")
    if publish is None:
        raise SystemExit(UNAVAILABLE)
    paths = _paths(data_dir)
    publish(paths.warehouse, paths.root / "serving")
    return {}


STAGES: dict[str, Callable[[Path, str | None], dict]] = {
    "ingest": stage_ingest,
    "gx": stage_gx,
    "floor": stage_floor,
    "report": stage_report,
    "bulletin": stage_bulletin,
    "publish": stage_publish,
}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("stage", choices=sorted(STAGES))
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("--month", help="report month YYYY-MM (bulletin)")
    ap.add_argument("--floor", type=Path, help="the generated floor script (stage floor)")
    args = ap.parse_args()
    started = time.perf_counter()
    if args.stage == "floor":
        details = stage_floor(args.data_dir.resolve(), args.month, args.floor)
    else:
        details = STAGES[args.stage](args.data_dir.resolve(), args.month)
    inner = round(time.perf_counter() - started, 3)
    print(json.dumps({"stage": args.stage, "inner_seconds": inner, **details}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The benchmark's data: each scale's landing files generated once, linked into fresh data directories.

Used by bench/run.py; imports nothing heavy (the generator and DuckDB run in child processes: a child's
peak RSS counts its parent's at fork time).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from measure import PYTHON, last_json_line

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# progress ledgers of the synthetic scales: <region>_<YYYY>年<MM>月_月度投资进度.csv (one per region-month)
PROGRESS_FILE = re.compile(r"_(\d{4})年(\d{2})月_月度投资进度\.csv$")


def bench_base() -> Path:
    root = os.environ.get("XMDW_DATA_DIR") or str(PROJECT_ROOT / "data")
    return Path(root).resolve() / "bench"


def ensure_generated(base: Path, scale: str, seed: int = 2024) -> Path:
    """The scale's landing files, generated once (kept pristine: runs only link them)."""
    cache = base / scale / "cache"
    marker = cache / "generated.json"
    params = {"scale": scale, "seed": seed, "imperfection_rate": 0.15, "plan_year": 2024}
    if marker.exists() and json.loads(marker.read_text(encoding="utf-8")).get("params") == params:
        return cache / "landing"
    shutil.rmtree(cache, ignore_errors=True)
    tmp = base / scale / "cache.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    code = (
        "import json, sys, time; from pathlib import Path; from xmdw_demo import generate; "
        "p = json.loads(sys.argv[2]); t = time.perf_counter(); s = generate(Path(sys.argv[1]), **p); "
        "print(json.dumps({'params': p, 'seconds': round(time.perf_counter() - t, 1), "
        "'files': s.files_written, 'rows': s.rows_by_entity}, ensure_ascii=False))"
    )
    out = subprocess.run(
        [PYTHON, "-c", code, str(tmp / "landing"), json.dumps(params)],
        capture_output=True,
        text=True,
        check=True,
    )
    info = last_json_line(out.stdout)
    (tmp / "generated.json").write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.rename(cache)  # a half-written cache is never taken for a finished one
    print(f"  generated {scale}: {info['files']} files in {info['seconds']:.1f} s → {cache}", flush=True)
    return cache / "landing"


def link_landing(cache: Path, landing: Path, keep: Callable[[Path], bool] = lambda p: True) -> int:
    """Hard-link (copy across devices) the cached files into `landing`; modification times are kept,
    so the ingestion order (oldest first) is the cache's."""
    n = 0
    for src in sorted(p for p in cache.rglob("*") if p.is_file()):
        if not keep(src):
            continue
        dst = landing / src.relative_to(cache)
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
        n += 1
    return n


def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def latest_month(warehouse: Path) -> str | None:
    """Latest report month in raw.monthly_progress as YYYY-MM (the bulletin's month)."""
    code = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); print(con.execute("
        "'SELECT max(TRY_CAST(year AS INTEGER) * 100 + TRY_CAST(month AS INTEGER)) FROM raw.monthly_progress'"
        ").fetchall()[0][0])"
    )
    out = subprocess.run([PYTHON, "-c", code, str(warehouse)], capture_output=True, text=True, check=False)
    row = int(out.stdout.strip()) if out.stdout.strip().isdigit() else None
    return f"{row // 100:04d}-{row % 100:02d}" if row else None


def last_progress_month(cache: Path) -> str | None:
    months = {f"{m[1]}-{m[2]}" for p in cache.rglob("*.csv") if (m := PROGRESS_FILE.search(p.name))}
    return max(months) if months else None


def is_month_file(path: Path, month: str) -> bool:
    m = PROGRESS_FILE.search(path.name)
    return bool(m) and f"{m[1]}-{m[2]}" == month

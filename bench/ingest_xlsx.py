"""Benchmark: xlsx ingestion throughput (rows/second), parse vs load, on generated ledgers.

    .venv/bin/python bench/ingest_xlsx.py [--rows 20000] [--files 10] [--repeat 3]

Writes `files` monthly-progress workbooks of rows/files rows each (title rows, units line, notes —
the shapes units send), ingests them into a fresh DuckDB file and reports the median of `repeat`
runs. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import xlsxwriter

from xmdw.contract import load_contract
from xmdw.core.paths import DataPaths
from xmdw.ingestion.batch import ingest_landing, landing_files
from xmdw.ingestion.parser import parse_file

HEADER = [
    "序号",
    "项目编号",
    "项目名称",
    "本月完成投资",
    "本年完成投资",
    "开工累计完成投资",
    "本年到位资金",
    "形象进度",
    "存在问题",
]


def write_ledger(path: Path, n_rows: int, offset: int) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("进度")
    ws.write_row(0, 0, ["镇巴县重点项目2024年1-6月投资完成情况台账"])
    ws.write_row(1, 0, ["单位：万元"])
    ws.write_row(2, 0, HEADER)
    for i in range(n_rows):
        k = offset + i
        ws.write_row(
            3 + i,
            0,
            [
                i + 1,
                f"BENCH-{k:07d}",
                f"基准测试项目{k}",
                12.5 + k % 7,
                100 + k % 97,
                1000 + k % 991,
                80 + k % 13,
                "主体施工",
                "",
            ],
        )
    ws.write_row(3 + n_rows, 0, ["合计"])
    ws.write_row(4 + n_rows, 0, ["填报单位：县发改局  填报人：张三"])
    wb.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--files", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    per_file = args.rows // args.files
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for f in range(args.files):
            write_ledger(src / f"ledger_{f:03d}.xlsx", per_file, f * per_file)
        contract = load_contract()
        parse_times, total_times = [], []
        for r in range(args.repeat):
            t0 = time.perf_counter()
            for p in landing_files(src):
                parse_file(p, contract)
            parse_times.append(time.perf_counter() - t0)
            paths = DataPaths(Path(tmp) / f"run{r}").ensure()
            for p in landing_files(src):
                (paths.landing / p.name).write_bytes(p.read_bytes())
            t0 = time.perf_counter()
            batch = ingest_landing(paths)
            total_times.append(time.perf_counter() - t0)
            assert batch.total("rows_loaded") == per_file * args.files
        rows = per_file * args.files
        p, t = statistics.median(parse_times), statistics.median(total_times)
        print(f"xlsx ingestion: {rows} rows in {args.files} files, median of {args.repeat}")
        print(
            f"  parse only      : {p:.2f} s  ({rows / p:,.0f} rows/s)  min-max {min(parse_times):.2f}-{max(parse_times):.2f}"
        )
        print(
            f"  parse+load+move : {t:.2f} s  ({rows / t:,.0f} rows/s)  min-max {min(total_times):.2f}-{max(total_times):.2f}"
        )


if __name__ == "__main__":
    main()

"""The bulk CSV path and parallel parsing load exactly what the serial cell-by-cell path loads (issue 15).

The same files are ingested twice into fresh DuckDB warehouses — once with the bulk path (and worker
processes), once cell by cell in one process — and everything ingestion writes is compared: every raw table
(clocks and run ids aside), the archive and the quarantine with their .reason.json files.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from xmdw.core.paths import DataPaths
from xmdw.ingestion import parallel
from xmdw.ingestion.batch import BatchResult, ingest_paths
from xmdw.warehouse.connect import connection

CLOCKS = {"log_id", "run_id", "ingested_at", "_ingested_at", "changed_at"}
PROGRESS = "项目编号,项目名称,年度,月份,本月完成投资,本年完成投资,开工累计完成投资,本年到位资金,形象进度比例,建设状态"
PLANS = "项目编号,项目名称,计划年度,计划版本,项目类别,年度计划投资,计划开工月份,是否年内竣工"
P1, P2, P3 = "610222-2022-0006", "610222-2022-0008", "610222-2024-0004"


def _progress(month: int, rows: list[str], year: int = 2024) -> str:
    return "\n".join([PROGRESS, *(r.format(y=year, m=month) for r in rows)]) + "\n"


CLEAN_ROWS = [
    P1 + ",乡村旅游综合开发项目,{y},{m},163.5,163.5,1249.7,155.4,0.18,1",
    P2 + ",物流园区建设项目,{y},{m},67.4,67.4,376.4,64,18%,在建",
    P3 + ",桃溪镇物流园区建设项目,{y},{m},1854.3,1854.3,1854.3,  ,-,1",
]

# name -> text, in batch order; comments say which path each takes and why
FILES: dict[str, str] = {
    "610222_2024年02月_月度投资进度.csv": _progress(2, CLEAN_ROWS),  # bulk
    "610222_2024年03月_月度投资进度.csv": _progress(3, CLEAN_ROWS),  # bulk
    "610222_2024年03月_月度投资进度_更正.csv": _progress(  # bulk: revision 2 of March, one figure changed
        3, [CLEAN_ROWS[0].replace("1249.7", "1250.1"), *CLEAN_ROWS[1:]]
    ),
    "610222_2024年04月_月度投资进度.csv": _progress(  # cell: a rejected row (ING-NUM) and a finding
        4,
        [
            CLEAN_ROWS[0],
            CLEAN_ROWS[1].replace("67.4,67.4", "待定,67.4"),
            CLEAN_ROWS[2].replace("1854.3,1854.3,1854.3", "1854.3,约100,1854.3"),
        ],
    ),
    "610222_2024年05月_月度投资进度.csv": _progress(6, CLEAN_ROWS),  # month column against the name: ING-F7
    "610222_2024年06月_月度投资进度.csv": _progress(
        6, [CLEAN_ROWS[0], CLEAN_ROWS[0], CLEAN_ROWS[1]]
    ),  # ING-DUP
    "610222_2024年07月_月度投资进度.csv": PROGRESS + "\n",  # header only: ING-EMPTY
    "610222_2024年08月_月度投资进度.csv": "宜君县2024年8月月度投资进度\n"  # a title and a total: cell path
    + _progress(8, CLEAN_ROWS)
    + "合计,,,,,2085.2,,,,\n",
    "610222_2024年09月_月度投资进度.csv": _progress(9, CLEAN_ROWS).replace(  # quoted cell: cell path
        "乡村旅游综合开发项目", '"乡村旅游,综合开发项目"'
    ),
    "610222_2024年02月_月度投资进度_副本.csv": _progress(2, CLEAN_ROWS),  # same bytes as the first: duplicate
    "610222_2024年04月_月度投资进度_更正.csv": _progress(
        4, CLEAN_ROWS
    ),  # bulk, revises rows the cell path loaded
    "610222_年度投资计划.csv": "\n".join(  # bulk, another ledger; plan version from its column
        [
            PLANS,
            P1 + ",乡村旅游综合开发项目,2024,年初,续建,1890,,否",
            P2 + ",物流园区建设项目,2024,年初,续建,750,3,是",
        ]
    )
    + "\n",
}
BULK = {
    "610222_2024年02月_月度投资进度.csv",
    "610222_2024年03月_月度投资进度.csv",
    "610222_2024年03月_月度投资进度_更正.csv",
    "610222_2024年04月_月度投资进度_更正.csv",
    "610222_年度投资计划.csv",
}


def _write(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
        out.append(folder / name)
    return out


def _ingest(files: list[Path], root: Path, *, bulk: bool, workers: int) -> BatchResult:
    paths = DataPaths(root).ensure()
    with connection(paths.warehouse) as con:
        return ingest_paths(files, paths, con, run_id="run", bulk=bulk, workers=workers)


def _raw(root: Path) -> dict[str, list[tuple]]:
    """Every raw table, rows sorted, without clocks and run ids; stored paths relative to the data dir."""
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        out = {}
        tables = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw' ORDER BY 1"
        ).fetchall()
        for (table,) in tables:
            cols = [
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'raw' AND table_name = ? "
                    "ORDER BY column_index",
                    [table],
                ).fetchall()
                if r[0] not in CLOCKS
            ]
            quoted = ", ".join(f'"{c}"' for c in cols)
            rows = con.execute(f"SELECT {quoted} FROM raw.{table}")
            out[table] = sorted(
                (
                    tuple(str(v).replace(str(root), "") if isinstance(v, str) else v for v in r)
                    for r in rows.fetchall()
                ),
                key=repr,
            )
        return out
    finally:
        con.close()


def _stored(root: Path) -> dict[str, object]:
    """Archive and quarantine: every file's bytes, reasons without their clock."""
    out: dict[str, object] = {}
    for folder in ("archive", "quarantine"):
        for p in sorted((root / folder).rglob("*")):
            if p.is_file():
                key = str(p.relative_to(root))
                if p.name.endswith(".reason.json"):
                    reason = json.loads(p.read_text(encoding="utf-8"))
                    reason.pop("quarantined_at", None)
                    out[key] = reason
                else:
                    out[key] = p.read_bytes()
    return out


@pytest.fixture
def parsed_by_cell_path(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the files the cell path parses in this process (a spy around the real parser)."""
    seen: list[str] = []
    real = parallel.parse_workbook

    def spy(path, contract):
        seen.append(path.name)
        return real(path, contract)

    monkeypatch.setattr(parallel, "parse_workbook", spy)
    return seen


def test_bulk_path_loads_what_the_cell_path_loads(tmp_path: Path, parsed_by_cell_path: list[str]) -> None:
    files = _write(tmp_path / "in")
    cell = _ingest(files, tmp_path / "cell", bulk=False, workers=1)
    parsed_by_cell_path.clear()
    bulk = _ingest(files, tmp_path / "bulk", bulk=True, workers=1)

    # the bulk path took the template-shaped files and only them
    assert not BULK & set(parsed_by_cell_path)
    assert set(parsed_by_cell_path) == set(FILES) - BULK - {"610222_2024年02月_月度投资进度_副本.csv"}
    assert [
        (o.file_name, o.status, o.rows_loaded, o.rows_rejected, o.rows_revised) for o in bulk.outcomes
    ] == [(o.file_name, o.status, o.rows_loaded, o.rows_rejected, o.rows_revised) for o in cell.outcomes]
    statuses = {o.file_name: o.status for o in cell.outcomes}
    assert statuses["610222_2024年05月_月度投资进度.csv"] == "quarantined"
    assert statuses["610222_2024年07月_月度投资进度.csv"] == "quarantined"
    assert statuses["610222_2024年02月_月度投资进度_副本.csv"] == "duplicate"
    assert {o.file_name: o.rows_revised for o in cell.outcomes}[
        "610222_2024年04月_月度投资进度_更正.csv"
    ] == 2

    a, b = _raw(tmp_path / "cell"), _raw(tmp_path / "bulk")
    assert a.keys() == b.keys()
    for table in a:
        assert a[table] == b[table], table
    # the fixture exercises what it claims: revisions, changes, rejections, findings
    assert a["revision_changes"] and a["rejected_rows"] and a["value_findings"]
    assert _stored(tmp_path / "cell") == _stored(tmp_path / "bulk")


def test_parallel_parsing_loads_what_serial_parsing_loads(tmp_path: Path) -> None:
    from xmdw_demo import generate

    generate(tmp_path / "demo", scale="county")
    files = sorted(p for p in (tmp_path / "demo").rglob("*") if p.is_file())
    files = [p for p in files if p.suffix == ".xlsx"][:12] + [p for p in files if p.suffix != ".xlsx"]
    serial = _ingest(files, tmp_path / "serial", bulk=False, workers=1)
    parallel_run = _ingest(files, tmp_path / "parallel", bulk=True, workers=2)
    assert [(o.file_name, o.status) for o in serial.outcomes] == [
        (o.file_name, o.status) for o in parallel_run.outcomes
    ]
    assert _raw(tmp_path / "serial") == _raw(tmp_path / "parallel")
    assert _stored(tmp_path / "serial") == _stored(tmp_path / "parallel")

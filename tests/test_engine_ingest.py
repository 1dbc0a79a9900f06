"""Ingestion on both engines (issue 14): the same landing files loaded into DuckDB and into a real PostgreSQL
server (`pg_database`, XMDW_ENGINE=postgres) leave the same rows in every raw table — contract entities with
their lineage and revisions, the change log of resubmissions, ingest_log, rejected rows, value findings,
skipped rows and sheets. Bulk rows reach the server by COPY, and a workbook loads all or nothing there too.

Compared: every column except those that legitimately differ between two runs — `log_id` (a random id per
log row), `ingested_at` / `_ingested_at` / `changed_at` (the clock) — with `stored_path` read relative to
each run's data folder. The tests fail, never skip, when PostgreSQL cannot start."""

from __future__ import annotations

import os
import shutil
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from ledgers import PLAN_HEADER, PROGRESS_HEADER, PROJECT_HEADER, write_csv, write_xlsx

from xmdw.contract import LINEAGE_COLUMNS, load_contract
from xmdw.core.paths import DataPaths
from xmdw.ingestion import batch
from xmdw.ingestion.batch import BatchResult, ingest_landing
from xmdw.warehouse import store
from xmdw.warehouse.engine import EngineSettings, warehouse_connection
from xmdw.warehouse.postgres import PgConnection

VOLATILE = {"log_id", "ingested_at", "_ingested_at", "changed_at"}
OLD = 1_700_000_000  # landing files older than the settle window: read at once
FUNDS_HEADER = ["项目编号", "资金类型", "资金年度", "批次", "下达金额"]
BAD_ROWS = 70  # more than store.FEW_RECORDS: the log rows go the bulk way (COPY on the server)


def _first_batch(folder: Path) -> None:
    write_xlsx(
        folder / "县交通局_2024年03月.xlsx",
        [
            ["2024年3月重点项目投资进度台账"],
            ["单位：万元"],
            PROGRESS_HEADER,
            ["P1", "甲", 2024, 3, 100, 500],
            ["P2", "乙", 2024, 3, 40, "约九十"],  # unreadable optional value: kept, a value finding
            ["P3", "丙", 2024, 3, "n/a?", 80],  # unreadable required value: rejected
            ["合计", None, None, None, 140, 500],  # a total row: skipped
        ],
    )
    write_xlsx(
        folder / "县财政局_2024年资金.xlsx",
        [FUNDS_HEADER, ["P1", "中央预算内投资", 2024, None, 300], ["P1", "专项债", 2024, "第一批", 800]],
    )
    write_xlsx(
        folder / "县发改局_项目台账.xlsx",
        [
            PROJECT_HEADER,
            ["P1", "甲", "610728", "开工", 1200, "县交通局"],
            ["P2", "乙", "610728", "在建", 90, None],
        ],
        sheet="项目",
        extra_sheets={
            "计划": [PLAN_HEADER, ["P1", 2024, "年初", 300], ["P2", 2024, "年初", 50]],
            "填报说明": [["请按模板填写，不要改动表头"]],
        },
    )
    good = [[f"Q{i}", f"项目{i}", 2024, 4, i, i * 10] for i in range(BAD_ROWS)]
    bad = [[f"R{i}", f"坏{i}", 2024, 4, "待定", 1] for i in range(BAD_ROWS)]
    write_csv(folder / "县住建局_2024年04月.csv", [PROGRESS_HEADER, *good, *bad])
    # a ledger missing a required column: quarantined, its readable rows' problems recorded beside it
    write_xlsx(
        folder / "县水利局_2024年03月.xlsx",
        [["项目编号", "项目名称", "年度", "月份", "开工累计完成投资"], ["W1", "水", 2024, 3, "很多"]],
    )


def _second_batch(folder: Path) -> None:
    write_xlsx(folder / "县交通局_2024年03月_更正.xlsx", [PROGRESS_HEADER, ["P1", "甲", 2024, 3, 120, 520]])
    write_xlsx(
        folder / "县财政局_2024年资金_更正.xlsx", [FUNDS_HEADER, ["P1", "中央预算内投资", 2024, None, 350]]
    )
    shutil.copy2(folder.parent / "1" / "县发改局_项目台账.xlsx", folder / "县发改局_项目台账_重发.xlsx")


def _land(source: Path, paths: DataPaths) -> None:
    for i, f in enumerate(sorted(source.iterdir())):
        shutil.copy2(f, paths.landing / f.name)
        os.utime(paths.landing / f.name, (OLD + i, OLD + i))


def _tables() -> dict[str, list[str]]:
    """Every raw table ingestion writes, with the columns compared (contract order, volatile ones out)."""
    out = {
        e.table: [c.name for c in e.columns] + [n for n, _, _ in LINEAGE_COLUMNS]
        for e in load_contract().entities.values()
    }
    out |= {t: [n for n, _ in cols] for t, cols in store.LOG_TABLES.items() if not t.startswith("dq_")}
    return {t: [c for c in cols if c not in VOLATILE] for t, cols in out.items()}


def _value(v: object, root: Path) -> object:
    if isinstance(v, str):
        return v.replace(str(root), "<data>")
    if isinstance(v, float):  # compared as the decimal the double prints as (both drivers give float)
        return Decimal(repr(v))
    return v


def raw_rows(paths: DataPaths) -> dict[str, Counter]:
    """Each raw table of the build warehouse of the current engine, as a multiset of compared rows."""
    out = {}
    with warehouse_connection(paths.warehouse, read_only=True) as con:
        for table, cols in _tables().items():
            got = con.execute(f"SELECT {', '.join(chr(34) + c + chr(34) for c in cols)} FROM raw.{table}")
            out[table] = Counter(tuple(_value(v, paths.root) for v in r) for r in got.fetchall())
    return out


def _ingest_batches(paths: DataPaths, sources: list[Path]) -> list[BatchResult]:
    results = []
    for n, source in enumerate(sources, start=1):
        _land(source, paths)
        results.append(ingest_landing(paths, run_id=f"run{n}"))
    return results


@pytest.fixture
def landing_batches(tmp_path: Path) -> list[Path]:
    first, second = tmp_path / "src" / "1", tmp_path / "src" / "2"
    first.mkdir(parents=True)
    second.mkdir()
    _first_batch(first)
    _second_batch(second)
    return [first, second]


def _use_postgres(monkeypatch: pytest.MonkeyPatch, dsn: str) -> None:
    monkeypatch.setenv("XMDW_ENGINE", "postgres")
    monkeypatch.setenv("XMDW_PG_DSN", dsn)


def _outcomes(results: list[BatchResult]) -> list[tuple]:
    return [
        (
            o.file_name,
            o.status,
            o.rows_loaded,
            o.rows_rejected,
            o.rows_revised,
            o.reason.rule if o.reason else None,
        )
        for r in results
        for o in r.outcomes
    ]


def test_the_same_files_leave_the_same_raw_rows_in_duckdb_and_postgresql(
    tmp_path: Path, landing_batches: list[Path], pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    copies: list[tuple] = []
    real_copy = PgConnection.copy_rows

    def counting_copy(self, table, columns, rows):  # the real COPY, counted per table
        n = real_copy(self, table, columns, rows)
        copies.append((table, n))
        return n

    monkeypatch.setattr(PgConnection, "copy_rows", counting_copy)
    monkeypatch.delenv("XMDW_ENGINE", raising=False)
    duck = DataPaths(tmp_path / "duck").ensure()
    duck_results = _ingest_batches(duck, landing_batches)
    duck_rows = raw_rows(duck)
    assert duck.warehouse.exists() and not copies

    _use_postgres(monkeypatch, pg_database)
    pg = DataPaths(tmp_path / "pg").ensure()
    pg_results = _ingest_batches(pg, landing_batches)
    assert not pg.warehouse.exists()  # the server holds the warehouse: no DuckDB file was made
    pg_rows = raw_rows(pg)

    assert _outcomes(pg_results) == _outcomes(duck_results)
    for table in _tables():
        assert pg_rows[table] == duck_rows[table], table

    # what the files hold arrived (the equality above is not between two empty warehouses)
    statuses = Counter(o[1] for o in _outcomes(pg_results))
    assert statuses == {"accepted": 6, "quarantined": 1, "duplicate": 1}
    with warehouse_connection(pg.warehouse) as con:
        assert con.execute(
            "SELECT project_id, ytd_completed, _revision FROM raw.monthly_progress WHERE project_id = 'P1' "
            "ORDER BY _revision"
        ).fetchall() == [("P1", Decimal("100.0000"), 1), ("P1", Decimal("120.0000"), 2)]
        # a NULL batch is one natural key: the corrected file revises it
        assert con.execute(
            "SELECT issued_amount, _revision FROM raw.funds WHERE batch IS NULL ORDER BY _revision"
        ).fetchall() == [(Decimal("300.0000"), 1), (Decimal("350.0000"), 2)]
        changes = con.execute(
            "SELECT entity, natural_key, column_name, old_value, new_value FROM raw.revision_changes "
            "ORDER BY 1, 3"
        ).fetchall()
        assert ("funds", '{"project_id":"P1","fund_type":"中央预算内投资","fund_year":2024,"batch":null}',
                "issued_amount", "300.0000", "350.0000") in changes  # fmt: skip
        assert ("monthly_progress", '{"project_id":"P1","year":2024,"month":3,"basis":"DISPATCH"}',
                "ytd_completed", "100.0000", "120.0000") in changes  # fmt: skip
        # the CSV's bad rows, P3, and the quarantined file's readable row (recorded beside its quarantine)
        assert con.execute("SELECT count(*) FROM raw.rejected_rows").fetchone()[0] == BAD_ROWS + 2
        assert con.execute("SELECT count(*) FROM raw.skipped_sheets").fetchone()[0] == 1
    copied = Counter(t for t, _ in copies)
    assert copied["_incoming_frame"] == 7  # every accepted ledger's rows: one COPY each
    assert ("raw.rejected_rows", BAD_ROWS) in copies  # a log table's many rows: one COPY


def test_a_workbook_loads_all_or_nothing_on_the_server(
    tmp_path: Path, landing_batches: list[Path], pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last write of a two-ledger workbook fails on the server: its projects and plans are rolled back,
    the file is quarantined (ING-CRASH) and the next file of the batch loads."""
    _use_postgres(monkeypatch, pg_database)
    real = store.insert_records

    def failing(con, table, records):
        if table == "skipped_sheets" and records:  # only the workbook with an instructions sheet
            con.execute("SELECT 1/0")  # a real server error inside the workbook's transaction
        return real(con, table, records)

    monkeypatch.setattr(store, "insert_records", failing)
    paths = DataPaths(tmp_path / "pg").ensure()
    (result,) = _ingest_batches(paths, landing_batches[:1])
    status = {o.file_name: (o.status, o.reason.rule if o.reason else None) for o in result.outcomes}
    assert status["县发改局_项目台账.xlsx"] == ("quarantined", "ING-CRASH")
    assert status["县财政局_2024年资金.xlsx"] == ("accepted", None)
    with warehouse_connection(paths.warehouse) as con:
        assert con.execute("SELECT count(*) FROM raw.projects").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM raw.annual_plans").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM raw.funds").fetchone()[0] == 2
        assert con.execute(
            "SELECT status, reason_rule FROM raw.ingest_log WHERE file_name = '县发改局_项目台账.xlsx'"
        ).fetchall() == [("quarantined", "ING-CRASH")]


def test_postgresql_that_cannot_be_reached_stops_ingestion_with_the_driver_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An engine given by the caller (the Dagster resource's settings) wins over the environment, and
    postgres never falls back to a DuckDB file: a server that is not there is an error."""
    monkeypatch.delenv("XMDW_ENGINE", raising=False)
    paths = DataPaths(tmp_path / "pg").ensure()
    write_xlsx(paths.landing / "a.xlsx", [PROGRESS_HEADER, ["P1", "甲", 2024, 3, 1, 1]])
    os.utime(paths.landing / "a.xlsx", (OLD, OLD))
    unreachable = EngineSettings("postgres", "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(psycopg2.OperationalError):
        batch.ingest_landing(paths, settings=unreachable)
    assert not paths.warehouse.exists()
    assert (paths.landing / "a.xlsx").exists()  # left for the next run


# --- the county demo on both engines (e2e: generation + two ingestions) -----------------------------------


@pytest.fixture(scope="module")
def county_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from xmdw_demo import generate

    folder = tmp_path_factory.mktemp("county_landing")
    generate(folder, "county", seed=2024)
    return folder


def _ingest_county(source: Path, paths: DataPaths) -> tuple[BatchResult, float]:
    for f in source.rglob("*"):
        if f.is_file():
            target = paths.landing / f.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(f, target)  # the same bytes and mtime; ingestion moves the link, not the original
    started = time.perf_counter()
    result = ingest_landing(paths, run_id="county")
    return result, time.perf_counter() - started


@pytest.mark.e2e
def test_county_demo_ingests_to_the_same_raw_rows_on_both_engines(
    tmp_path: Path, county_landing: Path, pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "_pause", lambda _s: None)
    monkeypatch.delenv("XMDW_ENGINE", raising=False)
    duck = DataPaths(tmp_path / "duck").ensure()
    duck_result, duck_s = _ingest_county(county_landing, duck)
    _use_postgres(monkeypatch, pg_database)
    pg = DataPaths(tmp_path / "pg").ensure()
    pg_result, pg_s = _ingest_county(county_landing, pg)
    print(f"county ingestion: DuckDB {duck_s:.1f} s, PostgreSQL {pg_s:.1f} s")

    assert _outcomes([pg_result]) == _outcomes([duck_result])
    assert pg_result.count("quarantined") >= 1 and pg_result.total("rows_revised") >= 1
    pg_rows = raw_rows(pg)
    monkeypatch.delenv("XMDW_ENGINE")
    duck_rows = raw_rows(duck)
    for table in _tables():
        assert pg_rows[table] == duck_rows[table], table
    assert sum(pg_rows["revision_changes"].values()) > 0

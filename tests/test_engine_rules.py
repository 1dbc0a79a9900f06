"""The data-quality rules on both engines (issue 14): the county demo's raw schema copied into a real
PostgreSQL database, the whole rule catalog run on it and on the DuckDB warehouse the rows came from — the
same findings (rule, file, sheet, row, column, key, observed value), the same counts, the same log rows, and
the demo's injected problems found on PostgreSQL. Every rule SQL file runs on PostgreSQL and returns the
rows DuckDB returns. Real server (tests/pg_server.py: fails, never skips, when PostgreSQL cannot start)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pg_copy import copy_schemas

from xmdw.quality.catalog import load_rules, rule_by_id
from xmdw.quality.gx_runner import validate_table
from xmdw.quality.relations import prepare, rule_sql
from xmdw.quality.results import DqRun, validate
from xmdw.warehouse.connect import connect
from xmdw.warehouse.postgres import PgConnection

pytestmark = pytest.mark.e2e  # reads the county demo (built once per session by a whole `xmdw run`)

# raw.dq_results columns that describe a finding (run_id and detected_at differ by construction)
RESULT_COLUMNS = (
    "rule_id, severity, rule_group, table_name, scope, submitting_unit, file_id, file_name, sheet, source_row, "
    "column_name, column_zh, record_key, observed_value, message_zh, held_back, blocking, submitted_at"
)


def _findings(run: DqRun) -> list[tuple]:
    return sorted(
        (v.table, o.rule.id, kind, *(str(x) for x in vars(f).values()))
        for v in run.validations
        for o in v.outcomes
        for kind, items in (("finding", o.findings), ("note", o.notes))
        for f in items
    )


def _outcomes(run: DqRun) -> list[tuple]:
    return sorted(
        (v.table, o.rule.id, o.success, o.element_count, o.unexpected_count, sorted(o.held_rows))
        for v in run.validations
        for o in v.outcomes
    )


def _rows(con, sql: str) -> list[tuple]:  # noqa: ANN001 - either engine's connection
    return sorted(tuple(str(v) for v in r) for r in con.execute(sql).fetchall())


@pytest.fixture(scope="module")
def engines(county_demo, pg_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:  # noqa: ANN001
    """(DuckDB connection to a copy of the demo warehouse, PgConnection to a database holding its raw schema,
    the demo)."""
    import psycopg2

    folder = tmp_path_factory.mktemp("engine_rules")
    duck_file = folder / "warehouse.duckdb"
    shutil.copy(county_demo.paths.warehouse, duck_file)
    admin = psycopg2.connect(pg_server.dsn(database="postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("create database engine_rules encoding 'UTF8' template template0")
    dsn = pg_server.dsn(database="engine_rules")
    copy_schemas(Path(duck_file), dsn, ("raw",))
    duck, pg = connect(duck_file), PgConnection(dsn)
    try:
        yield duck, pg, county_demo
    finally:
        duck.close()
        pg.close()
        with admin.cursor() as cur:
            cur.execute("drop database if exists engine_rules with (force)")
        admin.close()


@pytest.fixture(scope="module")
def full_runs(engines) -> tuple[DqRun, DqRun]:  # noqa: ANN001
    """One full validation per engine, results written to each engine's log tables."""
    duck, pg, _ = engines
    return (
        validate(duck, run_id="enginecmp", write=True, full=True),
        validate(pg, run_id="enginecmp", write=True, full=True),
    )


def test_the_catalog_finds_the_same_on_both_engines(full_runs):
    duck_run, pg_run = full_runs
    assert _findings(pg_run) == _findings(duck_run)
    assert _outcomes(pg_run) == _outcomes(duck_run)
    for severity in ("fatal", "warning", "info"):
        assert pg_run.count(severity) == duck_run.count(severity), severity
    assert pg_run.rows_held_back == duck_run.rows_held_back
    assert pg_run.count("fatal") + pg_run.count("warning") > 0  # the demo's injected problems


def test_the_demo_injected_problems_are_found_on_postgres(engines, full_runs):
    _, _, demo = engines
    _, pg_run = full_runs
    found = {
        (f.file_name, f.sheet, f.source_row)
        for v in pg_run.validations
        for o in v.outcomes
        for f in o.findings
    }
    injected = [p for p in demo.manifest["injected"] if str(p["expect"]).startswith("dq_")]
    assert injected
    missing = [p for p in injected if (Path(p["file"]).name, p["sheet"], p["row"]) not in found]
    assert missing == []


def test_the_log_tables_hold_the_same_rows_on_both_engines(engines, full_runs):
    duck, pg, _ = engines
    where = "WHERE run_id = 'enginecmp'"
    results = f"SELECT {RESULT_COLUMNS} FROM raw.dq_results {where}"
    assert _rows(pg, results) == _rows(duck, results)
    assert len(_rows(pg, results)) > 0
    rule_results = (
        "SELECT rule_id, table_name, severity, success, element_count, unexpected_count, blocking "
        f"FROM raw.dq_rule_results {where}"
    )
    assert _rows(pg, rule_results) == _rows(duck, rule_results)
    excluded = f"SELECT entity, _file_id, _sheet, _source_row, rule_id FROM raw.dq_excluded_rows {where}"
    assert _rows(pg, excluded) == _rows(duck, excluded)
    runs = (
        "SELECT tables_validated, rows_validated, rules_run, rules_failed, fatal_count, warning_count, "
        f"info_count, rows_held_back, blocked_tables, rule_set_version, files_new FROM raw.dq_runs {where}"
    )
    assert _rows(pg, runs) == _rows(duck, runs)
    checked = f"SELECT rule_set_version, entity, file_id FROM raw.dq_checked_files {where}"
    assert _rows(pg, checked) == _rows(duck, checked) != []


def test_an_incremental_run_on_postgres_carries_the_full_results_forward(engines, full_runs):
    _, pg, _ = engines
    _, full = full_runs
    again = validate(pg, run_id="enginecmp2", write=True)
    assert again.carried_forward and again.files_new == 0
    assert _findings(again) == _findings(full)


def test_every_rule_sql_runs_on_postgres_and_returns_what_duckdb_returns(engines, full_runs):
    duck, pg, _ = engines
    prepare(duck)
    prepare(pg)
    ran, differ = 0, []
    for rule in (r for r in load_rules() if r.is_sql):
        for table in rule.tables:
            sql = rule_sql(rule, table)
            if _rows(pg, sql) != _rows(duck, sql):
                differ.append((rule.id, table))
            ran += 1
    assert differ == []
    assert ran == sum(len(r.tables) for r in load_rules() if r.is_sql) > 70


def test_a_sql_rule_runs_once_on_postgres(engines, full_runs):
    """GX reads what the rule wrote to the findings relation: the rule's own query runs once (it ran
    three times before: GX's rows, GX's count, the lineage)."""
    _, pg, _ = engines
    pg.execute("CREATE SEQUENCE rule_runs")
    try:
        counted = replace(
            rule_by_id("C1"),
            sql="WITH tick AS (SELECT nextval('rule_runs') AS n) SELECT t._file_id, t._sheet, t._source_row, "
            "t.project_id AS observed FROM {rows} AS t, tick WHERE tick.n > 0",
        )
        (o,) = validate_table(pg, "projects", rules=[counted]).outcomes
        assert not o.success and o.unexpected_count == o.element_count > 0
        assert pg.execute("SELECT last_value FROM rule_runs").fetchall() == [(1,)]
    finally:
        pg.execute("DROP SEQUENCE rule_runs")

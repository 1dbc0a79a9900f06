"""Every rule's breaking case of tests/test_dq_rules.py on both engines (issue 14): the small world with one
rule broken is loaded into DuckDB (in memory) and the same raw rows into a real PostgreSQL database; the rule
must fail on both with the same findings (file, sheet, row, column, key, observed value), notes and counts.
The county demo breaks only a few rules; this breaks each one. Fails, never skips, without PostgreSQL."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest
from dq_rule_world import RULES, _shared_connection, base_world, load
from pg_copy import pg_type
from test_dq_rules import CASES

from xmdw.quality.gx_runner import prepare, validate_table
from xmdw.warehouse.postgres import PgConnection

pytestmark = pytest.mark.heavy  # 105 cases × two engines, ~2.5 min on two shared cores: make test-heavy


@pytest.fixture(scope="module")
def pg(pg_server) -> Iterator[PgConnection]:  # noqa: ANN001
    """A database with DuckDB's raw tables (same columns, types mapped), empty."""
    import psycopg2

    admin = psycopg2.connect(pg_server.dsn(database="postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("create database engine_rule_cases encoding 'UTF8' template template0")
    con = PgConnection(pg_server.dsn(database="engine_rule_cases"))
    con.execute("create schema raw")
    for table, cols in _raw_tables().items():
        ddl = ", ".join(f'"{c}" {pg_type(t)}' for c, t in cols)
        con.execute(f"create table raw.{table} ({ddl})")
    try:
        yield con
    finally:
        con.close()
        with admin.cursor() as cur:
            cur.execute("drop database if exists engine_rule_cases with (force)")
        admin.close()


def _raw_tables() -> dict[str, list[tuple[str, str]]]:
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in (
        _shared_connection()
        .execute(
            "select table_name, column_name, data_type from duckdb_columns() where schema_name = 'raw' "
            "order by table_name, column_index"
        )
        .fetchall()
    ):
        tables.setdefault(table, []).append((column, data_type))
    return tables


def _copy_raw(pg: PgConnection) -> None:
    """The raw rows the DuckDB connection sees now (inside its open transaction) into PostgreSQL."""
    duck = _shared_connection()
    for table, cols in _raw_tables().items():
        pg.execute(f"truncate raw.{table}")
        names = [c for c, _ in cols]
        select = ", ".join(f'"{c}"' for c in names)
        rows = duck.execute(f"select {select} from raw.{table}").fetchall()
        pg.copy_rows(f"raw.{table}", names, rows)


def _seen(outcome) -> tuple:  # noqa: ANN001 - a RuleOutcome
    return (
        outcome.success,
        outcome.unexpected_count,
        sorted(tuple(str(v) for v in vars(f).values()) for f in outcome.findings),
        sorted(tuple(str(v) for v in vars(f).values()) for f in outcome.notes),
        sorted(outcome.held_rows),
    )


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_a_broken_rule_fails_alike_on_both_engines(rule_id: str, pg: PgConnection) -> None:
    rule = RULES[rule_id]
    change, _, *table = CASES[rule_id]
    world = copy.deepcopy(base_world())
    change(world)
    table = table[0] if table else rule.tables[0]
    hook = world.pop("_log", None)
    duck = _shared_connection()
    try:
        load(world, hook)
        prepare(duck)
        (on_duckdb,) = validate_table(duck, table, rules=[rule], prepared=True).outcomes
        _copy_raw(pg)
    finally:
        duck.execute("ROLLBACK")
    (on_postgres,) = validate_table(pg, table, rules=[rule]).outcomes
    assert not on_duckdb.success and on_duckdb.findings
    assert _seen(on_postgres) == _seen(on_duckdb)

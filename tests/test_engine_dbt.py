"""Issue 14: the dbt project builds on PostgreSQL as on DuckDB, with the same marts.

The county demo's raw rows (the session's DuckDB build) are copied into a fresh database of the test server;
`dbt build --target postgres` runs every seed, model, data test and unit test there; then every table of
`marts` and `ref` (built as `build_marts` / `build_ref` on the server) must equal DuckDB's row for row. Numbers
are compared to the last digit, not only within the 0.0001 the issue allows: the models divide in double and
round the way DuckDB does on every engine (macros/portable_types.sql, decimal_from_double).
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from dbt_runner import run_dbt
from engine_compare import compare_relations, published_pairs
from pg_copy import copy_schemas

from xmdw.contract import Column, Entity
from xmdw.contract.render import staging_sql, staging_yaml
from xmdw.warehouse.engine import EngineSettings
from xmdw.warehouse.postgres import PgConnection


def _dbt_build_on_postgres(dsn: str, workdir: Path) -> subprocess.CompletedProcess:
    """dbt as xmdw runs it, on the postgres target (profiles.yml reads the XMDW_PG_* parts of the DSN); its own
    target and log folders, so parallel tests do not share a manifest."""
    return run_dbt(["build"], workdir, EngineSettings("postgres", dsn).dbt_env())


# heavy (issue 15): `make test` stayed over its 15 minutes; tests/test_engine_pipeline.py still builds every model
# on PostgreSQL in `make test` and compares every published relation with DuckDB's — this one adds the unit tests
# and the seeds' and data tests' counts on the server
@pytest.mark.heavy
def test_dbt_builds_on_postgres_with_marts_equal_to_duckdb(county_demo, pg_database, tmp_path) -> None:
    copied = copy_schemas(county_demo.paths.warehouse, pg_database, ("raw",))
    assert copied["raw.projects"] > 0 and copied["raw.monthly_progress"] > 0

    proc = _dbt_build_on_postgres(pg_database, tmp_path)
    assert proc.returncode == 0, proc.stdout[-6000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    kinds = Counter(r["unique_id"].split(".")[0] for r in results)
    failed = [(r["unique_id"], r["status"]) for r in results if r["status"] not in ("pass", "success")]
    assert failed == [], failed
    # every kind of node ran (a project that lost its seeds or unit tests would pass with fewer)
    assert (
        kinds["seed"] >= 8 and kinds["model"] >= 33 and kinds["test"] >= 200 and kinds["unit_test"] >= 20
    ), kinds

    pg = PgConnection(pg_database, read_only=True)
    duck = duckdb.connect(str(county_demo.paths.warehouse), read_only=True)
    try:
        schemas = {s for (s,) in pg.execute("select schema_name from information_schema.schemata").fetchall()}
        assert {"build_marts", "build_ref", "staging", "intermediate"} <= schemas
        assert not {"marts", "ref"} & schemas  # published only by the swap, never by the build
        pairs = published_pairs(duck)
        assert len(pairs) >= 30
        assert compare_relations(duck, pg, pairs, tolerance=0.0) == []
        # personal data reaches the marts masked only: 张** / 138****5678, never the clerk's ledger value
        people = pg.execute(
            "select count(*), count(*) filter (where contact_person like '%*%' or length(contact_person) = 1) "
            "from build_marts.mart_project_progress where contact_person is not null"
        ).fetchone()
        assert people[0] > 0 and people[0] == people[1]
    finally:
        duck.close()
        pg.close()


def test_the_comparison_reports_numbers_beyond_the_tolerance_text_and_nulls() -> None:
    """compare_relations can fail: a number 0.001 off, a changed text, a NULL against a value and a missing row
    are reported; 0.00005 off is equal within the tolerance and unequal at tolerance 0."""
    left, right = duckdb.connect(), duckdb.connect()
    left.execute("create table t as select * from (values (1, 'a', 0.5::double), (2, 'b', null)) v(k, s, x)")
    right.execute(
        "create table t as select * from (values (2, 'b', null), (1, 'a', 0.50005::double)) v(k, s, x)"
    )
    assert compare_relations(left, right, [("t", "t")]) == []
    assert len(compare_relations(left, right, [("t", "t")], tolerance=0.0)) == 1
    for change in (
        "update t set x = 0.501 where k = 1",
        "update t set s = 'B' where k = 2",
        "update t set x = 1",
    ):
        other = duckdb.connect()
        other.execute(
            "create table t as select * from (values (1, 'a', 0.5::double), (2, 'b', null)) v(k, s, x)"
        )
        other.execute(change)
        assert compare_relations(left, other, [("t", "t")]), change
    right.execute("delete from t where k = 2")
    assert compare_relations(left, right, [("t", "t")]) == ["t: 2 rows in the first, 1 in the second"]


def test_staging_masks_personal_columns_and_names_types_per_engine() -> None:
    """render.py: a contract column with `personal` goes through mask_personal; the YAML contract types what
    each engine reports (text; double vs double precision decided by target.type)."""
    entity = Entity(
        "people",
        "人员",
        "People",
        "people.xlsx",
        ("person_id",),
        (
            Column("person_id", "编号", "text", "Id", required=True),
            Column("contact_phone", "联系电话", "text", "Phone", personal="phone"),
            Column("score", "得分", "number", "Score"),
        ),
    )
    sql = staging_sql(entity)
    assert "{{ mask_personal('contact_phone', 'phone') }} as contact_phone" in sql
    assert "cast(contact_phone" not in sql
    assert "cast(score as {{ type_double() }}) as score" in sql
    assert "varchar" not in sql and " double)" not in sql
    yml = staging_yaml(entity)
    assert "data_type: text" in yml and "target.type == ''postgres''" in yml

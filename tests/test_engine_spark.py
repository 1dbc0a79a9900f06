"""Issue 14, national scale: the dbt project builds on Spark (dbt-spark, session method, local mode) with the same
marts as on DuckDB. Heavy (minutes): only in `make test-heavy`.

The county demo's raw schema (the session's DuckDB build) is exported to Parquet and registered as Spark tables
(tests/spark_local.py); `dbt build --target spark` runs every seed, model, data test and unit test; then every
table of `marts` and `ref` must equal DuckDB's row for row within 0.0001. The Spark tables are Parquet files
under the Spark warehouse folder, read back with DuckDB once dbt's Spark process has ended (the Derby metastore
admits one process at a time). Spark that cannot start fails the test: nothing here skips.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from engine_compare import TOLERANCE, compare_relations
from spark_local import dbt_build_on_spark, spark_raw_from_duckdb

PUBLISHED = ("marts", "ref")


def _spark_tables_in_duckdb(warehouse_dir: Path) -> tuple[duckdb.DuckDBPyConnection, list[str]]:
    """An in-memory DuckDB with a view per Spark table of the published schemas (schema = Spark database,
    files under <warehouse>/<database>.db/<table>/); returns it and the schema.table names."""
    con = duckdb.connect()
    names = []
    for schema in PUBLISHED:
        con.execute(f'create schema "{schema}"')
        for folder in sorted((warehouse_dir / f"{schema}.db").iterdir()):
            if folder.is_dir():
                files = f"{folder}/*.parquet"
                con.execute(
                    f'create view "{schema}"."{folder.name}" as select * from read_parquet(\'{files}\')'
                )
                names.append(f"{schema}.{folder.name}")
    return con, names


def _duckdb_tables(duck: duckdb.DuckDBPyConnection) -> list[str]:
    marks = ", ".join("?" for _ in PUBLISHED)
    rows = duck.execute(
        f"select schema_name, table_name from duckdb_tables() where schema_name in ({marks}) order by 1, 2",
        list(PUBLISHED),
    ).fetchall()
    return [f"{s}.{t}" for s, t in rows]


@pytest.mark.heavy
def test_dbt_builds_on_spark_with_marts_equal_to_duckdb(county_demo, tmp_path: Path) -> None:
    spark_dir = tmp_path / "spark"
    exported, registered = spark_raw_from_duckdb(county_demo.paths.warehouse, spark_dir)
    assert exported == registered and exported["projects"] > 0 and exported["monthly_progress"] > 0

    started = time.monotonic()
    proc = dbt_build_on_spark(spark_dir, tmp_path)
    seconds = time.monotonic() - started
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["metadata"]["adapter_type"] == "spark"
    results = json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    failed = [(r["unique_id"], r["status"]) for r in results if r["status"] not in ("pass", "success")]
    assert failed == [], failed
    kinds = Counter(r["unique_id"].split(".")[0] for r in results)
    # every kind of node ran (a project that lost its seeds or unit tests would pass with fewer)
    assert (
        kinds["seed"] >= 8 and kinds["model"] >= 33 and kinds["test"] >= 200 and kinds["unit_test"] >= 20
    ), kinds
    print(f"dbt build on Spark: {dict(kinds)} passed in {seconds:.0f} s")  # the figure of docs/scale-out.md

    spark, spark_tables = _spark_tables_in_duckdb(spark_dir / "warehouse")
    duck = duckdb.connect(str(county_demo.paths.warehouse), read_only=True)
    try:
        duck_tables = _duckdb_tables(duck)
        assert len(duck_tables) >= 30
        assert sorted(spark_tables) == duck_tables
        pairs = [(name, name) for name in duck_tables]
        assert compare_relations(duck, spark, pairs, tolerance=TOLERANCE) == []
        # the seed loader wrote empty cells as NULL and kept apostrophes (macros/spark_seeds.sql)
        nulls = spark.execute("select count(*) from ref.dim_region where parent_code is null").fetchone()[0]
        assert nulls > 0
    finally:
        duck.close()
        spark.close()

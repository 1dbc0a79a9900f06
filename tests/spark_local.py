"""A local Spark for the dbt models (issue 14, national scale): the county demo's raw schema as Spark tables, and
`dbt build --target spark` on them.

Spark runs in local mode inside dbt's process (dbt-spark's session method) with its settings from the `spark`
output of dbt_models/profiles.yml: table files, the Derby metastore and scratch space under XMDW_SPARK_DIR.
DuckDB exports every raw table to Parquet; a short-lived Python process with the same settings registers them as
tables of the Spark database `raw` (what dbt's sources read) and exits before dbt starts, because an embedded
Derby metastore admits one process at a time.

    folder = spark_raw_from_duckdb(duckdb_file, spark_dir)   # raw.* as Spark tables
    proc = dbt_build_on_spark(spark_dir, workdir)           # target/run_results.json under workdir
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import yaml
from dbt_runner import run_dbt

from xmdw.core.paths import DBT_PROJECT_DIR, PROJECT_ROOT

# dbt-spark and pyspark live in a venv of their own (Makefile: SPARK_VENV, and why); XMDW_SPARK_VENV overrides it
SPARK_BIN = Path(os.environ.get("XMDW_SPARK_VENV") or PROJECT_ROOT / ".venv-spark") / "bin"

SPARK_DIR_PLACEHOLDER = "{{ env_var('XMDW_SPARK_DIR', '/tmp/xmdw-spark') }}"
RAW_DATABASE = "raw"


def spark_settings(spark_dir: Path) -> dict[str, str]:
    """The Spark settings dbt's session uses (profiles.yml, output `spark`), for `spark_dir`."""
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    params = profile["xmdw"]["outputs"]["spark"]["server_side_parameters"]
    settings = {k: str(v).replace(SPARK_DIR_PLACEHOLDER, str(spark_dir)) for k, v in params.items()}
    settings["spark.sql.ansi.enabled"] = "false"  # as dbt-spark forces it
    return settings


def export_raw_parquet(duckdb_file: Path, folder: Path) -> dict[str, int]:
    """Every table of DuckDB's `raw` schema as `folder/<table>.parquet`; returns the rows per table."""
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(duckdb_file), read_only=True)
    try:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'raw' order by 1"
            ).fetchall()
        ]
        counts: dict[str, int] = {}
        for table in tables:
            target = folder / f"{table}.parquet"
            con.execute(f"copy (select * from raw.\"{table}\") to '{target}' (format parquet)")
            counts[table] = con.execute(f'select count(*) from raw."{table}"').fetchone()[0]
        return counts
    finally:
        con.close()


def _register(spark_dir: Path, parquet_dir: Path) -> None:
    """In this process (started by register_raw): the Parquet files as tables of the Spark database `raw`."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in spark_settings(spark_dir).items():
        builder = builder.config(key, value)
    spark = builder.appName("xmdw-register-raw").getOrCreate()
    try:
        spark.sql(f"create database if not exists {RAW_DATABASE}")
        for file in sorted(parquet_dir.glob("*.parquet")):
            spark.sql(f"drop table if exists {RAW_DATABASE}.{file.stem}")
            spark.sql(f"create table {RAW_DATABASE}.{file.stem} using parquet location '{file}'")
            print(file.stem, spark.table(f"{RAW_DATABASE}.{file.stem}").count())
    finally:
        spark.stop()


def register_raw(spark_dir: Path, parquet_dir: Path) -> dict[str, int]:
    """Registers the Parquet files in a separate Python process (which exits, releasing the Derby metastore);
    returns the rows Spark counts per table."""
    proc = subprocess.run(
        [str(SPARK_BIN / "python"), __file__, str(spark_dir), str(parquet_dir)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    counts = {}
    for line in proc.stdout.splitlines():
        name, _, rows = line.partition(" ")
        if rows.isdigit():
            counts[name] = int(rows)
    return counts


def spark_raw_from_duckdb(duckdb_file: Path, spark_dir: Path) -> tuple[dict[str, int], dict[str, int]]:
    """DuckDB's raw schema as Spark tables under `spark_dir`: (rows exported, rows Spark reads) per table."""
    exported = export_raw_parquet(duckdb_file, spark_dir / "raw_parquet")
    return exported, register_raw(spark_dir, spark_dir / "raw_parquet")


def dbt_build_on_spark(spark_dir: Path, workdir: Path, *args: str) -> subprocess.CompletedProcess:
    """`dbt build --target spark` (or other dbt `args`) with its own target and log folders."""
    env = {"XMDW_DBT_TARGET": "spark", "XMDW_SPARK_DIR": str(spark_dir)}
    return run_dbt(args or ("build",), workdir, env, executable=SPARK_BIN / "dbt", timeout=3600)


if __name__ == "__main__":
    _register(Path(sys.argv[1]), Path(sys.argv[2]))

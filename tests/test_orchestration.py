"""Dagster wiring: dbt CLI arguments, folder -> group mapping, one lineage graph, definitions load without
side effects, configuration through resources, the dbt project prepared by dagster-dbt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import EnvVar, build_resources

from xmdw.defs.dbt import group_for
from xmdw.defs.dbt_cli import dbt_build_args
from xmdw.defs.resources import WarehouseResource, scoped_env


def test_dbt_build_args():
    assert dbt_build_args() == ["build", "--exclude-resource-type", "unit_test"]
    assert dbt_build_args(unit_tests=True) == ["build"]
    assert dbt_build_args(
        select="marts.progress+",
        exclude="tag:slow",
        full_refresh=True,
        dbt_vars={"plan_year": 2024, "as_of": "2024-06"},
        unit_tests=True,
    ) == [
        "build",
        "--select",
        "marts.progress+",
        "--exclude",
        "tag:slow",
        "--full-refresh",
        "--vars",
        '{"as_of": "2024-06", "plan_year": 2024}',
    ]


def test_group_for_maps_folders_to_groups():
    assert group_for("seed", ["xmdw", "code_lists"]) == "reference"
    assert group_for("model", ["xmdw", "staging", "raw", "stg_raw__projects"]) == "staging"
    assert group_for("model", ["xmdw", "intermediate", "int_x"]) == "intermediate"
    assert group_for("model", ["xmdw", "marts", "progress", "mart_x"]) == "marts_progress"
    assert group_for("model", ["xmdw", "marts", "mart_y"]) == "marts"


def test_one_lineage_graph_from_ingestion_to_marts():
    from dagster import AssetKey

    from xmdw.defs.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {
        "raw/monthly_progress",
        "staging/stg_raw__monthly_progress",
        "marts/mart_region_monthly_investment",
    } <= keys
    # the ingestion asset produces exactly the keys dbt's sources point at
    ingest = {k.to_user_string() for k in defs.resolve_assets_def(AssetKey(["raw", "projects"])).keys}
    assert ingest == {k for k in keys if k.startswith("raw/")}
    stg = graph.get(AssetKey(["staging", "stg_raw__monthly_progress"]))
    assert {k.to_user_string() for k in stg.parent_keys} == {"raw/monthly_progress", "raw/dq_excluded_rows"}
    assert graph.get(AssetKey(["marts", "mart_region_monthly_investment"])).group_name == "marts_progress"
    assert graph.get(AssetKey(["raw", "projects"])).group_name == "ingestion"


def test_dagster_definitions_validate():
    dagster = [sys.executable, "-m", "dagster", "definitions", "validate", "-m", "xmdw.defs.definitions"]
    proc = subprocess.run(dagster, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# Imports the definitions and prints which environment variables the import changed.
IMPORT_DEFINITIONS = """
import json, os
before = dict(os.environ)
from xmdw.defs.definitions import defs
assert defs.resolve_job_def("xmdw_build_all")
after = dict(os.environ)
print(json.dumps(sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))))
"""


def test_importing_the_definitions_writes_nothing_and_sets_nothing(tmp_path: Path):
    """`dagster dev` and every run process import the definitions: that must not create the data directory,
    write dagster.yaml or change the environment (configuration comes through resources)."""
    data, home = tmp_path / "data", tmp_path / "dagster_home"
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_IS_DEV_CLI", "XMDW_WAREHOUSE")}
    env |= {"XMDW_DATA_DIR": str(data), "DAGSTER_HOME": str(home), "GX_ANALYTICS_ENABLED": "False"}
    proc = subprocess.run(
        [sys.executable, "-c", IMPORT_DEFINITIONS], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []
    assert list(tmp_path.iterdir()) == []  # no data dir, no DAGSTER_HOME, nothing in the working directory


def test_warehouse_resource_reads_the_data_dir_when_it_is_used(data_dir):
    """The definitions bind the resource to EnvVar("XMDW_DATA_DIR"): resolved at run/tick time, not import."""
    from xmdw.defs.definitions import defs

    with build_resources({"warehouse": defs.resources["warehouse"]}) as resources:
        warehouse = resources.warehouse
    assert warehouse.paths == data_dir
    # the default engine: dbt's duckdb target on this directory's file
    assert warehouse.dbt_env() == {"XMDW_WAREHOUSE": str(data_dir.warehouse), "XMDW_DBT_TARGET": "duckdb"}
    with warehouse.connection() as con:  # the build warehouse of that directory, through xmdw.warehouse
        con.execute("CREATE TABLE t AS SELECT 42 AS answer")
    with warehouse.connection(read_only=True) as con:
        assert con.execute("SELECT answer FROM t").fetchall() == [(42,)]
    assert data_dir.warehouse.exists()


def test_warehouse_resource_creates_its_folders_for_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XMDW_DATA_DIR", str(tmp_path / "fresh"))
    with build_resources({"warehouse": WarehouseResource(data_dir=EnvVar("XMDW_DATA_DIR"))}) as resources:
        paths = resources.warehouse.paths
    assert paths.root == tmp_path / "fresh"
    assert paths.landing.is_dir() and paths.reports.is_dir() and paths.dagster_home.is_dir()


def test_scoped_env_restores_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XMDW_TEST_KEEP", "old")
    monkeypatch.delenv("XMDW_TEST_NEW", raising=False)
    with scoped_env({"XMDW_TEST_KEEP": "new", "XMDW_TEST_NEW": "x"}):
        assert (os.environ["XMDW_TEST_KEEP"], os.environ["XMDW_TEST_NEW"]) == ("new", "x")
    assert os.environ["XMDW_TEST_KEEP"] == "old" and "XMDW_TEST_NEW" not in os.environ


def test_gx_checks_only_on_raw_tables_and_dbt_tests_check_the_marts():
    """Mart rules are dbt tests (asset checks of the dbt assets); GX checks only the raw tables."""
    from xmdw.defs.definitions import defs

    checks = defs.resolve_asset_graph().asset_check_keys
    gx = {c for c in checks if c.name.startswith("gx_")}
    assert gx and {c.asset_key.path[0] for c in gx} == {"raw"}
    assert any(c.asset_key.path[0] == "marts" for c in checks - gx)


@pytest.mark.e2e  # runs dbt parse in a fresh target folder: ~25 s on an idle machine
def test_xmdw_prepare_writes_the_manifest_into_dbt_target_path(tmp_path: Path):
    """`xmdw prepare` runs dagster-dbt's preparer into DBT_TARGET_PATH (once: a fresh manifest is kept) and
    writes dagster.yaml (telemetry off, one run at a time) — the set-up `make ui` relies on."""
    target, home = tmp_path / "target", tmp_path / "dagster_home"
    env = os.environ | {
        "DBT_TARGET_PATH": str(target),
        "XMDW_DATA_DIR": str(tmp_path / "data"),
        "DAGSTER_HOME": str(home),
        # a venv that is not activated: dbt is found next to the interpreter, not on PATH
        "PATH": "/usr/bin:/bin",
    }
    xmdw = [str(Path(sys.executable).with_name("xmdw")), "prepare"]
    first = subprocess.run(xmdw, env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr[-3000:]
    manifest = target / "manifest.json"
    assert str(manifest) in first.stdout
    assert "model.xmdw.mart_five_rates" in json.loads(manifest.read_text(encoding="utf-8"))["nodes"]
    built = manifest.stat().st_mtime_ns
    again = subprocess.run(xmdw, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert manifest.stat().st_mtime_ns == built  # nothing changed: not parsed again
    assert "max_concurrent_runs: 1" in (home / "dagster.yaml").read_text(encoding="utf-8")


def test_dbt_resource_starts_no_extra_dbt_and_loads_no_adapter():
    """The dbt resource skips dagster-dbt's `dbt --version` process and its in-process adapter (issue 15):
    the version it reports is what the dbt executable says, and the hooks it overrides are dagster-dbt's
    (a dagster-dbt upgrade that renames them fails here instead of silently paying the costs again)."""
    from dagster_dbt import DbtCliResource

    from xmdw.defs.dbt import XmdwDbtCliResource, dbt_resource

    dbt = dbt_resource()
    assert isinstance(dbt, XmdwDbtCliResource)
    for hook in ("_cli_version", "_initialize_dbt_core_adapter"):
        assert hook in vars(DbtCliResource), hook
        assert vars(XmdwDbtCliResource)[hook] is not vars(DbtCliResource)[hook]
    said = subprocess.run([dbt.dbt_executable, "--version"], capture_output=True, text=True, check=True)
    assert f"installed: {dbt._cli_version}" in said.stdout.replace("- ", "")
    assert dbt._initialize_dbt_core_adapter(["build"]) is None

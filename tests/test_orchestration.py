"""Dagster wiring: dbt CLI arguments, folder -> group mapping, one lineage graph, definitions load."""

from __future__ import annotations

import subprocess
import sys

from xmdw.defs.dbt import group_for
from xmdw.defs.dbt_cli import dbt_build_args


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

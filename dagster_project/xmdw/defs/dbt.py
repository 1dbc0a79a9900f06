"""dbt assets: the dbt project in dbt_models/ loaded with dagster-dbt, grouped by folder."""

from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetSpec
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from xmdw.core.paths import DBT_EXECUTABLE, DBT_PROJECT_DIR, DBT_TARGET_DIR
from xmdw.defs.dbt_cli import dbt_build_args

DBT_PROJECT = DbtProject(
    project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=DBT_TARGET_DIR
)

# dbt folder (first level under models/) -> Dagster asset group
FOLDER_GROUPS = {"staging": "staging", "intermediate": "intermediate", "marts": "marts"}


def group_for(resource_type: str, fqn: list[str]) -> str:
    """Asset group of a dbt node: seeds -> reference, models by their first folder; marts keep their
    sub-folder (marts/progress -> marts_progress) so each subject area is one group."""
    if resource_type == "seed":
        return "reference"
    folders = fqn[1:-1]  # fqn = [project, folder, ..., name]
    if not folders:
        return "dbt"
    top = FOLDER_GROUPS.get(folders[0], folders[0])
    if top == "marts" and len(folders) > 1:
        return f"marts_{folders[1]}"
    return top


class XmdwDbtTranslator(DagsterDbtTranslator):
    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] in ("model", "seed", "snapshot"):
            spec = spec.replace_attributes(group_name=group_for(props["resource_type"], props["fqn"]))
        return spec


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=XmdwDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def xmdw_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(dbt_build_args(), context=context).stream()


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=DBT_EXECUTABLE)

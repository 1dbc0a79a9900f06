"""dbt assets: the dbt project in dbt_models/ loaded with dagster-dbt, grouped by folder.

dbt's tests become asset checks (enable_asset_checks): a failing test with severity error is a blocking check,
so the publish step (defs/publish.py) does not run and BI keeps the last good copy.
"""

from collections.abc import Mapping, Sequence
from functools import cached_property
from importlib.metadata import version as installed_version
from typing import Any

from dagster import AssetExecutionContext, AssetSpec
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from packaging import version

from xmdw.core.paths import DBT_EXECUTABLE
from xmdw.defs.dbt_cli import dbt_build_args
from xmdw.defs.dbt_project import DBT_PROJECT, prepare_if_dev
from xmdw.defs.resources import WarehouseResource, scoped_env

# Under `dagster dev` only (dagster-dbt's DbtProject.prepare_if_dev): dbt deps + dbt parse, so the UI shows
# the project as it is on disk. Outside it the manifest comes from `xmdw prepare` (defs/dbt_project.py).
prepare_if_dev()

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
def xmdw_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    # dbt's profile reads the warehouse path from the environment dbt is started with
    with scoped_env(warehouse.dbt_env()):
        invocation = dbt.cli(dbt_build_args(), context=context)
    yield from invocation.stream()


class XmdwDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource without two start-up costs xmdw never uses (issue 15).

    Before each `dbt build` subprocess, `DbtCliResource.cli` (a) runs `dbt --version` in another process
    to learn the CLI's version (~3 s CPU: a whole dbt start), and (b) loads the dbt project, profile,
    adapter and every macro in this process (~2 s) for a handle that only serves
    `fetch_row_counts()` / `fetch_column_metadata()`. xmdw's dbt is the dbt-core package of this
    interpreter (DBT_EXECUTABLE is its console script), so its version is the package's; and the dbt
    asset streams the default events only, so no adapter is needed (dagster-dbt accepts None: it is
    what it uses when creating the handle fails). Pinned dagster-dbt (0.29.x): these two private hooks
    are checked by tests/test_orchestration.py."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None


def dbt_resource() -> DbtCliResource:
    """dbt of this interpreter's environment (the venv's bin/ need not be on PATH)."""
    return XmdwDbtCliResource(project_dir=DBT_PROJECT, dbt_executable=DBT_EXECUTABLE)

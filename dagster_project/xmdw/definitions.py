"""The one Dagster Definitions of xmdw: `dagster dev -m xmdw.definitions` or `make ui`."""

from __future__ import annotations

from xmdw.settings import configure_environment

configure_environment()  # before dagster-dbt resolves the dbt project: telemetry off, paths set

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor  # noqa: E402

from xmdw.orchestration.checks import GX_CHECKS  # noqa: E402
from xmdw.orchestration.dbt import dbt_resource, xmdw_dbt_assets  # noqa: E402
from xmdw.orchestration.ingest import ingest_landing_asset  # noqa: E402
from xmdw.reports.assets import dq_report  # noqa: E402

# Everything: ingest the landing folder, validate, build the dbt models. DuckDB has one writer, so
# all steps run one after another in one process.
build_all_job = define_asset_job(
    "xmdw_build_all",
    selection=AssetSelection.all(),
    description="Ingest landing files, run the GX checks, build all dbt models (the whole pipeline).",
)

# Ingestion only: the landing folder into raw.*, the GX checks on it and the data-quality report
# (`xmdw ingest`).
ingest_job = define_asset_job(
    "xmdw_ingest",
    selection=AssetSelection.groups("ingestion", "reports"),
    description="Ingest landing files, run their GX checks and write the data-quality report.",
)

defs = Definitions(
    assets=[ingest_landing_asset, xmdw_dbt_assets, dq_report],
    asset_checks=GX_CHECKS,
    jobs=[build_all_job, ingest_job],
    resources={"dbt": dbt_resource()},
    executor=in_process_executor,
)

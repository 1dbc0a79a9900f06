"""The one Dagster Definitions of xmdw: `dagster dev -m xmdw.defs.definitions` or `make ui`.

Lineage is one graph: ingestion (raw/<table>, the dbt sources' keys) → GX checks → dbt (staging,
intermediate, marts, ref; dbt tests as asset checks) → publish (serving/xmdw) → period reports (月通报, 季考核,
年终评), with the data-quality report beside. Jobs, schedules and sensors follow the plan's cadence
(defs/cadence.py, defs/sensors.py).

Importing this module has no side effect: it writes no file and changes no environment variable. The data
directory reaches assets, checks and sensors through the `warehouse` resource (XMDW_DATA_DIR, read when a run
or a sensor tick starts); the process set-up — telemetry off, DAGSTER_HOME and its dagster.yaml — is done by the
entry points (`xmdw run`, and `xmdw prepare`, which `make ui` runs first: xmdw.core.settings).
"""

from dagster import Definitions, EnvVar, in_process_executor

from xmdw.defs.cadence import JOBS, SCHEDULES
from xmdw.defs.checks import GX_CHECKS
from xmdw.defs.dbt import dbt_resource, xmdw_dbt_assets
from xmdw.defs.ingest import ingest_landing_asset
from xmdw.defs.publish import published_marts
from xmdw.defs.report_assets import PERIOD_REPORTS, dq_report
from xmdw.defs.resources import WarehouseResource
from xmdw.defs.sensors import SENSORS

defs = Definitions(
    assets=[ingest_landing_asset, xmdw_dbt_assets, published_marts, dq_report, *PERIOD_REPORTS],
    asset_checks=GX_CHECKS,
    jobs=JOBS,
    schedules=SCHEDULES,
    sensors=SENSORS,
    resources={
        "dbt": dbt_resource(),
        # resolved when a run or a sensor tick starts, so every run reads the data directory set then
        "warehouse": WarehouseResource(data_dir=EnvVar("XMDW_DATA_DIR")),
    },
    # DuckDB has one writer: all steps of a run execute one after another in this process.
    executor=in_process_executor,
)

"""The one Dagster Definitions of xmdw: `dagster dev -m xmdw.defs.definitions` or `make ui`.

Lineage is one graph: ingestion (raw/<table>, the dbt sources' keys) → GX checks → dbt (staging,
intermediate, marts, ref) → publish (serving/xmdw) → period reports (月通报, 季考核, 年终评), with the
data-quality report beside. Jobs, schedules and sensors follow the plan's cadence
(defs/cadence.py, defs/sensors.py).
"""

from xmdw.core.settings import configure_environment

configure_environment()  # before dagster-dbt resolves the dbt project: telemetry off, paths set

from dagster import Definitions, in_process_executor  # noqa: E402

from xmdw.defs.cadence import JOBS, SCHEDULES  # noqa: E402
from xmdw.defs.checks import GX_CHECKS  # noqa: E402
from xmdw.defs.dbt import dbt_resource, xmdw_dbt_assets  # noqa: E402
from xmdw.defs.ingest import ingest_landing_asset  # noqa: E402
from xmdw.defs.publish import published_marts  # noqa: E402
from xmdw.defs.report_assets import PERIOD_REPORTS, dq_report  # noqa: E402
from xmdw.defs.sensors import SENSORS  # noqa: E402

defs = Definitions(
    assets=[ingest_landing_asset, xmdw_dbt_assets, published_marts, dq_report, *PERIOD_REPORTS],
    asset_checks=GX_CHECKS,
    jobs=JOBS,
    schedules=SCHEDULES,
    sensors=SENSORS,
    resources={"dbt": dbt_resource()},
    # DuckDB has one writer: all steps of a run execute one after another in this process.
    executor=in_process_executor,
)

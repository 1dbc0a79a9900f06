"""Process environment shared by the CLI, Dagster definitions, dbt and the tests.

dbt reads the warehouse path from XMDW_WAREHOUSE; Dagster its instance from DAGSTER_HOME. Telemetry of
dbt, Dagster and Great Expectations is switched off here, before any of them is imported.
"""

from __future__ import annotations

import os

from xmdw.paths import DataPaths, data_paths

TELEMETRY_OFF = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "False",
    "DAGSTER_DISABLE_TELEMETRY": "true",
}

DAGSTER_YAML = """\
# written by xmdw: no telemetry, run history kept in this folder
telemetry:
  enabled: false
"""


def configure_environment(paths: DataPaths | None = None) -> DataPaths:
    """Point dbt and Dagster at the data directory and turn telemetry off. Idempotent."""
    paths = (paths or data_paths()).ensure()
    os.environ.update(TELEMETRY_OFF)
    os.environ["XMDW_DATA_DIR"] = str(paths.root)
    os.environ["XMDW_WAREHOUSE"] = str(paths.warehouse)
    os.environ.setdefault("DAGSTER_HOME", str(paths.dagster_home))
    dagster_yaml = os.path.join(os.environ["DAGSTER_HOME"], "dagster.yaml")
    if not os.path.exists(dagster_yaml):
        os.makedirs(os.environ["DAGSTER_HOME"], exist_ok=True)
        with open(dagster_yaml, "w", encoding="utf-8") as f:
            f.write(DAGSTER_YAML)
    return paths

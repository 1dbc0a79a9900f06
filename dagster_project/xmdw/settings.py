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

DAGSTER_YAML_MARK = "# written by xmdw"
DAGSTER_YAML = f"""\
{DAGSTER_YAML_MARK}: no telemetry, run history kept in this folder
telemetry:
  enabled: false
# every run reads or writes the one DuckDB file: runs from schedules and sensors queue, one at a time
concurrency:
  runs:
    max_concurrent_runs: 1
"""


def configure_environment(paths: DataPaths | None = None) -> DataPaths:
    """Point dbt and Dagster at the data directory and turn telemetry off. Idempotent."""
    paths = (paths or data_paths()).ensure()
    os.environ.update(TELEMETRY_OFF)
    os.environ["XMDW_DATA_DIR"] = str(paths.root)
    os.environ["XMDW_WAREHOUSE"] = str(paths.warehouse)
    os.environ.setdefault("DAGSTER_HOME", str(paths.dagster_home))
    _write_dagster_yaml(os.path.join(os.environ["DAGSTER_HOME"], "dagster.yaml"))
    return paths


def _write_dagster_yaml(path: str) -> None:
    """Write our dagster.yaml, or update one we wrote earlier; a file the user wrote is left alone."""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            current = f.read()
        if current == DAGSTER_YAML or not current.startswith(DAGSTER_YAML_MARK):
            return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(DAGSTER_YAML)

"""Process environment set up by the entry points: the CLI (`xmdw run`, `xmdw prepare`, which `make ui` runs
first), the headless run and the tests. Importing the Dagster definitions never calls it: assets, checks and
sensors get the data directory from their `warehouse` resource (xmdw.defs.resources).

dbt reads the warehouse path from XMDW_WAREHOUSE; Dagster its instance from DAGSTER_HOME. Telemetry of
dbt, Dagster and Great Expectations is switched off here, before any of them is imported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from xmdw.core.engine import engine_settings
from xmdw.core.paths import DataPaths, data_paths

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
# every run writes the one warehouse: runs from schedules and sensors queue, one at a time
concurrency:
  runs:
    max_concurrent_runs: 1
"""
# SQLite run history (the default engine): Dagster's own layout, one kept connection per file instead of one per
# event (xmdw.defs.run_history; issue 15). Not for the PostgreSQL history, which pools its connections itself.
DAGSTER_EVENT_LOG_POOLED = """\
event_log_storage:
  module: xmdw.defs.run_history
  class: PooledSqliteEventLogStorage
"""
DAGSTER_YAML_SQLITE = DAGSTER_YAML + DAGSTER_EVENT_LOG_POOLED
DAGSTER_PG_URL_ENV = "XMDW_DAGSTER_PG_URL"
# XMDW_ENGINE=postgres: the run history goes to the warehouse's server too (dagster-postgres), so several
# operators (the UI, the daemon, `xmdw run` on another machine) share one history.
DAGSTER_YAML_POSTGRES = (
    DAGSTER_YAML.replace("run history kept in this folder", "run history on the server")
    + """\
storage:
  postgres:
    postgres_url:
      env: """
    + DAGSTER_PG_URL_ENV
    + """
"""
)


def configure_environment(paths: DataPaths | None = None) -> DataPaths:
    """Point dbt and Dagster at the data directory and turn telemetry off. Idempotent."""
    paths = (paths or data_paths()).ensure()
    os.environ.update(TELEMETRY_OFF)
    os.environ["XMDW_DATA_DIR"] = str(paths.root)
    os.environ["XMDW_WAREHOUSE"] = str(paths.warehouse)
    os.environ.setdefault("DAGSTER_HOME", str(paths.dagster_home))
    engine = engine_settings()
    server = engine.is_postgres
    if server:  # SQLAlchemy's psycopg2 dialect: under psycopg 3 dagster-postgres's NOTIFY fails (decision 92)
        os.environ[DAGSTER_PG_URL_ENV] = dagster_pg_url(engine.dsn or "")
    _write_dagster_yaml(
        os.path.join(os.environ["DAGSTER_HOME"], "dagster.yaml"),
        DAGSTER_YAML_POSTGRES if server else DAGSTER_YAML_SQLITE,
    )
    return paths


def dagster_pg_url(dsn: str) -> str:
    """The DSN as a SQLAlchemy URL with psycopg2's dialect, for dagster-postgres."""
    scheme, sep, rest = dsn.partition("://")
    return f"postgresql+psycopg2://{rest}" if sep and scheme in ("postgres", "postgresql") else dsn


def _write_dagster_yaml(path: str, text: str) -> None:
    """Write our dagster.yaml, or update one we wrote earlier; a file the user wrote is left alone."""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            current = f.read()
        if current == text or not current.startswith(DAGSTER_YAML_MARK):
            return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


# --- Ingestion limits (issue 11): what one submitted file may cost before it is refused. -----------------
# Each is an environment variable; docs/reliability.md lists them with their defaults and why.
LIMIT_DEFAULTS: dict[str, float] = {
    "XMDW_MAX_FILE_MB": 100,  # bytes on disk of one file
    "XMDW_MAX_UNZIPPED_MB": 1024,  # sum of the uncompressed sizes an xlsx's zip directory declares
    "XMDW_MAX_PART_MB": 512,  # one member of an xlsx (a sheet, sharedStrings.xml)
    "XMDW_MAX_ROWS": 1_048_576,  # rows of one sheet or CSV (Excel's own maximum)
    "XMDW_MAX_COLUMNS": 1_000,  # columns of one sheet (ledgers have < 60)
    "XMDW_MAX_CELLS": 20_000_000,  # rows x columns of a sheet's used area (what the reader allocates)
    "XMDW_MAX_CELL_CHARS": 32_767,  # characters of one cell (Excel's own maximum)
    "XMDW_LANDING_SETTLE_SECONDS": 30,  # a landing file modified this recently may still be being copied
    "XMDW_LANDING_RECHECK_SECONDS": 0.5,  # ... so it is looked at twice, this far apart
}


@dataclass(frozen=True)
class IngestLimits:
    max_file_bytes: int
    max_unzipped_bytes: int
    max_part_bytes: int
    max_rows: int
    max_columns: int
    max_cells: int
    max_cell_chars: int
    settle_seconds: float
    recheck_seconds: float


def _limit(name: str) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        return float(raw) if raw else LIMIT_DEFAULTS[name]
    except ValueError:
        return LIMIT_DEFAULTS[name]  # a typo in a setting must not stop ingestion: the default applies


def ingest_limits() -> IngestLimits:
    """The limits in force now (read from the environment on every call, so tests and operators can set them)."""
    mb = 1024 * 1024
    return IngestLimits(
        max_file_bytes=int(_limit("XMDW_MAX_FILE_MB") * mb),
        max_unzipped_bytes=int(_limit("XMDW_MAX_UNZIPPED_MB") * mb),
        max_part_bytes=int(_limit("XMDW_MAX_PART_MB") * mb),
        max_rows=int(_limit("XMDW_MAX_ROWS")),
        max_columns=int(_limit("XMDW_MAX_COLUMNS")),
        max_cells=int(_limit("XMDW_MAX_CELLS")),
        max_cell_chars=int(_limit("XMDW_MAX_CELL_CHARS")),
        settle_seconds=_limit("XMDW_LANDING_SETTLE_SECONDS"),
        recheck_seconds=_limit("XMDW_LANDING_RECHECK_SECONDS"),
    )


# --- Ingestion speed (issue 15): how a batch is read, never what it loads. -------------------------------
def ingest_workers() -> int:
    """XMDW_INGEST_WORKERS: processes parsing workbooks in parallel (default 2, both cores of the reference
    machine); 1 parses in the writer process. A typo falls back to the default."""
    raw = os.environ.get("XMDW_INGEST_WORKERS", "").strip()
    try:
        return max(1, int(raw)) if raw else 2
    except ValueError:
        return 2


def ingest_bulk() -> bool:
    """XMDW_INGEST_BULK=0 sends template-shaped CSV through the cell-by-cell parser too (the bulk path's
    reference, for comparisons); default on."""
    return os.environ.get("XMDW_INGEST_BULK", "1").strip() not in ("0", "false", "no", "off")


# --- Memory (issue 15): the warehouse's DuckDB ceiling. -------------------------------------------------------
DUCKDB_MEMORY_LIMIT_DEFAULT = "4GB"


def duckdb_memory_limit() -> str:
    """XMDW_DUCKDB_MEMORY_LIMIT: DuckDB's memory ceiling on the warehouse file, for xmdw's connections and dbt's
    (profiles.yml reads the same variable). Beyond it DuckDB spills to `<warehouse>.tmp`. DuckDB's own default
    is 80 % of RAM: a nation build then grew to 12.7 GB; 4 GB keeps a nation run within the issue's 8 GB and is
    above what a province build uses (1.7 GB)."""
    return os.environ.get("XMDW_DUCKDB_MEMORY_LIMIT", "").strip() or DUCKDB_MEMORY_LIMIT_DEFAULT

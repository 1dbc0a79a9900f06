"""Dagster resources: how assets, checks and sensors reach the data directory and its warehouse.

Configuration comes in through `WarehouseResource` (bound in defs/definitions.py to
`EnvVar("XMDW_DATA_DIR")`, resolved when a run or a sensor tick starts), never through module-level state:
importing the definitions reads no setting, writes no file and changes no environment variable.
Connections are opened by `xmdw.warehouse.connect`, the one place that decides how DuckDB is opened.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dagster import ConfigurableResource, InitResourceContext
from pydantic import Field

from xmdw.core.paths import PROJECT_ROOT, DataPaths
from xmdw.warehouse.engine import EngineSettings, engine_settings, warehouse_connection

# What `xmdw` uses when XMDW_DATA_DIR is not set (xmdw.core.paths.data_paths); `make ui` and the CLI set it.
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"


class WarehouseResource(ConfigurableResource):
    """The data directory (landing/, archive/, warehouse.duckdb, serving/, reports/ …) of the runs."""

    data_dir: str = Field(
        default=str(DEFAULT_DATA_DIR),
        description="The data directory (XMDW_DATA_DIR): landing files, the warehouse, the published copy, "
        "the reports.",
    )
    # None: from the environment when a run starts (XMDW_ENGINE, XMDW_PG_DSN — both optional, so they are
    # not bound with EnvVar, which requires the variable to be set).
    engine: str | None = Field(default=None, description="duckdb (default) or postgres (XMDW_ENGINE).")
    pg_dsn: str | None = Field(
        default=None, description="postgresql://user:password@host:port/db (XMDW_PG_DSN)."
    )

    @property
    def settings(self) -> EngineSettings:
        """The engine of the build warehouse: this resource's fields, else the environment's."""
        if self.engine is None:
            return engine_settings()
        return engine_settings({"XMDW_ENGINE": self.engine, "XMDW_PG_DSN": self.pg_dsn or ""})

    @property
    def paths(self) -> DataPaths:
        """Where everything lives (no folder is created here: see setup_for_execution)."""
        return DataPaths(Path(self.data_dir).resolve())

    def setup_for_execution(self, context: InitResourceContext) -> None:
        # Once per run or sensor tick, before any step writes: the owner-only umask and the folders
        # (xmdw.core.filemodes), which configure_environment() used to do at import time.
        self.paths.ensure()

    @contextmanager
    def connection(self, read_only: bool = False) -> Iterator[Any]:
        """A connection to the build warehouse (the DuckDB file, or the PostgreSQL server), closed when the
        block ends (DuckDB has one writer)."""
        with warehouse_connection(self.paths.warehouse, self.settings, read_only=read_only) as con:
            yield con

    def dbt_env(self) -> dict[str, str]:
        """What the dbt profile (dbt_models/profiles.yml) reads: the warehouse of this data directory, and
        on PostgreSQL the target and the server's address (XMDW_DBT_TARGET, XMDW_PG_*)."""
        return {"XMDW_WAREHOUSE": str(self.paths.warehouse), **self.settings.dbt_env()}


@contextmanager
def scoped_env(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of the block, then restore them.

    dagster-dbt passes this process's environment to the dbt subprocess it starts (DbtCliResource.cli has
    no env argument): the variables are set only while dbt is started, so neither importing the
    definitions nor a run leaves the process environment changed."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old

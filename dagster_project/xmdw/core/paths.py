"""Where things live. Everything under one data directory (env XMDW_DATA_DIR, default ./data)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from xmdw.core.filemodes import DATA_ROOT_DIR, OWNER_DIR, OWNER_FILE, chmod_quiet, restrict_umask, tighten

PROJECT_ROOT = Path(__file__).resolve().parents[3]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_models"
# dbt's target folder (manifest, compiled SQL); DBT_TARGET_PATH lets parallel checkouts/runs keep apart.
DBT_TARGET_DIR = Path(os.environ.get("DBT_TARGET_PATH") or DBT_PROJECT_DIR / "target").resolve()
SEEDS_DIR = PROJECT_ROOT / "seeds"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
# dbt from the same virtualenv as this interpreter (the venv's bin/ need not be on PATH).
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))


@dataclass(frozen=True)
class DataPaths:
    root: Path

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def serving(self) -> Path:
        """What BI tools and the bulletins read: a published copy of the marts (docs/bi.md)."""
        return self.root / "serving"

    @property
    def served_warehouse(self) -> Path:
        return self.serving / "xmdw.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"

    @property
    def run_lock(self) -> Path:
        """Held by the process that runs the pipeline (xmdw.core.runlock): one run at a time."""
        return self.root / ".xmdw-run.lock"

    def ensure(self) -> DataPaths:
        """Create the folders, owner-only (xmdw.core.filemodes): the process umask is set here, once, before
        anything is written under the data directory; folders and a warehouse made earlier are tightened.
        The root lets the owner's group traverse (0710, no listing) so a BI account reaches serving/."""
        restrict_umask()
        new_root = not self.root.exists()
        self.root.mkdir(parents=True, exist_ok=True)
        if new_root:
            chmod_quiet(self.root, DATA_ROOT_DIR)
        tighten(self.root, DATA_ROOT_DIR)
        for p in (self.landing, self.archive, self.quarantine, self.reports, self.dagster_home):
            p.mkdir(parents=True, exist_ok=True)
        # landing/ may be a folder units write to under their own account: its mode is the operator's.
        for p in (self.archive, self.quarantine, self.reports, self.dagster_home):
            tighten(p, OWNER_DIR)
        for p in (self.warehouse, self.warehouse.with_name(self.warehouse.name + ".wal")):
            tighten(p, OWNER_FILE)
        return self


def data_paths() -> DataPaths:
    """The data directory from XMDW_DATA_DIR (resolved to an absolute path), default <project>/data."""
    root = os.environ.get("XMDW_DATA_DIR") or str(PROJECT_ROOT / "data")
    return DataPaths(Path(root).resolve())

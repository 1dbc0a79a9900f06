"""Where the served copies live: data/serving/ (BI readers look only here, never at the build file)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from xmdw.core.filemodes import SERVED_DIR, chmod_quiet
from xmdw.core.paths import data_paths

SERVED_DB_NAME = "xmdw.duckdb"
XLSX_NAME = "xmdw_marts.xlsx"


@dataclass(frozen=True)
class ServingPaths:
    """Layout of one serving directory.

    serving/
      xmdw.duckdb                      the served DuckDB file (storage v1.4.0), replaced atomically
      .xmdw.duckdb.tmp                 built here first (same directory, so os.replace is a rename)
      parquet/current -> v<stamp>/     symlink flipped atomically; one complete version per directory
      parquet/v<stamp>/<schema>/<table>.parquet
      export/xmdw_marts.xlsx           one workbook, a sheet per table (Excel / WPS)
      export/csv/<schema>/<table>.csv  UTF-8 with BOM, each file replaced atomically
      manifest.json                    written last: what the current publish holds
    """

    root: Path

    @property
    def duckdb(self) -> Path:
        return self.root / SERVED_DB_NAME

    @property
    def duckdb_tmp(self) -> Path:
        # A dot name so a reader that globs *.duckdb never picks up a half-written copy.
        return self.root / f".{SERVED_DB_NAME}.tmp"

    @property
    def raw_snapshot_tmp(self) -> Path:
        # On a server: raw.ingest_log / raw.dq_* copied for the data version, removed after the publish.
        return self.root / ".server_raw.duckdb.tmp"

    @property
    def parquet_root(self) -> Path:
        return self.root / "parquet"

    @property
    def parquet_current(self) -> Path:
        return self.parquet_root / "current"

    @property
    def export_dir(self) -> Path:
        return self.root / "export"

    @property
    def csv_dir(self) -> Path:
        return self.export_dir / "csv"

    @property
    def xlsx(self) -> Path:
        return self.export_dir / XLSX_NAME

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.json"

    @property
    def lock(self) -> Path:
        return self.root / ".publish.lock"

    def ensure(self) -> ServingPaths:
        """Create the folders, readable by the owner's group (the BI account), never by others."""
        for p in (self.root, self.export_dir, self.parquet_root, self.csv_dir):
            p.mkdir(parents=True, exist_ok=True)
            chmod_quiet(p, SERVED_DIR)
        return self


def serving_paths(root: Path | None = None) -> ServingPaths:
    """The serving layout under `root`, default <XMDW_DATA_DIR>/serving."""
    return ServingPaths(Path(root).resolve() if root is not None else data_paths().root / "serving")

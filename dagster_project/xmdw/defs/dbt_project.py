"""The dbt project as dagster-dbt sees it (`DBT_PROJECT`), and its preparation: `dbt deps` when the project
has packages, then `dbt parse` → manifest.json, which @dbt_assets (defs/dbt.py) reads at import time.

Under `dagster dev` dagster-dbt prepares the project itself (`DBT_PROJECT.prepare_if_dev()` in defs/dbt.py).
Everywhere else — `xmdw prepare` (make prepare, make ui, make run, make test) and before every headless run —
`prepare_dbt` runs the same dagster-dbt preparer, when the manifest is missing or older than a file of the
project. This module does not read the manifest, so it loads before the manifest exists. The target folder
follows DBT_TARGET_PATH (xmdw.core.paths.DBT_TARGET_DIR) so parallel checkouts and test runs keep apart.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster_dbt import DbtProject

from xmdw.core.paths import DBT_EXECUTABLE, DBT_PROJECT_DIR, DBT_TARGET_DIR, SEEDS_DIR
from xmdw.core.settings import configure_environment
from xmdw.defs.resources import scoped_env

DBT_PROJECT = DbtProject(
    project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=DBT_TARGET_DIR
)
# Written by dbt itself, not sources of the manifest.
GENERATED = {"target", "logs", "dbt_packages"}


def _project_files() -> Iterator[Path]:
    """Every file the manifest is parsed from: the dbt project (models, macros, tests, YAML) and the seeds."""
    for path in DBT_PROJECT_DIR.iterdir():
        if path.name in GENERATED or path.name.startswith("."):
            continue
        if path.is_file():
            yield path
        else:
            yield from (p for p in path.rglob("*") if p.is_file())
    yield from (p for p in SEEDS_DIR.rglob("*") if p.is_file())


def _packages_missing() -> bool:
    """The project declares dbt packages (a vendored local package included) that `dbt deps` has not installed."""
    declared = any((DBT_PROJECT_DIR / name).exists() for name in ("packages.yml", "dependencies.yml"))
    return declared and not (DBT_PROJECT_DIR / "dbt_packages").exists()


def manifest_is_stale() -> bool:
    """True when the manifest is missing, older than a file of the project, or packages are not installed."""
    manifest = DBT_PROJECT.manifest_path
    if not manifest.exists() or _packages_missing():
        return True
    built = manifest.stat().st_mtime
    return any(p.stat().st_mtime > built for p in _project_files())


@contextmanager
def _dbt_on_path() -> Iterator[None]:
    """dagster-dbt's preparer runs `dbt` from PATH: this interpreter's, even from a venv not activated."""
    with scoped_env(
        {"PATH": os.pathsep.join([str(Path(DBT_EXECUTABLE).parent), os.environ.get("PATH", "")])}
    ):
        yield


def prepare_if_dev() -> None:
    """`DBT_PROJECT.prepare_if_dev()`: dbt deps + dbt parse under `dagster dev` only, nothing elsewhere."""
    with _dbt_on_path():
        DBT_PROJECT.prepare_if_dev()


def prepare_dbt(force: bool = False) -> Path:
    """Prepare the dbt project with dagster-dbt's own preparer (dbt deps + dbt parse) when it is stale.

    An entry point (`xmdw prepare`, the headless run): it also sets the process up for dbt and Dagster
    (configure_environment: telemetry off, XMDW_WAREHOUSE, DAGSTER_HOME and its dagster.yaml, which
    `make ui` relies on)."""
    configure_environment()
    if force or manifest_is_stale():
        with _dbt_on_path():
            DBT_PROJECT.preparer.prepare(DBT_PROJECT)
    return DBT_PROJECT.manifest_path

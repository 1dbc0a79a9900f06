"""How the tests start dbt: a subprocess in the dbt project, with the project's profiles and a target and a log
folder of its own under `workdir` (so parallel tests never share a manifest, partial-parse file or log), no
telemetry. The engine, warehouse or Spark directory come in `env` (profiles.yml reads them from there).

    proc = run_dbt(["build"], tmp_path, {"XMDW_WAREHOUSE": str(warehouse)})   # tmp_path/target/run_results.json
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from xmdw.core.paths import DBT_EXECUTABLE, DBT_PROJECT_DIR


def run_dbt(
    args: Sequence[str],
    workdir: Path,
    env: Mapping[str, str] | None = None,
    *,
    executable: str | Path = DBT_EXECUTABLE,
    timeout: float = 1200,
) -> subprocess.CompletedProcess:
    """`dbt <args>` (`executable`: another venv's dbt, e.g. dbt-spark's); output captured as text."""
    return subprocess.run(
        [str(executable), *args, "--profiles-dir", str(DBT_PROJECT_DIR)]
        + ["--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")],
        cwd=DBT_PROJECT_DIR,
        env=os.environ | {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false"} | dict(env or {}),
        capture_output=True,
        text=True,
        timeout=timeout,
    )

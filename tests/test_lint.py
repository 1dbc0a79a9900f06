"""ruff is part of the test suite: code that is not ruff-clean does not pass `make test`."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_clean():
    dirs = ["dagster_project", "tests", "bench"]
    for args in (["check", *dirs], ["format", "--check", *dirs]):
        proc = subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr

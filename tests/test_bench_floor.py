"""The benchmark floor (bench/floor.sql) computes the marts' figures on the county demo (issue 6).

Heavy (a whole pipeline run, ~40 s): `make test-heavy`. `make bench` runs the same check on every scale.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from xmdw_demo import generate

from xmdw.core.paths import DataPaths
from xmdw.defs.pipeline import run_pipeline

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from check_floor import check  # noqa: E402

pytestmark = pytest.mark.heavy


def test_floor_equals_the_marts_on_the_county_demo(data_dir: DataPaths) -> None:
    generate(data_dir.landing, scale="county", seed=2024, imperfection_rate=0.15)
    summary = run_pipeline()
    assert summary.success, summary.failed_steps
    assert check(data_dir.warehouse)

"""Issue 13's promise: the redesign moved code, not figures. Every table of the `marts` and `ref` schemas equals,
row for row, the digest taken from the last commit before the redesign (tests/golden/marts_<scale>.json, made by
tests/golden/mart_digest.py from commit e07b626). New relations may appear; none may change or disappear.

A deliberate change of a figure regenerates the digest in the same commit, with the reason in docs/decisions.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from golden.mart_digest import build, differences, digests

GOLDEN = Path(__file__).parent / "golden"


def _check(scale: str, warehouse: Path) -> None:
    golden = json.loads((GOLDEN / f"marts_{scale}.json").read_text(encoding="utf-8"))
    diff = differences(golden, digests(warehouse))
    assert not diff, "marts differ from the pre-redesign digest:\n" + "\n".join(diff)


@pytest.mark.e2e
def test_county_marts_equal_the_pre_redesign_digest(county_demo) -> None:
    """The session's county demo (conftest: `xmdw run --demo-if-empty`, the same ledgers as `xmdw demo`)."""
    _check("county", county_demo.paths.warehouse)


@pytest.mark.heavy
def test_province_marts_equal_the_pre_redesign_digest(tmp_path: Path) -> None:
    _check("province", build("province", tmp_path))


def test_a_changed_row_is_a_difference() -> None:
    """The comparison itself can fail: one changed digest and one missing relation are both reported."""
    golden = {"marts.a": {"rows": 1, "md5": "x"}, "marts.b": {"rows": 2, "md5": "y"}}
    now = {"marts.a": {"rows": 1, "md5": "z"}, "marts.c": {"rows": 0, "md5": "w"}}
    assert [d.split(":")[0] for d in differences(golden, now)] == ["marts.a", "marts.b"]

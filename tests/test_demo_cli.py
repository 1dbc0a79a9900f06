"""`xmdw demo --out DIR`: everything the command writes goes to DIR, nothing into the data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

_CLI = [sys.executable, "-m", "xmdw.cli.main", "demo"]


def _demo(data: Path, *args: str) -> None:
    env = {**os.environ, "XMDW_DATA_DIR": str(data)}
    subprocess.run([*_CLI, *args], env=env, check=True, capture_output=True, text=True)


def test_out_dir_holds_the_manifest(tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "ledgers"
    _demo(data, "--out", str(out))
    manifest = json.loads((out / "demo_manifest.json").read_text(encoding="utf-8"))
    ledgers = [p for p in out.rglob("*") if p.is_file() and p.name != "demo_manifest.json"]
    assert manifest["files_written"] == len(ledgers) > 0
    assert not (data / "demo_manifest.json").exists()


def test_default_keeps_the_manifest_out_of_landing(tmp_path: Path) -> None:
    """Ingestion would take a JSON in the landing folder for a unit's file and reject it."""
    data = tmp_path / "data"
    _demo(data)
    assert (data / "demo_manifest.json").exists()
    assert not list((data / "landing").rglob("*.json"))

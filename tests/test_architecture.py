"""The layout rules of docs/architecture.md, enforced: import directions (import-linter, `.importlinter`) and
module size. A change that makes a package import one above it, or a module grow past 400 lines, fails here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 400
# Data tables of the demo generator and generated files are exempt (issue 13: "outside generated files and the
# demo data tables").
EXEMPT_DIRS = ("dagster_project/xmdw_demo/tables",)


def test_imports_point_down() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run(
        [str(lint), "--config", str(ROOT / ".importlinter"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_the_layer_contract_lists_every_package() -> None:
    """A new package outside the layers would escape the contract: every xmdw sub-package must be named."""
    config = (ROOT / ".importlinter").read_text(encoding="utf-8")
    packages = sorted(
        p.name for p in (ROOT / "dagster_project" / "xmdw").iterdir() if (p / "__init__.py").is_file()
    )
    missing = [p for p in packages if f"xmdw.{p}" not in config]
    assert packages and not missing, f"packages not in .importlinter layers: {missing}"


def _python_modules() -> list[Path]:
    files = []
    for top, pattern in (
        ("dagster_project", "*.py"),
        ("tests", "*.py"),
        ("bench", "*.py"),
        ("dbt_models", "*.sql"),
    ):
        for path in (ROOT / top).rglob(pattern):
            rel = path.relative_to(ROOT).as_posix()
            # dbt's own output (target/) and installed packages are generated, not ours
            if not rel.startswith(EXEMPT_DIRS) and not rel.startswith(
                ("dbt_models/target", "dbt_models/dbt_packages")
            ):
                files.append(path)
    return files


def test_no_module_over_400_lines() -> None:
    too_long = {
        p.relative_to(ROOT).as_posix(): n
        for p in _python_modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not too_long, f"modules over {MAX_LINES} lines: {too_long}"

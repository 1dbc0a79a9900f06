"""The reliability corpus (issue 11): awkward and hostile inputs built from the project's own templates and
contract, each with the outcome a careful clerk would expect.

`python tests/corpus/build_corpus.py DIR` writes it into DIR (a landing folder); tests/test_corpus.py
ingests it in one batch and checks every outcome; docs/reliability.md lists the kinds (kept in sync by a
test). Outcomes: accepted (rows loaded / rows rejected with their rules), quarantined with its rule,
deferred (still being written) or skipped (gone before it was read). The cases are in cases_*.py, the
building blocks in kit.py.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from corpus import cases_a, cases_a2, cases_b, cases_b2  # noqa: E402,F401  (they register their cases)
from corpus.kit import CASES, GROUPS, OLD_MTIME, Case  # noqa: E402

__all__ = ["CASES", "GROUPS", "Case", "build"]


def build(folder: Path, include_root_only: bool | None = None) -> dict[str, Case]:
    """Write every case into `folder`; returns {file name as logged: case}."""
    folder.mkdir(parents=True, exist_ok=True)
    root = os.geteuid() == 0 if include_root_only is None else include_root_only
    out = {}
    for c in CASES:
        if c.root_only and not root:
            continue
        logged, path = c.build(folder)
        out[logged] = c
        if not c.young and os.path.lexists(path) and stat.S_ISREG(os.lstat(path).st_mode):
            os.utime(path, (OLD_MTIME, OLD_MTIME))
    return out


if __name__ == "__main__":
    written = build(Path(sys.argv[1]))
    print(f"{len(written)} cases written to {sys.argv[1]}")

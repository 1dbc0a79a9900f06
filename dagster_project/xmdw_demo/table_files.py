"""Read the demo data tables in `xmdw_demo/tables/` (CSV with a header row, or YAML).

Numbers in a CSV keep the type they were written with (``68000`` an int, ``0.19`` a float), so a table read
from a file is the same Python value it was as a literal and the generated output does not change.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

# Not "data/": the repository ignores every directory of that name (the warehouse's data root).
TABLES_DIR = Path(__file__).resolve().parent / "tables"
_INT = re.compile(r"-?\d+")


def _number(text: str) -> int | float:
    return int(text) if _INT.fullmatch(text) else float(text)


def read_rows(name: str, numeric: tuple[str, ...] = ()) -> list[tuple]:
    """The rows of `tables/<name>` as tuples in column order; the `numeric` columns as int or float."""
    with (TABLES_DIR / name).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return [tuple(_number(v) if k in numeric else v for k, v in row.items()) for row in reader]


@cache
def read_yaml(name: str) -> dict[str, Any]:
    """`tables/<name>` as a mapping (cached: the tables never change during a run; callers must not mutate)."""
    with (TABLES_DIR / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)

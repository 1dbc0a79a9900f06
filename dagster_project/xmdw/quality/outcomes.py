"""What a validation produces: findings, one outcome per rule, one validation per table.

What a failed rule does is declared by the rule itself (`on_fail` in expectations/rules/<ID>.yml,
docs/data_quality.md "What a rule does when it fails"); this module only executes it:

- `hold_rows`: the offending rows are held back from staging;
- `hold_file`: every row of the file a finding names is held back (F5, F6, F7) — the unit's submission
  waits, nobody else's does; a finding that names no file has nothing to hold and blocks the table;
- `block_table`: the table's check blocks the dbt build. No rule of the catalog does this (issue 10:
  a region's marts never depend on another region's mistake); it stays for a rule about the warehouse
  as a whole;
- `report`: recorded and reported (warnings).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from xmdw.quality.catalog import Rule

# Lineage columns GX reports for every offending row of a raw table.
ROW_ID_COLUMNS = ["_file_id", "_source_file", "_sheet", "_source_row", "_submitting_unit"]
LINEAGE_KEY = ("_file_id", "_sheet", "_source_row")
FINDING_COLUMNS = [
    "submitting_unit",
    "file_id",
    "file_name",
    "sheet",
    "source_row",
    "column_name",
    "record_key",
    "observed",
    "violates",
    "note",
]


def py_value(value):
    """numpy/pandas scalars to plain Python; NaN/NaT to None."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def as_text(value) -> str | None:
    value = py_value(value)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_TRAILING_ZEROS = re.compile(r"(?<![\d.])(\d+)\.(\d*?)0+(?!\d)")


def tidy(text: str | None) -> str | None:
    """'6504.8000' -> '6504.8', '380.0000' -> '380' (DECIMAL(18,4) printed as text)."""
    if text is None:
        return None
    return _TRAILING_ZEROS.sub(lambda m: m.group(1) + (f".{m.group(2)}" if m.group(2) else ""), text)


@dataclass
class Finding:
    """One offending row (row scope) or one finding (table scope), as a unit reads it."""

    submitting_unit: str | None = None
    file_id: str | None = None
    file_name: str | None = None
    sheet: str | None = None
    source_row: int | None = None
    column_name: str | None = None
    record_key: str | None = None
    observed: str | None = None
    submitted_at: datetime | None = None
    note: str | None = None


@dataclass
class RuleOutcome:
    rule: Rule
    success: bool
    element_count: int
    unexpected_count: int
    # What the engine found is counted here and complete in the run's findings relation
    # (quality/findings.py); the lists below keep at most findings.KEPT of it (all of it in small runs).
    offending_rows: list[dict] = field(default_factory=list)  # lineage of GX's unexpected rows
    findings: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)  # info (e.g. 样本不足), never a failure
    note_count: int = 0
    # table scope: the rows of the files its findings name, filled by the runner (file_id, sheet, row)
    held_rows: list[tuple[str, str | None, int]] = field(default_factory=list)

    def holds(self, finding: Finding) -> bool:
        """This finding holds rows back: its row (`hold_rows`) or the file it names (`hold_file`)."""
        if self.success:
            return False
        return self.rule.on_fail == "hold_rows" or (
            self.rule.on_fail == "hold_file" and bool(finding.file_id)
        )

    def blocks(self, finding: Finding) -> bool:
        """This finding blocks the table's downstream models (`block_table`, or `hold_file` without a file)."""
        if self.success:
            return False
        return self.rule.on_fail == "block_table" or (
            self.rule.on_fail == "hold_file" and not finding.file_id
        )

    @property
    def blocking(self) -> bool:
        """A failed fatal table-scope rule with a finding that names no file blocks the dbt models."""
        return any(self.blocks(f) for f in self.findings)

    @property
    def holds_back_rows(self) -> bool:
        """A failed rule holds rows back from staging (rows, or whole files)."""
        return any(self.holds(f) for f in self.findings)

    @property
    def held_files(self) -> list[str]:
        """Table scope: the files whose every row this outcome holds back."""
        if self.rule.on_fail != "hold_file":
            return []
        return sorted({f.file_id for f in self.findings if self.holds(f)})


@dataclass
class TableValidation:
    table: str
    rows: int
    outcomes: list[RuleOutcome]
    seconds: float = 0.0
    # rows handed to GX per group of row rules ("new": rows the incremental rules checked, "flagged":
    # offending rows of the other SQL rules, "all": rows of non-incremental expectations; gx_runner)
    gx_rows: dict[str, int] = field(default_factory=dict)
    # raw tables: files with current rows not checked under the current rule set before this run
    new_files: list[str] = field(default_factory=list)
    # distinct rows held back, counted in the engine (None: count `excluded_rows()`)
    held_back: int | None = None

    @property
    def rows_held_back(self) -> int:
        if self.held_back is not None:
            return self.held_back
        return len({r[:3] for r in self.excluded_rows()})

    @property
    def fatal_failures(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if not o.success and o.rule.is_fatal]

    @property
    def warnings(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if not o.success and not o.rule.is_fatal]

    @property
    def blocking_failures(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if o.blocking]

    def excluded_rows(self) -> list[tuple[str, str, int, str]]:
        """(_file_id, _sheet, _source_row, rule_id) of the rows a fatal rule holds back that Python holds
        (every one in small runs; the engine records them all: quality/recording.py)."""
        out = []
        for o in self.outcomes:
            if o.rule.on_fail == "hold_rows":
                out += [(f.file_id, f.sheet, f.source_row, o.rule.id) for f in o.findings if o.holds(f)]
            else:
                out += [(fid, sheet, row, o.rule.id) for fid, sheet, row in o.held_rows]
        return out

"""What a demo run wrote: counts, regions, and every deliberately bad thing injected."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

# `expect` values of an injected item.
REJECTED_ROW = "rejected_row"  # the parser rejects this row (rejected_rows)
VALUE_FINDING = "value_finding"  # an optional value is unreadable: left empty, row kept (value_findings)
QUARANTINED_FILE = "quarantined_file"  # the whole file goes to quarantine
REVISION = "revision"  # a corrected resubmission: later file, same natural keys
DQ_WARNING = "dq_warning"  # loads fine; a data-quality rule (warning) should flag it
DQ_FATAL = "dq_fatal"  # loads fine; a data-quality rule (fatal) should flag it


@dataclass
class DemoSummary:
    scale: str
    seed: int
    imperfection_rate: float
    plan_year: int
    files_written: int = 0
    files_by_entity: dict[str, int] = field(default_factory=dict)
    rows_by_entity: dict[str, int] = field(default_factory=dict)
    # Every deliberately bad thing: {"kind", "file", "sheet", "row", "column", "expect", ...}.
    # `file` is relative to out_dir (POSIX separators); `row` is 1-based as Excel shows it.
    injected: list[dict] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    region_names: dict[str, str] = field(default_factory=dict)
    # Cells written in another money unit than 万元 and what the ingestion must turn them into.
    unit_checks: list[dict] = field(default_factory=list)
    # Every file written (county scale only): {"file", "entity" (intended; "quarantine" for the injected
    # quarantine files), "rows"}.
    files: list[dict] = field(default_factory=list)
    # Free-text remarks (e.g. a ledger skipped because plan_targets.csv is absent).
    notes: list[str] = field(default_factory=list)
    bytes_written: int = 0

    def add_file(self, entity: str, rows: int, size: int) -> None:
        self.files_written += 1
        self.files_by_entity[entity] = self.files_by_entity.get(entity, 0) + 1
        self.rows_by_entity[entity] = self.rows_by_entity.get(entity, 0) + rows
        self.bytes_written += size

    def inject(
        self,
        kind: str,
        file: str,
        expect: str,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        **extra: object,
    ) -> None:
        item = {"kind": kind, "file": file, "sheet": sheet, "row": row, "column": column, "expect": expect}
        item.update(extra)
        self.injected.append(item)

    def injected_by(self, expect: str) -> list[dict]:
        return [i for i in self.injected if i["expect"] == expect]

    def as_dict(self) -> dict:
        d = asdict(self)
        d["files_by_entity"] = dict(sorted(self.files_by_entity.items()))
        d["rows_by_entity"] = dict(sorted(self.rows_by_entity.items()))
        return d

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2, default=str)

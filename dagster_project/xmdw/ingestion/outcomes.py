"""What a batch did with each file: its status and counts (one FileOutcome per file, in batch order)."""

from __future__ import annotations

from dataclasses import dataclass, field

from xmdw.ingestion.problems import Problem


@dataclass
class FileOutcome:
    file_name: str
    status: str  # accepted | duplicate | quarantined | deferred | skipped | failed
    entity: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    rows_revised: int = 0
    reason: Problem | None = None
    stored_path: str | None = None
    # a workbook holding several ledgers: rows loaded per entity (entity then names them all, joined by +)
    loaded_by_entity: dict[str, int] = field(default_factory=dict)
    rows_with_findings: int = 0  # rows kept with an optional value left empty (raw.value_findings)
    sheets_skipped: int = 0  # sheets holding no ledger (raw.skipped_sheets)


@dataclass
class BatchResult:
    run_id: str
    outcomes: list[FileOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def total(self, attr: str) -> int:
        return sum(getattr(o, attr) for o in self.outcomes)

    def rows_by_entity(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for o in self.outcomes:
            for entity, n in (o.loaded_by_entity or ({o.entity: o.rows_loaded} if o.entity else {})).items():
                out[entity] = out.get(entity, 0) + n
        return out
